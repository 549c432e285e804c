"""Holding a file's additions until the file is complete: :class:`PendingIndex`.

:func:`pending_index` picks the layer for a base index: over a
:class:`~dedup.corpus.index.memory.MemoryIndex`, one that writes through and
can undo; over any other index, one that holds the additions apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from dedup.corpus.bands import U64, BandOwners
from dedup.corpus.index.memory import MemoryIndex, band_rows
from dedup.corpus.index.protocol import MAX_KEYS, ClaimedRows, Index, Kept

__all__ = ["PendingIndex", "pending_index"]


class PendingIndex:
    """Holds a file's additions until the file is complete, on top of another index.

    Reads see the pending additions first, then ``base``. :meth:`flush` writes
    them to ``base``; :meth:`discard` forgets them, so a file that turns out to
    be bad leaves nothing in the index.
    """

    def __init__(self, base: Index) -> None:
        self.base = base
        self._pending = MemoryIndex(max_keys=MAX_KEYS)
        self._kept: list[Kept] = []

    def check(self, params: str) -> None:  # noqa: D102 - documented in Index
        self.base.check(params)

    def add_docs(self, ids: Sequence[str]) -> list[bool]:  # noqa: D102 - documented in Index
        return self.base.add_docs(ids)

    def add_counts(self, site: str, counts: Mapping[int, int], docs: int) -> None:  # noqa: D102
        self.base.add_counts(site, counts, docs)

    def site_docs(self, site: str) -> int:  # noqa: D102 - documented in Index
        return self.base.site_docs(site)

    def counts(self, site: str, fingerprints: Iterable[int]) -> dict[int, int]:  # noqa: D102
        return self.base.counts(site, fingerprints)

    def frequent(self, site: str, min_docs: int) -> set[int]:  # noqa: D102 - documented in Index
        return self.base.frequent(site, min_docs)

    def sites(self) -> list[str]:  # noqa: D102 - documented in Index
        return self.base.sites()

    def find_exact(self, fingerprints: Iterable[int]) -> dict[int, str]:  # noqa: D102
        wanted = list(fingerprints)
        found = self.base.find_exact(wanted)
        found.update(self._pending.find_exact(wanted))
        return found

    def find_bands(self, bands: Iterable[int]) -> dict[int, int]:  # noqa: D102
        wanted = list(bands)
        found = self._pending.find_bands(wanted)
        found.update(self.base.find_bands(wanted))  # the earlier owner wins
        return found

    def find_keys(self, fingerprints: Iterable[int]) -> dict[int, str]:  # noqa: D102
        wanted = list(fingerprints)
        found = self.base.find_keys(wanted)
        found.update(self._pending.find_keys(wanted))
        return found

    def add_kept(self, kept: Sequence[Kept]) -> None:  # noqa: D102 - documented in Index
        self._pending.add_kept(kept)
        self._kept.extend(kept)

    def flush(self) -> None:
        """Write the pending additions to the base index."""
        self.base.add_kept(self._kept)
        self.discard()

    def discard(self) -> None:
        """Forget the pending additions."""
        self._pending = MemoryIndex(max_keys=MAX_KEYS)
        self._kept = []

    def close(self) -> None:  # noqa: D102 - documented in Index
        self.base.close()


class _MemoryPending(PendingIndex):
    """A :class:`PendingIndex` over a :class:`MemoryIndex` that writes through and can undo.

    Additions go straight into the base (which reads see, as they would see a
    pending layer); :meth:`discard` removes them, :meth:`flush` evicts the
    base's oldest texts. A file's own texts beyond ``MAX_KEYS`` are evicted at
    once, as the pending layer's own store would; the result is the same as
    holding the additions apart and adding them at :meth:`flush` (which costs
    a second insertion of every band key).
    """

    def __init__(self, base: MemoryIndex) -> None:
        self.base = base
        self.memory = base
        self._clear()

    def _clear(self) -> None:
        # what undoing needs, and no more: fingerprints and band rows, not the Kept tuples
        # (whose texts would stay alive for the whole file, beyond MAX_KEYS)
        self._prints: list[U64] = []
        self._rows: list[tuple[U64, U64]] = []
        self._added = 0
        self._evicted = 0  # the file's own oldest texts evicted so far
        self._cursor = (0, 0)  # where they end: batch, offset

    def find_exact(self, fingerprints: Iterable[int]) -> dict[int, str]:
        return self.memory.find_exact(fingerprints)

    def find_bands(self, bands: Iterable[int]) -> dict[int, int]:
        return self.memory.find_bands(bands)

    def find_keys(self, fingerprints: Iterable[int]) -> dict[int, str]:
        return self.memory.find_keys(fingerprints)

    def add_kept(self, kept: Sequence[Kept]) -> None:
        added = self.memory.insert(kept, keys=True)
        if added:
            self._track(np.fromiter((k.fingerprint for k in added), np.uint64, len(added)),
                        band_rows(added))

    def band_owners(self) -> BandOwners:
        return self.memory.band_owners()

    def add_claimed(self, rows: ClaimedRows) -> None:
        chosen = self.memory.insert_rows(rows, keys=True)
        if not chosen.shape[0]:
            return
        counts = rows.band_counts
        prints = rows.fingerprints[chosen]
        if chosen.shape[0] == len(rows.fingerprints):  # every row: their bands as they are
            self._track(prints, (rows.bands, rows.owners()))
            return
        picked = np.zeros(len(rows.fingerprints), dtype=np.bool_)
        picked[chosen] = True
        self._track(prints, (rows.bands[np.repeat(picked, counts)],
                             np.repeat(prints, counts[chosen])))

    def _track(self, prints: U64, rows: tuple[U64, U64]) -> None:
        """Remember what was added (to undo it), and evict the file's texts beyond MAX_KEYS."""
        self._prints.append(prints)
        self._rows.append(rows)
        self._added += prints.shape[0]
        over = self._added - self._evicted - MAX_KEYS
        while over > 0:
            batch, offset = self._cursor
            prints = self._prints[batch]
            take = min(over, len(prints) - offset)
            self.memory.remove_rows(prints[offset:offset + take], None)
            self._evicted += take
            over -= take
            self._cursor = (batch, offset + take) if offset + take < len(prints) else (batch + 1, 0)

    def flush(self) -> None:
        self.memory.evict(self.memory.max_keys)
        self._clear()

    def discard(self) -> None:
        for prints, rows in zip(self._prints, self._rows, strict=True):
            self.memory.remove_rows(prints, rows)
        self._clear()


def pending_index(base: Index) -> PendingIndex:
    """Return a :class:`PendingIndex` over ``base`` (one that writes through for memory).

    Example:
        >>> memory = MemoryIndex()
        >>> pending = pending_index(memory)
        >>> pending.add_kept([Kept(7, "doc-1", (11,), "some key")])
        >>> pending.find_exact([7])
        {7: 'doc-1'}
        >>> pending.discard()
        >>> pending.find_exact([7]), memory.find_bands([11])
        ({}, {})
    """
    if isinstance(base, MemoryIndex) and base.max_keys <= MAX_KEYS:
        return _MemoryPending(base)
    return PendingIndex(base)
