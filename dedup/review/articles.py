"""Report records -> typed articles for the review views.

A record is one JSON line of a ``--report`` file (:class:`dedup.report.ArticleRecord`)
or ``Report.to_dict()``: ``{"path", "line", "id", "site", "mode", "counts",
"paragraphs": [paragraph records]}``. Every field except ``paragraphs`` may be
missing (older reports, hand-made records). Unknown fields are ignored, so
newer reports still render. A record of mode ``"drops"`` lists only the
removed paragraphs and the kept ones they duplicate: its article is not
:attr:`Article.complete`, and its paragraph count and size come from
``counts`` (``paragraphs``, ``bytes_in``). A paragraph dropped because its kept copy is in
another article carries ``duplicate_doc`` (that article's ``id``, or its
``path``; a dict with ``id``/``path``/``line``/``index`` also works), and then
``duplicate_of`` is the kept paragraph's index in that article.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

import orjson

__all__ = ["Article", "DocRef", "Paragraph", "article_key", "read_article", "read_records"]


@dataclass(frozen=True, slots=True)
class DocRef:
    """Another article, as a dropped paragraph names it (``key`` as :func:`article_key`)."""

    key: str
    label: str


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One paragraph of a report record."""

    index: int
    text: str
    kept: bool
    reason: str | None = None
    duplicate_of: int | None = None
    similarity: float | None = None
    block: int | None = None
    duplicate_doc: DocRef | None = None
    boilerplate_rule: str | None = None
    site_docs: int | None = None

    @property
    def size(self) -> int:
        """Length of the text in UTF-8 bytes."""
        return len(self.text.encode("utf-8", errors="replace"))


@dataclass(frozen=True, slots=True)
class Article:
    """One report record: where the article came from and its paragraphs.

    ``complete`` is false when the record lists only what was removed (and the
    kept copies of it); ``total_paragraphs`` and ``total_size`` then give the
    whole article's paragraph count and UTF-8 size.
    """

    key: str
    title: str
    site: str
    paragraphs: tuple[Paragraph, ...]
    complete: bool = True
    total_paragraphs: int | None = None
    total_size: int | None = None

    @property
    def removed(self) -> tuple[Paragraph, ...]:
        """The dropped paragraphs."""
        return tuple(p for p in self.paragraphs if not p.kept)

    @property
    def paragraph_count(self) -> int:
        """Paragraphs of the article, listed or not."""
        if self.complete or self.total_paragraphs is None:
            return len(self.paragraphs)
        return self.total_paragraphs

    @property
    def size(self) -> int:
        """Bytes of the input: its paragraphs' text (a partial record: the article's size)."""
        if self.complete or self.total_size is None:
            return sum(p.size for p in self.paragraphs)
        return max(self.total_size, self.removed_size)

    @property
    def removed_size(self) -> int:
        """Bytes of paragraph text removed."""
        return sum(p.size for p in self.paragraphs if not p.kept)

    @property
    def removed_share(self) -> float:
        """Share of the input's bytes removed, in [0, 1] (0 for an empty article)."""
        size = self.size
        return self.removed_size / size if size else 0.0


def article_key(record: Mapping[str, object], ordinal: int = 0) -> str:
    """Return the name that identifies a record: its ``id``, else ``path:line``, else ``path``.

    Example:
        >>> article_key({"id": 7, "path": "a.jsonl", "line": 3})
        '7'
        >>> article_key({"path": "a.jsonl", "line": 3}), article_key({}, 4)
        ('a.jsonl:3', '#4')
    """
    if record.get("id") is not None:
        return str(record["id"])
    path, line = record.get("path"), record.get("line")
    if path is not None and line is not None:
        return f"{path}:{line}"
    if path is not None:
        return str(path)
    return f"#{ordinal}"


def read_records(lines: Iterable[bytes | str]) -> Iterator[dict[str, object]]:
    r"""Parse the JSON lines of a report, skipping blank lines and non-object values.

    Raises:
        orjson.JSONDecodeError: a line is not JSON (a ``ValueError``).

    Example:
        >>> list(read_records([b'{"id": 1}\n', b"\n", b"[]"]))
        [{'id': 1}]
    """
    for line in lines:
        if line.strip():
            record = orjson.loads(line)
            if isinstance(record, dict):
                yield record


def read_article(record: Mapping[str, object], ordinal: int = 0) -> Article:
    """Turn one report record into an :class:`Article`.

    Args:
        record: A JSON-line dict of a report.
        ordinal: The record's position in the report, used when it has no name.

    Returns:
        The article; paragraphs without a usable ``text`` or ``kept`` are read
        as empty and kept.

    Example:
        >>> a = read_article({"site": "x.org", "paragraphs": [
        ...     {"index": 0, "text": "Hi", "kept": True},
        ...     {"index": 1, "text": "Hi", "kept": False, "reason": "exact", "duplicate_of": 0}]})
        >>> a.site, len(a.removed), a.removed_share
        ('x.org', 1, 0.5)
    """
    key = article_key(record, ordinal)
    raw = record.get("paragraphs")
    items = raw if isinstance(raw, list) else []
    paragraphs = tuple(
        _paragraph(item, position) for position, item in enumerate(items) if isinstance(item, dict)
    )
    site = record.get("site")
    title = record.get("title")
    counts = record.get("counts")
    counts = counts if isinstance(counts, Mapping) else {}
    return Article(
        key=key,
        title=str(title) if title else key,
        site=str(site) if site else "(no site)",
        paragraphs=paragraphs,
        complete=record.get("mode") != "drops",
        total_paragraphs=_int(counts.get("paragraphs")),
        total_size=_int(counts.get("bytes_in")),
    )


def _paragraph(item: Mapping[str, object], position: int) -> Paragraph:
    index = _int(item.get("index"))
    kept = item.get("kept")
    reason = item.get("reason")
    similarity = item.get("similarity")
    text = item.get("text")
    duplicate_of = _int(item.get("duplicate_of"))
    doc = item.get("duplicate_doc")
    if isinstance(doc, Mapping) and _int(doc.get("index")) is not None:
        duplicate_of = _int(doc.get("index"))
    return Paragraph(
        index=position if index is None else index,
        text=text if isinstance(text, str) else "",
        kept=kept is not False,
        reason=str(reason) if reason is not None else None,
        duplicate_of=duplicate_of,
        similarity=float(similarity) if isinstance(similarity, int | float) else None,
        block=_int(item.get("block")),
        duplicate_doc=_doc_ref(doc),
        boilerplate_rule=str(rule) if (rule := item.get("boilerplate_rule")) is not None else None,
        site_docs=_int(item.get("site_docs")),
    )


def _doc_ref(value: object) -> DocRef | None:
    if value is None or value == "":
        return None
    if isinstance(value, Mapping):
        key = article_key({k: v for k, v in value.items() if k != "index"})
        return DocRef(key, key)
    return DocRef(str(value), str(value))


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
