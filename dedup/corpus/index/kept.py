"""The kept paragraphs of an in-memory index, by number: :class:`KeptParagraphs`.

Each paragraph a :class:`~dedup.corpus.index.memory.MemoryIndex` remembers gets
the next number. Beside each number it keeps the paragraph's document (4
bytes: an index into the distinct document ids, which follow one another) and
where its normalized text lies in an unnamed temporary file (12 bytes): the
texts are not Python objects. A text is read back (``os.pread``, no memory
map, so the file's pages are the kernel's page cache, never this process's
memory) only to verify a near-duplicate candidate, which is rare. The file is
rewritten without the evicted and forgotten texts when they fill more than
half of it.
"""

from __future__ import annotations

import os
import sys
import tempfile
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import cast

import numpy as np
import numpy.typing as npt

from dedup.errors import IndexUnavailable

__all__ = ["KeptParagraphs"]

Numbers = npt.NDArray[np.integer]
COPY = 1 << 24  # bytes copied at a time when the file is rewritten
MIN_REWRITE = 1 << 26  # dead bytes below which the file is never rewritten


class KeptParagraphs:
    """Numbered kept paragraphs: their documents, and their texts in a temporary file.

    Texts are evicted oldest first (:meth:`evict`), as a ``dict`` in
    insertion order would evict them.

    Example:
        >>> kept = KeptParagraphs()
        >>> kept.append(["doc-1", "doc-1", "doc-2"], ["a", None, "c"])
        0
        >>> kept.docs(np.array([2, 0])), kept.texts(np.array([0, 1, 2]))
        (['doc-2', 'doc-1'], ['a', None, 'c'])
        >>> kept.evict(1)
        >>> kept.texts(np.array([0, 2])), len(kept), kept.text_count
        ([None, 'c'], 3, 1)
    """

    def __init__(self) -> None:
        self._count = 0
        self._names: list[str] = []  # distinct document ids, in order
        self._doc = np.zeros(1024, dtype=np.uint32)  # number -> index in _names
        self._at = np.full(1024, -1, dtype=np.int64)  # number -> offset of its text, -1: none
        self._size = np.zeros(1024, dtype=np.int32)  # number -> bytes of its text
        self._live = 0  # texts held
        self._oldest = 0  # no text below this number
        self._fd: int | None = None
        self._closing: weakref.finalize[[int], KeptParagraphs] | None = None
        self._end = 0  # bytes written to the file
        self._dead = 0  # of which evicted or forgotten

    def __len__(self) -> int:
        return self._count

    @property
    def text_count(self) -> int:
        """How many texts are held."""
        return self._live

    def append(self, docs: Sequence[str], texts: Sequence[str | None] | None) -> int:
        """Number the paragraphs of ``docs`` (with their ``texts``, if given); return the first."""
        first, count = self._count, len(docs)
        self._reserve(first + count)
        names = self._names
        last = names[-1] if names else None
        numbers = []
        for doc in docs:
            if doc != last:
                names.append(doc)
                last = doc
            numbers.append(len(names) - 1)
        self._doc[first:first + count] = numbers
        if texts is not None:
            self._write(first, texts)
        self._count += count
        return first

    def docs(self, numbers: Numbers) -> list[str]:
        """Return the document of each paragraph number."""
        names = self._names
        return [names[i] for i in self._doc[numbers].tolist()]

    def texts(self, numbers: Numbers) -> list[str | None]:
        """Return the text of each paragraph number (``None`` where none is held)."""
        fd = self._fd
        return [None if at < 0 else "" if not size
                else os.pread(cast("int", fd), size, at).decode("utf-8", "surrogatepass")
                for at, size in zip(self._at[numbers].tolist(), self._size[numbers].tolist(),
                                    strict=True)]

    def forget_texts(self, numbers: Numbers) -> None:
        """Forget the texts of these paragraph numbers (those held)."""
        held = np.unique(numbers[self._at[numbers] >= 0])
        self._dead += int(self._size[held].sum())
        self._at[held] = -1
        self._live -= held.shape[0]
        self._rewrite_if_sparse()

    def evict(self, max_keys: int) -> None:
        """Forget the oldest texts beyond ``max_keys``."""
        over = self._live - max_keys
        while over > 0:
            window = np.flatnonzero(self._at[self._oldest:self._oldest + max(over, 4096)] >= 0)
            gone = window[:over] + self._oldest
            self._dead += int(self._size[gone].sum())
            self._at[gone] = -1
            self._live -= gone.shape[0]
            over -= gone.shape[0]
            self._oldest = int(gone[-1]) + 1 if over == 0 else self._oldest + max(over, 4096)
        self._rewrite_if_sparse()

    def nbytes(self) -> dict[str, int]:
        """Bytes of memory held: document ids per paragraph, text places (not the texts)."""
        names = sys.getsizeof(self._names) + sum(map(sys.getsizeof, self._names))
        return {"paragraph -> document": self._doc.nbytes + names,
                "text places": self._at.nbytes + self._size.nbytes}

    @property
    def file_bytes(self) -> int:
        """Bytes of the temporary file (on disk or in the page cache, not in this process)."""
        return self._end

    def close(self) -> None:
        """Remove the temporary file."""
        if self._closing is not None:
            self._closing()
        self._fd = self._closing = None

    def _reserve(self, needed: int) -> None:
        capacity = self._doc.shape[0]
        if needed <= capacity:
            return
        while capacity < needed:
            capacity *= 2
        grown = capacity - self._doc.shape[0]
        self._doc = np.concatenate([self._doc, np.zeros(grown, dtype=np.uint32)])
        self._at = np.concatenate([self._at, np.full(grown, -1, dtype=np.int64)])
        self._size = np.concatenate([self._size, np.zeros(grown, dtype=np.int32)])

    def _write(self, first: int, texts: Sequence[str | None]) -> None:
        encoded = [b"" if t is None else t.encode("utf-8", "surrogatepass") for t in texts]
        sizes = np.fromiter(map(len, encoded), np.int64, len(encoded))
        held = np.fromiter((t is not None for t in texts), np.bool_, len(texts))
        starts = self._end + np.cumsum(sizes) - sizes
        count = len(texts)
        self._at[first:first + count] = np.where(held, starts, -1)
        self._size[first:first + count] = sizes
        blob = b"".join(encoded)
        self._append(blob)
        self._live += int(held.sum())

    def _append(self, blob: bytes) -> None:
        if not blob:
            return
        try:
            if self._fd is None:
                self._open()
            fd = self._fd
            assert fd is not None
            done = 0
            while done < len(blob):
                done += os.pwrite(fd, blob[done:done + COPY], self._end + done)
        except OSError as error:
            msg = (f"cannot write the in-memory index's texts to a temporary file in "
                   f"{tempfile.gettempdir()} (set TMPDIR elsewhere): {error.strerror or error}")
            raise IndexUnavailable(msg) from None
        self._end += len(blob)

    def _open(self) -> None:
        """Open a new unnamed temporary file (closed when this object is collected)."""
        where = tempfile.gettempdir()
        try:  # a file without a name: nothing is left behind, even by a killed process
            fd = os.open(where, os.O_TMPFILE | os.O_RDWR, 0o600)
        except (AttributeError, OSError):  # no O_TMPFILE here: a named file, unlinked at once
            fd, name = tempfile.mkstemp(prefix="dedup-index-texts-")
            Path(name).unlink()
        self._fd = fd
        self._closing = weakref.finalize(self, os.close, fd)

    def _rewrite_if_sparse(self) -> None:
        """Rewrite the file without dead texts once they are over half of it."""
        if self._fd is None or self._dead < max(MIN_REWRITE, self._end - self._dead):
            return
        fd, closing = self._fd, self._closing
        self._fd = self._closing = None
        self._end = self._dead = 0
        held = np.flatnonzero(self._at[:self._count] >= 0)
        at, size = self._at[held], self._size[held].astype(np.int64)
        moved = np.cumsum(size) - size
        # contiguous stretches of held texts are copied in one piece
        breaks = np.flatnonzero(at[1:] != at[:-1] + size[:-1]) + 1
        try:
            for start, stop in zip(np.r_[0, breaks].tolist(), np.r_[breaks, held.shape[0]].tolist(),
                                   strict=True):
                if start == stop:
                    continue
                begin, end = int(at[start]), int(at[stop - 1] + size[stop - 1])
                for offset in range(begin, end, COPY):
                    self._append(os.pread(fd, min(COPY, end - offset), offset))
        finally:
            assert closing is not None
            closing()
        self._at[held] = moved
