"""The exceptions dedup raises.

Every error is a :class:`DedupError`; each leaf also inherits the built-in
exception a caller would catch without knowing dedup::

    Exception
    └── DedupError
        ├── ConfigError(DedupError, ValueError)   an option is out of range
        ├── InputError(DedupError, TypeError)     the text is not a str
        ├── IndexFormatError(DedupError, ValueError)
        │                                         a persistent index is of
        │                                         another format version
        └── MissingExtraError(DedupError, ImportError)
                                                  an optional dependency (an
                                                  extra) is not installed
"""

from __future__ import annotations

__all__ = ["ConfigError", "DedupError", "IndexFormatError", "InputError", "MissingExtraError"]


class DedupError(Exception):
    """The root of every error dedup raises."""


class ConfigError(DedupError, ValueError):
    """An option has a value outside its allowed range."""


class InputError(DedupError, TypeError):
    """The input is not text dedup can clean (for example ``bytes`` or ``None``)."""


class IndexFormatError(DedupError, ValueError):
    """A persistent index was written by an incompatible version of dedup."""


class MissingExtraError(DedupError, ImportError):
    """A feature needs an optional dependency: the message names the extra to install."""
