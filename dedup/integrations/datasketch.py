"""dedup's MinHash signatures as datasketch ``LeanMinHash`` objects.

dedup signs paragraphs with datasketch's own ``affine32`` permutations
(:mod:`dedup.signatures`), all of an article's paragraphs in one vectorized or
compiled pass. :func:`lean_minhashes` hands those signatures to datasketch, for
its ``MinHashLSH``, ``MinHashLSHForest`` or Redis/Cassandra storage: each
is bit for bit the ``LeanMinHash`` of a datasketch ``MinHash(num_perm, seed,
scheme="affine32")`` updated with dedup's shingle hashes of the text's
normalized key (:func:`dedup.keys.normalize`), so signatures made by dedup and
by datasketch itself from those hashes can be mixed in one index.

Needs the datasketch extra: ``pip install 'dedup-paragraphs[datasketch]'``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dedup.config import Config
from dedup.extras import require
from dedup.keys import normalize
from dedup.signatures import sign_keys

__all__ = ["lean_minhashes"]


def lean_minhashes(texts: Sequence[str], config: Config | None = None) -> list[Any]:
    """Return one datasketch ``LeanMinHash`` per text (a paragraph, or a whole document).

    Args:
        texts: the texts to sign; each is normalized as dedup normalizes a paragraph.
        config: ``num_perm``, ``seed`` and ``shingle_size`` (default: ``dedup.Config()``).

    Raises:
        MissingExtraError: datasketch is not installed.

    Example:
        >>> from datasketch import MinHashLSH
        >>> a, b, c = lean_minhashes([
        ...     "The council approved the new budget on Monday after a long debate.",
        ...     "The council approved the new budget on Monday, after a long debate!",
        ...     "Tickets for the summer fair go on sale at the quay kiosk next week.",
        ... ])
        >>> lsh = MinHashLSH(num_perm=len(a), params=(8, 3))
        >>> lsh.insert("a", a)
        >>> lsh.query(b), lsh.query(c)
        (['a'], [])
    """
    datasketch = require("datasketch", "datasketch", "dedup.integrations.datasketch")
    options = config if config is not None else Config()
    keys = [normalize(text) for text in texts]
    signed = sign_keys(keys, options.shingle_size, options.num_perm, options.seed)
    return [datasketch.LeanMinHash(seed=options.seed, hashvalues=row, scheme="affine32")
            for row in signed.signatures]
