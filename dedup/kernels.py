"""The one switch between the compiled kernels and the NumPy path.

:mod:`dedup.keys`, :mod:`dedup.signatures`, :mod:`dedup.candidates` and
:class:`dedup.corpus.bands.BandOwners` compute their stage with NumPy (and
``str`` methods), a few dozen calls per article. The loops of
:mod:`dedup.compiled` do the same work in one compiled call per article, with
the same results bit for bit (:func:`dedup.signatures.sign_article` signs an
article and tells the candidate stages whether they can find anything, in one
call). Each stage asks this module which to take::

    kernel = kernels.compiled(len(text))
    if kernel is not None:
        return kernel.fold_spaces(...)
    ...  # the NumPy path

The choice (``DEDUP_JIT`` in the environment, or :func:`use`):

- ``"auto"`` (the default): the NumPy path until the process has been asked
  for enough work that loading Numba pays off (``PAYS_OFF`` characters, a few
  articles' worth of a corpus), then compiled; worker processes of a corpus run
  load the kernels at once (:func:`load`). ``import dedup`` never imports Numba,
  so a small ``dedup clean`` starts as fast as NumPy and rapidfuzz allow.
- ``"compiled"`` (``DEDUP_JIT=1``): compiled from the first call.
- ``"numpy"`` (``DEDUP_JIT=0``, or Numba not installed): never compiled.

Numba compiles the kernels once per installation (about 10 s, said once on
stderr when it takes more than a second) and caches the machine code next to
:mod:`dedup.compiled`, or in the user's cache directory when the package
directory is not writable. Where neither is writable (read-only images,
``docker --user``), a cache built before is still read; without one, ``auto``
takes the NumPy path (same results) and ``compiled`` compiles for this process
only.
"""

from __future__ import annotations

import functools
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.util import find_spec
from typing import Literal, cast

from dedup import compiled as loops
from dedup.interrupts import interrupted

__all__ = ["PAYS_OFF", "Kernels", "Mode", "compiled", "enabled", "load", "mode", "use"]

Mode = Literal["auto", "compiled", "numpy"]
PAYS_OFF = 4_000_000  # work (characters, rows) after which "auto" loads the kernels
_MODES: dict[str, Mode] = {"0": "numpy", "1": "compiled", "auto": "auto", "": "auto"}
_SAY_AFTER = 1.0  # seconds of compiling after which stderr says what is going on


@dataclass(frozen=True, slots=True)
class Kernels:
    """The compiled kernels (signatures and meaning: :mod:`dedup.compiled`).

    Each is Numba's dispatcher (as ``__wrapped__``) behind a wrapper that turns a
    Ctrl-C Numba reported as ``SystemError`` back into ``KeyboardInterrupt``.
    """

    fold_spaces: Callable[..., object]
    shingle_sign: Callable[..., object]
    band_pairs: Callable[..., object]
    table_find: Callable[..., object]
    table_claim: Callable[..., object]
    table_release: Callable[..., object]
    sign_article: Callable[..., object]


class _State:
    """The process's choice, the kernels once loaded, and the work asked for so far."""

    def __init__(self) -> None:
        self.mode: Mode = _MODES.get(os.environ.get("DEDUP_JIT", "auto").strip().lower(), "auto")
        self.kernels: Kernels | None = None
        self.failed = False  # loading was tried and is impossible here
        self.work = 0
        self.lock = threading.Lock()
        self.said = False


_state = _State()


def mode() -> Mode:
    """Return the current choice: ``"auto"``, ``"compiled"`` or ``"numpy"``."""
    return _state.mode


@contextmanager
def use(choice: Mode) -> Iterator[None]:
    """Take ``choice`` in this process until the block ends (tests run both paths with it).

    Example:
        >>> import dedup
        >>> story = "The council approved the new budget on Monday after a long debate."
        >>> with use("numpy"):
        ...     dedup.clean(f"{story}\\n{story}") == story
        True
    """
    if choice not in ("auto", "compiled", "numpy"):
        msg = f"kernel choice must be 'auto', 'compiled' or 'numpy', not {choice!r}"
        raise ValueError(msg)
    before = _state.mode
    _state.mode = choice
    try:
        yield
    finally:
        _state.mode = before


