"""The progress display of a corpus run, for both engines: a stage, then bars of bytes read.

:class:`RunProgress` draws nothing unless asked to (``show``), so the engines
call it unconditionally. A bar counts the input bytes of the files a pass
reads (each chunk reports how far into its file it got) and the articles done;
a stage is a bar without a total whose name changes (the Ray engine's steps).
"""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from dedup.corpus.readers import Source

__all__ = ["RunProgress", "progress_bar"]


def progress_bar(console: Console) -> Progress:
    """The progress bar of a batch run: articles, MB, rate and time left."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[articles]} articles"),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    )


class RunProgress:
    """The progress of one run on ``console`` (shown only if ``show``).

    Example:
        >>> with RunProgress(None, show=False) as progress:
        ...     task = progress.task("cleaning", [])
        ...     progress.advance(task, "a.txt", 10, articles=1)
        >>> task is None
        True
    """

    def __init__(self, console: Console | None, *, show: bool) -> None:
        self.bar = progress_bar(console or Console(stderr=True)) if show else None
        self._done: dict[TaskID, dict[str, int]] = {}
        self._stage: TaskID | None = None

    def __enter__(self) -> RunProgress:
        if self.bar is not None:
            self.bar.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.bar is not None:
            self.bar.stop()

    def task(self, description: str, sources: list[Source]) -> TaskID | None:
        """Start a bar over the bytes of ``sources``; ``None`` when nothing is shown."""
        if self.bar is None:
            return None
        task = self.bar.add_task(description, total=sum(s.size for s in sources), articles=0)
        self._done[task] = {}
        return task

    def advance(self, task: TaskID | None, relative: str, consumed: int, *,
                articles: int) -> None:
        """Record that file ``relative`` was read up to byte ``consumed``, and ``articles`` more."""
        if self.bar is None or task is None:
            return
        done = self._done[task]
        step = consumed - done.get(relative, 0)
        done[relative] = consumed
        fields = self.bar.tasks[[t.id for t in self.bar.tasks].index(task)].fields
        self.bar.update(task, advance=step, articles=fields["articles"] + articles)

    def stage(self, name: str) -> None:
        """Show the step a run is in (one line whose name changes)."""
        if self.bar is None:
            return
        if self._stage is None:
            self._stage = self.bar.add_task(name, total=None, articles=0)
        else:
            self.bar.update(self._stage, description=name)
