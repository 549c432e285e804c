"""Scrapy: :class:`DedupPipeline`, an item pipeline that cleans each scraped article.

Add it to the project's settings::

    ITEM_PIPELINES = {"dedup.integrations.scrapy.DedupPipeline": 300}
    DEDUP_INDEX = "seen.sqlite"          # or "redis://host:6379/0", shared by crawlers
    DEDUP_BOILERPLATE_MIN_DOCS = 5       # optional: site boilerplate

Each item's text field is cleaned by a :class:`dedup.Deduplicator` opened for
the crawl: duplicates inside the article, paragraphs an earlier article kept
(cross-document duplicates, on by default), and, when set, site boilerplate.
The site is the host of the item's URL field and the document id the URL
itself, so a page crawled twice never duplicates itself. Items without text
pass unchanged. The crawl's stats count what went: ``dedup/items``,
``dedup/paragraphs``, ``dedup/dropped/<reason>``.

Settings (all optional): ``DEDUP_TEXT_FIELD`` (``"text"``), ``DEDUP_URL_FIELD``
(``"url"``), ``DEDUP_INDEX`` (a SQLite path or ``redis://`` URL; default: in
memory, forgotten at the end of the crawl), ``DEDUP_CROSS_DOC`` (``True``),
``DEDUP_BOILERPLATE_MIN_DOCS``, ``DEDUP_BOILERPLATE_FRACTION``, and
``DEDUP_MIN_LENGTH`` / ``DEDUP_MIN_SIMILARITY`` / ``DEDUP_KEEP`` for the
in-article options.

Needs the scrapy extra: ``pip install 'dedup-paragraphs[scrapy]'``.
"""

from __future__ import annotations

from typing import Any, cast

from itemadapter import ItemAdapter

from dedup.config import Config
from dedup.corpus.deduplicator import Deduplicator
from dedup.corpus.readers import url_site

__all__ = ["DedupPipeline"]


class DedupPipeline:
    """Clean the text of every item against itself and the articles crawled before it.

    Args:
        text_field: The item field holding the article text.
        url_field: The item field holding the page URL (site and document id).
        index: Where to remember kept paragraphs: ``None`` (memory), a SQLite
            path, or a ``redis://`` URL.
        cross_doc: Drop paragraphs an earlier article kept.
        boilerplate_min_docs: Drop paragraphs found in this many articles of a site.
        boilerplate_fraction: Or in this fraction of them (and in at least 3).
        config: In-article options (:class:`dedup.Config`).
        stats: A Scrapy stats collector (``crawler.stats``), or ``None``.

    Raises:
        ConfigError: an option is out of range (when the pipeline is created).
    """

    def __init__(
        self,
        *,
        text_field: str = "text",
        url_field: str = "url",
        index: str | None = None,
        cross_doc: bool = True,
        boilerplate_min_docs: int | None = None,
        boilerplate_fraction: float | None = None,
        config: Config | None = None,
        stats: Any = None,  # noqa: ANN401 - scrapy.statscollectors.StatsCollector
    ) -> None:
        self.text_field = text_field
        self.url_field = url_field
        self.index = index
        self.cross_doc = cross_doc
        self.boilerplate_min_docs = boilerplate_min_docs
        self.boilerplate_fraction = boilerplate_fraction
        self.config = config if config is not None else Config()
        self.stats = stats
        self.cleaner: Deduplicator | None = None
        Deduplicator(None, config=self.config, boilerplate_min_docs=boilerplate_min_docs,
                     boilerplate_fraction=boilerplate_fraction).close()  # check the options

    @classmethod
    def from_crawler(cls, crawler: Any) -> DedupPipeline:  # noqa: ANN401 - scrapy Crawler
        """Build the pipeline from the crawler's ``DEDUP_*`` settings (see the module)."""
        settings = crawler.settings
        defaults = Config()
        config = Config(
            keep=settings.get("DEDUP_KEEP", defaults.keep),
            min_length=settings.getint("DEDUP_MIN_LENGTH", defaults.min_length),
            min_similarity=settings.getfloat("DEDUP_MIN_SIMILARITY", defaults.min_similarity),
        )
        min_docs = settings.get("DEDUP_BOILERPLATE_MIN_DOCS")
        fraction = settings.get("DEDUP_BOILERPLATE_FRACTION")
        return cls(
            text_field=settings.get("DEDUP_TEXT_FIELD", "text"),
            url_field=settings.get("DEDUP_URL_FIELD", "url"),
            index=settings.get("DEDUP_INDEX"),
            cross_doc=settings.getbool("DEDUP_CROSS_DOC", True),
            boilerplate_min_docs=None if min_docs is None else int(min_docs),
            boilerplate_fraction=None if fraction is None else float(fraction),
            config=config,
            stats=crawler.stats,
        )

    def open_spider(self, spider: Any = None) -> None:  # noqa: ANN401 - scrapy Spider
        """Open the index for the crawl."""
        self.cleaner = Deduplicator(self.index, config=self.config, cross_doc=self.cross_doc,
                                    boilerplate_min_docs=self.boilerplate_min_docs,
                                    boilerplate_fraction=self.boilerplate_fraction)

    def close_spider(self, spider: Any = None) -> None:  # noqa: ANN401 - scrapy Spider
        """Close the index (a SQLite or Redis index keeps what it learnt)."""
        if self.cleaner is not None:
            self.cleaner.close()
            self.cleaner = None

    def process_item(self, item: Any, spider: Any = None) -> Any:  # noqa: ANN401
        """Replace the item's text with its cleaned text; count the drops in the stats."""
        adapter = ItemAdapter(item)
        text = adapter.get(self.text_field)
        if not isinstance(text, str):
            return item
        if self.cleaner is None:
            self.open_spider(spider)
        cleaner = cast("Deduplicator", self.cleaner)
        url = adapter.get(self.url_field)
        site = url_site(url) if isinstance(url, str) else ""
        doc = url if isinstance(url, str) and url else None
        cleaned = cleaner.clean_with_report(text, site=site, doc=doc)
        adapter[self.text_field] = cleaned.text
        if self.stats is not None:
            self.stats.inc_value("dedup/items")
            self.stats.inc_value("dedup/paragraphs", len(cleaned.paragraphs))
            for reason, count in cleaned.dropped.items():
                self.stats.inc_value(f"dedup/dropped/{reason}", count)
        return item
