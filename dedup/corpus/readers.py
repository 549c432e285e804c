"""Corpus files -> chunks of raw lines -> articles.

A corpus is a directory tree. Every ``.txt`` and ``.md`` file holds one
article; every ``.jsonl`` file holds one JSON object per line, whose text
field (``text`` by default) is the article and whose other fields are kept
untouched, and so do ``.jsonl.gz`` / ``.json.gz`` (gzip) and ``.jsonl.zst`` /
``.json.zst`` (zstd, :mod:`dedup.corpus.zstd`), the shards of dolma and
datatrove. Every ``.parquet`` file holds one article per row
(:mod:`dedup.corpus.parquet`). Other files are ignored. Files are taken in the
order of their relative POSIX paths, lines in file order: this is the corpus
order that "earlier" means for cross-document duplicates.

The main process reads files into :class:`Chunk` s of raw lines
(:func:`read_chunks`: no decoding, so it stays cheap); workers turn a chunk
into :class:`Article` s (:func:`parse_chunk`). Anything wrong with the input
(invalid UTF-8, a NUL byte, a malformed JSON line, a missing text field, an
unreadable file) raises :class:`BadInput` with the path and the 1-based line.

An article's ``site`` is the ``--site-field`` value when given and present,
else the host of its ``url`` field (lower case, without ``www.``), else the
directory of its file relative to the corpus root (``""`` at the top). Its
``id`` is the ``--id-field`` value, else ``PATH:LINE``.
"""

from __future__ import annotations

import errno
import os
import stat
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Literal, cast
from urllib.parse import urlsplit

import orjson
from isal import igzip, isal_zlib

from dedup.errors import BadInput, MissingExtraError

__all__ = [
    "SUFFIXES",
    "Article",
    "BadInput",
    "Chunk",
    "Fields",
    "Skipped",
    "Source",
    "article_from_record",
    "find_sources",
    "open_regular",
    "parse_chunk",
    "read_chunks",
    "record_path",
    "regular_size",
    "url_site",
    "walk_corpus",
]

# What ISA-L's gzip reader raises for corrupt data (not a zlib.error).
_ISAL_ERROR = cast("type[Exception]", isal_zlib.error)  # its stubs call it an instance

Format = Literal["text", "jsonl", "jsonl.gz", "jsonl.zst", "parquet"]
SUFFIXES: dict[str, Format] = {".txt": "text", ".md": "text", ".jsonl": "jsonl",
                               ".jsonl.gz": "jsonl.gz", ".json.gz": "jsonl.gz",
                               ".jsonl.zst": "jsonl.zst", ".json.zst": "jsonl.zst",
                               ".parquet": "parquet"}
CHUNK_LINES = 256  # articles per task; fixed, so results never depend on the worker count
CHUNK_BYTES = 4 << 20


@dataclass(frozen=True, slots=True)
class Fields:
    """Which JSON fields hold the text, the id and the site."""

    text: str = "text"
    id: str = "id"
    site: str | None = None


@dataclass(frozen=True, slots=True)
class Source:
    """One input file: its path, its path relative to the corpus root, its format."""

    path: Path
    relative: str
    format: Format
    size: int


@dataclass(frozen=True, slots=True)
class Chunk:
    """Raw lines of one source, starting at 1-based line ``first_line``.

    A text source is one chunk whose ``lines`` is the whole file.
    ``consumed`` is how many bytes of the file on disk were read so far
    (for progress), ``last`` whether this chunk ends the file.
    """

    source: Source
    number: int
    first_line: int
    lines: tuple[bytes, ...]
    consumed: int
    last: bool


@dataclass(frozen=True, slots=True)
class Article:
    """One article: where it came from, its id and site, its text and JSON record."""

    path: str
    line: int
    id: str
    site: str
    text: str
    record: dict[str, object] | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Skipped:
    """A corpus file (by name) that is not read: its path relative to the root, and why."""

    relative: str
    reason: str

    def __str__(self) -> str:
        return f"{record_path(self.relative)}: skipped: {self.reason}"


