"""A directory built beside its target and swapped into place, so no reader sees half of it."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

__all__ = ["build_in_place"]

T = TypeVar("T")


def build_in_place(out_dir: Path, build: Callable[[Path], T]) -> T:
    """Build a directory in a temporary place beside ``out_dir``, then swap it in.

    ``build(work)`` fills the temporary directory ``work``, which is then
    renamed to ``out_dir``, replacing what was there; returns what ``build``
    returned.

    If ``build`` fails, nothing is left behind and ``out_dir`` is as it was.
    """
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        result = build(work)
        _swap(work, out_dir)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return result


def _swap(work: Path, out_dir: Path) -> None:
    if not out_dir.exists():
        work.rename(out_dir)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old.", dir=out_dir.parent))
    old.rmdir()
    out_dir.rename(old)
    work.rename(out_dir)
    shutil.rmtree(old, ignore_errors=True)
