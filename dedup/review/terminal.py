"""Report -> the article in a terminal, removed paragraphs marked.

On a terminal, removed paragraphs are struck through and dimmed in the color of
their reason, followed by a line naming the kept copy and the similarity; a
kept paragraph that others duplicate gets its number in the margin. Elsewhere
(a pipe, a file, ``--no-color`` consoles) the same view is plain text:
``[-exact dup of #3 (sim 0.97)] text`` for a removed paragraph and
``[#3] text`` for a kept copy that others duplicate. Either way control
characters of the article (escape sequences, OSC 8 links) are shown escaped
(:func:`dedup.printable.printable`), never passed to the terminal.
"""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from dedup.printable import printable
from dedup.report import Decision, Report
from dedup.review.html import reason_color, reason_label

__all__ = ["marker", "print_diff"]


def marker(decision: Decision) -> str:
    """Return the plain-text marker of a removed paragraph.

    Example:
        >>> from dedup.report import DropReason
        >>> marker(Decision(5, 0, 1, "x", False, DropReason.EXACT, 3, 0.97))
        '[-exact dup of #3 (sim 0.97)]'
        >>> marker(Decision(6, 0, 1, "x", False, DropReason.REPEATED_BLOCK, 2, 1.0, 0))
        '[-repeated block dup of #2 (sim 1.00), block 0]'
    """
    return f"[-{_explain(decision)}]"


def _explain(decision: Decision) -> str:
    """Why a paragraph went: "exact dup of #3 (sim 0.97), block 0"."""
    words = reason_label(decision.reason.value if decision.reason else None)
    if decision.duplicate_of is not None:
        words += f" dup of #{decision.duplicate_of}"
    if decision.similarity is not None:
        words += f" (sim {decision.similarity:.2f})"
    if decision.block is not None:
        words += f", block {decision.block}"
    return words


def print_diff(report: Report, console: Console, *, width: int = 100) -> None:
    r"""Print the article with its removed paragraphs marked.

    Args:
        report: The report of one article.
        console: Where to print. Styles are used when it is a terminal;
            otherwise plain markers are printed.
        width: Longest quote of a kept copy, in characters, on a terminal.

    Example:
        >>> import io
        >>> from dedup import clean_with_report
        >>> out = io.StringIO()
        >>> text = "Hello there, world.\nHello there, world."
        >>> report = clean_with_report(text, min_length=5).report
        >>> print_diff(report, Console(file=out))
        >>> print(out.getvalue(), end="")
        [#0] Hello there, world.
        [-exact dup of #0 (sim 1.00)] Hello there, world.
    """
    sources = {d.duplicate_of for d in report.dropped}
    by_index = {d.index: d for d in report.decisions}
    styled = console.is_terminal and console.color_system is not None
    for d in report.decisions:
        if styled:
            console.print(_styled(d, d.index in sources, by_index, width), soft_wrap=True)
        elif d.kept:
            prefix = f"[#{d.index}] " if d.index in sources else ""
            console.print(prefix + printable(d.text), markup=False, highlight=False,
                          soft_wrap=True)
        else:
            console.print(f"{marker(d)} {printable(d.text)}", markup=False, highlight=False,
                          soft_wrap=True)
    dropped = len(report.dropped)
    summary = f"{dropped} of {len(report.decisions)} paragraphs removed"
    if styled:
        console.print(Text(summary, style="bold"))


def _styled(d: Decision, is_source: bool, by_index: dict[int, Decision], width: int) -> Text:
    if d.kept:
        text = Text()
        text.append(f"#{d.index:<3} " if is_source else "     ", style="green")
        text.append(printable(d.text))
        return text
    reason = d.reason.value if d.reason else None
    color = reason_color(reason)
    text = Text()
    text.append("-    ", style=f"bold {color}")
    text.append(printable(d.text), style=f"strike dim {color}")
    why = f"\n     ↳ {_explain(d)}"
    kept = by_index.get(d.duplicate_of) if d.duplicate_of is not None else None
    if kept is not None:
        shown = printable(kept.text)
        quote = shown if len(shown) <= width else shown[: width - 1] + "…"
        why += f": “{quote}”"
    text.append(why, style=color)
    return text
