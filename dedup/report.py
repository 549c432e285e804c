"""Decisions and reports: what was dropped, why, and which copy was kept.

A :class:`Report` is plain data. ``to_dict()`` gives JSON-ready dicts (str,
int, float, bool and None only), one per paragraph under ``"paragraphs"``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Cleaned", "Decision", "DropReason", "Report"]


class DropReason(StrEnum):
    """Why a paragraph was dropped."""

    EXACT = "exact"
    """Same normalized text as the kept paragraph."""
    NEAR = "near"
    """A near duplicate (noise, a few characters, a teaser or a fragment) of the kept one."""
    REPEATED_BLOCK = "repeated_block"
    """Part of a run of paragraphs that reappears elsewhere, where the other copy was kept."""


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

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dict.

        Example:
            >>> Decision(1, 4, 8, "Text", False, DropReason.EXACT, 0, 1.0).to_dict()["reason"]
            'exact'
        """
        return {
            "index": self.index,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "kept": self.kept,
            "reason": None if self.reason is None else self.reason.value,
            "duplicate_of": self.duplicate_of,
            "similarity": self.similarity,
            "block": self.block,
        }


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

    def to_dict(self) -> dict[str, object]:
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
