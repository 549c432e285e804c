"""Articles -> HTML: one article with its removals marked, and the page shell.

Everything is built with :func:`html.escape` and plain strings: no template
engine, no JavaScript, no external resources. The CSS is inline and scoped to
``.dedup-review``, so a fragment can sit inside a notebook cell. Pages carry a
Content-Security-Policy that forbids every network request.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping

import xxhash

from dedup.keys import normalize
from dedup.review.articles import Article, DocRef, Paragraph, read_article

__all__ = [
    "CSS",
    "REASON_COLORS",
    "article_html",
    "content_anchor",
    "escape",
    "legend_html",
    "page",
    "reason_color",
    "reason_label",
    "report_html",
]

REASON_COLORS: dict[str, str] = {
    "exact": "#c0392b",
    "near": "#d35400",
    "repeated_block": "#8e44ad",
    "boilerplate": "#1f6fb2",
    "cross_doc": "#138d75",
}
"""The color of each drop reason, shared by the HTML and the terminal views."""

OTHER_COLOR = "#6c757d"

CSS = """
.dedup-review{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2125;
 max-width:62rem;margin:0 auto;padding:0 1rem}
.dedup-review h1{font-size:1.5rem;margin:1rem 0 .25rem}
.dedup-review h2{font-size:1.15rem;margin:1.5rem 0 .5rem;border-bottom:1px solid #dde;
 padding-bottom:.2rem}
