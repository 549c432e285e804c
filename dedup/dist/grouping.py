"""Cross-document candidates -> keyed rows -> edges, with NumPy (no Ray here).

Every cross-document candidate paragraph (see
:func:`dedup.corpus.decisions.analyze_article`) becomes a node whose id
encodes its place in corpus order: ``piece << 40 | article << 20 | candidate``,
so sorting node ids sorts paragraphs in corpus order. A node emits one row per
key it can meet another paragraph by: its exact fingerprint (slot 1) and each
of its LSH band keys (slot 0; all bands share one slot because the index looks
band keys up by value alone).

Rows are hash-partitioned on ``(slot, key)``; inside a partition,
:func:`group_edges` sorts them once and links every member of a key group to
the group's first member (a star: the same components as all pairs, with
``n - 1`` edges for ``n`` members).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import xxhash

__all__ = [
    "ARTICLE_SHIFT",
    "MAX_ARTICLES",
    "MAX_CANDIDATES",
    "PIECE_SHIFT",
    "article_of",
    "group_edges",
    "node_id",
    "partition_of",
    "partition_of_text",
]

PIECE_SHIFT = 40
ARTICLE_SHIFT = 20
MAX_ARTICLES = 1 << (PIECE_SHIFT - ARTICLE_SHIFT)
MAX_CANDIDATES = 1 << ARTICLE_SHIFT
_MIX = np.uint64(0x9E3779B97F4A7C15)

I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]


def node_id(piece: int, article: int, candidate: int) -> int:
    """Return the node id of a candidate paragraph.

    Example:
        >>> node_id(2, 1, 3) == (2 << 40) | (1 << 20) | 3
        True
    """
    if article >= MAX_ARTICLES or candidate >= MAX_CANDIDATES:
        msg = (
            f"article {article} with candidate {candidate} is beyond the Ray engine's limits "
            f"({MAX_ARTICLES} articles per piece, {MAX_CANDIDATES} paragraphs per article)"
        )
        raise ValueError(msg)
    return (piece << PIECE_SHIFT) | (article << ARTICLE_SHIFT) | candidate


def article_of(node: int) -> int:
    """Return the article part of a node id (its piece and article in the piece)."""
    return node >> ARTICLE_SHIFT


def partition_of(keys: U64, partitions: int) -> I64:
    """Return a partition in ``[0, partitions)`` for each 64-bit key, by hash.

    Example:
        >>> parts = partition_of(np.arange(1000, dtype=np.uint64), 4)
        >>> sorted(set(parts.tolist()))
        [0, 1, 2, 3]
    """
    mixed = (keys ^ (keys >> np.uint64(31))) * _MIX
    return ((mixed >> np.uint64(33)) % np.uint64(partitions)).astype(np.int64)


def partition_of_text(text: str, partitions: int) -> int:
    """Return a partition for a string, the same in every process (unlike ``hash``)."""
    return int(xxhash.xxh3_64_intdigest(text.encode("utf-8", "surrogatepass")) % partitions)


def group_edges(slots: I64, keys: U64, nodes: I64) -> tuple[I64, I64]:
    """Link the nodes of every ``(slot, key)`` group to the group's smallest node.

    Example:
        >>> slots = np.array([0, 0, 1, 0, 1], dtype=np.int64)
        >>> keys = np.array([7, 7, 7, 9, 7], dtype=np.uint64)
        >>> nodes = np.array([5, 3, 5, 4, 8], dtype=np.int64)
        >>> a, b = group_edges(slots, keys, nodes)
        >>> sorted(zip(a.tolist(), b.tolist()))
        [(3, 5), (5, 8)]
    """
    if len(nodes) < 2:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    order = np.lexsort((nodes, keys, slots))
    s, k, n = slots[order], keys[order], nodes[order]
    starts = np.ones(len(n), dtype=bool)
    starts[1:] = (s[1:] != s[:-1]) | (k[1:] != k[:-1])
    group = np.cumsum(starts) - 1
    first = n[starts][group]
    linked = n != first
    return first[linked], n[linked]
