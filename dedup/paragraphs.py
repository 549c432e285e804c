"""Text -> paragraphs, and kept paragraphs -> text.

A paragraph is a span of the input. With ``split="line"`` every line that holds
anything but whitespace is a paragraph; with ``split="blank"`` consecutive such
lines form one paragraph and only whitespace-only lines separate paragraphs.
Line breaks are ``\\n``, ``\\r\\n``, ``\\r``, ``\\v``, ``\\f``, U+0085, U+2028 and U+2029.

Everything between two paragraphs (line breaks, blank lines, lines of spaces)
is their separator. :func:`render` keeps every kept paragraph byte for byte
followed by its own separator; the last kept paragraph is followed by whatever
followed the input's last paragraph, so no trailing newline is added or lost.
Text before the first paragraph is kept as it is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

from dedup.config import Split

__all__ = ["Paragraph", "render", "split_paragraphs"]

_LINE = re.compile(r"[^\n\r\v\f\x85\u2028\u2029]+")
_OTHER_BREAKS = ("\r", "\v", "\f", "\x85", "\u2028", "\u2029")
# With split="blank", lines joined by one of these stay in one paragraph.
_SINGLE_BREAKS = frozenset(("\n", "\r\n", "\r", "\x85", "\u2028"))


@dataclass(slots=True)
class Paragraph:
    """One paragraph: its index in the article and its span ``text[start:end]``.

    Treat it as read-only. It is not frozen because articles have many
    paragraphs and a frozen dataclass is twice as slow to create.
    """

    index: int
    start: int
    end: int
    text: str


def split_paragraphs(text: str, split: Split = "line") -> list[Paragraph]:
    """Split ``text`` into paragraphs (see the module docstring).

    Example:
        >>> [p.text for p in split_paragraphs("One.\\r\\n\\r\\nTwo.\\nThree.")]
        ['One.', 'Two.', 'Three.']
        >>> [p.text for p in split_paragraphs("One\\nstill one.\\n\\nTwo.", "blank")]
        ['One\\nstill one.', 'Two.']
    """
    if split == "line" and not any(brk in text for brk in _OTHER_BREAKS):
        return _split_newlines(text)
    spans: list[tuple[int, int]] = []
    last_end = -1
    for match in _LINE.finditer(text):
        if match.group().isspace():
            last_end = -1
            continue
        start, end = match.span()
        if split == "blank" and last_end >= 0 and text[last_end:start] in _SINGLE_BREAKS:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
        last_end = end
    return [Paragraph(i, s, e, text[s:e]) for i, (s, e) in enumerate(spans)]


def _split_newlines(text: str) -> list[Paragraph]:
    """``split_paragraphs(text, "line")`` for text whose only line break is ``\\n`` (fast path)."""
    lines = text.split("\n")
    # one start more than lines (the end of the text): zip stops at the last line
    starts = accumulate(map((1).__add__, map(len, lines)), initial=0)
    kept = [
        (start, line)
        for start, line in zip(starts, lines, strict=False)
        if line and not line.isspace()
    ]
    return [Paragraph(i, start, start + len(line), line) for i, (start, line) in enumerate(kept)]


def render(text: str, paragraphs: Sequence[Paragraph], kept: Sequence[bool]) -> str:
    """Rebuild ``text`` from the paragraphs whose ``kept`` flag is true.

    Example:
        >>> text = "A\\n\\nB\\nC"
        >>> render(text, split_paragraphs(text), [True, False, True])
        'A\\n\\nC'
    """
    if not paragraphs or all(kept):
        return text
    survivors = [p for p, keep in zip(paragraphs, kept, strict=True) if keep]
    if not survivors:
        return text[: paragraphs[0].start] + text[paragraphs[-1].end :]
    parts = [text[: paragraphs[0].start]]
    for paragraph in survivors[:-1]:
        following = paragraphs[paragraph.index + 1].start
        parts.append(text[paragraph.start : following])
    last = survivors[-1]
    parts.append(last.text)
    parts.append(text[paragraphs[-1].end :])
    return "".join(parts)
