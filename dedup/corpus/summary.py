"""What a batch run did: counts in and out, drops by reason, failures, time.

:func:`counted_run` is the skeleton of a run for both engines: it lists the
sources, removes what a killed run left, times the run and turns Ctrl-C (or
SIGTERM, which the command turns into the same) into ``summary.interrupted``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from dedup.corpus.decisions import REASONS
from dedup.corpus.readers import BadInput, Source
from dedup.corpus.writers import remove_partials

__all__ = ["Summary", "counted_run"]


@dataclass(slots=True)
class Summary:
    """What a run did: counts in and out, drops by reason, failures, time."""

    files: int = 0
    files_written: int = 0
    files_skipped: int = 0
    articles: int = 0
    paragraphs_in: int = 0
    paragraphs_out: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    dropped: dict[str, int] = field(default_factory=lambda: dict.fromkeys(REASONS, 0))
    failures: list[BadInput] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # files of no corpus format, not read
    seconds: float = 0.0
    interrupted: bool = False

    def add(self, part: Summary) -> None:
        """Add the counts of ``part`` (a file's or a piece's) to this summary."""
        self.articles += part.articles
        self.paragraphs_in += part.paragraphs_in
        self.paragraphs_out += part.paragraphs_out
        self.bytes_in += part.bytes_in
        self.bytes_out += part.bytes_out
        for reason, count in part.dropped.items():
            self.dropped[reason] += count

    def line(self) -> str:
        """Return the one-line summary printed at the end of a run.

        Example:
            >>> Summary(files=1, articles=2, paragraphs_in=4, paragraphs_out=3).line()[:60]
            'dedup: 2 articles in 1 files (0 failed, 0 skipped); paragrap'
        """
        reasons = ", ".join(f"{k} {v}" for k, v in self.dropped.items() if v) or "none"
        ignored = f", {len(self.ignored)} ignored" if self.ignored else ""
        return (
            f"dedup: {self.articles} articles in {self.files} files "
            f"({len(self.failures)} failed, {self.files_skipped} skipped{ignored}); "
            f"paragraphs {self.paragraphs_in} -> {self.paragraphs_out}; "
            f"{self.bytes_in / 1e6:.1f} MB -> {self.bytes_out / 1e6:.1f} MB; "
            f"dropped: {reasons}; {self.seconds:.1f} s"
        )


@contextmanager
def counted_run(
    in_dir: Path,
    out_dir: Path,
    find: Callable[[Path, list[str]], list[Source]],
    *,
    dry_run: bool = False,
) -> Iterator[tuple[Summary, list[Source]]]:
    """Run the body as one corpus run, for either engine: yield its summary and sources.

    ``find`` lists the sources under ``in_dir`` (and the files it ignores,
    into ``summary.ignored``); the partial outputs a killed run left in
    ``out_dir`` are removed first (unless ``dry_run``). Ctrl-C in
    the body ends the run with ``summary.interrupted`` set, and
    ``summary.seconds`` is the whole run's time either way.
    """
    started = time.perf_counter()
    summary = Summary()
    try:
        sources = find(in_dir, summary.ignored)
        summary.files = len(sources)
        if not dry_run:
            remove_partials(out_dir)
        yield summary, sources
    except KeyboardInterrupt:
        summary.interrupted = True
    finally:
        summary.seconds = time.perf_counter() - started
