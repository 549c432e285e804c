"""Parquet corpus files: row batches in, cleaned rows out, for both engines.

Every ``.parquet`` file is a set of articles, one per row. It is streamed in
batches of ``CHUNK_LINES`` rows (:func:`batches`, never the whole file); rows
follow the JSON Lines rules (:func:`articles`: the text column must hold
strings, the id is the id column else ``PATH:ROW``, 1-based, the site the site
column, else the ``url`` column's host, else the directory). A cleaned file
has the input's schema, metadata included, with only the text column changed;
each input batch becomes one row group.

The local engine moves a batch between processes as Arrow IPC bytes in a
:class:`~dedup.corpus.readers.Chunk` (:func:`read_chunks`, :func:`parse_chunk`,
:func:`cleaned`); the Ray engine (:mod:`dedup.dist.pieces`) keeps the table.
Needs pyarrow (the ``parquet`` extra); without it a Parquet file fails with a
message naming the extra.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, BinaryIO

from dedup.corpus.readers import (
    CHUNK_LINES,
    Article,
    BadInput,
    Chunk,
    Fields,
    Source,
    record_path,
)
from dedup.corpus.readers import article_from_record as _article
from dedup.errors import MissingExtraError
from dedup.extras import require

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["ParquetSink", "articles", "batches", "cleaned", "parse_chunk", "read_chunks"]


def _pyarrow() -> Any:  # noqa: ANN401 - the pyarrow module
    require("pyarrow.parquet", "parquet", "a Parquet file")
    import pyarrow as pa

    return pa


def batches(source: Source) -> Iterator[tuple[int, int, pa.Table, int, bool]]:
    """Yield ``(number, first_row, table, bytes_consumed, last)`` for each batch of rows.

    An empty file yields one empty table (its schema).

    Raises:
        BadInput: the file is not Parquet, cannot be read, or pyarrow is missing.
    """
    try:
        pa = _pyarrow()
        import pyarrow.parquet as pq

        parquet = pq.ParquetFile(source.path)
        rows = parquet.metadata.num_rows
        schema = parquet.schema_arrow
        start = 0
        for number, batch in enumerate(parquet.iter_batches(batch_size=CHUNK_LINES)):
            table = pa.Table.from_batches([batch]).replace_schema_metadata(schema.metadata)
            stop = start + table.num_rows
            consumed = source.size if stop >= rows else source.size * stop // max(rows, 1)
            yield number, start + 1, table, consumed, stop >= rows
            start = stop
        if rows == 0:
            yield 0, 1, schema.empty_table(), source.size, True
    except MissingExtraError as error:
        raise BadInput(record_path(source.relative), None, str(error)) from None
    except Exception as error:
        if isinstance(error, OSError) or type(error).__module__.startswith("pyarrow"):
            raise BadInput(record_path(source.relative), None, f"cannot read: {error}") from None
        raise


def articles(table: pa.Table, path: str, first_row: int, fields: Fields) -> list[Article]:
    """Return the articles of a batch of rows (``first_row`` is the 1-based row of the first).

    Raises:
        BadInput: a row's text column is missing or not a string.
    """
    return [_article(path, first_row + offset, record, fields)
            for offset, record in enumerate(table.to_pylist())]


def read_chunks(source: Source) -> Iterator[Chunk]:
    """Yield the batches of ``source`` as chunks holding Arrow IPC bytes (local engine)."""
    for number, first, table, consumed, last in batches(source):
        yield Chunk(source, number, first, (_to_ipc(table),), consumed, last)


def parse_chunk(chunk: Chunk, fields: Fields) -> list[Article]:
    """Return the articles of a chunk made by :func:`read_chunks` (in a worker)."""
    path = record_path(chunk.source.relative)
    return articles(_from_ipc(chunk.lines[0]), path, chunk.first_line, fields)


def cleaned(chunk: Chunk, texts: Sequence[str], fields: Fields) -> bytes:
    """Return the chunk's rows with their text column replaced by ``texts``, as IPC bytes."""
    table = _from_ipc(chunk.lines[0])
    index = table.schema.get_field_index(fields.text)
    field = table.schema.field(index)
    pa = _pyarrow()
    return _to_ipc(table.set_column(index, field, pa.array(list(texts), type=field.type)))


def _to_ipc(table: pa.Table) -> bytes:
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return bytes(sink.getvalue())


def _from_ipc(data: bytes) -> pa.Table:
    import pyarrow as pa

    return pa.ipc.open_stream(data).read_all()


class ParquetSink:
    """A Parquet file written to ``raw``, one row group per table (see the writers).

    The schema is the first table's unless given.
    """

    def __init__(self, raw: BinaryIO, schema: pa.Schema | None = None) -> None:
        self._pq = require("pyarrow.parquet", "parquet", "a Parquet file")
        self._raw = raw
        self._writer: Any = None
        if schema is not None:
            self._writer = self._pq.ParquetWriter(raw, schema)

    def write(self, data: bytes) -> None:
        """Append the rows of Arrow IPC bytes (what :func:`cleaned` returns)."""
        self.write_table(_from_ipc(data))

    def write_table(self, table: pa.Table) -> None:
        """Append a table's rows as one row group (none for an empty table)."""
        if self._writer is None:
            self._writer = self._pq.ParquetWriter(self._raw, table.schema)
        if table.num_rows:
            self._writer.write_table(table)

    def close(self) -> None:
        """Write the footer."""
        if self._writer is not None:
            self._writer.close()
