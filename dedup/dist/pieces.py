"""Corpus files -> numbered pieces of articles, and Parquet files in and out.

A piece is what one Ray task cleans: a :class:`~dedup.corpus.readers.Chunk`
of a ``.txt``, ``.md``, ``.jsonl`` or ``.jsonl.gz`` file, read by the local
engine's own :func:`~dedup.corpus.readers.read_chunks` (so pieces are the
local engine's chunks), or a :class:`ParquetChunk`: up to ``CHUNK_LINES`` rows
of a ``.parquet`` file (streamed, never the whole file), one article per row.
Pieces are numbered in corpus order (relative path, then line or row), and
that number orders everything after.

Parquet rows follow the JSON Lines rules: the text column must hold strings,
the id is the id column else ``PATH:ROW`` (1-based), the site comes from the
site column, the ``url`` column's host, else the directory. A cleaned Parquet
file has the input's schema with the text column replaced.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast

from dedup.corpus.readers import (
    CHUNK_LINES,
    Article,
    BadInput,
    Chunk,
    Fields,
    Format,
    Source,
    article_from_record,
    find_sources,
    parse_chunk,
    read_chunks,
)
from dedup.corpus.writers import AtomicFile

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "PARQUET",
    "ParquetChunk",
    "ParquetOutput",
    "Piece",
    "find_all_sources",
    "parse_piece",
    "read_pieces",
]

PARQUET = cast(Format, "parquet")


@dataclass(frozen=True, slots=True)
class ParquetChunk:
    """Rows ``first_line`` .. of a Parquet source, as a pyarrow table."""

    source: Source
    number: int
    first_line: int
    table: pa.Table
    consumed: int
    last: bool


@dataclass(frozen=True, slots=True)
class Piece:
    """One unit of work: its corpus-order number, its source's index and its chunk."""

    number: int
    source: int
    chunk: Chunk | ParquetChunk


def find_all_sources(root: Path) -> list[Source]:
    """Return the local engine's sources plus every ``.parquet`` file, in corpus order."""
    found = find_sources(root)
    for directory, subdirectories, files in os.walk(root):
        subdirectories.sort()
        for name in files:
            if name.startswith(".") or not name.endswith(".parquet") or name == ".parquet":
                continue
            path = Path(directory, name)
            try:
                size = path.stat().st_size
            except OSError:
                size = 0
            found.append(Source(path, path.relative_to(root).as_posix(), PARQUET, size))
    return sorted(found, key=lambda s: s.relative)


def read_pieces(source: Source) -> Iterator[Chunk | ParquetChunk]:
    """Yield the chunks of one source (in the driver, like the local engine's main process).

    Raises:
        BadInput: the file cannot be read.
    """
    if source.format != PARQUET:
        yield from read_chunks(source)
        return
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(source.path)
        rows = parquet.metadata.num_rows
        schema = parquet.schema_arrow
        start = 0
        for number, batch in enumerate(parquet.iter_batches(batch_size=CHUNK_LINES)):
            table = pa.Table.from_batches([batch]).replace_schema_metadata(schema.metadata)
            stop = start + table.num_rows
            consumed = source.size if stop >= rows else source.size * stop // max(rows, 1)
            yield ParquetChunk(source, number, start + 1, table, consumed, last=stop >= rows)
            start = stop
        if rows == 0:
            yield ParquetChunk(source, 0, 1, schema.empty_table(), source.size, last=True)
    except (OSError, pa.ArrowException) as error:
        raise BadInput(source.relative, None, f"cannot read: {error}") from None


def parse_piece(chunk: Chunk | ParquetChunk, fields: Fields) -> list[Article]:
    """Return a chunk's articles (in a worker).

    Raises:
        BadInput: a line or row is not a valid article.
    """
    if isinstance(chunk, Chunk):
        return parse_chunk(chunk, fields)
    path = chunk.source.relative
    articles = []
    for offset, record in enumerate(chunk.table.to_pylist()):
        articles.append(article_from_record(path, chunk.first_line + offset, record, fields))
    return articles


class ParquetOutput(AtomicFile):
    """A Parquet output file, written piece by piece to a temporary name until :meth:`commit`.

    An :class:`~dedup.corpus.writers.AtomicFile`, as every output: the final
    name appears only once the file is complete and on disk, and a run that
    dies leaves a ``*.dedup-partial`` file that the next run removes.
    """

    def __init__(self, final: Path, schema: pa.Schema) -> None:
        import pyarrow.parquet as pq

        super().__init__(final)
        self.schema = schema
        self._writer = pq.ParquetWriter(self._raw, schema)

    def write_records(self, records: list[dict[str, object]]) -> None:
        """Append rows (dicts with the schema's columns)."""
        import pyarrow as pa

        if records:
            self._writer.write_table(pa.Table.from_pylist(records, schema=self.schema))

    def commit(self) -> None:
        """Finish the file and rename it to its final name."""
        self._writer.close()
        super().commit()

    def discard(self) -> None:
        """Abandon the file: close and delete the temporary file."""
        try:
            self._writer.close()
        finally:
            super().discard()
