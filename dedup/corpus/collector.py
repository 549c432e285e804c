"""Garbage collection during a run: less often, in the main process as in the workers.

A chunk makes hundreds of thousands of container objects, almost none in
cycles; Python's default thresholds would run the collector every 700 of
them. Workers set :data:`dedup.corpus.tasks.GC_THRESHOLDS` when they start
(:func:`dedup.corpus.tasks.start_worker`); the main process does the same for
the length of a run (:func:`collecting_less`).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from dedup.corpus.tasks import GC_THRESHOLDS

__all__ = ["collecting_less"]


@contextmanager
def collecting_less() -> Iterator[None]:
    """Collect garbage less often inside the block; restore the settings after.

    Example:
        >>> before = gc.get_threshold()
        >>> with collecting_less():
        ...     gc.get_threshold() == GC_THRESHOLDS
        True
        >>> gc.get_threshold() == before
        True
    """
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()
