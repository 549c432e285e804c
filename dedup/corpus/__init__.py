"""Many articles: corpus readers and writers, site boilerplate, cross-document index, batch driver.

The stable entry points are :class:`Deduplicator` (also ``dedup.Deduplicator``)
and the ``dedup batch`` command; the index backends are importable here.
"""

from __future__ import annotations

from dedup.corpus.deduplicator import CorpusCleaned, Deduplicator
from dedup.corpus.index import Index, MemoryIndex, RedisIndex, SqliteIndex, open_index

__all__ = [
    "CorpusCleaned",
    "Deduplicator",
    "Index",
    "MemoryIndex",
    "RedisIndex",
    "SqliteIndex",
    "open_index",
]
