"""The cross-document stages that Ray Data runs, from candidates to drops.

- :func:`key_rows`: analyses -> ``(slot, key, node)`` rows, partitioned on
  ``(slot, key)``; :func:`edge_rows`: one partition -> star edges.
- :func:`label_rows`: component labels -> one side row per piece they touch;
  :func:`stub_rows` gives every piece an empty side row, and
  :func:`merge_side` (one piece number at a time) joins a piece's side rows
  into one. A piece's side row travels beside its analysis (``Dataset.zip``):
  labels and drops reach the tasks that need them, never the driver.
- :func:`component_rows`: analyses and their labels -> candidates of nodes
  with a component, partitioned by component; :func:`replay_rows`: one
  partition -> side rows of drops, by piece.
"""

from __future__ import annotations

from typing import cast

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from dedup.config import Config
from dedup.corpus.decisions import CorpusDrop
from dedup.dist.grouping import (
    ARTICLE_SHIFT,
    MAX_ARTICLES,
    PIECE_SHIFT,
    group_edges,
    node_id,
    partition_of,
)
from dedup.dist.replay import Candidate, replay
from dedup.dist.rows import SIDE_SCHEMA, Batch, dump, good_results, load, table, with_side

__all__ = ["component_rows", "edge_rows", "key_rows", "label_rows", "merge_side", "replay_rows",
           "stub_rows"]

I64 = npt.NDArray[np.int64]

KEY_SCHEMA = pa.schema([("slot", pa.int64()), ("key", pa.uint64()), ("node", pa.int64()),
                        ("part", pa.int64())])
EDGE_SCHEMA = pa.schema([("a", pa.int64()), ("b", pa.int64())])
COMPONENT_SCHEMA = pa.schema([("part", pa.int64()), ("candidate", pa.binary())])


def key_rows(batch: Batch, *, bad: I64, partitions: int) -> pa.Table:
    """Emit a ``(slot, key, node)`` row for each fingerprint and band key of each candidate."""
    slots: list[int] = []
    keys: list[int] = []
    nodes: list[int] = []
    for piece, articles in good_results(batch, bad, "candidates"):
        for number, (_, _, prints, all_bands, _) in enumerate(articles):
            for c, (fp, bands) in enumerate(zip(prints, all_bands, strict=True)):
                node = node_id(piece, number, c)
                slots.append(1)
                keys.append(fp)
                nodes.append(node)
                slots.extend([0] * len(bands))
                keys.extend(bands)
                nodes.extend([node] * len(bands))
    key_array = np.array(keys, dtype=np.uint64)
    slot_array = np.array(slots, dtype=np.uint64)
    parts = partition_of(key_array ^ (slot_array * np.uint64(0xD6E8FEB86659FD93)), partitions)
    return pa.table({"slot": pa.array(slots, pa.int64()), "key": pa.array(key_array),
                     "node": pa.array(nodes, pa.int64()), "part": pa.array(parts)},
                    schema=KEY_SCHEMA)


def edge_rows(batch: Batch) -> pa.Table:
    """Return the star edges of every ``(slot, key)`` group of one partition."""
    a, b = group_edges(np.asarray(batch["slot"], dtype=np.int64),
                       np.asarray(batch["key"], dtype=np.uint64),
                       np.asarray(batch["node"], dtype=np.int64))
    return pa.table({"a": pa.array(a), "b": pa.array(b)}, schema=EDGE_SCHEMA)


def label_rows(batch: Batch) -> pa.Table:
    """Return one side row per piece of a block of ``(node, label)`` rows: its labels."""
    nodes = np.asarray(batch["node"], dtype=np.int64)
    labels = np.asarray(batch["label"], dtype=np.int64)
    order = np.argsort(nodes, kind="stable")
    nodes, labels = nodes[order], labels[order]
    pieces = nodes >> PIECE_SHIFT
    starts = np.flatnonzero(np.concatenate(([True], pieces[1:] != pieces[:-1])))
    ends = np.append(starts[1:], len(nodes))
    return table(SIDE_SCHEMA, {
        "at": pieces[starts].tolist(),
        "side": [dump((nodes[s:e], labels[s:e])) for s, e in zip(starts, ends, strict=True)],
        "kept": [0] * len(starts)})


