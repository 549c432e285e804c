"""Band keys -> their owners: which kept paragraph claimed each LSH band key first.

Cross-document matching asks, for every band key of every candidate paragraph,
whether an earlier kept paragraph holds it, and then claims the keys of the
paragraphs it keeps: over a million keys on a corpus of a few thousand pages.
In a Python ``dict`` each of those operations is a few cache misses and
several objects; :class:`BandOwners` does them an array at a time, and keeps a
``dict`` until the kernels are loaded (with the same results), then moves its
keys into its arrays.

The newest keys live in a flat open-addressing table (compiled kernels of
:mod:`dedup.kernels`) of at most ``hot_capacity`` slots. When it is full, its
keys are frozen into a sorted run (keys, and beside each the index of its
owner in the run's sorted distinct owners, and a bit filter: about 14 bytes per key, against 28
to 57 in a table that doubles), and the table starts empty. Runs of about the
same size are merged, up to ``MAX_RUN`` keys, so a lookup searches a few runs
and no step ever copies the whole index at once.

Example:
    >>> import numpy as np
    >>> owners = BandOwners()
    >>> owners.claim(np.array([11, 12, 11], dtype=np.uint64), np.array([7, 7, 8], dtype=np.uint64))
    >>> found, owner = owners.find(np.array([11, 13], dtype=np.uint64))
    >>> found.tolist(), owner.tolist()[:1], len(owners)
    ([True, False], [7], 2)
"""

from __future__ import annotations

from typing import NamedTuple, cast

import numpy as np
import numpy.typing as npt

from dedup import kernels

__all__ = ["BandOwners", "first_places"]

U64 = npt.NDArray[np.uint64]
U32 = npt.NDArray[np.uint32]
Flags = npt.NDArray[np.bool_]

# The table grows when a claim would fill more than MAX_LOAD of its slots, to
# twice the size (or more, for a very large claim), until HOT_CAPACITY slots
# (17 bytes each: 9 MB); then its keys are frozen into a sorted run.
MAX_LOAD = 0.6
HOT_CAPACITY = 1 << 19
MAX_RUN = 1 << 22  # runs are merged up to this many keys (54 MB), never beyond
GONE = np.uint32(0xFFFFFFFF)  # the owner index of a released key in a run
_SLICE = 1 << 20  # keys per step of building a bit filter (bounds its temporary arrays)


class _Run(NamedTuple):
    """Keys sorted, each with the index of its owner in ``owners`` (``GONE``: released).

    ``bits`` has a bit set for each value of a key's top bits (about 8 bits per
    key, set for 1 in 8): a key whose bit is clear is not in the run, found in
    one memory read instead of a binary search's twenty.
    """

    keys: U64
    which: U32
    owners: U64
    bits: npt.NDArray[np.uint8]
    shift: np.uint64


