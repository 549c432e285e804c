"""The corpus index: what earlier articles held, as fingerprints and band keys.

The index remembers, across calls and runs:

- documents seen (their ids, so a re-run never counts a document twice),
- per site, how many documents were seen and in how many of them each exact
  fingerprint occurred (for site boilerplate),
- for every kept paragraph of ``min_length`` characters or more: its exact
  fingerprint and the id of the first document that kept it, and its LSH band
  keys (for cross-document duplicates),
- a bounded store of the normalized text of the most recently kept paragraphs
  (``max_keys`` of them, oldest evicted first), so that a near-duplicate
  candidate can be verified with rapidfuzz. A candidate whose text was
  evicted is not verified and therefore not dropped.

The modules, in the order a run meets them:

- :mod:`~dedup.corpus.index.protocol`: the :class:`Index` protocol every
  backend implements, :class:`Kept`, the format (:func:`index_params`);
- :mod:`~dedup.corpus.index.memory`: :class:`MemoryIndex`, a process's dicts
  (it lends its band table to the caller, :class:`LiveBands`);
- :mod:`~dedup.corpus.index.sqlite`: :class:`SqliteIndex`, one file, the
  embedded default;
- :mod:`~dedup.corpus.index.redis`: :class:`RedisIndex`, a server shared by
  several processes or machines;
- :mod:`~dedup.corpus.index.pending`: :class:`PendingIndex`, a file's
  additions held until the file is complete (:func:`pending_index`).

:func:`open_index` turns what a user wrote (nothing, a path, a URL) into one.
Every backend passes the same contract tests (``tests/test_index_contract.py``)
and raises only :class:`~dedup.errors.CorpusIndexError` subclasses.
"""

from __future__ import annotations

from pathlib import Path

from dedup.corpus.index.memory import MemoryIndex
from dedup.corpus.index.pending import PendingIndex, pending_index
from dedup.corpus.index.protocol import (
    FORMAT_VERSION,
    MAX_KEYS,
    ClaimedRows,
    Index,
    Kept,
    LiveBands,
    index_params,
)
from dedup.corpus.index.redis import RedisIndex
from dedup.corpus.index.sqlite import SqliteIndex

__all__ = [
    "FORMAT_VERSION",
    "MAX_KEYS",
    "ClaimedRows",
    "Index",
    "Kept",
    "LiveBands",
    "MemoryIndex",
    "PendingIndex",
    "RedisIndex",
    "SqliteIndex",
    "index_params",
    "open_index",
    "pending_index",
]

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def open_index(spec: str | Path | None, *, max_keys: int = MAX_KEYS) -> Index:
    """Open an index: ``None`` in memory, a ``redis://`` URL on Redis, else a SQLite file.

    Raises:
        IndexUnavailable: the file's folder is missing, the server cannot be reached.
        IndexCorrupt: the file is not a dedup index, or damaged.

    Example:
        >>> type(open_index(None)).__name__, type(open_index(":memory:")).__name__
        ('MemoryIndex', 'SqliteIndex')
    """
    if spec is None:
        return MemoryIndex(max_keys=max_keys)
    text = str(spec)
    if text.startswith(REDIS_SCHEMES):
        return RedisIndex.from_url(text, max_keys=max_keys)
    return SqliteIndex(spec, max_keys=max_keys)
