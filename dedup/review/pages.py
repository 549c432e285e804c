"""Articles -> the pages of the review site: article pages, stub pages, article lists.

:class:`ArticleNames` gives every article a unique file name under
``articles/`` and remembers the articles linked but not (yet) written, which
get a stub page so every link resolves.
"""

from __future__ import annotations

import re

import xxhash

from dedup.review.articles import Article, DocRef
from dedup.review.html import article_html, escape, legend_html, page

__all__ = [
    "PARTIAL_NOTE",
    "ArticleNames",
    "article_page",
    "list_page",
    "list_row",
    "list_table",
    "stub_page",
]

PARTIAL_NOTE = (
    '<p class="note partial">This report lists only the removed paragraphs and the kept '
    "paragraphs of this article they duplicate (<code>dedup batch --report-mode drops</code>, "
    "the default); the other kept paragraphs are not in it. Run with "
    "<code>--report-mode full</code> to see whole articles.</p>\n"
)
"""What an article page built from a drops-only record says first."""


class ArticleNames:
    """Article keys -> unique file names under ``articles/``."""

    def __init__(self) -> None:
        self.written: dict[str, str] = {}
        self.aliases: dict[str, str] = {}
        self.linked: dict[str, tuple[str, set[str]]] = {}

    @staticmethod
    def name(key: str) -> str:
        """Return the file name of the article ``key`` (safe characters and a hash)."""
        safe = re.sub(r"[^A-Za-z0-9._-]+", "-", key).strip("-.")[:40] or "article"
        return f"{safe}-{xxhash.xxh64_hexdigest(key.encode('utf-8', 'surrogatepass'))[:10]}.html"

    def claim(self, key: str, ordinal: int) -> str:
        """Return the file name of the article written now (the ``ordinal``-th record)."""
        name = self.name(key)
        if key in self.written:  # the same key twice: later copies get their own page
            name = self.name(f"{key}#{ordinal}")
        else:
            self.written[key] = name
        return name

    def href(self, ref: DocRef, anchor: str) -> str:
        """Return the file name of another article linked at ``anchor``; remember the link."""
        name = self.written.get(ref.key) or self.name(ref.key)
        if ref.key not in self.written:
            self.linked.setdefault(ref.key, (name, set()))[1].add(anchor)
        return name


def article_page(article: Article, names: ArticleNames) -> str:
    """Return the page of one article: removals marked, links to kept copies."""
    removed = article.removed
    meta = (
        f"{escape(article.site)} · {article.paragraph_count} paragraphs, "
        f"{len(removed)} removed · {article.removed_size:,} of {article.size:,} bytes removed "
        f"({article.removed_share:.0%})"
    )
    body = (
        f"<h1>{escape(article.title)}</h1>\n<p class=\"meta\">{meta}</p>\n{legend_html()}\n"
        f"{'' if article.complete else PARTIAL_NOTE}{article_html(article, names.href)}"
    )
    return page(article.title, body, nav='<nav><a href="../index.html">← Overview</a></nav>')


def stub_page(key: str, alias: str | None, anchors: set[str]) -> str:
    """Return the page of an article linked but not in the records, with its anchors."""
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


def list_row(article: Article, href: str) -> str:
    """Return an article's row of the article list."""
    share = article.removed_share
    return (
        f'<tr><td><a href="{escape(href)}">{escape(article.title)}</a></td>'
        f"<td>{escape(article.site)}</td><td class=\"n\">{article.paragraph_count}</td>"
        f'<td class="n">{len(article.removed)}</td><td class="n">{share:.0%} '
        f'<span class="bar" style="width:{share * 4:.2f}rem"></span></td></tr>'
    )


def list_table(rows: list[str]) -> str:
    """Return the article list's table of ``rows``."""
    head = (
        '<tr><th>Article</th><th>Site</th><th class="n">Paragraphs</th>'
        '<th class="n">Removed</th><th class="n">Bytes removed</th></tr>'
    )
    return f'<table class="articles">\n{head}\n' + "\n".join(rows) + "\n</table>"


def list_page(number: int, rows: list[str], has_next: bool) -> str:
    """Return page ``number`` (2 or more) of the article list."""
    previous = "index.html" if number == 2 else f"list-{number - 1}.html"
    links = ['<a href="index.html">Overview</a>', f'<a href="{previous}">← Previous</a>']
    if has_next:
        links.append(f'<a href="list-{number + 1}.html">Next →</a>')
    nav = "<nav>" + "".join(links) + "</nav>"
    body = f"<h1>Articles, page {number}</h1>\n{list_table(rows)}\n{nav}"
    return page(f"Articles, page {number}", body, nav=nav)