def _run(keys: U64, which: U32, owners: U64) -> _Run:
    """Build a run of sorted ``keys``, with its bit filter (a slice of keys at a time)."""
    shift = 64 - (8 * keys.shape[0] - 1).bit_length()
    bits = np.zeros(((1 << (64 - shift)) + 7) // 8, dtype=np.uint8)
    for start in range(0, keys.shape[0], _SLICE):
        top = keys[start:start + _SLICE] >> np.uint64(shift)  # sorted; a repeat sets its bit again
        byte = top >> np.uint64(3)
        starts = np.flatnonzero(np.r_[True, byte[1:] != byte[:-1]])
        bits[byte[starts]] |= np.bitwise_or.reduceat(
            np.left_shift(1, top & np.uint64(7)).astype(np.uint8), starts)
    return _Run(keys, which, owners, bits, np.uint64(shift))


def _merge(run: _Run, keys: U64, which: U32, owners: U64) -> tuple[U64, U32, U64]:
    """Merge a run's unreleased keys with other sorted ``keys`` (no key in both), owners too.

    Linear in the keys, and with few temporary arrays: both sides are sorted,
    so each new key's place is one binary search, and only the distinct owners
    (one per ``bands`` keys or so) are sorted again.
    """
    live = run.which != GONE  # released keys are dropped here
    everything = bool(live.all())
    old_keys = run.keys if everything else run.keys[live]
    old_which = run.which if everything else run.which[live]
    used = np.bincount(old_which, minlength=run.owners.shape[0]).astype(np.bool_)
    distinct = np.union1d(run.owners[used], owners)
    renumber = np.zeros(run.owners.shape[0], dtype=np.uint32)
    renumber[used] = np.searchsorted(distinct, run.owners[used])
    place = np.searchsorted(old_keys, keys)
    merged_keys = np.insert(old_keys, place, keys)
    merged_which = np.insert(renumber[old_which], place,
                             np.searchsorted(distinct, owners).astype(np.uint32)[which])
    return merged_keys, merged_which, distinct


class BandOwners:
    """A table of band key -> owner (a paragraph's fingerprint), both 64-bit.

    :meth:`claim` keeps the first owner of a key, as ``dict.setdefault`` in a
    loop; :meth:`release` removes keys still owned by the given owners.
    """

    def __init__(self, *, capacity: int = 1 << 10, hot_capacity: int | None = None) -> None:
        hot_capacity = HOT_CAPACITY if hot_capacity is None else hot_capacity
        for name, value in (("capacity", capacity), ("hot_capacity", hot_capacity)):
            if value < 2 or value & (value - 1):
                msg = f"{name} must be a power of two of at least 2, not {value!r}"
                raise ValueError(msg)
        self._kernels = kernels.compiled()
        self._dict: dict[int, int] = {}
        self._size = 0  # keys in the table
        self._hot_capacity = hot_capacity
        self._runs: list[_Run] = []
        self._in_runs = 0  # keys in the runs, released ones excluded
        self._allocate(min(capacity, hot_capacity))

    def _allocate(self, capacity: int) -> None:
        self._slots = np.zeros((capacity, 2), dtype=np.uint64)  # key, value
        self._used = np.zeros(capacity, dtype=np.uint8)
        self._shift = 64 - (capacity.bit_length() - 1)

    def __len__(self) -> int:
        return self._size + self._in_runs if self._kernels is not None else len(self._dict)

    @property
    def nbytes(self) -> int:
        """Bytes held by the table's and the runs' arrays (0 for the ``dict`` fallback)."""
        if self._kernels is None:
            return 0
        runs = sum(r.keys.nbytes + r.which.nbytes + r.owners.nbytes + r.bits.nbytes
                   for r in self._runs)
        return self._slots.nbytes + self._used.nbytes + runs

    def find(self, keys: U64) -> tuple[Flags, U64]:
        """Return, for each key, whether it has an owner, and the owner (0 where none)."""
        if self._kernels is not None:
            found, owners = cast("tuple[Flags, U64]", self._kernels.table_find(
                self._slots, self._used, self._shift, keys))
            for run in self._runs:
                hit, at = _search(run, keys)
                found |= hit
                owners[hit] = run.owners[run.which[at[hit]]]
            return found, owners
        get = self._dict.get
        values = [get(key) for key in keys.tolist()]
        found = np.array([owner is not None for owner in values], dtype=np.bool_)
        return found, np.array([owner or 0 for owner in values], dtype=np.uint64)

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
            if self._slots.shape[0] >= self._hot_capacity and self._size:
                self._freeze()
            if self._size + keys.shape[0] > MAX_LOAD * self._slots.shape[0]:
                self._grow(self._size + keys.shape[0])
        if self._runs:  # a key owned in a run keeps its owner
            fresh = ~self._in_run(keys)
            keys, owners = keys[fresh], owners[fresh]
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
        for run in self._runs:
            hit, at = _search(run, keys)
            hit[hit] = run.owners[run.which[at[hit]]] == owners[hit]
            gone = np.unique(at[hit])  # a key given twice is released once
            run.which[gone] = GONE
            self._in_runs -= gone.shape[0]

    def _in_run(self, keys: U64) -> Flags:
        found = np.zeros(keys.shape[0], dtype=np.bool_)
        for run in self._runs:
            found |= _search(run, keys)[0]
        return found

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

    def _freeze(self) -> None:
        """Move the table's keys into a new sorted run (merging runs of about its size)."""
        live = self._slots[self._used.view(np.bool_)]
        if self._slots.shape[0] == self._hot_capacity:
            self._slots[:] = 0
            self._used[:] = 0
        else:  # grown past its largest size by one very large claim
            self._allocate(self._hot_capacity)
        self._in_runs += self._size
        self._size = 0
        order = np.argsort(live[:, 0])  # the table's keys are distinct
        keys = live[order, 0]
        owners, which = self._distinct(live[order, 1])
        del live, order
        while self._runs and (merged := self._runs[-1]).keys.shape[0] <= 2 * keys.shape[0] \
                and merged.keys.shape[0] + keys.shape[0] <= MAX_RUN:
            self._runs.pop()
            keys, which, owners = _merge(merged, keys, which, owners)
            del merged
        self._runs.append(_run(keys, which, owners))


    def _distinct(self, values: U64) -> tuple[U64, U32]:
        """Return ``np.unique(values, return_inverse=True)``, the inverse as ``uint32``.

        Through a table of the kernels (value -> its first position) rather
        than a sort of all the values: the owners of a frozen table are few
        (about one per ``bands`` keys), so only they are sorted. 5.7 ms
        instead of 21.7 ms for 314,572 values of 40,000 distinct ones.
        """
        assert self._kernels is not None
        n = values.shape[0]
        first = first_places(self._kernels, values)
        heads = np.flatnonzero(first == np.arange(n))  # each distinct value's first place
        heads = heads[np.argsort(values[heads])]
        rank = np.zeros(n, dtype=np.uint32)
        rank[heads] = np.arange(heads.shape[0], dtype=np.uint32)
        return values[heads], rank[first]


def first_places(kernel: kernels.Kernels, values: U64) -> npt.NDArray[np.intp]:
    """Return, for each of ``values``, the place of its first occurrence among them.

    Through a temporary table of the compiled kernels (value -> place), sized
    for every value to be distinct: two passes over the values, no sort.
    """
    n = values.shape[0]
    capacity = 1 << (int(n / MAX_LOAD) + 1).bit_length()
    slots = np.zeros((capacity, 2), dtype=np.uint64)
    used = np.zeros(capacity, dtype=np.uint8)
    shift = 64 - (capacity.bit_length() - 1)
    kernel.table_claim(slots, used, shift, values, np.arange(n, dtype=np.uint64))
    found = cast("tuple[Flags, U64]", kernel.table_find(slots, used, shift, values))
    return found[1].astype(np.intp)


def _search(run: _Run, keys: U64) -> tuple[Flags, npt.NDArray[np.intp]]:
    """Return, for each key, whether ``run`` holds it unreleased, and where."""
    top = keys >> run.shift
    maybe = np.flatnonzero((run.bits[top >> np.uint64(3)] >> (top & np.uint64(7))) & 1)
    hit = np.zeros(keys.shape[0], dtype=np.bool_)
    at = np.zeros(keys.shape[0], dtype=np.intp)
    if maybe.shape[0]:
        wanted = keys[maybe]
        found = np.searchsorted(run.keys, wanted)
        np.minimum(found, run.keys.shape[0] - 1, out=found)
        hit[maybe] = (run.keys[found] == wanted) & (run.which[found] != GONE)
        at[maybe] = found
    return hit, at
