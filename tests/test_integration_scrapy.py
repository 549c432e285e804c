"""dedup.integrations.scrapy.DedupPipeline in a real Scrapy crawl of a local HTTP server.

The crawl runs in a subprocess (Twisted's reactor starts once per process)
against pages served by a ``http.server`` that the test starts.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import scrapy  # noqa: F401 - the real library, not a stand-in

from tests.corpus_helpers import NEWSLETTER, SYNDICATED, story

ROOT = Path(__file__).resolve().parent.parent
PAGES = 6


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    """Serve PAGES articles: a teaser, a body paragraph twice, a newsletter line, syndication."""
    pages = tmp_path / "site"
    pages.mkdir()
    links = []
    for n in range(PAGES):
        body = story("scrapy", n)
        teaser = body[0][: len(body[0]) * 2 // 3] + "…"
        paragraphs = [teaser, *body, body[1], NEWSLETTER, *([SYNDICATED] if n % 2 == 0 else [])]
        html = "".join(f"<p>{p}</p>" for p in paragraphs)
        (pages / f"{n}.html").write_text(f"<html><body><article>{html}</article></body></html>")
        links.append(f'<a href="{n}.html">{n}</a>')
    (pages / "index.html").write_text(f"<html><body>{''.join(links)}</body></html>")
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 partial(QuietHandler, directory=str(pages)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


CRAWL = textwrap.dedent("""
    import json, sys
    import scrapy
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess

    base, out, stats_path, settings = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]

    class Articles(scrapy.Spider):
        name = "articles"
        start_urls = [base + "/index.html"]

        def parse(self, response):
            for number, href in enumerate(response.css("a::attr(href)").getall()):
                yield response.follow(href, self.article, priority=-number)

        def article(self, response):
            yield {"url": response.url,
                   "body": "\\n".join(response.css("article p::text").getall())}

    def save_stats(spider):
        with open(stats_path, "w") as handle:
            json.dump({k: v for k, v in spider.crawler.stats.get_stats().items()
                       if k.startswith("dedup/")}, handle)

    process = CrawlerProcess({
        "ITEM_PIPELINES": {"dedup.integrations.scrapy.DedupPipeline": 300},
        "FEEDS": {out: {"format": "jsonlines"}},
        "CONCURRENT_REQUESTS": 1, "LOG_LEVEL": "ERROR", "ROBOTSTXT_OBEY": False,
        "TELNETCONSOLE_ENABLED": False,
        **json.loads(settings),
    })
    crawler = process.create_crawler(Articles)
    crawler.signals.connect(save_stats, signal=signals.spider_closed)
    process.crawl(crawler)
    process.start()
""")


def crawl(tmp_path: Path, base: str, name: str, **settings: object) -> tuple[list[dict], dict]:
    script = tmp_path / "crawl.py"
    script.write_text(CRAWL)
    out, stats = tmp_path / f"{name}.jsonl", tmp_path / f"{name}-stats.json"
    result = subprocess.run(
        [sys.executable, str(script), base, str(out), str(stats), json.dumps(settings)],
        capture_output=True, text=True, timeout=180, cwd=ROOT, check=False,
    )
    assert result.returncode == 0, result.stderr
    items = [json.loads(line) for line in out.read_text().splitlines()]
    return sorted(items, key=lambda item: item["url"]), json.loads(stats.read_text())


def test_crawl_cleans_items_and_counts_drops(tmp_path: Path, site: str) -> None:
    items, stats = crawl(tmp_path, site, "first", DEDUP_TEXT_FIELD="body",
                         DEDUP_INDEX=str(tmp_path / "seen.sqlite"))
    assert len(items) == PAGES
    texts = [item["body"] for item in items]
    for n, text in enumerate(texts):
        body = story("scrapy", n)
        assert text.split("\n")[:3] == body  # the teaser and the repeated paragraph are gone
    assert sum(SYNDICATED in t for t in texts) == 1  # cross-document: kept by the first page
    assert sum(NEWSLETTER in t for t in texts) == 1
    assert stats["dedup/items"] == PAGES
    assert stats["dedup/dropped/near"] == PAGES
    assert stats["dedup/dropped/exact"] == PAGES
    assert stats["dedup/dropped/cross_doc"] == (PAGES - 1) + (PAGES // 2 - 1)
    # a second crawl with the same index: the same pages keep the same paragraphs
    again, _ = crawl(tmp_path, site, "again", DEDUP_TEXT_FIELD="body",
                     DEDUP_INDEX=str(tmp_path / "seen.sqlite"))
    assert again == items


def test_boilerplate_setting_and_cross_doc_off(tmp_path: Path, site: str) -> None:
    items, stats = crawl(tmp_path, site, "bp", DEDUP_TEXT_FIELD="body", DEDUP_CROSS_DOC=False,
                         DEDUP_BOILERPLATE_MIN_DOCS=3)
    texts = [item["body"] for item in items]
    assert sum(NEWSLETTER in t for t in texts) == 2  # boilerplate from the third page on
    assert sum(SYNDICATED in t for t in texts) == 2  # 3 copies: boilerplate at the third
    assert stats["dedup/dropped/boilerplate"] == (PAGES - 2) + 1
    assert "dedup/dropped/cross_doc" not in stats
