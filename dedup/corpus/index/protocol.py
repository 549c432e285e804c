"""What every index backend provides: the :class:`Index` protocol, :class:`Kept` and the format.

Every method works on a batch, so one article or one chunk of articles costs a
few round trips. Fingerprints and band keys are unsigned 64-bit integers
(``0 <= f < 2**64``) in every call and every result, whatever a backend stores.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Concatenate, NamedTuple, ParamSpec, Protocol, TypeVar, runtime_checkable

import numpy as np
import numpy.typing as npt

from dedup.config import Config
from dedup.corpus.bands import U64, BandOwners
from dedup.errors import ConfigError, CorpusIndexError, IndexFormatError

__all__ = [
    "FORMAT_VERSION",
    "MAX_KEYS",
    "ClaimedRows",
    "Index",
    "Kept",
    "LiveBands",
    "check_max_keys",
    "check_params",
    "index_params",
    "translated",
]

FORMAT_VERSION = 1
MAX_KEYS = 1_000_000

S = TypeVar("S")
P = ParamSpec("P")
R = TypeVar("R")


class Kept(NamedTuple):
    """A kept paragraph to remember: fingerprint, document id, band keys, normalized text.

    A named tuple: a chunk of articles makes thousands, cheaper than dataclasses.
    """

    fingerprint: int
    doc: str
    bands: tuple[int, ...]
    key: str


class ClaimedRows(NamedTuple):
    """Kept paragraphs whose band keys the caller claimed, as arrays: one row per paragraph.

    Row ``r`` is the paragraph of fingerprint ``fingerprints[r]`` in document
    ``docs[doc_of[r]]`` with normalized text ``keys[r]``; its band keys are
    ``bands[n:n + band_counts[r]]`` after the rows before it. What
    :class:`Kept` tuples would hold, without an object per paragraph.
    """

    fingerprints: U64
    docs: Sequence[str]
    doc_of: npt.NDArray[np.int64]
    keys: Sequence[str]
    band_counts: npt.NDArray[np.int64]
    bands: U64

    def owners(self) -> U64:
        """Return the fingerprint of each band key's paragraph, beside ``bands``."""
        return np.repeat(self.fingerprints, self.band_counts)


def index_params(config: Config) -> str:
    """Return the settings an index's fingerprints depend on, as stored in the index.

    Example:
        >>> index_params(Config(shingle_size=2, num_perm=32, bands=8, seed=1))
        'format=1 shingle_size=2 num_perm=32 bands=8 seed=1'
    """
    return (
        f"format={FORMAT_VERSION} shingle_size={config.shingle_size} "
        f"num_perm={config.num_perm} bands={config.bands} seed={config.seed}"
    )


class Index(Protocol):
    """What the corpus cleaner needs from an index (all methods take batches).

    Backends raise :class:`~dedup.errors.CorpusIndexError` subclasses, never
    their driver's own errors: ``IndexUnavailable`` (cannot be opened or
    reached), ``IndexCorrupt`` (not a dedup index, or damaged), ``IndexLost``
    (emptied while in use), ``IndexFormatError`` (other settings).
    """

    def check(self, params: str) -> None:
        """Record ``params`` in a new index; raise IndexFormatError if it holds others."""

    def add_docs(self, ids: Sequence[str]) -> list[bool]:
        """Remember documents; return for each whether it was new."""

    def add_counts(self, site: str, counts: Mapping[int, int], docs: int) -> None:
        """Add document counts of fingerprints and ``docs`` documents to ``site``."""

    def site_docs(self, site: str) -> int:
        """Return how many documents of ``site`` were counted."""

    def counts(self, site: str, fingerprints: Iterable[int]) -> dict[int, int]:
        """Return the document count of each known fingerprint of ``site``."""

    def frequent(self, site: str, min_docs: int) -> set[int]:
        """Return the fingerprints of ``site`` found in at least ``min_docs`` documents."""

    def sites(self) -> list[str]:
        """Return every site with counts, sorted."""

    def find_exact(self, fingerprints: Iterable[int]) -> dict[int, str]:
        """Return the first keeping document of each known fingerprint."""

    def find_bands(self, bands: Iterable[int]) -> dict[int, int]:
        """Return the fingerprint first stored under each known band key."""

    def find_keys(self, fingerprints: Iterable[int]) -> dict[int, str]:
        """Return the stored normalized text of each fingerprint still in the store."""

    def add_kept(self, kept: Sequence[Kept]) -> None:
        """Remember kept paragraphs; the first document to keep a paragraph stays its owner."""

    def close(self) -> None:
        """Release the connection or file."""


@runtime_checkable
class LiveBands(Protocol):
    """An index whose band table lives in this process (:class:`MemoryIndex` and its pending layer).

    A caller may read the table directly instead of through ``find_bands``,
    and claim the bands of the paragraphs it keeps there itself
    (:meth:`~dedup.corpus.bands.BandOwners.claim`, in order), then hand those
    paragraphs to :meth:`add_claimed` (as :class:`ClaimedRows`) instead of
    ``add_kept``: the same index afterwards, with one band lookup or insertion
    fewer per band and no :class:`Kept` tuple per paragraph.
    """

    def band_owners(self) -> BandOwners:
        """Return the live table: band key -> fingerprint of the first keeper."""

    def add_claimed(self, rows: ClaimedRows) -> None:
        """Remember kept paragraphs whose bands the caller claimed in :meth:`band_owners`."""


def check_max_keys(max_keys: int) -> None:
    """Raise ConfigError unless ``max_keys`` (the bound of the text store) is an int >= 0."""
    if isinstance(max_keys, bool) or not isinstance(max_keys, int) or max_keys < 0:
        msg = f"max_keys={max_keys!r} must be an integer >= 0"
        raise ConfigError(msg)


def check_params(found: str | None, params: str, where: str) -> None:
    """Raise IndexFormatError if the index at ``where`` recorded other ``params`` than these."""
    if found is not None and found != params:
        msg = (
            f"the index {where} was written with {found!r}, this dedup uses {params!r}: "
            "use a new index, or the settings it was built with"
        )
        raise IndexFormatError(msg)


def translated(
    translate: Callable[[S, Exception], CorpusIndexError | None],
) -> Callable[[Callable[Concatenate[S, P], R]], Callable[Concatenate[S, P], R]]:
    """Decorate a backend's methods: its driver's errors leave as CorpusIndexError.

    ``translate(index, error)`` returns the error to raise instead of ``error``
    (its message naming the index, credentials masked), or ``None`` to let
    ``error`` through. The driver's error is not chained: its text may hold a
    password.
    """

    def decorate(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
        @functools.wraps(method)
        def guarded(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return method(self, *args, **kwargs)
            except CorpusIndexError:
                raise
            except Exception as error:
                replacement = translate(self, error)
                if replacement is None:
                    raise
                raise replacement from None

        return guarded

    return decorate
