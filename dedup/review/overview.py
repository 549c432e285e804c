"""The totals of a review site -> its overview page (``index.html``).

Cards with the totals, then tables: removed by reason, a histogram of the
removed share per article (inline SVG), sites, the most frequently removed
paragraphs, the articles with the largest share removed, and the first page
of the article list with links to the others.
"""

from __future__ import annotations

from dedup.review.html import REASON_COLORS, escape, page, reason_color, reason_label
from dedup.review.pages import list_table
from dedup.review.stats import SiteStats

__all__ = ["overview_page"]


def overview_page(
    stats: SiteStats,
    first_page: list[str],
    pages: int,
    per_page: int,
    top_paragraphs: int,
    top_sites: int,
) -> str:
    """Return the overview page: the totals of ``stats`` and the first page of the list."""
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
        _partial_note(stats),
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
        list_table(first_page) if first_page else '<p class="note">No articles.</p>',
    ]
    if pages > 1:
        parts.append(_page_links(pages))
    return page("Duplicate removal review", "\n".join(parts))


def _partial_note(stats: SiteStats) -> str:
    if not stats.partial:
        return ""
    return (
        f'<p class="note partial">{stats.partial:,} of {stats.articles:,} articles come from a '
        "drops-only report (<code>dedup batch --report-mode drops</code>): their pages show "
        "the removed paragraphs and the kept copies they duplicate, not the whole article. "
        "The counts above cover every paragraph.</p>"
    )


def _reason_table(stats: SiteStats) -> str:
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


def _site_table(stats: SiteStats, top_sites: int) -> str:
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


def _repeat_table(stats: SiteStats, top_paragraphs: int) -> str:
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


def _top_table(stats: SiteStats) -> str:
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
