"""Cleaned articles -> output files, written atomically into a mirrored tree.

``IN_DIR/a/b.jsonl.gz`` becomes ``OUT_DIR/a/b.jsonl.gz`` in the same format.
Each output is written to a hidden temporary file beside its final path
(``.b.jsonl.gz.<pid>-<n>.dedup-partial``, ``n`` new for every file a process
writes, so no two files share one) and renamed over the final name only
when it is complete, so a final name always holds a whole file. An
interrupted run deletes its temporary file; one killed outright leaves a
``*.dedup-partial`` file that the next run removes.

Zstd output is one zstd frame (:mod:`dedup.corpus.zstd`) and Parquet output
the input's schema, one row group per chunk (:mod:`dedup.corpus.parquet`);
both are compressed or encoded in the main process.

Gzip output is one gzip member that records no file name and no time, so the
same input always gives the same bytes. Each write is compressed on its own
(:func:`deflate`: raw deflate blocks that end on a byte boundary, with their
CRC-32), so workers may compress their part of a file:
:meth:`OutputFile.write_deflated` appends such a part as it is, and
:func:`crc32_combine` joins the checksums, as ``pigz`` does. Writing the same
bytes in the same pieces gives the same file either way.
"""

from __future__ import annotations

import itertools
import os
import struct
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, cast

import orjson
from isal import isal_zlib

from dedup.corpus.readers import Source

if TYPE_CHECKING:
    from dedup.corpus.parquet import ParquetSink
    from dedup.corpus.zstd import ZstdWriter

__all__ = [
    "PARTIAL",
    "AtomicFile",
    "Deflated",
    "OutputFile",
    "crc32_combine",
    "deflate",
    "output_path",
    "partial_path",
    "remove_partials",
    "remove_stale_partials",
]

PARTIAL = ".dedup-partial"
GZIP_LEVEL = 1  # ISA-L's levels are 0-3: 1 is fast and still about zlib's level 1 in size
# What gzip.GzipFile writes with no name and mtime=0: magic, deflate, no flags,
# time 0, "fastest" (level 1), unknown OS.
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x04\xff"
_CRC_POLY = 0xEDB88320  # CRC-32 (reflected)
_NUMBERS = itertools.count()


@dataclass(frozen=True, slots=True)
class Deflated:
    """Bytes compressed on their own into raw deflate blocks, with their CRC-32 and size."""

    data: bytes
    crc: int
    size: int


def deflate(data: bytes) -> Deflated:
    """Compress ``data`` into non-final deflate blocks that any gzip stream may take in.

    Example:
        >>> part = deflate(b"hello ")
        >>> part.size, part.crc == zlib.crc32(b"hello ")
        (6, True)
    """
    compressor = isal_zlib.compressobj(GZIP_LEVEL, isal_zlib.DEFLATED, -isal_zlib.MAX_WBITS)
    body = compressor.compress(data) + compressor.flush(isal_zlib.Z_SYNC_FLUSH) if data else b""
    return Deflated(body, isal_zlib.crc32(data), len(data))


def crc32_combine(first: int, second: int, second_size: int) -> int:
    """Return the CRC-32 of ``a + b`` from ``crc32(a)``, ``crc32(b)`` and ``len(b)``.

    zlib's method: multiply ``first`` by x^(8 * second_size) modulo the CRC
    polynomial, then add ``second``.

    Example:
        >>> a, b = b"first part, ", b"second part"
        >>> crc32_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b)
        True
    """
    factor = 1 << 31  # x^0
    bits = 3  # one byte is x^8 = x^(2^3)
    size = second_size
    while size:
        if size & 1:
            factor = _multiply(_X_POWERS[bits % 32], factor)
        size >>= 1
        bits += 1
    return _multiply(factor, first) ^ second


def _multiply(a: int, b: int) -> int:
    """Return a(x) * b(x) modulo the CRC-32 polynomial (reflected bit order)."""
    product = 0
    mask = 1 << 31
    while mask and a:
        if a & mask:
            product ^= b
            a ^= mask
        mask >>= 1
        b = (b >> 1) ^ _CRC_POLY if b & 1 else b >> 1
    return product


def _x_powers() -> list[int]:
    """Return x^(2^n) modulo the CRC-32 polynomial for n < 32 (they repeat from there)."""
    powers = [1 << 30]  # x^1
    for _ in range(31):
        powers.append(_multiply(powers[-1], powers[-1]))
    return powers


_X_POWERS = _x_powers()


def output_path(out_dir: Path, source: Source) -> Path:
    """Return where the cleaned copy of ``source`` goes.

    Example:
        >>> from dedup.corpus.readers import Source
        >>> output_path(Path("out"), Source(Path("in/a/b.txt"), "a/b.txt", "text", 0)).as_posix()
        'out/a/b.txt'
    """
    return out_dir.joinpath(*source.relative.split("/"))


def remove_partials(out_dir: Path) -> int:
    """Delete temporary files left by a killed run; return how many there were."""
    removed = 0
    if not out_dir.is_dir():
        return 0
    for directory, _, files in os.walk(out_dir):
        for name in files:
            if name.startswith(".") and name.endswith(PARTIAL):
                Path(directory, name).unlink(missing_ok=True)
                removed += 1
    return removed


def partial_path(final: Path) -> Path:
    """Return a new temporary name beside ``final``, unique in this process and across processes.

    Example:
        >>> first, second = partial_path(Path("a.txt")), partial_path(Path("a.txt"))
        >>> first != second, first.name.startswith(".a.txt."), first.name.endswith(PARTIAL)
        (True, True, True)
    """
    return final.with_name(f".{final.name}.{os.getpid()}-{next(_NUMBERS)}{PARTIAL}")


