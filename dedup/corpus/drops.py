"""What a corpus run drops beyond an article's own duplicates: :class:`CorpusDrop` and its reasons.

Shared by the decisions (:mod:`dedup.corpus.decisions`, :mod:`dedup.corpus.crossdoc`)
and the records (:mod:`dedup.corpus.records`); :mod:`dedup.corpus.decisions`
exports them too.
"""

from __future__ import annotations

from enum import Enum
from typing import NamedTuple

from dedup.report import DropReason

__all__ = ["REASONS", "CorpusDrop", "CorpusReason"]


class CorpusReason(str, Enum):  # noqa: UP042 - like dedup.DropReason
    """Why a paragraph was dropped for reasons beyond its own article."""

    BOILERPLATE = "boilerplate"
    """Site boilerplate (:mod:`dedup.corpus.templates`: exact, template or neighbours rule)."""
    CROSS_DOC = "cross_doc"
    """An exact or near duplicate of a paragraph an earlier document kept."""


REASONS: tuple[str, ...] = (*(r.value for r in DropReason), *(r.value for r in CorpusReason))


class CorpusDrop(NamedTuple):
    """One dropped paragraph: the reason, the kept copy (index or document), similarity.

    ``boilerplate_rule`` and ``site_docs`` explain a boilerplate drop (the
    keys of the same name in :class:`dedup.report.ParagraphRecord`). A named
    tuple: cheap to make and to pickle between processes, by the hundred
    thousand on a corpus.
    """

    reason: DropReason | CorpusReason
    duplicate_of: int | None = None
    duplicate_doc: str | None = None
    similarity: float | None = None
    block: int | None = None
    boilerplate_rule: str | None = None
    site_docs: int | None = None
