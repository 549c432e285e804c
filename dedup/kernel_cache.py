"""Where Numba keeps the compiled kernels: a writable cache, a read-only one, or none.

Numba's own cache (``cache=True``) needs a writable directory, next to the
source or in the user's cache directory, and raises ``RuntimeError: cannot cache
function ...: no locator available`` where there is none (read-only images,
``docker run --user``, serverless executors with an unwritable ``HOME``).
:func:`compiler` picks, in order:

1. Numba's cache, where it can write;
2. the cache shipped next to :mod:`dedup.compiled` read only, when one was
   built before (an install step, an image build): nothing is written, and a
   variant missing from it is compiled for this process only;
3. otherwise no compiled kernels (None: the NumPy path), unless they are
   forced (``DEDUP_JIT=1``), which compiles them for this process only.

This is the only module that imports Numba.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

import numba.core.caching
from numba import njit
from numba.core import event

# Numba's caching classes, untyped: the read-only cache below builds on them.
_caching: Any = numba.core.caching

__all__ = ["compiler", "saying_when_slow"]

Compile = Callable[[Callable[..., Any]], Callable[..., Any]]


def compiler(*, force: bool) -> Compile | None:
    """Return what compiles a loop of :mod:`dedup.compiled`, or None for the NumPy path."""
    from dedup import compiled

    probe = compiled.fold_spaces
    try:
        _caching.FunctionCache(probe)
    except RuntimeError:  # no writable cache anywhere
        pass
    else:
        return _cached
    if _ReadOnlyLocator.from_function(probe, compiled.__file__) is not None:
        return _read_only
    return _uncached if force else None


def _cached(function: Callable[..., Any]) -> Callable[..., Any]:
    return njit(cache=True, nogil=True)(function)


def _uncached(function: Callable[..., Any]) -> Callable[..., Any]:
    return njit(nogil=True)(function)


def _read_only(function: Callable[..., Any]) -> Callable[..., Any]:
    dispatcher: Any = njit(nogil=True)(function)
    # Numba's dispatcher has no public way to take another cache: set the one
    # ``enable_caching`` would set.
    dispatcher._cache = _ReadOnlyCache(function)
    return cast("Callable[..., Any]", dispatcher)


class _ReadOnlyLocator(_caching.InTreeCacheLocator):  # type: ignore[misc]
    """The cache next to the source, used when it exists, though it cannot be written."""

    def ensure_cache_path(self) -> None:
        """Check the cache is there and readable (Numba's check also wants to write)."""
        path = Path(self.get_cache_path())
        if not (path.is_dir() and os.access(path, os.R_OK | os.X_OK)):
            msg = f"no readable kernel cache in {path}"
            raise OSError(msg)
        if not any(path.glob("*.nbi")):
            msg = f"no kernel cache in {path}"
            raise OSError(msg)


class _ReadOnlyImpl(_caching.CompileResultCacheImpl):  # type: ignore[misc]
    _locator_classes = [_ReadOnlyLocator]  # noqa: RUF012 - Numba's own attribute


class _ReadOnlyCache(_caching.FunctionCache):  # type: ignore[misc]
    """Numba's function cache, loading only: nothing is saved where nothing can be written."""

    _impl_class = _ReadOnlyImpl

    def save_overload(self, sig: object, data: object) -> None:
        """Keep what was compiled in this process only."""


@contextmanager
def saying_when_slow(say: Callable[[], None], after: float) -> Iterator[None]:
    """Call ``say`` once if Numba compiles (not loads from the cache) for ``after`` seconds."""
    timers: list[threading.Timer] = []

    class _Compiling(event.Listener):
        def on_start(self, _: object) -> None:
            if not timers:
                timers.append(threading.Timer(after, say))
                timers[0].daemon = True
                timers[0].start()

        def on_end(self, _: object) -> None:
            """Nothing: the timer is cancelled when everything is compiled."""

    try:
        with event.install_listener("numba:compile", _Compiling()):
            yield
    finally:
        for timer in timers:
            timer.cancel()
