"""Cleaned articles -> output files, written atomically into a mirrored tree.

``IN_DIR/a/b.jsonl.gz`` becomes ``OUT_DIR/a/b.jsonl.gz`` in the same format.
Each output is written to a hidden temporary file beside its final path
(``.b.jsonl.gz.<pid>.dedup-partial``) and renamed over the final name only
when it is complete, so a final name always holds a whole file. An
interrupted run deletes its temporary file; one killed outright leaves a
``*.dedup-partial`` file that the next run removes. Gzip output records no
file name and no time, so the same input always gives the same bytes.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path
from typing import BinaryIO

import orjson

from dedup.corpus.readers import Source

__all__ = ["PARTIAL", "OutputFile", "output_path", "remove_partials"]

PARTIAL = ".dedup-partial"
GZIP_LEVEL = 1  # output size barely matters next to the time levels 6-9 take


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


class OutputFile:
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
        self.final = final
        self.format = file_format
        final.parent.mkdir(parents=True, exist_ok=True)
        self.temporary = final.with_name(f".{final.name}.{os.getpid()}{PARTIAL}")
        self._raw: BinaryIO = self.temporary.open("wb")
        self._stream: BinaryIO = self._raw
        if file_format == "jsonl.gz":
            self._stream = gzip.GzipFile(  # type: ignore[assignment]
                filename="", mode="wb", fileobj=self._raw, compresslevel=GZIP_LEVEL, mtime=0
            )

    def write_text(self, text: str) -> None:
        """Write a whole article (text formats)."""
        self._stream.write(text.encode("utf-8", "surrogatepass"))

    def write_record(self, record: dict[str, object]) -> None:
        """Write one JSON line."""
        self._stream.write(orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE))

    def write_bytes(self, data: bytes) -> None:
        """Write bytes as they are (already encoded JSON lines)."""
        self._stream.write(data)

    def commit(self) -> None:
        """Finish the file and rename it to its final name."""
        if self._stream is not self._raw:
            self._stream.close()
        self._raw.flush()
        os.fsync(self._raw.fileno())
        self._raw.close()
        self.temporary.replace(self.final)

    def discard(self) -> None:
        """Abandon the file: close and delete the temporary file."""
        try:
            if self._stream is not self._raw:
                self._stream.close()
            self._raw.close()
        finally:
            self.temporary.unlink(missing_ok=True)
