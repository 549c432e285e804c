"""A ``--report`` file -> its review site, with progress on a terminal (``dedup report``).

The report may be gzip-compressed (``dedup batch --report run.jsonl.gz``).

:func:`site_from_report` streams the report's records into
:func:`~dedup.review.site.write_site`; with a console that is a terminal it
draws a progress bar on it (bytes read of the file's size, articles, rate,
time left), which a pipe or a file never gets.
"""

from __future__ import annotations

import gzip
import sys
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from pathlib import Path
from typing import IO

from rich.console import Console
from rich.progress import Progress, TaskID

from dedup.corpus.progress import progress_bar
from dedup.review.articles import read_records
from dedup.review.site import SiteSummary, write_site

__all__ = ["site_from_report"]


def site_from_report(
    report: str, out_dir: Path, *, per_page: int = 100, console: Console | None = None
) -> SiteSummary:
    """Write the review site of the report file ``report`` (``-``: stdin) into ``out_dir``.

    Raises:
        OSError: the report cannot be read or the site written.
        ValueError: a line of the report is not JSON, or ``per_page`` is below 1.
        FileExistsError: ``out_dir`` exists and is not a review site.
    """
    bar = progress_bar(console) if console is not None and console.is_terminal else None
    with bar or nullcontext():
        if report == "-":
            stdin = sys.stdin.buffer
            return write_site(_records(stdin, bar, None, stdin), out_dir, per_page=per_page)
        path = Path(report)
        with path.open("rb") as raw:
            size = path.stat().st_size if path.is_file() else None
            compressed = raw.peek(2)[:2] == b"\x1f\x8b" if hasattr(raw, "peek") else False
            if not compressed:
                return write_site(_records(raw, bar, size, raw), out_dir, per_page=per_page)
            with gzip.GzipFile(fileobj=raw, mode="rb") as handle:
                return write_site(_records(handle, bar, size, raw), out_dir, per_page=per_page)


def _records(handle: Iterable[bytes], bar: Progress | None, size: int | None, raw: IO[bytes]
             ) -> Iterator[dict[str, object]]:
    """Yield the report's records; ``bar`` shows how far into the file (``raw``) they are."""
    if bar is None:
        yield from read_records(handle)
        return
    task: TaskID = bar.add_task("report", total=size, articles=0)
    articles = 0
    for line in handle:
        for record in read_records((line,)):
            articles += 1
            yield record
        done = raw.tell() if raw.seekable() else None
        if done is None:
            bar.update(task, advance=len(line), articles=articles)
        else:
            bar.update(task, completed=done, articles=articles)
