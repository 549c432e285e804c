"""An article and its drops -> its output, its counts and its report record (both engines).

The local engine's workers (:func:`dedup.corpus.tasks.render_chunk`) and the
Ray engine's render stage (:mod:`dedup.dist.stages`) finish every article
with :class:`ChunkOutput`: the cleaned text (:func:`~dedup.paragraphs.render`
without the dropped paragraphs), the bytes written for it (the text, or the
JSON record with its text field replaced; Parquet rows stay records), its
counts in the run's :class:`~dedup.corpus.summary.Summary`, and its line of
the ``--report`` file (:class:`~dedup.report.ArticleRecord`). The schema of
those lines is :mod:`dedup.report`'s; :func:`paragraph_records` builds their
paragraphs, also for :class:`dedup.Deduplicator`, and :func:`error_record`
the line of a file that failed; :class:`dedup.corpus.report_file.ReportFile`
writes them, for both engines.

A report lists every paragraph (``mode="full"``) or only what was removed
(``mode="drops"``): the dropped paragraphs and the kept paragraphs of the same
article they duplicate, so every drop still names and quotes its kept copy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import orjson

from dedup.corpus.decisions import REASONS, CorpusDrop
from dedup.corpus.readers import Article, BadInput, Fields
from dedup.corpus.summary import Summary
from dedup.errors import ConfigError
from dedup.paragraphs import Paragraph, render
from dedup.report import (
    REPORT_MODES,
    ArticleRecord,
    ErrorRecord,
    ParagraphRecord,
    ReportMode,
    decision_dict,
)

__all__ = [
    "ChunkOutput",
    "article_record",
    "check_report_mode",
    "error_record",
    "paragraph_records",
    "utf8_size",
]

Drops = Mapping[int, CorpusDrop]


def check_report_mode(mode: object) -> None:
    """Raise ConfigError unless ``mode`` is a report mode.

    Example:
        >>> check_report_mode("all")
        Traceback (most recent call last):
        ...
        dedup.errors.ConfigError: report_mode='all' must be one of 'drops', 'full'
    """
    if mode not in REPORT_MODES:
        msg = f"report_mode={mode!r} must be one of " + ", ".join(map(repr, REPORT_MODES))
        raise ConfigError(msg)


def utf8_size(text: str) -> int:
    """Return the UTF-8 size of ``text`` (lone surrogates count as written: 3 bytes)."""
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def paragraph_records(
    paragraphs: Sequence[Paragraph], drops: Drops, mode: ReportMode = "full"
) -> list[ParagraphRecord]:
    """Return the report dicts of an article's paragraphs (all, or what ``mode`` keeps).

    Each is :func:`dedup.report.decision_dict` plus ``duplicate_doc``,
    ``boilerplate_rule`` and ``site_docs``.

    Example:
        >>> from dedup.corpus.decisions import CorpusReason
        >>> ps = [Paragraph(0, 0, 4, "Text"), Paragraph(1, 5, 9, "More")]
        >>> rows = paragraph_records(ps, {1: CorpusDrop(CorpusReason.BOILERPLATE)}, "drops")
        >>> [(r["index"], r["reason"]) for r in rows]
        [(1, 'boilerplate')]
    """
    if mode == "drops":
        sources = {d.duplicate_of for d in drops.values() if d.duplicate_doc is None}
        paragraphs = [p for p in paragraphs if p.index in drops or p.index in sources]
    rows: list[ParagraphRecord] = []
    for p in paragraphs:
        drop = drops.get(p.index)
        if drop is None:
            rows.append({**decision_dict(p.index, p.start, p.end, p.text),
                         "duplicate_doc": None, "boilerplate_rule": None, "site_docs": None})
            continue
        rows.append({
            **decision_dict(p.index, p.start, p.end, p.text, drop.reason.value,
                            drop.duplicate_of, drop.similarity, drop.block),
            "duplicate_doc": drop.duplicate_doc,
            "boilerplate_rule": drop.boilerplate_rule,
            "site_docs": drop.site_docs,
        })
    return rows


def article_record(
    article: Article,
    count: int,
    paragraphs: Sequence[Paragraph],
    drops: Drops,
    sizes: tuple[int, int],
    mode: ReportMode = "full",
) -> ArticleRecord:
    """Return the report record of an article of ``count`` paragraphs.

    ``paragraphs`` may be empty when nothing was dropped and ``mode`` is
    ``"drops"``; ``sizes`` are the UTF-8 bytes in and out.
    """
    counts = {"paragraphs": count, "kept": count - len(drops), "dropped": len(drops)}
    for reason in REASONS:
        counts[reason] = 0
    for drop in drops.values():
        counts[drop.reason.value] += 1
    counts["bytes_in"], counts["bytes_out"] = sizes
    return {"path": article.path, "line": article.line, "id": article.id, "site": article.site,
            "mode": mode, "counts": counts,
            "paragraphs": paragraph_records(paragraphs, drops, mode)}


def error_record(error: BadInput) -> ErrorRecord:
    """Return the report record of a file that failed."""
    return {"path": error.path, "line": error.line, "error": error.message}


class ChunkOutput:
    """The output, report lines and counts of a chunk's articles, as they are finished.

    ``report`` is the report's mode, ``None`` for no report. Text files and
    JSON records are encoded (:attr:`data`); Parquet rows are not: their
    cleaned texts are in :attr:`texts` (the local engine writes rows from
    them), and with ``rows`` their records, text field replaced, in
    :attr:`records` (the Ray engine's).
    """

    def __init__(self, fields: Fields, report: ReportMode | None, *, rows: bool = False) -> None:
        self.fields = fields
        self.report = report
        self.rows = rows
        self.parts: list[bytes] = []
        self.records: list[dict[str, object]] = []
        self.texts: list[str] = []
        self.lines: list[bytes] = []
        self.summary = Summary()

    def needs_paragraphs(self, drops: Drops) -> bool:
        """Whether :meth:`add` needs the article split into paragraphs."""
        return bool(drops) or self.report == "full"

    def add(self, article: Article, count: int, paragraphs: Sequence[Paragraph],
            drops: Drops) -> None:
        """Finish one article of ``count`` paragraphs.

        ``paragraphs`` may be empty when :meth:`needs_paragraphs` says so.
        """
        text = article.text
        if drops:
            text = render(text, paragraphs, [i not in drops for i in range(len(paragraphs))])
        self.texts.append(text)
        if article.record is None:
            self.parts.append(text.encode("utf-8", "surrogatepass"))
        elif article.path.endswith(".parquet"):  # a row: written back from texts or records
            if self.rows:
                record = dict(article.record)
                record[self.fields.text] = text
                self.records.append(record)
        else:
            record = dict(article.record)
            record[self.fields.text] = text
            self.parts.append(orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE))
        sizes = (utf8_size(article.text), utf8_size(text))
        summary = self.summary
        summary.articles += 1
        summary.paragraphs_in += count
        summary.paragraphs_out += count - len(drops)
        summary.bytes_in += sizes[0]
        summary.bytes_out += sizes[1]
        for drop in drops.values():
            summary.dropped[drop.reason.value] += 1
        if self.report is not None:
            line = article_record(article, count, paragraphs, drops, sizes, self.report)
            self.lines.append(orjson.dumps(line, option=orjson.OPT_APPEND_NEWLINE))

    @property
    def data(self) -> bytes:
        """The encoded output of the articles so far."""
        return b"".join(self.parts)

    @property
    def report_lines(self) -> bytes:
        """The report lines of the articles so far."""
        return b"".join(self.lines)
