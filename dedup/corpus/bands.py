"""Band keys -> their owners: which kept paragraph claimed each LSH band key first.

Cross-document matching asks, for every band key of every candidate paragraph,
whether an earlier kept paragraph holds it, and then claims the keys of the
paragraphs it keeps: over a million keys on a corpus of a few thousand pages.
In a Python ``dict`` each of those operations is a few cache misses and
several objects; :class:`BandOwners` does them an array at a time, in a flat
open-addressing table (compiled kernels of :mod:`dedup.kernels`), and keeps
a ``dict`` until the kernels are loaded (with the same results), then moves its
keys into the table.

Example:
    >>> import numpy as np
    >>> owners = BandOwners()
    >>> owners.claim(np.array([11, 12, 11], dtype=np.uint64), np.array([7, 7, 8], dtype=np.uint64))
    >>> found, owner = owners.find(np.array([11, 13], dtype=np.uint64))
    >>> found.tolist(), owner.tolist()[:1], len(owners)
    ([True, False], [7], 2)
"""

from __future__ import annotations

from typing import cast

import numpy as np
import numpy.typing as npt

from dedup import kernels

__all__ = ["BandOwners"]

U64 = npt.NDArray[np.uint64]

# The table grows when a claim would fill more than MAX_LOAD of its slots, to
# twice the size (or more, for a very large claim): between growths it is 30% to
# 60% full, 17 bytes per slot, so about 28 to 57 bytes per band key.
MAX_LOAD = 0.6


class BandOwners:
    """A table of band key -> owner (a paragraph's fingerprint), both 64-bit.

    :meth:`claim` keeps the first owner of a key, as ``dict.setdefault`` in a
    loop; :meth:`release` removes keys still owned by the given owners.
    """

    def __init__(self, *, capacity: int = 1 << 10) -> None:
        if capacity < 2 or capacity & (capacity - 1):
            msg = f"capacity must be a power of two of at least 2, not {capacity!r}"
            raise ValueError(msg)
        self._kernels = kernels.compiled()
        self._dict: dict[int, int] = {}
        self._size = 0
        self._allocate(capacity)

    def _allocate(self, capacity: int) -> None:
        self._slots = np.zeros((capacity, 2), dtype=np.uint64)  # key, value
        self._used = np.zeros(capacity, dtype=np.uint8)
        self._shift = 64 - (capacity.bit_length() - 1)

    def __len__(self) -> int:
        return self._size if self._kernels is not None else len(self._dict)

    @property
    def nbytes(self) -> int:
        """Bytes held by the compiled table's arrays (0 for the ``dict`` fallback's slots)."""
        return self._slots.nbytes + self._used.nbytes if self._kernels is not None else 0

    def find(self, keys: U64) -> tuple[npt.NDArray[np.bool_], U64]:
        """Return, for each key, whether it has an owner, and the owner (0 where none)."""
        if self._kernels is not None:
            found = self._kernels.table_find(self._slots, self._used, self._shift, keys)
            return cast("tuple[npt.NDArray[np.bool_], U64]", found)
        get = self._dict.get
        owners = [get(key) for key in keys.tolist()]
        found = np.array([owner is not None for owner in owners], dtype=np.bool_)
        values = np.array([owner or 0 for owner in owners], dtype=np.uint64)
        return found, values

    def claim(self, keys: U64, owners: U64) -> None:
        """Give each key without an owner the owner beside it (the first one, for repeats)."""
        if self._kernels is None and (kernel := kernels.compiled(keys.shape[0])) is not None:
            self._move_to_table(kernel)
        if self._kernels is None:
            setdefault = self._dict.setdefault
            for key, owner in zip(keys.tolist(), owners.tolist(), strict=True):
                setdefault(key, owner)
            return
        if self._size + keys.shape[0] > MAX_LOAD * self._slots.shape[0]:
            self._grow(self._size + keys.shape[0])
        self._size += self._table_claim(keys, owners)

    def release(self, keys: U64, owners: U64) -> None:
        """Remove each key whose owner is the one beside it."""
        if self._kernels is None:
            table = self._dict
            for key, owner in zip(keys.tolist(), owners.tolist(), strict=True):
                if table.get(key) == owner:
                    del table[key]
            return
        removed = self._kernels.table_release(self._slots, self._used, self._shift, keys, owners)
        self._size -= cast("int", removed)

    def _table_claim(self, keys: U64, owners: U64) -> int:
        assert self._kernels is not None
        return cast("int", self._kernels.table_claim(self._slots, self._used, self._shift,
                                                     keys, owners))

    def _move_to_table(self, kernel: kernels.Kernels) -> None:
        """Move the keys of the dict into the table, once the kernels are loaded."""
        self._kernels = kernel
        moved = self._dict
        self._dict = {}
        self._size = 0
        if moved:
            self._grow(len(moved))
            self._size = self._table_claim(np.fromiter(moved.keys(), np.uint64, len(moved)),
                                           np.fromiter(moved.values(), np.uint64, len(moved)))

    def _grow(self, wanted: int) -> None:
        """Move to a table twice as large (or more, until ``wanted`` keys fit under ``MAX_LOAD``).

        Doubling moves each key about once on average; quadrupling (this table
        until 2026-12) moved it a third of a time but left the table 12% to 50%
        full, over twice the memory per key.
        """
        capacity = 2 * self._slots.shape[0]
        while wanted > MAX_LOAD * capacity:
            capacity *= 2
        live = self._slots[self._used.view(np.bool_)]
        self._allocate(capacity)
        self._size = self._table_claim(np.ascontiguousarray(live[:, 0]),
                                       np.ascontiguousarray(live[:, 1]))
