"""Cross-document decisions over a batch of documents' candidates held as flat arrays.

:class:`CandidateRows` holds the cross-document candidates of a batch of
documents (a chunk of ``dedup batch``) in corpus order: one row per candidate
paragraph, with its document, paragraph index, exact fingerprint, normalized
text and band keys, in a few NumPy arrays rather than a tuple per paragraph
(a batch run's workers build them with :class:`RowsBuilder` and send them
to the main process as they are). :func:`decide_rows` makes the decisions of
:func:`dedup.corpus.decisions.decide_cross_doc` on them, with the same
results:

1. the batch's fingerprints and band keys are looked up in the index at once;
2. a row that can meet no earlier paragraph (its fingerprint is neither in
   the index nor on another row of the batch, and none of its band keys is
   held in the index or by another row) is kept without further work: most
   rows of a corpus;
3. the earlier keepers that those of the other rows without a known copy
   lead to (by band key) are fetched from the index at once, owners and
   texts; then the other rows are decided one document after another, in order, as
   ``decide_cross_doc`` defines it (exact owner, then the band keys' owners,
   confirmed by rapidfuzz), where the band keys that rows of this batch
   claimed are held apart;
4. the keepers are handed to the index in row order (for an index in this
   process, their band keys are claimed in its table in one call, and the
   keepers handed over as arrays, :class:`~dedup.corpus.index.ClaimedRows`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate, chain, pairwise
from typing import TYPE_CHECKING, cast

import numpy as np
import numpy.typing as npt

from dedup import kernels
from dedup.candidates import band_keys
from dedup.config import Config
from dedup.corpus.bands import U64, BandOwners, first_places
from dedup.corpus.drops import CorpusDrop, CorpusReason
from dedup.corpus.index import ClaimedRows, Index, Kept, LiveBands
from dedup.signatures import U32
from dedup.verify import verify_pairs

if TYPE_CHECKING:
    from dedup.corpus.decisions import Analysis

__all__ = ["CandidateRows", "RowsBuilder", "decide_rows", "rows_of"]

I64 = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class CandidateRows:
    """The cross-document candidates of a batch of documents, one row per paragraph.

    Row ``r`` belongs to document ``docs[doc_of[r]]``: its paragraph
    ``paragraphs[r]``, with exact fingerprint ``fingerprints[r]``, normalized
    text ``keys[r]`` and band keys ``bands[band_starts[r]:band_starts[r + 1]]``
    (none for a paragraph too short to sign). Rows are in document order, and
    in paragraph order within a document.
    """

    docs: list[str]
    doc_of: I64
    paragraphs: I64
    fingerprints: U64
    band_starts: I64
    bands: U64
    keys: list[str] = field(repr=False)

    def __len__(self) -> int:
        return len(self.keys)

    def without(self, dropped: Sequence[dict[int, CorpusDrop]]) -> CandidateRows:
        """Return these rows without the paragraphs in ``dropped`` (by document, by index)."""
        if not any(dropped):
            return self
        paragraphs = self.paragraphs.tolist()
        keep = np.array([p not in dropped[d] for d, p in zip(self.doc_of.tolist(), paragraphs,
                                                              strict=True)], dtype=np.bool_)
        counts = np.diff(self.band_starts)
        return CandidateRows(
            self.docs, self.doc_of[keep], self.paragraphs[keep], self.fingerprints[keep],
            _starts(counts[keep]), self.bands[np.repeat(keep, counts)],
            [k for k, ok in zip(self.keys, keep.tolist(), strict=True) if ok])


def _starts(counts: I64) -> I64:
    starts = np.zeros(counts.shape[0] + 1, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    return starts


def rows_of(articles: Sequence[tuple[str, Analysis]]) -> CandidateRows:
    """Return the candidates of ``(document id, analysis)`` pairs as rows."""
    counts = [len(a.candidates) for _, a in articles]
    bands = [b for _, a in articles for b in a.bands]
    return CandidateRows(
        [doc for doc, _ in articles],
        np.repeat(np.arange(len(articles), dtype=np.int64), counts),
        np.fromiter(chain.from_iterable(a.candidates for _, a in articles), np.int64),
        np.fromiter(chain.from_iterable(a.fingerprints for _, a in articles), np.uint64),
        _starts(np.fromiter(map(len, bands), np.int64, len(bands))),
        np.fromiter(chain.from_iterable(bands), np.uint64),
        [k for _, a in articles for k in a.keys],
    )


class RowsBuilder:
    """Collects documents' candidates with their MinHash signatures; builds the rows at once.

    The band keys of the whole batch are computed in one call of
    :func:`dedup.candidates.band_keys` (the same keys as one call per paragraph).
    """

    def __init__(self, bands: int) -> None:
        self.bands = bands
        self.docs: list[str] = []
        self._counts: list[int] = []
        self._paragraphs: list[int] = []
        self._prints: list[int] = []
        self._keys: list[str] = []
        self._banded: list[npt.NDArray[np.bool_]] = []
        self._signatures: list[U32] = []

    def add(self, doc: str, paragraphs: Sequence[int], fingerprints: Sequence[int],
            keys: Sequence[str], signatures: U32 | None,
            banded: npt.NDArray[np.bool_] | None) -> None:
        """Add a document's candidates: the signatures of those ``banded`` (in order)."""
        self.docs.append(doc)
        self._counts.append(len(paragraphs))
        self._paragraphs.extend(paragraphs)
        self._prints.extend(fingerprints)
        self._keys.extend(keys)
        if len(paragraphs):
            if signatures is None or banded is None:
                msg = f"{doc}: candidates without signatures"
                raise ValueError(msg)
            self._banded.append(banded)
            self._signatures.append(signatures)

    def build(self) -> CandidateRows:
        """Return the rows of every document added."""
        banded = np.concatenate(self._banded) if self._banded else np.zeros(0, np.bool_)
        if self._signatures and sum(s.shape[0] for s in self._signatures):
            keys = band_keys(np.concatenate(self._signatures), self.bands).reshape(-1)
        else:
            keys = np.zeros(0, np.uint64)
        return CandidateRows(
            self.docs,
            np.repeat(np.arange(len(self.docs), dtype=np.int64), self._counts),
            np.array(self._paragraphs, dtype=np.int64),
            np.array(self._prints, dtype=np.uint64),
            _starts(banded.astype(np.int64) * self.bands),
            keys,
            self._keys,
        )


