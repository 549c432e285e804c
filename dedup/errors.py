"""The exceptions dedup raises.

Every error is a :class:`DedupError`; each leaf also inherits the built-in
exception a caller would catch without knowing dedup::

    Exception
    └── DedupError
        ├── ConfigError(DedupError, ValueError)   an option is out of range
        ├── InputError(DedupError, TypeError)     the text is not a str
        ├── MissingExtraError(DedupError, ImportError)
        │                                         an optional dependency (an
        │                                         extra) is not installed
        └── CorpusIndexError                      a persistent index cannot be used
            ├── IndexFormatError(CorpusIndexError, ValueError)
            │                                     of another format version or
            │                                     other fingerprint settings
            ├── IndexUnavailable(CorpusIndexError, ConnectionError)
            │                                     cannot be opened or reached
            ├── IndexCorrupt(CorpusIndexError, ValueError)
            │                                     not a dedup index, or damaged
            └── IndexLost(CorpusIndexError, RuntimeError)
                                                  emptied while in use
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "CorpusIndexError",
    "DedupError",
    "IndexCorrupt",
    "IndexFormatError",
    "IndexLost",
    "IndexUnavailable",
    "InputError",
    "MissingExtraError",
]


class DedupError(Exception):
    """The root of every error dedup raises."""


class ConfigError(DedupError, ValueError):
    """An option has a value outside its allowed range."""


class InputError(DedupError, TypeError):
    """The input is not text dedup can clean (for example ``bytes`` or ``None``)."""


class MissingExtraError(DedupError, ImportError):
    """A feature needs an optional dependency: the message names the extra to install."""


class CorpusIndexError(DedupError):
    """The persistent index (a SQLite file or a Redis server) cannot be used."""


class IndexFormatError(CorpusIndexError, ValueError):
    """A persistent index was written by an incompatible version of dedup or other settings."""


class IndexUnavailable(CorpusIndexError, ConnectionError):
    """The index cannot be opened or reached: a missing folder, a server down, a long lock."""


class IndexCorrupt(CorpusIndexError, ValueError):
    """The index is not a dedup index (another file or database), or it is damaged."""


class IndexLost(CorpusIndexError, RuntimeError):
    """The index was emptied while in use (Redis ``FLUSHALL``, or a restart without persistence)."""
