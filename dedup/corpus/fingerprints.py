"""Normalized keys -> compact fingerprints: what the corpus index stores instead of text.

- The exact fingerprint of a paragraph is ``xxh3_64`` of its normalized key
  (UTF-8, lone surrogates passed through): stable across processes, runs and
  machines, and equal for paragraphs that :mod:`dedup.keys` considers equal.
- Its band keys are the LSH band keys of its MinHash signature
  (:func:`dedup.candidates.band_keys` of :func:`dedup.signatures.sign_keys`), one
  per band: two paragraphs sharing a band key are near-duplicate candidates,
  which :mod:`dedup.verify` must still confirm. Paragraphs with fewer than
  ``min_words`` words or no shingles get no band keys (exact matching only).
  :func:`reuse_band_keys` takes them from the signatures that
  :func:`dedup.pipeline.analyze` already computed, when it computed them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import xxhash

from dedup.candidates import band_keys
from dedup.config import Config
from dedup.signatures import U32, sign_keys

__all__ = ["band_keys_of", "fingerprint", "fingerprints", "reuse_band_keys", "signature_rows"]


def fingerprint(key: str) -> int:
    """Return the 64-bit exact fingerprint of one normalized key.

    Example:
        >>> fingerprint("share this article") == fingerprint("share this article")
        True
        >>> 0 <= fingerprint("") < 2**64
        True
    """
    return xxhash.xxh3_64_intdigest(key.encode("utf-8", "surrogatepass"))


def fingerprints(keys: Sequence[str]) -> list[int]:
    """Return the exact fingerprint of every key, in order."""
    digest = xxhash.xxh3_64_intdigest
    return [digest(key.encode("utf-8", "surrogatepass")) for key in keys]


def band_keys_of(keys: Sequence[str], config: Config) -> list[tuple[int, ...]]:
    """Return the band keys of every key; an empty tuple for keys too short to sign.

    Example:
        >>> from dedup.config import Config
        >>> keys = ["the council approved the budget on monday", "hi"]
        >>> first, short = band_keys_of(keys, Config(num_perm=32, bands=8))
        >>> len(first), short
        (8, ())
    """
    if not keys:
        return []
    signed = sign_keys(keys, config.shingle_size, config.num_perm, config.seed)
    rows = band_keys(signed.signatures, config.bands).tolist()
    usable = signed.usable(config.min_words).tolist()
    return [tuple(row) if ok else () for row, ok in zip(rows, usable, strict=True)]


def reuse_band_keys(
    keys: Sequence[str],
    chosen: Sequence[int],
    signed: Sequence[int],
    signatures: U32 | None,
    config: Config,
) -> list[tuple[int, ...]]:
    """Return ``band_keys_of([keys[i] for i in chosen])``, reusing ``analyze``'s signatures.

    ``signed`` and ``signatures`` are those of :class:`dedup.pipeline.Analyzed`:
    every key with ``min_words`` words and a shingle has the signature of the
    signed paragraph that holds the same key, and the other keys get no band
    keys. Without signatures (``analyze`` returned early) they are computed.

    Example:
        >>> from dedup.pipeline import analyze
        >>> text = "the council approved the budget on monday\\nhi\\nthe council met today at noon"
        >>> found = analyze(text, Config())
        >>> reuse_band_keys(found.keys, [0, 1], found.signed, found.signatures, Config()) == (
        ...     band_keys_of([found.keys[0], found.keys[1]], Config()))
        True
    """
    rows, banded = signature_rows(keys, chosen, signed, signatures, config)
    if not rows.shape[0]:
        return [() for _ in chosen]
    table = iter(band_keys(rows, config.bands).tolist())
    return [tuple(next(table)) if ok else () for ok in banded.tolist()]


def signature_rows(
    keys: Sequence[str],
    chosen: Sequence[int],
    signed: Sequence[int],
    signatures: U32 | None,
    config: Config,
) -> tuple[U32, npt.NDArray[np.bool_]]:
    """Return the MinHash signatures of the ``chosen`` keys that get band keys, and which do.

    As :func:`reuse_band_keys` (which makes band keys of these rows): the
    signature of the signed paragraph holding the same key, computed only
    without ``signatures``.
    """
    if not chosen:
        return np.zeros((0, config.num_perm), dtype=np.uint32), np.zeros(0, dtype=np.bool_)
    if signatures is None:
        fresh = sign_keys([keys[i] for i in chosen], config.shingle_size, config.num_perm,
                          config.seed)
        usable = fresh.usable(config.min_words)
        return fresh.signatures[usable], usable
    wanted = np.asarray(chosen, dtype=np.int64)
    rows = np.zeros(wanted.shape[0], dtype=np.int64)
    found = np.zeros(wanted.shape[0], dtype=np.bool_)
    if len(signed):  # a signed paragraph is its key's first copy: most candidates are signed
        order = np.asarray(signed, dtype=np.int64)
        rows = np.minimum(np.searchsorted(order, wanted), order.shape[0] - 1)
        found = order[rows] == wanted
    missing = np.flatnonzero(~found).tolist()
    if missing and len(signed):  # a later copy whose first copy was dropped, or too short
        row_of = {keys[paragraph]: row for row, paragraph in enumerate(signed)}
        for n in missing:
            row = row_of.get(keys[chosen[n]])
            if row is not None:
                rows[n] = row
                found[n] = True
    return signatures[rows[found]], found