def _repeated(values: U64) -> npt.NDArray[np.bool_]:
    """Return which of ``values`` occur more than once among them.

    With the compiled kernels, from each value's first place
    (:func:`~dedup.corpus.bands.first_places`), else by a stable sort: on the
    20 chunks of the full view (band keys and fingerprints), 0.026 s instead
    of 0.1 s.
    """
    found = np.zeros(values.shape[0], dtype=np.bool_)
    if values.shape[0] < 2:
        return found
    kernel = kernels.compiled(values.shape[0])
    if kernel is not None:
        first = first_places(kernel, values)
        later = np.flatnonzero(first != np.arange(values.shape[0]))
        found[later] = True
        found[first[later]] = True
        return found
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    same = ordered[1:] == ordered[:-1]
    flags = np.zeros(values.shape[0], dtype=np.bool_)
    flags[1:] |= same
    flags[:-1] |= same
    found[order] = flags
    return found


def decide_rows(rows: CandidateRows, index: Index, config: Config) -> list[dict[int, CorpusDrop]]:
    """Decide the cross-document drops of a batch (see the module docstring).

    Returns:
        The cross-document drops of each document, by paragraph index.
    """
    prints = rows.fingerprints.tolist()
    exact = index.find_exact(set(prints))
    stored_keys: dict[int, str] = {}
    every = rows.bands
    live = isinstance(index, LiveBands)
    if live:
        owners = cast(LiveBands, index).band_owners()
    else:  # band key -> first keeper: the index's, in a table of this batch
        found = index.find_bands(set(every.tolist()))
        owners = BandOwners()
        owners.claim(np.fromiter(found, np.uint64, len(found)),
                     np.fromiter(found.values(), np.uint64, len(found)))
        earlier = set(found.values())
        exact.update(index.find_exact(earlier - exact.keys()))
        stored_keys = index.find_keys(earlier)
    held, owner = owners.find(every)  # owned before this batch
    shared = _repeated(every) & ~held  # keys that rows of this batch may claim for others
    starts = rows.band_starts
    flagged = np.zeros(every.shape[0] + 1, dtype=np.int64)
    np.cumsum(held | shared, out=flagged[1:])
    known = np.fromiter(exact, np.uint64, len(exact))
    known_now = np.isin(rows.fingerprints, known)
    meets = (flagged[starts[1:]] > flagged[starts[:-1]]) | _repeated(rows.fingerprints) | known_now
    counts = np.diff(starts)
    if live:  # the earlier keepers that met rows without a known copy lead to, fetched at once
        earlier = set(owner[np.repeat(meets & ~known_now, counts) & held].tolist())
        exact.update(index.find_exact(earlier - exact.keys()))
        stored_keys = index.find_keys(earlier)
    kept = np.ones(len(rows), dtype=np.bool_)
    results: list[dict[int, CorpusDrop]] = [{} for _ in rows.docs]
    _decide_met(rows, np.flatnonzero(meets).tolist(), _Lookups(
        exact, stored_keys, every, held, owner, shared, {}), config, kept, results)
    claimed = np.repeat(kept, counts)
    if live:  # in order: a band key goes to the first paragraph holding it
        chosen = np.flatnonzero(kept)
        keepers = ClaimedRows(rows.fingerprints[chosen], rows.docs, rows.doc_of[chosen],
                              [rows.keys[r] for r in chosen.tolist()], counts[chosen],
                              every[claimed])
        owners.claim(keepers.bands, keepers.owners())
        cast(LiveBands, index).add_claimed(keepers)
    else:
        index.add_kept(_kept(rows, kept, claimed))
    return results


