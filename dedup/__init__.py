"""dedup: remove duplicate and near-duplicate paragraphs from scraped text.

>>> import dedup
>>> story = "The council approved the new budget on Monday after a long debate."
>>> dedup.clean(f"{story}\\nA reply.\\n{story}")
'The council approved the new budget on Monday after a long debate.\\nA reply.'

The corpus layer (:class:`Deduplicator`) is imported on first use, so
``dedup --version`` and the core functions do not load it. Every error a user
can cause is a :class:`DedupError`; the tree is drawn in :mod:`dedup.errors`.
"""

from __future__ import annotations

import logging
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

from dedup.config import Config
from dedup.errors import (
    BadInput,
    ConfigError,
    CorpusIndexError,
    DedupError,
    IndexCorrupt,
    IndexFormatError,
    IndexLost,
    IndexUnavailable,
    InputError,
    MissingExtraError,
    OutputError,
    ResumeError,
    WorkerLost,
)
from dedup.pipeline import clean, clean_with_report
from dedup.report import Cleaned, Decision, DropReason, Report

if TYPE_CHECKING:
    from dedup.corpus.deduplicator import Deduplicator

try:
    __version__ = version("dedup-paragraphs")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "BadInput",
    "Cleaned",
    "Config",
    "ConfigError",
    "CorpusIndexError",
    "Decision",
    "DedupError",
    "Deduplicator",
    "DropReason",
    "IndexCorrupt",
    "IndexFormatError",
    "IndexLost",
    "IndexUnavailable",
    "InputError",
    "MissingExtraError",
    "OutputError",
    "Report",
    "ResumeError",
    "WorkerLost",
    "__version__",
    "clean",
    "clean_with_report",
]


def __getattr__(name: str) -> object:
    """Import :class:`Deduplicator` (the corpus layer) when it is first asked for."""
    if name == "Deduplicator":
        from dedup.corpus.deduplicator import Deduplicator

        return Deduplicator
    msg = f"module 'dedup' has no attribute {name!r}"
    raise AttributeError(msg)