def compiled(work: int = 0) -> Kernels | None:
    """Return the kernels for a stage about to do ``work`` (its input's size), or None.

    None means: take the NumPy path. In ``"auto"`` mode the work asked for adds
    up, and the kernels load once it reaches ``PAYS_OFF``.
    """
    state = _state
    if state.mode == "numpy":
        return None
    if state.kernels is not None:
        return state.kernels
    if state.mode == "auto":
        state.work += work
        if state.work < PAYS_OFF:
            return None
    return load()


def enabled() -> bool:
    """Whether the compiled kernels are in use now (loaded, and not switched off)."""
    return _state.mode != "numpy" and _state.kernels is not None


def load() -> Kernels | None:
    """Load (or compile) the kernels now, unless the choice is ``"numpy"``; None if impossible.

    Worker processes call it before their first task, so that no article pays
    for it; a process that cannot load them keeps the NumPy path.
    """
    state = _state
    if state.mode == "numpy":
        return None
    with state.lock:
        if state.kernels is None and not state.failed:
            state.kernels = _build(force=state.mode == "compiled")
            state.failed = state.kernels is None
    return state.kernels


def _build(*, force: bool) -> Kernels | None:
    """Compile the loops (or load them from the cache) and run each once."""
    if find_spec("numba") is None:  # pragma: no cover - numba is a dependency
        return None
    from dedup import kernel_cache

    compile_one = kernel_cache.compiler(force=force)
    if compile_one is None:
        return None
    try:
        with kernel_cache.saying_when_slow(_say_compiling, _SAY_AFTER):
            built = Kernels(*(_interruptible(compile_one(f)) for f in (
                loops.fold_spaces, loops.shingle_sign, loops.band_pairs,
                loops.table_find, loops.table_claim, loops.table_release, loops.sign_article,
            )))
            _warm_up(built)
    except OSError:  # a cache that cannot be read after all: the NumPy path
        return None
    return built


def _interruptible(kernel: Callable[..., object]) -> Callable[..., object]:
    """``kernel``, raising ``KeyboardInterrupt`` for a Ctrl-C that Numba turned into SystemError.

    The compiled function is ``__wrapped__``.
    """

    @functools.wraps(kernel)
    def call(*args: object) -> object:
        try:
            return kernel(*args)
        except SystemError as error:
            if interrupted(error):
                raise KeyboardInterrupt from error
            raise

    return call


def _say_compiling() -> None:
    if not _state.said:
        _state.said = True
        print("dedup: compiling the kernels once for this installation (about 10 s)...",
              file=sys.stderr, flush=True)


def _warm_up(kernels: Kernels) -> None:
    """Call each kernel once with the argument types the stages use (one compiled variant each)."""
    import numpy as np

    data = np.frombuffer(b" a b c\n a b c ", dtype=np.uint8)
    ones = np.ones(4, dtype=np.uint32)
    mix = np.ones(2, dtype=np.uint64)
    signed = cast("tuple[object, ...]", kernels.shingle_sign(
        data, 2, mix, 2, ones, ones, np.uint64(3), mix))
    kernels.band_pairs(signed[0], 2, np.ones(8, dtype=np.uint64), np.uint64(29),
                       np.arange(2, dtype=np.int64), 64, 8)
    rows = np.zeros(2, dtype=np.int32)
    kernels.fold_spaces(data, np.arange(256, dtype=np.uint8), np.ones(1, dtype=np.uint8),
                        rows[:1], rows, ones.view(np.uint8))
    slots, used = np.zeros((4, 2), dtype=np.uint64), np.zeros(4, dtype=np.uint8)
    keys = np.arange(2, dtype=np.uint64)
    kernels.table_claim(slots, used, 62, keys, keys)
    kernels.table_find(slots, used, 62, keys)
    kernels.table_release(slots, used, 62, keys, keys)
    kernels.sign_article(data[1:-5], 2, np.ones(7, dtype=np.uint64), 2, ones, ones,
                         np.full(4, 10, dtype=np.uint8), np.array([64, 1, 320, 60, 2, 29, 2]))
