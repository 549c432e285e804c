"""dedup: remove duplicate and near-duplicate paragraphs from scraped text.

>>> import dedup
>>> story = "The council approved the new budget on Monday after a long debate."
>>> dedup.clean(f"{story}\\nA reply.\\n{story}")
'The council approved the new budget on Monday after a long debate.\\nA reply.'
"""

from __future__ import annotations

import logging
from importlib.metadata import PackageNotFoundError, version

from dedup.config import Config
from dedup.corpus.deduplicator import Deduplicator
from dedup.errors import (
    ConfigError,
    CorpusIndexError,
    DedupError,
    IndexCorrupt,
    IndexFormatError,
    IndexLost,
    IndexUnavailable,
    InputError,
)
from dedup.pipeline import clean, clean_with_report
from dedup.report import Cleaned, Decision, DropReason, Report

try:
    __version__ = version("dedup-paragraphs")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
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
    "Report",
    "__version__",
    "clean",
    "clean_with_report",
]