.dedup-review .meta,.dedup-review .note{color:#5a6168;font-size:.9rem}
.dedup-review .para{margin:.4rem 0;padding:.3rem .6rem;border-left:4px solid transparent;
 border-radius:3px;scroll-margin-top:2rem}
.dedup-review .para:target,.dedup-review .para:has(.anchor:target){outline:2px solid #f1c40f;
 background:#fffbe6}
.dedup-review .anchor{scroll-margin-top:2rem}
.dedup-review .num{color:#8a9097;font:12px ui-monospace,monospace;margin-right:.4rem;
 text-decoration:none}
.dedup-review .removed{background:#f6f6f7;border-left-color:var(--c)}
.dedup-review .removed .text{text-decoration:line-through;text-decoration-color:var(--c);
 color:#6b7076}
.dedup-review .why{display:block;font-size:.85rem;color:var(--c);margin-top:.15rem}
.dedup-review .why a{color:inherit}
.dedup-review .source{border-left-color:#2e8b57}
.dedup-review .badge{display:inline-block;padding:0 .45rem;border-radius:1rem;color:#fff;
 font-size:.8rem;background:var(--c)}
.dedup-review table{border-collapse:collapse;margin:.5rem 0;font-size:.92rem}
.dedup-review th,.dedup-review td{padding:.25rem .6rem;border-bottom:1px solid #e5e7ea;
 text-align:left;vertical-align:top}
.dedup-review td.n,.dedup-review th.n{text-align:right;font-variant-numeric:tabular-nums}
.dedup-review .bar{display:inline-block;height:.7rem;background:#c0392b;vertical-align:middle}
.dedup-review .cards{display:flex;flex-wrap:wrap;gap:.6rem}
.dedup-review .card{border:1px solid #e1e4e8;border-radius:6px;padding:.5rem .8rem;min-width:9rem}
.dedup-review .card b{display:block;font-size:1.3rem}
.dedup-review nav a{margin-right:.6rem}
.dedup-review .legend span{margin-right:.4rem}
.dedup-review svg text{font:11px system-ui,sans-serif;fill:#444}
"""
"""The stylesheet of every view, scoped to ``.dedup-review``."""

_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

_SURROGATE = re.compile("[\ud800-\udfff]")


def escape(text: str, quote: bool = True) -> str:
    """:func:`html.escape`, with lone surrogates (any ``str`` may hold them) shown as U+FFFD.

    A page is UTF-8, which cannot encode a lone surrogate.

    Example:
        >>> escape("<b> " + chr(0xD800)) == "&lt;b&gt; " + chr(0xFFFD)
        True
    """
    return html.escape(_SURROGATE.sub("\ufffd", text), quote)


DocHref = Callable[[DocRef, str], str | None]
"""Maps another article and the anchor linked in it to the URL of its page, without the
anchor (``None``: no page to link to)."""


def content_anchor(text: str) -> str:
    """Return the anchor of a kept paragraph by its normalized text.

    A copy kept in another article is named by that article's id only when the
    corpus run found it by text, so links point at this anchor, which every
    kept paragraph with the same normalized text carries.

    Example:
        >>> content_anchor("Hello,  World!") == content_anchor("hello world")
        True
    """
    return "k" + xxhash.xxh64_hexdigest(normalize(text).encode("utf-8", "surrogatepass"))


def reason_label(reason: str | None) -> str:
    """Return a reason as words.

    Example:
        >>> reason_label("repeated_block"), reason_label(None)
        ('repeated block', 'removed')
    """
    return reason.replace("_", " ") if reason else "removed"


def reason_color(reason: str | None) -> str:
    """Return the color of a drop reason (grey for reasons this version doesn't know)."""
    return REASON_COLORS.get(reason or "", OTHER_COLOR)


def article_html(article: Article, doc_href: DocHref | None = None) -> str:
    """Return the article's paragraphs as HTML, removed ones struck and explained.

    Every paragraph has the anchor ``p<index>``. A removed paragraph has the
    class ``removed``, a ``data-reason`` attribute, and a line naming the kept
    copy: a link to ``#p<index>`` in the same article, or to the other
    article's page from ``doc_href``.

    Args:
        article: The article to show.
        doc_href: URL of another article's page; without it, copies kept in
            other articles are named but not linked.

    Returns:
        An HTML fragment.

    Example:
        >>> a = read_article({"paragraphs": [{"index": 0, "text": "A & B", "kept": True},
        ...     {"index": 1, "text": "A & B", "kept": False, "reason": "exact",
        ...      "duplicate_of": 0, "similarity": 1.0}]})
        >>> "A &amp; B" in article_html(a), 'href="#p0"' in article_html(a)
        (True, True)
    """
    sources = {
        p.duplicate_of for p in article.paragraphs if not p.kept and p.duplicate_doc is None
    }
    anchors: set[str] = set()
    parts = []
    listed = -1  # the last paragraph shown
    for p in article.paragraphs:
        anchor = content_anchor(p.text) if p.kept else None
        if anchor in anchors:
            anchor = None
        elif anchor is not None:
            anchors.add(anchor)
        if not article.complete and p.index > listed + 1:
            parts.append(_gap(p.index - listed - 1))
        listed = max(listed, p.index)
        parts.append(_paragraph_html(p, p.index in sources, anchor, doc_href))
    if not article.complete and article.paragraph_count > listed + 1:
        parts.append(_gap(article.paragraph_count - listed - 1))
    if not parts:
        parts.append('<p class="note">This article has no paragraphs.</p>')
    return '<div class="article">\n' + "\n".join(parts) + "\n</div>"


def _gap(count: int) -> str:
    """The line standing for kept paragraphs a drops-only report leaves out."""
    noun = "paragraph" if count == 1 else "paragraphs"
    return f'<p class="note gap">… {count:,} kept {noun}, not in this report …</p>'


def _paragraph_html(
    p: Paragraph, is_source: bool, anchor: str | None, doc_href: DocHref | None
) -> str:
    number = f'<a class="num" href="#p{p.index}">#{p.index}</a>'
    text = f'<span class="text">{escape(p.text)}</span>'
    if p.kept:
        extra = " source" if is_source else ""
        mark = f'<span class="anchor" id="{anchor}"></span>' if anchor else ""
        return f'<div class="para kept{extra}" id="p{p.index}">{mark}{number}{text}</div>'
    reason = p.reason or "removed"
    color = reason_color(p.reason)
    return (
        f'<div class="para removed" id="p{p.index}" data-reason="{escape(reason)}" '
        f'style="--c:{color}">{number}<del class="text">{escape(p.text)}</del>'
        f'<span class="why">{_why(p, doc_href)}</span></div>'
    )


def _why(p: Paragraph, doc_href: DocHref | None) -> str:
    words = f"<b>{escape(reason_label(p.reason))}</b>"
    if p.duplicate_of is not None:
        target = f"#{p.duplicate_of}"
        if p.duplicate_doc is not None:
            label = f"{target} in {escape(p.duplicate_doc.label)}"
            href = doc_href(p.duplicate_doc, f"p{p.duplicate_of}") if doc_href else None
            link = (
                f'<a class="kept-link cross" href="{escape(href)}#p{p.duplicate_of}">{label}</a>'
                if href
                else label
            )
        else:
            link = f'<a class="kept-link" href="#p{p.duplicate_of}">{target}</a>'
        words += f" – copy of {link}"
    elif p.duplicate_doc is not None:
        anchor = content_anchor(p.text)
        href = doc_href(p.duplicate_doc, anchor) if doc_href else None
        label = escape(p.duplicate_doc.label)
        link = (
            f'<a class="kept-link cross" href="{escape(href)}#{anchor}">{label}</a>'
            if href
            else label
        )
        words += f" – kept in {link}"
    if p.similarity is not None:
        words += f" (similarity {p.similarity:.2f})"
    if p.block is not None:
        words += f", block {p.block}"
    if p.boilerplate_rule is not None:
        words += f" – {escape(p.boilerplate_rule)} rule"
    if p.site_docs is not None:
        words += f", on {p.site_docs} documents of the site"
    return words


def legend_html() -> str:
    """Return the colored badges of the known drop reasons."""
    badges = "".join(
        f'<span class="badge" style="--c:{color}">{escape(reason_label(reason))}</span>'
        for reason, color in REASON_COLORS.items()
    )
    return f'<p class="legend">{badges}</p>'


def page(title: str, body: str, *, nav: str = "") -> str:
    """Return a complete, self-contained HTML document.

    Example:
        >>> html = page("T <1>", "<p>x</p>")
        >>> html.startswith("<!DOCTYPE html>"), "<title>T &lt;1&gt;</title>" in html
        (True, True)
    """
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f'<meta http-equiv="Content-Security-Policy" content="{_POLICY}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<link rel="icon" href="data:,">\n'
        f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n"
        f'<body>\n<div class="dedup-review">\n{nav}\n{body}\n</div>\n</body>\n</html>\n'
    )


def report_html(record: Mapping[str, object]) -> str:
    """Return one report (``Report.to_dict()`` or a report line) as an HTML fragment.

    This is what :meth:`dedup.Report.to_html` returns and notebooks show: a
    summary line, the legend and the article with removals marked. Copies kept
    in other articles are named, not linked.

    Example:
        >>> html = report_html({"paragraphs": [{"index": 0, "text": "x", "kept": True}]})
        >>> html.startswith('<div class="dedup-review">')
        True
    """
    article = read_article(record)
    removed = article.removed
    summary = (
        f"{article.paragraph_count} paragraphs, {len(removed)} removed "
        f"({article.removed_size:,} of {article.size:,} bytes)"
    )
    return (
        f'<div class="dedup-review">\n<style>{CSS}</style>\n'
        f'<p class="meta">{escape(summary)}</p>\n{legend_html()}\n'
        f"{article_html(article)}\n</div>"
    )