def _kept(rows: CandidateRows, kept: npt.NDArray[np.bool_],
          claimed: npt.NDArray[np.bool_]) -> list[Kept]:
    """Return the rows ``kept`` as :class:`Kept` tuples (``claimed``: their band keys)."""
    starts = rows.band_starts
    chosen = np.flatnonzero(kept)
    bounds = starts[chosen].tolist()
    ends = starts[chosen + 1].tolist()
    keys = rows.bands[claimed].tolist()  # the keepers' band keys, row after row
    at = list(accumulate((b - a for a, b in zip(bounds, ends, strict=True)), initial=0))
    docs = rows.docs
    return list(map(Kept, rows.fingerprints[chosen].tolist(),
                    [docs[d] for d in rows.doc_of[chosen].tolist()],
                    [tuple(keys[a:b]) for a, b in pairwise(at)],
                    [rows.keys[r] for r in chosen.tolist()]))


@dataclass(slots=True)
class _Lookups:
    """What deciding the rows that may meet an earlier paragraph reads and updates.

    ``exact`` and ``stored_keys`` hold the first keeper and text of each
    fingerprint seen so far (the index's, fetched before, among them),
    then per band key of the batch (``keys``): whether an earlier batch
    ``held`` it, its ``owner`` then, whether it is ``shared`` by several rows,
    and ``claimed``: the first keeper of this batch of each shared key.
    """

    exact: dict[int, str]
    stored_keys: dict[int, str]
    keys: U64
    held: npt.NDArray[np.bool_]
    owner: U64
    shared: npt.NDArray[np.bool_]
    claimed: dict[int, int]

    def near(self, start: int, end: int) -> set[int]:
        """Return the earlier keepers holding one of the band keys ``start:end``."""
        found = set(self.owner[start:end][self.held[start:end]].tolist())
        shared = self.shared[start:end]
        if shared.any():
            for key in self.keys[start:end][shared].tolist():
                first = self.claimed.get(key)
                if first is not None:
                    found.add(first)
        return found

    def claim(self, start: int, end: int, fingerprint: int) -> None:
        """Give the shared band keys ``start:end`` no one holds yet to ``fingerprint``."""
        shared = self.shared[start:end]
        if shared.any():
            for key in self.keys[start:end][shared].tolist():
                self.claimed.setdefault(key, fingerprint)


def _decide_met(
    rows: CandidateRows,
    met: list[int],
    look: _Lookups,
    config: Config,
    kept: npt.NDArray[np.bool_],
    results: list[dict[int, CorpusDrop]],
) -> None:
    """Decide the rows ``met``, one document at a time; mark those not kept in ``kept``."""
    doc_of = rows.doc_of.tolist()
    paragraphs = rows.paragraphs.tolist()
    prints = rows.fingerprints.tolist()
    starts = rows.band_starts.tolist()
    exact, stored_keys = look.exact, look.stored_keys
    n = 0
    while n < len(met):
        document = doc_of[met[n]]
        end = n
        while end < len(met) and doc_of[met[end]] == document:
            end += 1
        group = met[n:end]
        n = end
        doc = rows.docs[document]
        drops = results[document]
        for r in group:
            owner = exact.get(prints[r])
            if owner is not None:
                if owner != doc:
                    drops[paragraphs[r]] = CorpusDrop(CorpusReason.CROSS_DOC, None, owner, 1.0)
                continue
            near = look.near(starts[r], starts[r + 1])
            if near:
                drop = _near(rows.keys[r], near, doc, exact, stored_keys, config)
                if drop is not None:
                    drops[paragraphs[r]] = drop
        for r in group:
            fp = prints[r]
            if paragraphs[r] in drops or fp in exact:
                kept[r] = False
                continue
            exact[fp] = doc
            stored_keys[fp] = rows.keys[r]
            look.claim(starts[r], starts[r + 1], fp)


def _near(
    key: str,
    found: set[int],
    doc: str,
    exact: dict[int, str],
    stored_keys: dict[int, str],
    config: Config,
) -> CorpusDrop | None:
    """Return the drop of ``key`` if an earlier paragraph among ``found`` is a near duplicate."""
    for candidate in sorted(found):
        owner = exact.get(candidate)
        other = stored_keys.get(candidate)
        if owner is None or owner == doc or other is None:
            continue
        for match in verify_pairs(
            [key, other], [(0, 1)], config.min_similarity, min_contained=config.min_length
        ):
            # a longer paragraph is never dropped because a shorter one it holds was seen
            if match.kind == "near" or len(key) <= len(other):
                return CorpusDrop(CorpusReason.CROSS_DOC, None, owner, match.similarity)
    return None
