"""What a batch run did: counts in and out, drops by reason, failures, time.

``files_skipped`` counts the finished outputs a resumed run kept; ``ignored``
names the files of no corpus format, ``unread`` the corpus files passed over
(not regular files, links out of the corpus) and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dedup.corpus.decisions import REASONS
from dedup.corpus.readers import Skipped
from dedup.errors import BadInput

__all__ = ["Summary"]


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
    unread: list[Skipped] = field(default_factory=list)  # corpus files passed over, and why
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
        if self.unread:
            ignored += f", {len(self.unread)} not read"
        return (
            f"dedup: {self.articles} articles in {self.files} files "
            f"({len(self.failures)} failed, {self.files_skipped} skipped{ignored}); "
            f"paragraphs {self.paragraphs_in} -> {self.paragraphs_out}; "
            f"{self.bytes_in / 1e6:.1f} MB -> {self.bytes_out / 1e6:.1f} MB; "
            f"dropped: {reasons}; {self.seconds:.1f} s"
        )