def find_sources(
    root: Path,
    ignored: list[str] | None = None,
    *,
    follow_links: bool = False,
    skipped: list[Skipped] | None = None,
) -> list[Source]:
    """Return the corpus files under ``root`` in corpus order.

    The relative paths of the other files (not hidden ones) are appended to
    ``ignored`` when it is given, so a run can name what it did not read.

    Only regular files are read. A link to a file is followed when its target
    lies inside ``root``; links to directories are not descended; with
    ``follow_links`` every link is followed (each directory once). Corpus
    files passed over (a pipe, a device, a link out of ``root``) are appended
    to ``skipped``.

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     _ = Path(tmp, "b.jsonl").write_text("")
        ...     _ = Path(tmp, "a.txt").write_text("x")
        ...     _ = Path(tmp, "notes.csv").write_text("")
        ...     ignored = []
        ...     [s.relative for s in find_sources(Path(tmp), ignored)], ignored
        (['a.txt', 'b.jsonl'], ['notes.csv'])
    """
    found: list[Source] = []
    skips = skipped if skipped is not None else []
    inside = root.resolve()
    for directory, _, files in walk_corpus(root, follow_links, skips):
        for name in files:
            file_format = source_format(name)
            path = Path(directory, name)
            relative = path.relative_to(root).as_posix()
            if file_format is None:
                if ignored is not None and not name.startswith("."):
                    ignored.append(relative)
                continue
            size = regular_size(path, inside, follow_links)
            if isinstance(size, str):
                skips.append(Skipped(relative, size))
                continue
            found.append(Source(path, relative, file_format, size))
    skips.sort(key=lambda s: s.relative)
    if ignored is not None:
        ignored.sort()
    return sorted(found, key=lambda s: s.relative)


def walk_corpus(
    root: Path, follow_links: bool, skipped: list[Skipped]
) -> Iterator[tuple[str, list[str], list[str]]]:
    """``os.walk`` in name order, each directory once; names the links it does not descend."""
    top = root.stat()
    seen: set[tuple[int, int]] = {(top.st_dev, top.st_ino)}
    for directory, subdirectories, files in os.walk(root, followlinks=follow_links):
        subdirectories.sort()
        keep = []
        for name in subdirectories:
            path = Path(directory, name)
            if not follow_links and path.is_symlink():
                skipped.append(Skipped(path.relative_to(root).as_posix(),
                                       "a link to a directory (--follow-links reads it)"))
                continue
            try:
                info = path.stat()
            except OSError:
                continue
            if (info.st_dev, info.st_ino) in seen:  # a link loop, or a directory read already
                continue
            seen.add((info.st_dev, info.st_ino))
            keep.append(name)
        subdirectories[:] = keep
        yield directory, subdirectories, files


def regular_size(path: Path, inside: Path, follow_links: bool) -> int | str:
    """Return the size of the regular file ``path`` is, or why it is not read.

    ``inside`` is the resolved corpus root: a link whose target lies outside
    it is not followed unless ``follow_links``. A file that cannot be
    inspected is read anyway (size 0), so that reading it reports the error.
    """
    try:
        info = path.stat()
    except OSError:
        return 0
    if not stat.S_ISREG(info.st_mode):
        return f"not a regular file ({_kind(info.st_mode)})"
    if not follow_links and path.is_symlink() and not path.resolve().is_relative_to(inside):
        return "a link to a file outside IN_DIR (--follow-links reads it)"
    return info.st_size


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a directory" if stat.S_ISDIR(mode) else "not a file"


def open_regular(path: Path) -> BinaryIO:
    """Open ``path`` for reading if it is a regular file (never blocks on a pipe).

    Raises:
        OSError: it cannot be opened, or it is not a regular file (any more).
    """
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise OSError(errno.EINVAL, f"not a regular file ({_kind(mode)})")
        os.set_blocking(descriptor, True)
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def record_path(relative: str) -> str:
    r"""Return a corpus path as reports and messages write it: valid Unicode.

    A file name that is not UTF-8 (decoded by Python with surrogate escapes)
    shows its undecodable bytes as ``\xNN``.

    Example:
        >>> record_path(os.fsdecode(b"caf\xe9.txt"))
        'caf\\xe9.txt'
    """
    if relative.isascii():
        return relative
    return relative.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def source_format(name: str) -> Format | None:
    """Return the format a file name stands for, or ``None`` for files to ignore."""
    if name.startswith("."):
        return None
    for suffix, file_format in SUFFIXES.items():
        if name.endswith(suffix) and name != suffix:
            return file_format
    return None


def read_chunks(source: Source) -> Iterator[Chunk]:
    """Yield the raw lines of ``source`` in chunks (run in the main process).

    Raises:
        BadInput: the file cannot be opened or decompressed.
    """
    try:
        if source.format == "text":
            with open_regular(source.path) as handle:
                data = handle.read()
            yield Chunk(source, 0, 1, (data,), len(data), last=True)
            return
        if source.format == "parquet":
            from dedup.corpus import parquet

            yield from parquet.read_chunks(source)
            return
        yield from _read_lines(source)
    except (OSError, EOFError, zlib.error, _ISAL_ERROR, MissingExtraError) as error:
        raise BadInput(record_path(source.relative), None, _describe(error)) from None


