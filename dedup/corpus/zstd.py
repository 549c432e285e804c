"""Zstandard-compressed JSON Lines (``.jsonl.zst``, ``.json.zst``): streams in and out.

dolma and datatrove shards are often JSON lines compressed with zstd. Reading
decompresses as a stream (every frame of the file, as ``zstd -d`` does);
writing compresses the output as one frame at level :data:`LEVEL`, so the same
input always gives the same bytes. Both need the ``zstandard`` package (the
``zstd`` extra); without it a zstd file fails with a message naming the extra.
"""

from __future__ import annotations

import io
from typing import Any, BinaryIO

from dedup.extras import require

__all__ = ["LEVEL", "ZstdWriter", "open_reader"]

LEVEL = 3  # zstd's default: about gzip -6 in size at several times its speed


def _zstandard() -> Any:  # noqa: ANN401 - the zstandard module
    return require("zstandard", "zstd", "a zstd file")


def open_reader(raw: BinaryIO) -> BinaryIO:
    """Return a buffered reader of the decompressed bytes of ``raw`` (iterate it for lines).

    Corrupt data raises :class:`OSError` ("invalid zstd data: ...") while reading.

    Raises:
        MissingExtraError: zstandard is not installed.
    """
    zstandard = _zstandard()
    reader = zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True,
                                                         closefd=False)
    return io.BufferedReader(_Checked(reader, zstandard.ZstdError), 1 << 20)


class _Checked(io.RawIOBase):
    """A raw stream over a zstandard reader whose errors become :class:`OSError`."""

    def __init__(self, reader: Any, error: type[Exception]) -> None:  # noqa: ANN401
        self._reader = reader
        self._error = error

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:  # noqa: ANN401 - a writable buffer
        try:
            return int(self._reader.readinto(buffer))
        except self._error as error:
            msg = f"invalid zstd data: {error}"
            raise OSError(msg) from None


class ZstdWriter:
    """Compress what is written to ``raw`` into one zstd frame; :meth:`close` ends it.

    Example:
        >>> import zstandard
        >>> raw = io.BytesIO()
        >>> writer = ZstdWriter(raw)
        >>> writer.write(b'{"text":"one"}\\n')
        >>> writer.close()
        >>> zstandard.ZstdDecompressor().decompressobj().decompress(raw.getvalue())
        b'{"text":"one"}\\n'
    """

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._compressor = _zstandard().ZstdCompressor(level=LEVEL).compressobj()

    def write(self, data: bytes) -> None:
        """Compress and write ``data`` (buffered inside the compressor)."""
        self._raw.write(self._compressor.compress(data))

    def close(self) -> None:
        """Write the end of the frame."""
        self._raw.write(self._compressor.flush())