def stub_rows(batch: Batch) -> pa.Table:
    """Return an empty side row for every piece number of a batch of ``ray.data.range``."""
    pieces = np.asarray(batch["id"], dtype=np.int64).tolist()
    return table(SIDE_SCHEMA, {"at": pieces, "side": [b""] * len(pieces),
                                "kept": [0] * len(pieces)})


def merge_side(batch: Batch) -> pa.Table:
    """Join the side rows of one piece number into one (a pickled list of what they carry)."""
    pieces = set(np.asarray(batch["at"], dtype=np.int64).tolist())
    if len(pieces) != 1:  # pragma: no cover - map_groups gives one key at a time
        msg = f"side rows of pieces {sorted(pieces)} in one group"
        raise RuntimeError(msg)
    carried = [load(side) for side in batch["side"] if len(side)]
    return table(SIDE_SCHEMA, {"at": [pieces.pop()], "side": [dump(carried)],
                                "kept": [int(np.sum(np.asarray(batch["kept"], np.int64)))]})


def _labels_of(side: list[tuple[I64, I64]]) -> tuple[I64, I64]:
    """Sorted distinct nodes of a piece's label parts, with their labels."""
    empty = np.zeros(0, dtype=np.int64)
    nodes = np.concatenate([empty, *(n for n, _ in side)])
    labels = np.concatenate([empty, *(lab for _, lab in side)])
    nodes, first = np.unique(nodes, return_index=True)  # a star's centre: in several parts
    return nodes, labels[first]


def component_rows(batch: Batch, *, bad: I64, partitions: int) -> pa.Table:
    """Emit the candidates whose node has a component, partitioned by component.

    Each row carries its piece's labels beside it (columns ``at`` and ``side``).
    """
    parts: list[int] = []
    rows: list[bytes] = []
    for piece, articles, side in with_side(batch, bad, "candidates"):
        nodes, component = _labels_of(side)
        if len(nodes) == 0:
            continue
        for number, (doc, paragraphs, prints, bands, keys) in enumerate(articles):
            if not paragraphs:
                continue
            ids = np.array([node_id(piece, number, c) for c in range(len(paragraphs))],
                           dtype=np.int64)
            where = np.minimum(np.searchsorted(nodes, ids), len(nodes) - 1)
            found = np.flatnonzero(nodes[where] == ids)
            if len(found) == 0:
                continue
            labels_found = component[where[found]].astype(np.uint64)
            parts.extend(partition_of(labels_found, partitions).tolist())
            for c in found.tolist():
                rows.append(dump(Candidate(int(ids[c]), doc, paragraphs[c], prints[c], bands[c],
                                            keys[c])))
    return table(COMPONENT_SCHEMA, {"part": parts, "candidate": rows})


def replay_rows(batch: Batch, *, config: Config) -> pa.Table:
    """Decide the cross-document drops of the components of one partition.

    Returns one side row per piece of those components: its drops by article
    (``{article: {paragraph: drop}}``) and how many of its candidates were kept.
    """
    candidates = [cast(Candidate, load(c)) for c in batch["candidate"]]
    drops = replay(candidates, config)
    by_piece: dict[int, dict[int, dict[int, CorpusDrop]]] = {}
    kept: dict[int, int] = {}
    for candidate in candidates:
        piece = candidate.node >> PIECE_SHIFT
        articles = by_piece.setdefault(piece, {})
        drop = drops.get(candidate.node)
        if drop is None:
            kept[piece] = kept.get(piece, 0) + 1
        else:
            article = (candidate.node >> ARTICLE_SHIFT) & (MAX_ARTICLES - 1)
            articles.setdefault(article, {})[candidate.paragraph] = drop
    pieces = sorted(by_piece)
    return table(SIDE_SCHEMA, {"at": pieces, "side": [dump(by_piece[p]) for p in pieces],
                                "kept": [kept.get(p, 0) for p in pieces]})