def _read_lines(source: Source) -> Iterator[Chunk]:
    with open_regular(source.path) as raw:
        stream: BinaryIO = raw
        if source.format == "jsonl.gz":  # ISA-L's gzip reader: twice as fast as the standard one
            stream = igzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[no-untyped-call,assignment]
        elif source.format == "jsonl.zst":
            from dedup.corpus.zstd import open_reader

            stream = open_reader(raw)
        lines: list[bytes] = []
        size = 0
        first = 1
        number = 0
        for line in stream:
            lines.append(line)
            size += len(line)
            if len(lines) >= CHUNK_LINES or size >= CHUNK_BYTES:
                yield Chunk(source, number, first, tuple(lines), raw.tell(), last=False)
                number += 1
                first += len(lines)
                lines, size = [], 0
        yield Chunk(source, number, first, tuple(lines), raw.tell(), last=True)


def parse_chunk(chunk: Chunk, fields: Fields) -> list[Article]:
    """Decode a chunk into articles (run in a worker).

    Blank lines of JSON Lines files are skipped.

    Raises:
        BadInput: a line is not valid UTF-8 or JSON, or has no text field.
    """
    source = chunk.source
    path = record_path(source.relative)
    if source.format == "text":
        text = _decode_text(path, chunk.lines[0])
        site = _directory_site(path)
        return [Article(path, 1, path, site, text)]
    if source.format == "parquet":
        from dedup.corpus import parquet

        return parquet.parse_chunk(chunk, fields)
    articles = []
    for offset, line in enumerate(chunk.lines):
        number = chunk.first_line + offset
        if not line.strip():
            continue
        articles.append(_parse_line(path, number, line, fields))
    return articles


def _decode_text(path: str, data: bytes) -> str:
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        msg = "binary data (a NUL byte): not a text file"
        raise BadInput(path, line, msg)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        msg = f"invalid UTF-8 ({error.reason} at byte {error.start}): convert the file to UTF-8"
        raise BadInput(path, line, msg) from None


def _parse_line(path: str, number: int, line: bytes, fields: Fields) -> Article:
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError as error:
        try:
            _decode_text(path, line)  # a clearer message for binary or non-UTF-8 lines
        except BadInput as bad:
            raise BadInput(path, number, bad.message) from None
        msg = f"malformed JSON line: {error}"
        raise BadInput(path, number, msg) from None
    if not isinstance(record, dict):
        msg = f"a JSON line must be an object, got {type(record).__name__}"
        raise BadInput(path, number, msg)
    return article_from_record(path, number, record, fields)


def article_from_record(
    path: str, number: int, record: dict[str, object], fields: Fields
) -> Article:
    """Make the article of one record (a JSON line or a Parquet row).

    Raises:
        BadInput: the text field is missing or not a string.
    """
    text = record.get(fields.text)
    if not isinstance(text, str):
        found = "missing" if text is None else f"a {type(text).__name__}, not a string"
        msg = f"text field {fields.text!r} is {found}: choose the field with --text-field"
        raise BadInput(path, number, msg)
    identifier = record.get(fields.id)
    article_id = str(identifier) if identifier is not None else f"{path}:{number}"
    return Article(path, number, article_id, _site(record, fields, path), text, record)


def _site(record: dict[str, object], fields: Fields, path: str) -> str:
    if fields.site is not None:
        value = record.get(fields.site)
        if value is not None:
            return str(value)
    url = record.get("url")
    host = url_site(url) if isinstance(url, str) else ""
    return host or _directory_site(path)


def url_site(url: str) -> str:
    """Return the site of a URL: its host in lower case without ``www.`` (``""`` if none).

    Example:
        >>> url_site("https://www.Example.org/news/1"), url_site("not a url")
        ('example.org', '')
    """
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        host = ""
    return host.removeprefix("www.")


def _directory_site(path: str) -> str:
    parent = PurePosixPath(path).parent.as_posix()
    return "" if parent == "." else parent


def _describe(error: BaseException) -> str:
    if isinstance(error, MissingExtraError):
        return str(error)
    if isinstance(error, OSError) and error.strerror:
        return f"cannot read: {error.strerror}"
    return f"cannot read: {error}"
