"""Report records -> a static HTML review site in a directory.

The pieces, each in its module: :mod:`~dedup.review.articles` reads a record,
:mod:`~dedup.review.stats` adds it to the totals, :mod:`~dedup.review.pages`
writes its page and list row, :mod:`~dedup.review.overview` the overview,
:mod:`~dedup.review.swap` puts the finished directory in place.

``write_site(records, out_dir)`` reads the records once, in order, and writes:

- ``index.html``: the overview (articles, paragraphs and bytes removed by
  reason and per site, the most frequently removed paragraphs with their
  document counts, a histogram of the removed share per article) and the
  first page of the article list;
- ``list-<k>.html``: further pages of the article list, ``per_page`` each;
- ``articles/<name>.html``: one page per article, removals marked and linked
  to the kept copy, also when it is in another article (a copy kept in an
  article missing from the records gets a short stub page, so links resolve);
- ``dedup-review.json``: what was written (also marks the directory as ours).

Memory stays bounded for large corpora: article pages and list pages are
written as the records stream by, sites and frequent paragraphs are counted
in memory (the paragraph counter is pruned past ``max_tracked`` distinct
paragraphs, and the page says so). The site is built in a temporary directory
next to ``out_dir`` and renamed into place, so a reader never sees half a site.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from dedup.review.articles import read_article
from dedup.review.overview import overview_page
from dedup.review.pages import ArticleNames, article_page, list_page, list_row, stub_page
from dedup.review.stats import SiteStats
from dedup.review.swap import build_in_place

__all__ = ["MARKER", "SiteSummary", "write_site"]

MARKER = "dedup-review.json"
"""The file that marks a directory as a review site (only such a directory is replaced)."""

@dataclass(frozen=True, slots=True)
class SiteSummary:
    """What :func:`write_site` wrote."""

    out_dir: Path
    articles: int
    list_pages: int
    paragraphs: int
    removed_paragraphs: int
    bytes: int
    removed_bytes: int


def write_site(
    records: Iterable[Mapping[str, object]],
    out_dir: Path,
    *,
    per_page: int = 100,
    top_paragraphs: int = 25,
    top_sites: int = 50,
    max_tracked: int = 200_000,
) -> SiteSummary:
    """Write the HTML review site of a corpus run into ``out_dir``.

    Args:
        records: Report records, one per article (the JSON lines of
            ``dedup batch --report``, as dicts), read once in order.
        out_dir: The site's directory. It is replaced as a whole, and only if
            it doesn't exist or is a review site written before.
        per_page: Articles per page of the article list.
        top_paragraphs: How many of the most frequently removed paragraphs the
            overview lists.
        top_sites: How many sites (most bytes removed first) the overview lists.
        max_tracked: Distinct removed paragraphs counted exactly before the
            rarest are pruned (counts of the listed ones may then be low).

    Returns:
        A :class:`SiteSummary`.

    Raises:
        ValueError: ``per_page`` is below 1.
        FileExistsError: ``out_dir`` exists and is not a review site.
        OSError: writing failed (nothing is left behind).

    Example:
        >>> import tempfile
        >>> out = Path(tempfile.mkdtemp()) / "site"
        >>> summary = write_site([{"id": "a", "paragraphs": [
        ...     {"index": 0, "text": "Same.", "kept": True},
        ...     {"index": 1, "text": "Same.", "kept": False, "reason": "exact", "duplicate_of": 0}
        ... ]}], out)
        >>> summary.articles, summary.removed_paragraphs, (out / "index.html").exists()
        (1, 1, True)
    """
    if per_page < 1:
        msg = f"per_page={per_page!r} must be at least 1"
        raise ValueError(msg)
    out_dir = Path(out_dir)
    if out_dir.exists() and not (out_dir / MARKER).exists():
        msg = f"{str(out_dir)!r} exists and is not a dedup review site: choose a new directory"
        raise FileExistsError(msg)
    return build_in_place(out_dir, lambda work: _build(
        records, work, out_dir, per_page, top_paragraphs, top_sites, max_tracked))


def _build(
    records: Iterable[Mapping[str, object]],
    work: Path,
    out_dir: Path,
    per_page: int,
    top_paragraphs: int,
    top_sites: int,
    max_tracked: int,
) -> SiteSummary:
    articles_dir = work / "articles"
    articles_dir.mkdir()
    stats = SiteStats(max_tracked=max_tracked)
    names = ArticleNames()
    first_page: list[str] = []
    pending: list[str] = []
    page_number = 1
    for ordinal, record in enumerate(records):
        article = read_article(record, ordinal)
        name = names.claim(article.key, ordinal)
        for alias in _aliases(record):
            names.aliases.setdefault(alias, name)
        _write(articles_dir / name, article_page(article, names))
        stats.add(article, f"articles/{name}")
        row = list_row(article, f"articles/{name}")
        if page_number == 1:
            first_page.append(row)
            if len(first_page) == per_page:
                page_number = 2
            continue
        if len(pending) == per_page:
            _write(work / f"list-{page_number}.html", list_page(page_number, pending, True))
            page_number += 1
            pending = []
        pending.append(row)
    if pending:
        _write(work / f"list-{page_number}.html", list_page(page_number, pending, False))
    pages = page_number if pending else 1
    for key, (name, anchors) in names.linked.items():
        if key not in names.written:
            _write(articles_dir / name, stub_page(key, names.aliases.get(key), anchors))
    _write(work / "index.html", overview_page(stats, first_page, pages, per_page, top_paragraphs,
                                         top_sites))
    summary = SiteSummary(
        out_dir=out_dir,
        articles=stats.articles,
        list_pages=pages,
        paragraphs=stats.paragraphs,
        removed_paragraphs=stats.removed,
        bytes=stats.size,
        removed_bytes=stats.removed_size,
    )
    info = {k: v for k, v in _summary_dict(summary).items() if k != "out_dir"}
    _write(work / MARKER, json.dumps(info, indent=2) + "\n")
    return summary


def _summary_dict(summary: SiteSummary) -> dict[str, object]:
    return {name: getattr(summary, name) for name in SiteSummary.__slots__}


def _aliases(record: Mapping[str, object]) -> list[str]:
    path, line = record.get("path"), record.get("line")
    aliases = []
    if path is not None:
        aliases.append(str(path))
        if line is not None:
            aliases.append(f"{path}:{line}")
    return aliases


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


