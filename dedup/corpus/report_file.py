"""The ``--report`` file of a run, for both engines: whole at its final name, or not there.

Its lines are :mod:`dedup.report`'s records (built by
:mod:`dedup.corpus.records`), JSON lines, gzip-compressed when the name ends
in ``.gz`` (each item given to :meth:`ReportFile.write_lines` compressed on
its own, as the gzip outputs are).

It is opened when the run starts (so an unwritable path stops the run before
any work), written to a temporary name beside the final one, and renamed only
when the run ends normally. An interrupted or crashed run deletes it, and one
killed outright leaves a ``*.dedup-partial`` file that the next run with the
same report path deletes. A resumed run writes the whole report again (the
finished files are read, not written), so nothing of an interrupted run's
report is lost.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

from dedup.corpus.records import error_record
from dedup.corpus.writers import OutputFile, remove_stale_partials
from dedup.errors import BadInput, OutputError

__all__ = ["ReportFile"]


class ReportFile:
    """The report of a run at ``path`` (``None``: no report, every call does nothing).

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     with ReportFile(Path(tmp, "r.jsonl")) as report:
        ...         report.write_lines([b'{"path":"a.txt"}\\n'])
        ...     Path(tmp, "r.jsonl").read_text()
        '{"path":"a.txt"}\\n'
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._output: OutputFile | None = None
        if path is None:
            return
        remove_stale_partials(path)
        try:
            self._output = OutputFile(path, "jsonl.gz" if path.name.endswith(".gz") else "jsonl")
        except OSError as error:
            msg = f"report {str(path)!r}: cannot write: {error.strerror or error}"
            raise OutputError(msg) from None

    def __enter__(self) -> ReportFile:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if kind is None:
            self.commit()
        else:
            self.discard()

    def write_lines(self, lines: list[bytes]) -> None:
        """Append report lines (each item: a chunk's lines, each ending with a newline)."""
        if self._output is not None:
            for line in lines:
                self._output.write_bytes(line)

    def write_error(self, error: BadInput) -> None:
        """Append the line of a file that failed."""
        if self._output is not None:
            self._output.write_record(error_record(error))

    def commit(self) -> None:
        """Move the finished report to its final name."""
        if self._output is not None:
            self._output.commit()
            self._output = None

    def discard(self) -> None:
        """Delete the unfinished report."""
        if self._output is not None:
            self._output.discard()
            self._output = None
