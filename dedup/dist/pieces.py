"""Corpus files -> numbered pieces of articles, and Parquet files in and out.

A piece is what one Ray task cleans: a :class:`~dedup.corpus.readers.Chunk`
of a text or JSON Lines file (plain, gzip or zstd), read by the local
engine's own :func:`~dedup.corpus.readers.read_chunks` (so pieces are the
local engine's chunks), or a :class:`ParquetChunk`: a batch of up to
``CHUNK_LINES`` rows of a ``.parquet`` file from
:func:`dedup.corpus.parquet.batches` (streamed, never the whole file), one
article per row.
Pieces are numbered in corpus order (relative path, then line or row), and
that number orders everything after.

Parquet rows are read and written by :mod:`dedup.corpus.parquet`, as in the
local engine: the same articles, the input's schema with the text column
replaced.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dedup.corpus import parquet
from dedup.corpus.readers import (
    Article,
    Chunk,
    Fields,
    Format,
    Skipped,
    Source,
    find_sources,
    parse_chunk,
    read_chunks,
    record_path,
)
from dedup.corpus.writers import OutputFile

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

PARQUET: Format = "parquet"


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


def find_all_sources(
    root: Path,
    ignored: list[str] | None = None,
    *,
    follow_links: bool = False,
    skipped: list[Skipped] | None = None,
) -> list[Source]:
    """Return the sources of ``root`` in corpus order (the local engine's, Parquet included)."""
    return find_sources(root, ignored, follow_links=follow_links, skipped=skipped)


def read_pieces(source: Source) -> Iterator[Chunk | ParquetChunk]:
    """Yield the chunks of one source (in the driver, like the local engine's main process).

    Raises:
        BadInput: the file cannot be read.
    """
    if source.format != PARQUET:
        yield from read_chunks(source)
        return
    for number, first, table, consumed, last in parquet.batches(source):
        yield ParquetChunk(source, number, first, table, consumed, last)


def parse_piece(chunk: Chunk | ParquetChunk, fields: Fields) -> list[Article]:
    """Return a chunk's articles (in a worker).

    Raises:
        BadInput: a line or row is not a valid article.
    """
    if isinstance(chunk, Chunk):
        return parse_chunk(chunk, fields)
    path = record_path(chunk.source.relative)
    return parquet.articles(chunk.table, path, chunk.first_line, fields)


class ParquetOutput(OutputFile):
    """A Parquet output file with the input's schema, written piece by piece (see OutputFile)."""

    def __init__(self, final: Path, schema: pa.Schema) -> None:
        super().__init__(final, PARQUET)
        self.schema = schema
        self.write_table(schema.empty_table())  # the schema, even for a file with no rows

    def write_records(self, records: list[dict[str, object]]) -> None:
        """Append rows (dicts with the schema's columns)."""
        import pyarrow as pa

        if records:
            self.write_table(pa.Table.from_pylist(records, schema=self.schema))
