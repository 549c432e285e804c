"""Edges -> connected components: SciPy on the driver, or large-star / small-star on Ray.

Both give ``(nodes, labels)``: the sorted distinct nodes of the edges and,
for each, the smallest node of its component (a label that does not depend on
how the work was split). Edges from a node to itself are ignored (the
candidate edges never have any).

- :func:`driver_components` runs :func:`scipy.sparse.csgraph.connected_components`
  on the whole edge list in this process: about 40 bytes per edge.
- :func:`label_tables` is what the engine calls: the components of edges held
  in the object store, as Arrow tables ``(node, label)`` left in the object
  store, from SciPy in one Ray task (up to ``max_task_edges`` edges) or from
  :func:`star_components`; the driver holds object references only.
- :func:`star_components` runs the large-star / small-star algorithm of
  Kiveris et al. ("Connected Components in MapReduce and Beyond", SoCC 2014)
  with Ray core tasks: every round hash-partitions the edges by node
  (``num_returns`` map tasks), and each reduce task handles its nodes'
  neighbourhoods with NumPy. Rounds repeat until neither step changes the graph
  (each component is then a star around its smallest node), which takes
  O(log^2 n) rounds. No edge list is ever held by the driver, only object
  references; :func:`gather_labels` collects the result when asked to.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import ray
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from dedup.dist.grouping import partition_of

__all__ = ["LABEL_SCHEMA", "driver_components", "gather_labels", "label_tables",
           "star_components"]

LABEL_SCHEMA = pa.schema([("node", pa.int64()), ("label", pa.int64())])

I64 = npt.NDArray[np.int64]
Edges = tuple[I64, I64]


def driver_components(a: I64, b: I64) -> tuple[I64, I64]:
    """Return the sorted nodes of the edges ``a[i] - b[i]`` and their component labels.

    Example:
        >>> a, b = np.array([10, 30, 50]), np.array([20, 20, 60])
        >>> nodes, labels = driver_components(a, b)
        >>> nodes.tolist(), labels.tolist()
        ([10, 20, 30, 50, 60], [10, 10, 10, 50, 50])
    """
    keep = a != b
    a, b = a[keep], b[keep]
    nodes = np.unique(np.concatenate([a, b])).astype(np.int64)
    if len(nodes) == 0:
        return nodes, nodes.copy()
    rows = np.searchsorted(nodes, a)
    cols = np.searchsorted(nodes, b)
    graph = coo_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)),
                       shape=(len(nodes), len(nodes))).tocsr()
    _, component = connected_components(graph, directed=False)
    smallest = np.full(int(component.max()) + 1, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(smallest, component, nodes)  # nodes are sorted: the first is the smallest
    return nodes, smallest[component]


def label_tables(edges: list[Any], partitions: int, max_task_edges: int, count: int
                 ) -> list[Any]:
    """Return object references to ``(node, label)`` tables covering every node of ``edges``.

    Args:
        edges: Object references to Arrow tables with int64 columns ``a`` and
            ``b`` (``Dataset.to_arrow_refs()``).
        partitions: Reduce tasks of each large-star / small-star step.
        max_task_edges: Up to this many edges, SciPy runs in one Ray task
            (about 40 bytes per edge in that worker); above, large-star /
            small-star.
        count: How many edges there are.

    A node may be listed by several tables (a star's centre), always with the
    same label.
    """
    if count <= max_task_edges:
        scipy_labels: Any = _scipy_labels  # Ray's remote functions are only partly typed
        return [scipy_labels.remote(*edges)]
    table: Any = _label_table
    return [table.remote(part) for part in star_components(edges, partitions)]


@ray.remote
def _scipy_labels(*tables: pa.Table) -> pa.Table:
    empty = np.zeros(0, dtype=np.int64)
    a = np.concatenate([empty, *(t["a"].to_numpy() for t in tables)])
    b = np.concatenate([empty, *(t["b"].to_numpy() for t in tables)])
    nodes, labels = driver_components(a, b)
    return pa.table({"node": nodes, "label": labels}, schema=LABEL_SCHEMA)


@ray.remote
def _label_table(part: tuple[I64, I64]) -> pa.Table:
    nodes, labels = part
    return pa.table({"node": nodes, "label": labels}, schema=LABEL_SCHEMA)


def star_components(parts: list[Any], partitions: int) -> list[Any]:
    """Run large-star / small-star on edge partitions held in the object store.

    Args:
        parts: Object references to ``(a, b)`` pairs of int64 arrays, or to
            batches or Arrow tables with columns ``a`` and ``b``.
        partitions: How many reduce tasks each step uses.

    Returns:
        Object references to ``(nodes, labels)`` pairs, one per partition,
        covering every node of the edges once.
    """
    edges = list(parts)
    while True:
        edges, large_changed = _step(edges, partitions, large=True)
        edges, small_changed = _step(edges, partitions, large=False)
        if not large_changed and not small_changed:
            break
    return [_labels.remote(part) for part in edges]


def gather_labels(parts: list[Any]) -> tuple[I64, I64]:
    """Fetch :func:`star_components`' result into one sorted ``(nodes, labels)`` pair."""
    pairs = ray.get(parts)
    if not pairs:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty.copy()
    nodes = np.concatenate([p[0] for p in pairs])
    labels = np.concatenate([p[1] for p in pairs])
    nodes, first = np.unique(nodes, return_index=True)  # a centre is listed by every part
    return nodes.astype(np.int64), labels[first].astype(np.int64)


def _step(edges: list[Any], partitions: int, *, large: bool) -> tuple[list[Any], bool]:
    scatter: Any = _scatter  # Ray's remote functions are only partly typed
    reduce: Any = _reduce
    mapped = [
        scatter.options(num_returns=partitions).remote(part, partitions, large)
        if partitions > 1 else [scatter.remote(part, partitions, large)]
        for part in edges
    ]
    reduced = [
        reduce.options(num_returns=2).remote(large, *[m[p] for m in mapped])
        for p in range(partitions)
    ]
    changed = any(ray.get([r[1] for r in reduced]))
    return [r[0] for r in reduced], changed


@ray.remote
def _scatter(part: Edges | dict[str, I64] | pa.Table, partitions: int, large: bool) -> object:
    """Emit ``(node, neighbour)`` rows hash-partitioned by node (a pair, batch or table)."""
    a, b = (part["a"], part["b"]) if isinstance(part, dict | pa.Table) else part
    a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
    if large:  # both directions: every node sees its whole neighbourhood
        keys, values = np.concatenate([a, b]), np.concatenate([b, a])
    else:  # towards the larger end: every node sees its smaller neighbours
        keys, values = np.maximum(a, b), np.minimum(a, b)
    where = partition_of(keys.astype(np.uint64), partitions)
    out = tuple((keys[where == p], values[where == p]) for p in range(partitions))
    return out if partitions > 1 else out[0]


@ray.remote
def _reduce(large: bool, *pieces: Edges) -> tuple[Edges, bool]:
    """One large-star or small-star step for the nodes of one partition."""
    empty = np.zeros(0, dtype=np.int64)
    keys = np.concatenate([p[0] for p in pieces]) if pieces else empty
    values = np.concatenate([p[1] for p in pieces]) if pieces else empty
    keep = keys != values
    keys, values = keys[keep], values[keep]
    if len(keys) == 0:
        return (empty, empty), False
    order = np.lexsort((values, keys))
    keys, values = keys[order], values[order]
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    node = keys[starts]
    smallest = np.minimum(values[starts], node)  # values sorted within each node
    owner = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, len(keys))))
    if large:
        # link every larger neighbour to the smallest node of the neighbourhood
        larger = values > keys
        out_a, out_b = values[larger], smallest[owner][larger]
        has_larger = np.zeros(len(starts), dtype=bool)
        has_larger[owner[larger]] = True
        changed = bool(np.any(has_larger & (smallest != node)))
    else:
        # link the node and its smaller neighbours to the smallest of them
        out_a = np.concatenate([values, node])
        out_b = np.concatenate([smallest[owner], smallest])
        new = np.ones(len(keys), dtype=bool)
        new[1:] = (values[1:] != values[:-1]) | (keys[1:] != keys[:-1])
        changed = bool(np.any(np.add.reduceat(new.astype(np.int64), starts) > 1))
    linked = out_a != out_b
    pairs = np.unique(np.stack([out_a[linked], out_b[linked]], axis=1), axis=0)
    if len(pairs) == 0:
        return (empty, empty), changed
    return (pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64)), changed


@ray.remote
def _labels(part: Edges) -> tuple[I64, I64]:
    """Turn converged star edges ``(leaf, centre)`` into labels (centres label themselves)."""
    a, b = part
    leaves = np.unique(np.stack([a, b], axis=1), axis=0) if len(a) else np.zeros((0, 2), np.int64)
    nodes = np.concatenate([leaves[:, 0], np.unique(leaves[:, 1])]).astype(np.int64)
    labels = np.concatenate([leaves[:, 1], np.unique(leaves[:, 1])]).astype(np.int64)
    return nodes, labels
