"""Decisions and reports: what was dropped, why, and which copy was kept.

A :class:`Report` is plain data. ``to_dict()`` gives JSON-ready dicts (str,
int, float, bool and None only), one per paragraph under ``"paragraphs"``.

The schema of those dicts is defined here once, as typed dicts, for every
writer and reader: :class:`ReportDict` and :class:`DecisionDict` (an article
and one paragraph of ``clean_with_report``),
:class:`ParagraphRecord` (one paragraph of a corpus report: a decision plus
the corpus keys), :class:`ArticleRecord` (one line of ``dedup batch
--report``), :class:`ErrorRecord` (the line of a file that failed). The
corpus engines build them in :mod:`dedup.corpus.records`; the review views
read them in :mod:`dedup.review.articles`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, TypedDict

__all__ = [
    "REPORT_MODES",
    "ArticleRecord",
    "Cleaned",
    "Decision",
    "DecisionDict",
    "DropReason",
    "ErrorRecord",
    "ParagraphRecord",
    "Report",
    "ReportDict",
    "ReportMode",
    "decision_dict",
]

ReportMode = Literal["drops", "full"]
"""What a corpus report lists per article: ``"drops"``, the removed paragraphs and the
kept paragraphs they duplicate; ``"full"``, every paragraph with its text."""
REPORT_MODES: tuple[ReportMode, ...] = ("drops", "full")


class DropReason(StrEnum):
    """Why a paragraph was dropped."""

    EXACT = "exact"
    """Same normalized text as the kept paragraph."""
    NEAR = "near"
    """A near duplicate (noise, a few characters, a teaser or a fragment) of the kept one."""
    REPEATED_BLOCK = "repeated_block"
    """Part of a run of paragraphs that reappears elsewhere, where the other copy was kept."""


class DecisionDict(TypedDict):
    """One paragraph's decision as JSON (:meth:`Decision.to_dict`)."""

    index: int
    start: int
    end: int
    text: str
    kept: bool
    reason: str | None
    duplicate_of: int | None
    similarity: float | None
    block: int | None


class ReportDict(TypedDict):
    """A whole article's report as JSON (:meth:`Report.to_dict`)."""

    counts: dict[str, int]
    paragraphs: list[DecisionDict]


class ParagraphRecord(DecisionDict):
    """One paragraph of a corpus report: a :class:`DecisionDict` and the corpus keys.

    ``duplicate_doc``: the id of the earlier document that kept the copy
    (cross-document drops). ``boilerplate_rule`` (``"exact"``, ``"template"``
    or ``"neighbours"``: :mod:`dedup.corpus.templates`) and ``site_docs``
    (documents of the site holding the paragraph, or its shape) explain a
    boilerplate drop; all three are ``None`` otherwise.
    """

    duplicate_doc: str | None
    boilerplate_rule: str | None
    site_docs: int | None


class ArticleRecord(TypedDict):
    """One line of a corpus report: where the article is, its counts, its paragraphs.

    ``counts`` holds ``paragraphs``, ``kept``, ``dropped``, one count per drop
    reason, and ``bytes_in`` / ``bytes_out``: the UTF-8 size of the article
    and of its cleaned text. ``mode`` says what ``paragraphs`` lists (see
    :data:`ReportMode`).
    """

    path: str
    line: int | None
    id: str
    site: str
    mode: ReportMode
    counts: dict[str, int]
    paragraphs: list[ParagraphRecord]


class ErrorRecord(TypedDict):
    """The report line of a file that failed: its path, the line (if any), the message."""

    path: str
    line: int | None
    error: str


def decision_dict(
    index: int,
    start: int,
    end: int,
    text: str,
    reason: str | None = None,
    duplicate_of: int | None = None,
    similarity: float | None = None,
    block: int | None = None,
) -> DecisionDict:
    """Return a paragraph's decision as JSON: kept when ``reason`` is ``None``.

    Example:
        >>> decision_dict(0, 0, 2, "Hi")["kept"]
        True
    """
    return {
        "index": index,
        "start": start,
        "end": end,
        "text": text,
        "kept": reason is None,
        "reason": reason,
        "duplicate_of": duplicate_of,
        "similarity": similarity,
        "block": block,
    }


@dataclass(frozen=True, slots=True)
class Decision:
    """What happened to one paragraph.

    ``start`` and ``end`` are its span in the input (``text[start:end]``).
    ``duplicate_of`` is the index of the kept paragraph it duplicates, and
    ``similarity`` (in [0, 1], :func:`dedup.verify.similarity` of the normalized texts) how close
    they are; both are ``None`` for kept paragraphs. ``block`` numbers the
    repeated block a dropped paragraph belonged to.
    """

    index: int
    start: int
    end: int
    text: str
    kept: bool
    reason: DropReason | None = None
    duplicate_of: int | None = None
    similarity: float | None = None
    block: int | None = None

    def to_dict(self) -> DecisionDict:
        """Return a JSON-ready dict (:func:`decision_dict`).

        Example:
            >>> Decision(1, 4, 8, "Text", False, DropReason.EXACT, 0, 1.0).to_dict()["reason"]
            'exact'
        """
        reason = None if self.reason is None else self.reason.value
        return decision_dict(self.index, self.start, self.end, self.text, reason,
                             self.duplicate_of, self.similarity, self.block)


@dataclass(frozen=True, slots=True)
class Report:
    """Every paragraph's :class:`Decision`, in input order."""

    decisions: tuple[Decision, ...]

    @property
    def kept(self) -> int:
        """Number of kept paragraphs."""
        return sum(d.kept for d in self.decisions)

    @property
    def dropped(self) -> tuple[Decision, ...]:
        """The decisions of dropped paragraphs."""
        return tuple(d for d in self.decisions if not d.kept)

    def counts(self) -> dict[str, int]:
        """Return paragraphs kept and dropped, and drops by reason.

        Example:
            >>> Report((Decision(0, 0, 1, "a", True),)).counts()
            {'paragraphs': 1, 'kept': 1, 'dropped': 0, 'exact': 0, 'near': 0, 'repeated_block': 0}
        """
        counts = {"paragraphs": len(self.decisions), "kept": self.kept}
        counts["dropped"] = counts["paragraphs"] - counts["kept"]
        for reason in DropReason:
            counts[reason.value] = sum(d.reason is reason for d in self.decisions)
        return counts

    def to_dict(self) -> ReportDict:
        """Return the report as a JSON-ready dict: ``counts`` and ``paragraphs``."""
        return {
            "counts": self.counts(),
            "paragraphs": [d.to_dict() for d in self.decisions],
        }

    def to_html(self) -> str:
        """Return the article with its removed paragraphs marked, as an HTML fragment.

        Self-contained (inline CSS, no scripts, no network); see
        :func:`dedup.review.report_html`.

        Example:
            >>> Report((Decision(0, 0, 1, "a", True),)).to_html().startswith("<div")
            True
        """
        from dedup.review.html import report_html

        return report_html(self.to_dict())

    def _repr_html_(self) -> str:
        return self.to_html()


@dataclass(frozen=True, slots=True)
class Cleaned:
    """The result of :func:`dedup.clean_with_report`: the cleaned ``text`` and its ``report``."""

    text: str
    report: Report
