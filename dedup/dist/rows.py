"""Rows of Ray Data batches: Arrow tables of plain values and pickles, and which pieces count.

Shared by :mod:`dedup.dist.stages` and :mod:`dedup.dist.cross_doc`. A side
row (:data:`SIDE_SCHEMA`) is what travels beside a piece's analysis
(``Dataset.zip``): its component labels, or its cross-document drops.
"""

from __future__ import annotations

import pickle
from collections.abc import Mapping
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import pyarrow as pa

__all__ = ["SIDE_SCHEMA", "Batch", "dump", "good_piece", "good_results", "load", "table",
           "with_side"]

Batch = Mapping[str, Any]
I64 = npt.NDArray[np.int64]

SIDE_SCHEMA = pa.schema([("at", pa.int64()), ("side", pa.binary()), ("kept", pa.int64())])
"""What travels beside a piece's analysis: pickled lists of labels or of drops."""


def table(schema: pa.Schema, columns: dict[str, list[Any]]) -> pa.Table:
    """Return the columns (lists of plain values) as a table of ``schema``."""
    return pa.table({name: pa.array(columns[name], type=schema.field(name).type)
                     for name in schema.names}, schema=schema)


def load(value: bytes) -> Any:  # noqa: ANN401 - whatever was pickled
    """Unpickle a binary cell."""
    return pickle.loads(bytes(value))


def dump(value: object) -> bytes:
    """Pickle a value for a binary cell."""
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def good_piece(piece: int, bad: I64) -> bool:
    """Whether a piece belongs to no failed file (``bad``: sorted ``[start, stop)`` ranges).

    The driver sends the failed files' ranges of pieces, not a flag per piece:
    what every task receives stays as small as the list of bad files.

    Example:
        >>> bad = np.array([[2, 4], [7, 8]], dtype=np.int64)
        >>> [p for p in range(9) if good_piece(p, bad)]
        [0, 1, 4, 5, 6, 8]
    """
    where = int(np.searchsorted(bad[:, 0], piece, side="right")) - 1
    return where < 0 or piece >= int(bad[where, 1])


def good_results(batch: Batch, bad: I64, column: str = "result") -> list[tuple[int, Any]]:
    """Return ``(piece, column)`` for the good pieces of a batch of analysis rows."""
    pieces = []
    for piece, result, failed in zip(batch["piece"], batch[column], batch["failed"],
                                     strict=True):
        if not failed and good_piece(int(piece), bad):
            pieces.append((int(piece), load(result)))
    return pieces


def with_side(batch: Batch, bad: I64, column: str) -> list[tuple[int, Any, list[Any]]]:
    """Return ``(piece, column, side)`` for the good pieces of a batch of zipped rows."""
    rows = []
    for piece, value, failed, at, side in zip(batch["piece"], batch[column], batch["failed"],
                                              batch["at"], batch["side"], strict=True):
        if int(at) != int(piece):
            msg = f"the side row of piece {int(at)} arrived beside piece {int(piece)}"
            raise RuntimeError(msg)
        if not failed and good_piece(int(piece), bad):
            rows.append((int(piece), load(value), cast(list[Any], load(side))))
    return rows
