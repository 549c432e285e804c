"""An index in this process's memory (:class:`MemoryIndex`), lost when the process ends.

Its cross-document part holds no Python object per paragraph: fingerprint ->
paragraph number and band key -> owner are :class:`~dedup.corpus.bands.BandOwners`
(a compiled table and sorted runs of arrays), and the paragraphs' documents and
texts are :class:`~dedup.corpus.index.kept.KeptParagraphs` (arrays, and the
texts in a temporary file read back only for a near-duplicate candidate).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import chain, repeat

import numpy as np
import numpy.typing as npt

from dedup.corpus.bands import U64, BandOwners
from dedup.corpus.index.kept import KeptParagraphs
from dedup.corpus.index.protocol import (
    MAX_KEYS,
    ClaimedRows,
    Kept,
    check_max_keys,
    check_params,
)

__all__ = ["MemoryIndex"]


class MemoryIndex:
    """An index held in this process's memory, lost when it ends.

    Example:
        >>> index = MemoryIndex()
        >>> index.add_kept([Kept(7, "doc-1", (11, 12), "some key")])
        >>> index.find_exact([7, 8]), index.find_bands([12]), index.find_keys([7])
        ({7: 'doc-1'}, {12: 7}, {7: 'some key'})
    """

    def __init__(self, *, max_keys: int = MAX_KEYS) -> None:
        check_max_keys(max_keys)
        self.max_keys = max_keys
        self._params: str | None = None
        self._docs: set[str] = set()
        self._site_docs: dict[str, int] = {}
        self._counts: dict[str, dict[int, int]] = {}
        self._exact = BandOwners()  # fingerprint -> its number in _kept
        self._kept = KeptParagraphs()
        self._bands = BandOwners()

    def check(self, params: str) -> None:  # noqa: D102 - documented in Index
        check_params(self._params, params, "in memory")
        self._params = params

    def add_docs(self, ids: Sequence[str]) -> list[bool]:  # noqa: D102
        new = []
        for doc in ids:
            new.append(doc not in self._docs)
            self._docs.add(doc)
        return new

    def add_counts(self, site: str, counts: Mapping[int, int], docs: int) -> None:  # noqa: D102
        table = self._counts.setdefault(site, {})
        if table:
            for fingerprint, count in counts.items():
                table[fingerprint] = table.get(fingerprint, 0) + count
        else:  # the site's first counts: nothing to add to
            table.update(counts)
        self._site_docs[site] = self._site_docs.get(site, 0) + docs

    def site_docs(self, site: str) -> int:  # noqa: D102
        return self._site_docs.get(site, 0)

    def counts(self, site: str, fingerprints: Iterable[int]) -> dict[int, int]:  # noqa: D102
        table = self._counts.get(site, {})
        return {f: table[f] for f in fingerprints if f in table}

    def frequent(self, site: str, min_docs: int) -> set[int]:  # noqa: D102
        return {f for f, n in self._counts.get(site, {}).items() if n >= min_docs}

    def sites(self) -> list[str]:  # noqa: D102
        return sorted(self._counts)

    def find_exact(self, fingerprints: Iterable[int]) -> dict[int, str]:  # noqa: D102
        wanted, numbers = self._numbers(fingerprints)
        return dict(zip(wanted.tolist(), self._kept.docs(numbers), strict=True))

    def find_bands(self, bands: Iterable[int]) -> dict[int, int]:  # noqa: D102
        wanted = np.fromiter(bands, np.uint64)
        found, owners = self._bands.find(wanted)
        return dict(zip(wanted[found].tolist(), owners[found].tolist(), strict=True))

    def find_keys(self, fingerprints: Iterable[int]) -> dict[int, str]:  # noqa: D102
        wanted, numbers = self._numbers(fingerprints)
        texts = self._kept.texts(numbers)
        return {f: t for f, t in zip(wanted.tolist(), texts, strict=True) if t is not None}

    def _numbers(self, fingerprints: Iterable[int]) -> tuple[U64, U64]:
        """Return the known fingerprints among these, in order, and their paragraph numbers."""
        wanted = np.fromiter(fingerprints, np.uint64)
        found, numbers = self._exact.find(wanted)
        return wanted[found], numbers[found]

    def add_kept(self, kept: Sequence[Kept]) -> None:  # noqa: D102
        self.insert(kept, keys=self.max_keys > 0)
        self.evict(self.max_keys)

    def band_owners(self) -> BandOwners:  # noqa: D102 - documented in LiveBands
        return self._bands

    def add_claimed(self, rows: ClaimedRows) -> None:  # noqa: D102 - see LiveBands
        self.insert_rows(rows, keys=self.max_keys > 0)
        self.evict(self.max_keys)

    def insert(self, kept: Sequence[Kept], *, keys: bool, bands: bool = True) -> list[Kept]:
        """Add paragraphs no earlier one kept, with their text if ``keys``; return them.

        ``bands=False``: their band keys were claimed in :meth:`band_owners` already.
        """
        prints = np.fromiter((item.fingerprint for item in kept), np.uint64, len(kept))
        chosen = self._new(prints).tolist()
        added = [kept[i] for i in chosen]
        if not added:
            return added
        self._number(prints[chosen], [item.doc for item in added],
                     [item.key for item in added] if keys else None)
        if bands:
            self._bands.claim(*band_rows(added))
        return added

    def insert_rows(self, rows: ClaimedRows, *, keys: bool) -> npt.NDArray[np.intp]:
        """Add the rows no earlier paragraph kept, as :meth:`insert` with ``bands=False``.

        Returns:
            The indices of the rows added, in order.
        """
        prints = rows.fingerprints
        chosen = self._new(prints)
        if chosen.shape[0]:
            docs, texts = rows.docs, rows.keys
            self._number(prints[chosen], [docs[d] for d in rows.doc_of[chosen].tolist()],
                         [texts[i] for i in chosen.tolist()] if keys else None)
        return chosen

    def _new(self, prints: U64) -> npt.NDArray[np.intp]:
        """Return the indices of the fingerprints neither known nor repeated before them."""
        new = ~self._exact.find(prints)[0]
        new[new] = _first_occurrences(prints[new])
        return np.flatnonzero(new)

    def _number(self, prints: U64, docs: Sequence[str], texts: Sequence[str] | None) -> None:
        """Number new paragraphs in ``_kept`` and map their fingerprints to the numbers."""
        first = self._kept.append(docs, texts)
        self._exact.claim(prints, np.arange(first, first + len(docs), dtype=np.uint64))

    def evict(self, max_keys: int) -> None:
        """Forget the oldest texts beyond ``max_keys``."""
        self._kept.evict(max_keys)

    def remove(self, kept: Sequence[Kept], *, texts_only: bool = False) -> None:
        """Forget paragraphs that :meth:`insert` added (or only their texts)."""
        prints = np.fromiter((item.fingerprint for item in kept), np.uint64, len(kept))
        self.remove_rows(prints, None if texts_only else band_rows(kept))

    def remove_rows(self, fingerprints: U64, bands: tuple[U64, U64] | None) -> None:
        """Forget the texts of these paragraphs and, given their band rows, the paragraphs."""
        found, numbers = self._exact.find(fingerprints)
        self._kept.forget_texts(numbers[found])
        if bands is not None:
            self._exact.release(fingerprints[found], numbers[found])
            self._bands.release(*bands)

    def nbytes(self) -> dict[str, int]:
        """Bytes of memory held by each part of the cross-document index (texts: none)."""
        return {"exact (fingerprint -> paragraph)": self._exact.nbytes, **self._kept.nbytes(),
                "band owners": self._bands.nbytes}

    @property
    def sizes(self) -> dict[str, int]:
        """How many paragraphs, band keys and texts are held, and the texts' file size in bytes."""
        return {"paragraphs": len(self._exact), "band_keys": len(self._bands),
                "texts": self._kept.text_count, "text_file_bytes": self._kept.file_bytes}

    def close(self) -> None:  # noqa: D102
        self._kept.close()


def _first_occurrences(values: U64) -> npt.NDArray[np.bool_]:
    """Flag the first occurrence of each value."""
    first = np.zeros(values.shape[0], dtype=np.bool_)
    first[np.unique(values, return_index=True)[1]] = True
    return first


def band_rows(kept: Sequence[Kept]) -> tuple[U64, U64]:
    """Return the band keys of ``kept`` and, beside each, its paragraph's fingerprint."""
    keys = np.fromiter(chain.from_iterable(k.bands for k in kept), np.uint64)
    owners = np.fromiter(chain.from_iterable(repeat(k.fingerprint, len(k.bands)) for k in kept),
                         np.uint64, keys.shape[0])
    return keys, owners
