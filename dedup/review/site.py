"""Report records -> a static HTML review site in a directory.

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

import heapq
import json
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import xxhash

from dedup.review.articles import Article, DocRef, read_article
from dedup.review.html import (
    REASON_COLORS,
    article_html,
    escape,
    legend_html,
    page,
    reason_color,
    reason_label,
)

__all__ = ["MARKER", "SiteSummary", "write_site"]

MARKER = "dedup-review.json"
"""The file that marks a directory as a review site (only such a directory is replaced)."""

_BINS = 11  # 0 %, then (0, 10] %, (10, 20] %, ... (90, 100] %


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


@dataclass(slots=True)
class _SiteRow:
    articles: int = 0
    paragraphs: int = 0
    removed: int = 0
    size: int = 0
    removed_size: int = 0


@dataclass(slots=True)
class _Stats:
    """Running totals over the records (everything the overview shows)."""

    max_tracked: int
    articles: int = 0
    with_removals: int = 0
    paragraphs: int = 0
    removed: int = 0
    size: int = 0
    removed_size: int = 0
    reason_paragraphs: Counter[str] = field(default_factory=Counter)
    reason_size: Counter[str] = field(default_factory=Counter)
    sites: dict[str, _SiteRow] = field(default_factory=dict)
    histogram: list[int] = field(default_factory=lambda: [0] * _BINS)
    repeats: Counter[str] = field(default_factory=Counter)
    samples: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    pruned: bool = False
    top: list[tuple[float, int, str, str]] = field(default_factory=list)

    def add(self, article: Article, href: str) -> None:
        removed = article.removed
        self.articles += 1
        self.with_removals += bool(removed)
        self.paragraphs += len(article.paragraphs)
        self.removed += len(removed)
        size, removed_size = article.size, article.removed_size
        self.size += size
        self.removed_size += removed_size
        site = self.sites.setdefault(article.site, _SiteRow())
        site.articles += 1
        site.paragraphs += len(article.paragraphs)
        site.removed += len(removed)
        site.size += size
        site.removed_size += removed_size
        share = article.removed_share
        self.histogram[_bin(share)] += 1
        seen: set[str] = set()
        for p in removed:
            reason = p.reason or "removed"
            self.reason_paragraphs[reason] += 1
            self.reason_size[reason] += p.size
            key = " ".join(p.text.casefold().split())[:300]
            if key and key not in seen:
                seen.add(key)
                self.repeats[key] += 1
                if key not in self.samples:
                    self.samples[key] = (p.text[:300], reason, f"{href}#p{p.index}")
        if len(self.repeats) > self.max_tracked:
            self._prune()
        if removed:
            item = (share, -self.articles, article.title, href)
            if len(self.top) < 20:
                heapq.heappush(self.top, item)
            else:
                heapq.heappushpop(self.top, item)

    def _prune(self) -> None:
        keep = dict(self.repeats.most_common(self.max_tracked // 2))
        self.repeats = Counter(keep)
        self.samples = {key: self.samples[key] for key in keep}
        self.pruned = True


def _bin(share: float) -> int:
    if share <= 0:
        return 0
    return min(_BINS - 1, 1 + int((share * 100 - 1e-9) // 10))


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
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        summary = _build(records, work, out_dir, per_page, top_paragraphs, top_sites, max_tracked)
        _swap(work, out_dir)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return summary


def _swap(work: Path, out_dir: Path) -> None:
    if not out_dir.exists():
        work.rename(out_dir)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old.", dir=out_dir.parent))
    old.rmdir()
    out_dir.rename(old)
    work.rename(out_dir)
    shutil.rmtree(old, ignore_errors=True)


class _Names:
    """Article keys -> unique file names under ``articles/``."""

    def __init__(self) -> None:
        self.written: dict[str, str] = {}
        self.aliases: dict[str, str] = {}
        self.linked: dict[str, tuple[str, set[str]]] = {}

    @staticmethod
    def name(key: str) -> str:
        safe = re.sub(r"[^A-Za-z0-9._-]+", "-", key).strip("-.")[:40] or "article"
        return f"{safe}-{xxhash.xxh64_hexdigest(key.encode('utf-8', 'surrogatepass'))[:10]}.html"

    def claim(self, key: str, ordinal: int) -> str:
        name = self.name(key)
        if key in self.written:  # the same key twice: later copies get their own page
            name = self.name(f"{key}#{ordinal}")
        else:
            self.written[key] = name
        return name

    def href(self, ref: DocRef, anchor: str) -> str:
        name = self.written.get(ref.key) or self.name(ref.key)
        if ref.key not in self.written:
            self.linked.setdefault(ref.key, (name, set()))[1].add(anchor)
        return name


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
    stats = _Stats(max_tracked=max_tracked)
    names = _Names()
    first_page: list[str] = []
    pending: list[str] = []
    page_number = 1
    for ordinal, record in enumerate(records):
        article = read_article(record, ordinal)
        name = names.claim(article.key, ordinal)
        for alias in _aliases(record):
            names.aliases.setdefault(alias, name)
        _write(articles_dir / name, _article_page(article, names))
        stats.add(article, f"articles/{name}")
        row = _list_row(article, f"articles/{name}")
        if page_number == 1:
            first_page.append(row)
            if len(first_page) == per_page:
                page_number = 2
            continue
        if len(pending) == per_page:
            _write(work / f"list-{page_number}.html", _list_page(page_number, pending, True))
            page_number += 1
            pending = []
        pending.append(row)
    if pending:
        _write(work / f"list-{page_number}.html", _list_page(page_number, pending, False))
    pages = page_number if pending else 1
    for key, (name, anchors) in names.linked.items():
        if key not in names.written:
            _write(articles_dir / name, _stub_page(key, names.aliases.get(key), anchors))
    _write(work / "index.html", _overview(stats, first_page, pages, per_page, top_paragraphs,
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


def _article_page(article: Article, names: _Names) -> str:
    removed = article.removed
    meta = (
        f"{escape(article.site)} · {len(article.paragraphs)} paragraphs, "
        f"{len(removed)} removed · {article.removed_size:,} of {article.size:,} bytes removed "
        f"({article.removed_share:.0%})"
    )
    body = (
        f"<h1>{escape(article.title)}</h1>\n<p class=\"meta\">{meta}</p>\n{legend_html()}\n"
        f"{article_html(article, names.href)}"
    )
    return page(article.title, body, nav='<nav><a href="../index.html">← Overview</a></nav>')


def _stub_page(key: str, alias: str | None, anchors: set[str]) -> str:
    where = (
        f'Its page in this site: <a href="{escape(alias)}">{escape(key)}</a>.'
        if alias
        else "It is not in the records this site was built from, so its paragraphs "
        "cannot be shown."
    )
    body = (
        f"<h1>{escape(key)}</h1>\n"
        f'<p class="note">Copies were kept in this article. {where}</p>'
    )
    body += "".join(f'\n<span class="anchor" id="{a}"></span>' for a in sorted(anchors))
    return page(key, body, nav='<nav><a href="../index.html">← Overview</a></nav>')


def _list_row(article: Article, href: str) -> str:
    share = article.removed_share
    return (
        f'<tr><td><a href="{escape(href)}">{escape(article.title)}</a></td>'
        f"<td>{escape(article.site)}</td><td class=\"n\">{len(article.paragraphs)}</td>"
        f'<td class="n">{len(article.removed)}</td><td class="n">{share:.0%} '
        f'<span class="bar" style="width:{share * 4:.2f}rem"></span></td></tr>'
    )


def _list_table(rows: list[str]) -> str:
    head = (
        '<tr><th>Article</th><th>Site</th><th class="n">Paragraphs</th>'
        '<th class="n">Removed</th><th class="n">Bytes removed</th></tr>'
    )
    return f'<table class="articles">\n{head}\n' + "\n".join(rows) + "\n</table>"


def _list_page(number: int, rows: list[str], has_next: bool) -> str:
    previous = "index.html" if number == 2 else f"list-{number - 1}.html"
    links = ['<a href="index.html">Overview</a>', f'<a href="{previous}">← Previous</a>']
    if has_next:
        links.append(f'<a href="list-{number + 1}.html">Next →</a>')
    nav = "<nav>" + "".join(links) + "</nav>"
    body = f"<h1>Articles, page {number}</h1>\n{_list_table(rows)}\n{nav}"
    return page(f"Articles, page {number}", body, nav=nav)


def _page_links(pages: int) -> str:
    numbers = sorted({*range(1, min(pages, 10) + 1), pages})
    links: list[str] = []
    previous = 0
    for n in numbers:
        if n > previous + 1:
            links.append("…")
        href = "index.html" if n == 1 else f"list-{n}.html"
        links.append(f'<a href="{href}">{n}</a>')
        previous = n
    return "<nav>Pages: " + " ".join(links) + "</nav>"


def _overview(
    stats: _Stats,
    first_page: list[str],
    pages: int,
    per_page: int,
    top_paragraphs: int,
    top_sites: int,
) -> str:
    share = stats.removed_size / stats.size if stats.size else 0.0
    cards = [
        ("Articles", f"{stats.articles:,}"),
        ("with removals", f"{stats.with_removals:,}"),
        ("Paragraphs removed", f"{stats.removed:,} of {stats.paragraphs:,}"),
        ("Bytes removed", f"{stats.removed_size:,} of {stats.size:,} ({share:.1%})"),
    ]
    parts = [
        "<h1>Duplicate removal review</h1>",
        '<div class="cards">'
        + "".join(f'<div class="card"><b>{v}</b>{escape(k)}</div>' for k, v in cards)
        + "</div>",
        "<h2>Removed by reason</h2>",
        _reason_table(stats),
        "<h2>Removed share per article</h2>",
        _histogram(stats.histogram),
        "<h2>Sites</h2>",
        _site_table(stats, top_sites),
        "<h2>Most frequently removed paragraphs</h2>",
        _repeat_table(stats, top_paragraphs),
        "<h2>Articles with the largest share removed</h2>",
        _top_table(stats),
        "<h2>All articles</h2>",
        f'<p class="note" id="pagination">Articles in input order, at most {per_page} per '
        f"page: page 1 of {pages} is below"
        + (" and the others are linked after it." if pages > 1 else ".")
        + " The statistics above cover every article.</p>",
        _list_table(first_page) if first_page else '<p class="note">No articles.</p>',
    ]
    if pages > 1:
        parts.append(_page_links(pages))
    return page("Duplicate removal review", "\n".join(parts))


def _reason_table(stats: _Stats) -> str:
    if not stats.reason_paragraphs:
        return '<p class="note">Nothing was removed.</p>'
    order = [r for r in REASON_COLORS if r in stats.reason_paragraphs]
    order += sorted(r for r in stats.reason_paragraphs if r not in REASON_COLORS)
    rows = "".join(
        f'<tr><td><span class="badge" style="--c:{reason_color(r)}">'
        f"{escape(reason_label(r))}</span></td>"
        f'<td class="n">{stats.reason_paragraphs[r]:,}</td>'
        f'<td class="n">{stats.reason_size[r]:,}</td></tr>'
        for r in order
    )
    head = '<tr><th>Reason</th><th class="n">Paragraphs</th><th class="n">Bytes</th></tr>'
    return f'<table class="reasons">{head}{rows}</table>'


def _site_table(stats: _Stats, top_sites: int) -> str:
    ranked = sorted(stats.sites.items(), key=lambda item: (-item[1].removed_size, item[0]))
    rows = "".join(
        f"<tr><td>{escape(site)}</td><td class=\"n\">{row.articles:,}</td>"
        f'<td class="n">{row.removed:,} of {row.paragraphs:,}</td>'
        f'<td class="n">{row.removed_size:,} of {row.size:,}</td>'
        f'<td class="n">{(row.removed_size / row.size if row.size else 0):.1%}</td></tr>'
        for site, row in ranked[:top_sites]
    )
    head = (
        '<tr><th>Site</th><th class="n">Articles</th><th class="n">Paragraphs removed</th>'
        '<th class="n">Bytes removed</th><th class="n">Share</th></tr>'
    )
    note = (
        f'<p class="note">The {top_sites} sites with the most bytes removed, '
        f"of {len(ranked):,}.</p>"
        if len(ranked) > top_sites
        else ""
    )
    return f'<table class="sites">{head}{rows}</table>{note}'


def _repeat_table(stats: _Stats, top_paragraphs: int) -> str:
    common = [(k, n) for k, n in stats.repeats.most_common(top_paragraphs)]
    if not common:
        return '<p class="note">Nothing was removed.</p>'
    rows = "".join(
        f'<tr><td class="n">{n:,}</td><td><span class="badge" '
        f'style="--c:{reason_color(stats.samples[k][1])}">'
        f"{escape(reason_label(stats.samples[k][1]))}</span></td>"
        f'<td>{escape(stats.samples[k][0])} <a href="{escape(stats.samples[k][2])}">example</a>'
        "</td></tr>"
        for k, n in common
    )
    head = '<tr><th class="n">Documents</th><th>Reason</th><th>Paragraph</th></tr>'
    note = (
        "Paragraphs compared after case folding and whitespace collapsing; a document counts "
        "once per paragraph."
    )
    if stats.pruned:
        note += (
            f" More than {stats.max_tracked:,} distinct paragraphs were removed, so rare ones "
            "were dropped from the count as it ran: these counts may be low."
        )
    return f'<table class="repeats">{head}{rows}</table><p class="note">{note}</p>'


def _top_table(stats: _Stats) -> str:
    if not stats.top:
        return '<p class="note">Nothing was removed.</p>'
    rows = "".join(
        f'<tr><td><a href="{escape(href)}">{escape(title)}</a></td>'
        f'<td class="n">{share:.0%}</td></tr>'
        for share, _, title, href in sorted(stats.top, reverse=True)
    )
    return f'<table class="top"><tr><th>Article</th><th class="n">Removed</th></tr>{rows}</table>'


def _histogram(bins: list[int]) -> str:
    labels = ["0"] + [f"{10 * i}–{10 * (i + 1)}" for i in range(10)]
    width, height, left, bottom = 560, 160, 34, 28
    bar = (width - left) / len(bins)
    peak = max(bins) or 1
    shapes = []
    for i, (count, label) in enumerate(zip(bins, labels, strict=True)):
        h = (height - bottom - 14) * count / peak
        x = left + i * bar
        y = height - bottom - h
        shapes.append(
            f'<rect x="{x + 3:.1f}" y="{y:.1f}" width="{bar - 6:.1f}" height="{h:.1f}" '
            f'fill="#c0392b"><title>{label} %: {count} articles</title></rect>'
            f'<text x="{x + bar / 2:.1f}" y="{height - bottom + 14}" '
            f'text-anchor="middle">{label}</text>'
            f'<text x="{x + bar / 2:.1f}" y="{max(y - 3, 10):.1f}" '
            f'text-anchor="middle">{count}</text>'
        )
    axis = (
        f'<line x1="{left}" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" '
        'stroke="#999"/>'
        f'<text x="{(width + left) / 2}" y="{height - 2}" text-anchor="middle">'
        "% of the article's bytes removed</text>"
    )
    return (
        f'<svg class="histogram" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>Articles by removed share</title>{''.join(shapes)}{axis}</svg>"
    )
