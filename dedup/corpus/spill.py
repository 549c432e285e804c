"""Per-chunk bytes kept in a temporary file between the two passes of a batch run.

With site boilerplate on, the first pass analyzes every chunk while it counts,
and the second pass decides and renders with those analyses instead of
computing them again. They wait in an anonymous temporary file (in ``TMPDIR``,
deleted when closed or when the process ends), not in memory.
"""

from __future__ import annotations

import tempfile
from typing import IO

from dedup.corpus.readers import BadInput, Chunk

__all__ = ["Spill"]


class Spill:
    """Bytes stored per chunk, taken back by the same chunk read again.

    Example:
        >>> from pathlib import Path
        >>> from dedup.corpus.readers import Source
        >>> chunk = Chunk(Source(Path("a.jsonl"), "a.jsonl", "jsonl", 0), 0, 1, (b"{}",), 2, True)
        >>> spill = Spill()
        >>> spill.put(chunk, b"analysis")
        >>> spill.take(chunk)
        b'analysis'
        >>> spill.close()
    """

    def __init__(self) -> None:
        self._file: IO[bytes] | None = None
        self._where: dict[tuple[str, int], tuple[int, int, int, int]] = {}

    def put(self, chunk: Chunk, data: bytes) -> None:
        """Store ``data`` for ``chunk``."""
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="dedup-")  # noqa: SIM115 - see close
        offset = self._file.seek(0, 2)
        self._file.write(data)
        self._where[chunk.source.relative, chunk.number] = (
            offset, len(data), chunk.first_line, len(chunk.lines))

    def take(self, chunk: Chunk) -> bytes | BadInput:
        """Return the bytes stored for ``chunk``, or a BadInput if its file changed since."""
        found = self._where.pop((chunk.source.relative, chunk.number), None)
        if found is None or self._file is None or found[2:] != (chunk.first_line,
                                                                 len(chunk.lines)):
            return BadInput(chunk.source.relative, chunk.first_line,
                            "the file changed while dedup was reading it")
        offset, size = found[:2]
        self._file.seek(offset)
        return self._file.read(size)

    def close(self) -> None:
        """Delete the temporary file."""
        if self._file is not None:
            self._file.close()
            self._file = None
