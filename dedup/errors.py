"""The exceptions dedup raises.

Every error a user can cause is a :class:`DedupError` with a one-line
message; each leaf also inherits the built-in exception a caller would catch
without knowing dedup::

    Exception
    └── DedupError
        ├── ConfigError(DedupError, ValueError)     an option is out of range, or
        │                                           options contradict each other
        ├── InputError(DedupError, TypeError)       the text is not a str
        ├── BadInput(DedupError)                    an input file (or one line of it)
        │                                           cannot be read as articles
        ├── OutputError(DedupError, OSError)        OUT_DIR or a report path cannot
        │                                           be written
        ├── ResumeError(DedupError, ValueError)     --resume into an OUT_DIR written
        │                                           with other options
        ├── MissingExtraError(DedupError, ImportError)
        │                                           an optional dependency (an
        │                                           extra) is not installed
        ├── WorkerLost(DedupError, RuntimeError)    a worker of ``dedup batch`` died
        │                                           mid-run (killed, out of memory)
        └── CorpusIndexError                        a persistent index cannot be used
            ├── IndexFormatError(CorpusIndexError, ValueError)
            │                                       of another format version or
            │                                       other fingerprint settings
            ├── IndexUnavailable(CorpusIndexError, ConnectionError)
            │                                       cannot be opened or reached
            ├── IndexCorrupt(CorpusIndexError, ValueError)
            │                                       not a dedup index, or damaged
            └── IndexLost(CorpusIndexError, RuntimeError)
                                                    emptied while in use

The ``dedup`` command maps them to exit codes in one place
(:func:`dedup.cli.main.exit_code`): :class:`BadInput` is a failed file (1,
the run goes on); every other :class:`DedupError` stops the run with one line
on stderr and exit code 2.
"""

from __future__ import annotations

__all__ = [
    "BadInput",
    "ConfigError",
    "CorpusIndexError",
    "DedupError",
    "IndexCorrupt",
    "IndexFormatError",
    "IndexLost",
    "IndexUnavailable",
    "InputError",
    "MissingExtraError",
    "OutputError",
    "ResumeError",
    "WorkerLost",
]


class DedupError(Exception):
    """The root of every error dedup raises."""


class ConfigError(DedupError, ValueError):
    """An option has a value outside its allowed range, or options contradict each other."""


class InputError(DedupError, TypeError):
    """The input is not text dedup can clean (for example ``bytes`` or ``None``)."""


class BadInput(DedupError):
    """An input file (or one line of it) that cannot be read as articles.

    ``path`` is the file's path relative to the corpus root (as written in
    reports: valid Unicode), ``line`` the 1-based line (``None``: the whole
    file).
    """

    def __init__(self, path: str, line: int | None, message: str) -> None:
        super().__init__(path, line, message)
        self.path = path
        self.line = line
        self.message = message

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


class OutputError(DedupError, OSError):
    """An output directory or report path that cannot be created or written."""


class ResumeError(DedupError, ValueError):
    """``--resume`` into an output directory that a run with other options wrote."""


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


class WorkerLost(DedupError, RuntimeError):
    """A worker process of ``dedup batch`` died mid-run (killed, or out of memory).

    The files finished before are complete and the partial ones removed, as
    after Ctrl-C: ``--resume`` goes on from there.
    """