def remove_stale_partials(final: Path) -> int:
    """Delete the temporary files of ``final`` that dead processes left; return how many.

    For files outside ``OUT_DIR`` (the report), which :func:`remove_partials`
    does not look at; a temporary file of a process still running is kept.
    """
    removed = 0
    prefix = f".{final.name}."
    try:
        names = [p.name for p in final.parent.iterdir()]
    except OSError:
        return 0
    for name in names:
        if not (name.startswith(prefix) and name.endswith(PARTIAL)):
            continue
        pid = name[len(prefix):-len(PARTIAL)].partition("-")[0]
        if pid.isdigit() and not _alive(int(pid)):
            final.with_name(name).unlink(missing_ok=True)
            removed += 1
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # an earlier run of this process (in-process callers): nothing writes it now
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # another user's process
    return True


class AtomicFile:
    """A file written under a temporary name beside ``final``, renamed over it when complete.

    The one commit of every output (each format's writer builds on it): the
    bytes are flushed and fsynced before the rename, so a final name never
    holds a file the disk has not got whole.
    """

    def __init__(self, final: Path) -> None:
        self.final = final
        final.parent.mkdir(parents=True, exist_ok=True)
        self.temporary = partial_path(final)
        self._raw: BinaryIO = self.temporary.open("wb")

    def commit(self) -> None:
        """Make the file durable and rename it to its final name."""
        self._raw.flush()
        os.fsync(self._raw.fileno())
        self._raw.close()
        self.temporary.replace(self.final)

    def discard(self) -> None:
        """Abandon the file: close and delete the temporary file."""
        try:
            self._raw.close()
        finally:
            self.temporary.unlink(missing_ok=True)


class OutputFile(AtomicFile):
    r"""One output file being written: a temporary file until :meth:`commit`.

    Example:
        >>> import tempfile
        >>> from dedup.corpus.readers import Source
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     out = OutputFile(Path(tmp, "a.jsonl"), "jsonl")
        ...     out.write_record({"text": "Hi"})
        ...     before = sorted(p.name for p in Path(tmp).iterdir())[0].endswith(PARTIAL)
        ...     out.commit()
        ...     before, Path(tmp, "a.jsonl").read_text()
        (True, '{"text":"Hi"}\n')
    """

    def __init__(self, final: Path, file_format: str) -> None:
        super().__init__(final)
        self.format = file_format
        try:
            self._gzip = _GzipStream(self._raw) if file_format == "jsonl.gz" else None
            self._stream = _stream(self._raw, file_format)
        except BaseException:  # Ctrl-C included: nobody holds this file to discard it yet
            self.discard()
            raise

    def write_text(self, text: str) -> None:
        """Write a whole article (text formats)."""
        self.write_bytes(text.encode("utf-8", "surrogatepass"))

    def write_record(self, record: Mapping[str, object]) -> None:
        """Write one JSON line."""
        self.write_bytes(orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE))

    def write_bytes(self, data: bytes) -> None:
        """Write bytes as they are (already encoded JSON lines).

        Gzip output compresses each call's bytes on their own (as
        :func:`deflate`), so write a chunk's lines at once, not line by line.
        """
        if self._gzip is not None:
            self._gzip.write(deflate(data))
        elif self._stream is not None:
            self._stream.write(data)
        else:
            self._raw.write(data)

    def write_table(self, table: Any) -> None:  # noqa: ANN401 - a pyarrow.Table
        """Append a pyarrow table's rows as one row group (Parquet output)."""
        if self.format != "parquet" or self._stream is None:
            msg = f"{self.final}: only Parquet output takes tables"
            raise TypeError(msg)
        cast("ParquetSink", self._stream).write_table(table)

    def write_deflated(self, part: Deflated) -> None:
        """Write bytes that :func:`deflate` compressed: ``write_bytes`` of the original bytes."""
        if self._gzip is None:
            msg = f"{self.final}: only gzip output takes deflated parts"
            raise TypeError(msg)
        self._gzip.write(part)

    def commit(self) -> None:
        """Finish the file and rename it to its final name."""
        if self._gzip is not None:
            self._gzip.close()
        if self._stream is not None:
            self._stream.close()
        super().commit()


def _stream(raw: BinaryIO, file_format: str) -> ZstdWriter | ParquetSink | None:
    """The encoder of zstd and Parquet output (imported only for those formats)."""
    if file_format == "jsonl.zst":
        from dedup.corpus.zstd import ZstdWriter

        return ZstdWriter(raw)
    if file_format == "parquet":
        from dedup.corpus.parquet import ParquetSink

        return ParquetSink(raw)
    return None


class _GzipStream:
    r"""One gzip member written to ``raw`` from deflated parts (see :func:`deflate`).

    Example:
        >>> import gzip, io
        >>> raw = io.BytesIO()
        >>> stream = _GzipStream(raw)
        >>> stream.write(deflate(b"one\n"))
        >>> stream.write(deflate(b"two\n"))
        >>> stream.close()
        >>> gzip.decompress(raw.getvalue())
        b'one\ntwo\n'
    """

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._crc = 0
        self._size = 0
        raw.write(_GZIP_HEADER)

    def write(self, part: Deflated) -> None:
        self._raw.write(part.data)
        self._crc = crc32_combine(self._crc, part.crc, part.size)
        self._size += part.size

    def close(self) -> None:
        final = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS).flush()
        self._raw.write(final)  # an empty final block
        self._raw.write(struct.pack("<II", self._crc, self._size & 0xFFFFFFFF))
