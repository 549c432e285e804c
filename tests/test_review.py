"""The review views without a browser: terminal diff, HTML fragments, the site's files, the CLI."""

from __future__ import annotations

import importlib.util
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from dedup import Report, clean_with_report
from dedup.cli import main
from dedup.report import Decision
from dedup.review import print_diff, report_html, write_site
from dedup.review.articles import article_key, read_article
from dedup.review.site import MARKER

ROOT = Path(__file__).resolve().parents[1]
BODY = "The body of the story, told at length, with every detail in it and more."
ARTICLE = f"Intro line.\n{BODY}\nMiddle line.\n{BODY}\n"


def load_corpus():
    spec = importlib.util.spec_from_file_location("review_corpus", ROOT / "tests/review_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Links(HTMLParser):
    """Collects hrefs, ids and external resource attributes of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()
        self.sources: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if "href" in values and tag == "a":
            self.hrefs.append(values["href"])
        if "id" in values:
            self.ids.add(values["id"])
        if tag in {"script", "img", "iframe"} or (tag == "link" and values.get("rel") != "icon"):
            self.sources.append(tag)


def parse(path: Path) -> Links:
    links = Links()
    links.feed(path.read_text(encoding="utf-8"))
    return links


# terminal diff


def test_plain_diff_marks_drops_and_their_kept_copy():
    out = io.StringIO()
    print_diff(clean_with_report(ARTICLE).report, Console(file=out, width=80))
    assert out.getvalue().splitlines() == [
        "Intro line.",
        f"[#1] {BODY}",
        "Middle line.",
        f"[-exact dup of #1 (sim 1.00)] {BODY}",
    ]


def test_terminal_diff_strikes_colors_and_quotes_the_kept_copy():
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, color_system="truecolor", width=200)
    print_diff(clean_with_report(ARTICLE).report, console)
    text = out.getvalue()
    assert "\x1b[2;9;38;2;192;57;43m" + BODY in text  # dim, strike, the color of "exact"
    assert f"exact dup of #1 (sim 1.00): “{BODY}”" in text
    assert "1 of 4 paragraphs removed" in text


def test_terminal_diff_does_not_interpret_markup():
    report = Report((Decision(0, 0, 9, "[bold]x[/]", True),))
    out = io.StringIO()
    print_diff(report, Console(file=out))
    assert out.getvalue() == "[bold]x[/]\n"


# records and HTML


def test_read_article_tolerates_missing_and_extra_fields():
    article = read_article({"paragraphs": [{"text": "a"}, "junk", {"kept": False, "x": 1}]}, 3)
    assert article.key == "#3"
    assert article.site == "(no site)"
    assert [(p.index, p.kept) for p in article.paragraphs] == [(0, True), (2, False)]


def test_duplicate_doc_as_a_dict_names_the_index():
    article = read_article({"paragraphs": [{"index": 0, "text": "x", "kept": False,
                                            "duplicate_doc": {"path": "b.txt", "index": 4}}]})
    p = article.paragraphs[0]
    assert (p.duplicate_doc.key, p.duplicate_of) == ("b.txt", 4)


def test_article_keys():
    assert article_key({"id": 0}) == "0"
    assert article_key({"path": "a", "line": 2}) == "a:2"


def test_report_to_html_escapes_and_marks_removals():
    text = f"<b>{BODY}</b>\nx\n<b>{BODY}</b>"
    report = clean_with_report(text).report
    html = report.to_html()
    assert html == report._repr_html_()
    assert "<b>" not in html.replace("<b>exact</b>", "")
    assert html.count('class="para removed"') == 1
    assert 'data-reason="exact"' in html
    assert 'href="#p0"' in html
    assert "<script" not in html


def test_report_html_names_copies_in_other_articles_without_linking():
    html = report_html({"paragraphs": [
        {"index": 0, "text": "x", "kept": False, "reason": "cross_doc", "duplicate_of": 3,
         "similarity": 0.9, "duplicate_doc": "other"}]})
    assert "#3 in other" in html
    assert "kept-link" not in html


# the site


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("review") / "site"
    summary = write_site(load_corpus().records(), out, per_page=4)
    return out, summary


def test_site_files_and_summary(site):
    out, summary = site
    assert (summary.articles, summary.list_pages) == (11, 3)
    assert summary.removed_paragraphs == 34
    assert sorted(p.name for p in out.glob("*.html")) == ["index.html", "list-2.html",
                                                           "list-3.html"]
    assert len(list((out / "articles").glob("*.html"))) == 11 + 1  # and one stub
    assert json.loads((out / MARKER).read_text())["articles"] == 11
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]  # no temp dirs left


def test_every_link_resolves_and_nothing_is_loaded_from_the_network(site):
    out, _ = site
    pages = list(out.glob("*.html")) + list((out / "articles").glob("*.html"))
    for page in pages:
        links = parse(page)
        assert links.sources == [], page
        html = page.read_text(encoding="utf-8")
        assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
        assert "https://" not in html
        for href in links.hrefs:
            target, _, fragment = href.partition("#")
            target_path = (page.parent / target).resolve() if target else page
            assert target_path.exists(), (page, href)
            if fragment:
                assert fragment in parse(target_path).ids, (page, href)


def test_overview_states_pagination_and_counts_boilerplate(site):
    out, _ = site
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "at most 4 per" in html
    listed = html[html.index('<table class="articles">'):]
    assert listed.count('<tr><td><a href="articles/') == 4
    assert re.search(r'<td class="n">3</td><td><span class="badge"[^>]*>cross doc</span></td>'
                     r"<td>Subscribe to the Valley News", html)
    assert "harbour-times.example" in html
    assert html.count("<rect ") == 11


def test_list_pages_link_forward_and_back(site):
    out, _ = site
    second = (out / "list-2.html").read_text(encoding="utf-8")
    third = (out / "list-3.html").read_text(encoding="utf-8")
    assert 'href="list-3.html"' in second
    assert 'href="index.html">← Previous' in second
    assert 'href="list-2.html">← Previous' in third
    assert "Next" not in third


def test_site_pruning_is_stated(tmp_path):
    records = [{"id": i, "paragraphs": [{"index": 0, "text": f"unique {i}", "kept": False,
                                         "reason": "exact", "duplicate_of": 0}]}
               for i in range(30)]
    write_site(records, tmp_path / "s", max_tracked=10)
    assert "these counts may be low" in (tmp_path / "s/index.html").read_text(encoding="utf-8")


def test_site_replaces_an_old_site_but_never_other_directories(tmp_path):
    out = tmp_path / "site"
    write_site([{"id": "a", "paragraphs": []}], out)
    (out / "old.html").write_text("x")
    write_site([{"id": "b", "paragraphs": []}], out)
    assert not (out / "old.html").exists()
    other = tmp_path / "mine"
    other.mkdir()
    with pytest.raises(FileExistsError, match="not a dedup review site"):
        write_site([], other)
    with pytest.raises(ValueError, match="per_page=0"):
        write_site([], tmp_path / "x", per_page=0)


def test_failed_build_leaves_nothing_behind(tmp_path):
    def records():
        yield {"id": "a", "paragraphs": []}
        message = "boom"
        raise RuntimeError(message)

    with pytest.raises(RuntimeError):
        write_site(records(), tmp_path / "site")
    assert list(tmp_path.iterdir()) == []


def test_empty_run(tmp_path):
    summary = write_site([], tmp_path / "s")
    assert summary.articles == 0
    assert "No articles." in (tmp_path / "s/index.html").read_text(encoding="utf-8")


# the CLI


def test_cli_clean_diff(tmp_path, capsys):
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    assert main(["clean", str(path), "--diff"]) == 0
    assert f"[-exact dup of #1 (sim 1.00)] {BODY}" in capsys.readouterr().out


def test_cli_report_html(tmp_path, capsys):
    report = tmp_path / "report.jsonl"
    report.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in load_corpus().records()))
    assert main(["report", str(report), "--html", str(tmp_path / "site"), "--per-page", "3"]) == 0
    assert "11 articles" in capsys.readouterr().err
    assert (tmp_path / "site/list-4.html").exists()
    assert main(["report", str(tmp_path / "missing.jsonl"), "--html", str(tmp_path / "s2")]) == 1


def check_links(site: Path) -> int:
    checked = 0
    for page in [*site.glob("*.html"), *(site / "articles").glob("*.html")]:
        for href in parse(page).hrefs:
            target, _, fragment = href.partition("#")
            target_path = (page.parent / target).resolve() if target else page
            assert target_path.exists(), (page, href)
            if fragment:
                assert fragment in parse(target_path).ids, (page, href)
            checked += 1
    return checked


def test_cli_batch_html_report(tmp_path):
    corpus = tmp_path / "in"
    corpus.mkdir()
    lines = [
        {"id": f"doc-{i}", "url": "https://news.example/a",
         "text": "\n".join([title, body, body, SHARED_FOOTER])}
        for i, (title, body) in enumerate(load_corpus().TOPICS)
    ]
    (corpus / "a.jsonl").write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in lines))
    site = tmp_path / "site"
    code = main(["batch", str(corpus), str(tmp_path / "out"), "--cross-doc", "--workers", "1",
                 "--quiet", "--html-report", str(site)])
    assert code == 0
    html = (site / "index.html").read_text(encoding="utf-8")
    assert "6</b>Articles" in html
    assert check_links(site) > 20
    cross = (site / "articles").glob("doc-3-*.html")
    assert 'class="kept-link cross"' in next(cross).read_text(encoding="utf-8")


SHARED_FOOTER = "Every story on this site is written by volunteers from the neighbourhood."


@given(st.text(st.sampled_from(["\ud800", "\udfff", "\udc80", "a", "\n", " ", "\u00e9", "<"]))
       | st.text())
def test_to_html_takes_any_str_lone_surrogates_included(text: str) -> None:
    """Any ``str`` is accepted, so any ``str`` renders, as UTF-8 (surrogates shown as U+FFFD)."""
    page = clean_with_report(text).report.to_html()
    page.encode("utf-8")
    assert "\ufffd" in page or not any("\ud800" <= c <= "\udfff" for c in text)


def test_lone_surrogate_report_renders() -> None:
    page = clean_with_report("\ud800\n").report.to_html()
    assert "\ufffd" in page
