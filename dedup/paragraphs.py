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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate, count
from typing import overload

from dedup.config import Split

__all__ = ["Paragraph", "Paragraphs", "render", "split_paragraphs"]

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


class Paragraphs(Sequence[Paragraph]):
    """The paragraphs of one text, kept as two lists; a :class:`Paragraph` is made on access.

    A scraped page can split into hundreds of thousands of paragraphs, and the
    pipeline reads them through ``texts`` and ``starts``; objects are built only
    for the paragraphs a caller looks at. Compares equal to a list of the same
    paragraphs.
    """

    __slots__ = ("_starts", "texts")

    def __init__(self, starts: list[int] | None, texts: list[str]) -> None:
        """``starts=None``: the texts are the lines of the text, each line one paragraph."""
        self._starts = starts
        self.texts = texts

    @property
    def starts(self) -> list[int]:
        """Where each paragraph starts in the text (computed on first use for consecutive lines).

        Most articles lose no paragraph, so :func:`dedup.clean` never asks.
        """
        if self._starts is None:
            starts = list(accumulate(map((1).__add__, map(len, self.texts)), initial=0))
            del starts[-1]
            self._starts = starts
        return self._starts

    def __len__(self) -> int:
        return len(self.texts)

    @overload
    def __getitem__(self, index: int) -> Paragraph: ...

    @overload
    def __getitem__(self, index: slice) -> list[Paragraph]: ...

    def __getitem__(self, index: int | slice) -> Paragraph | list[Paragraph]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self.texts)
        start, text = self.starts[index], self.texts[index]
        return Paragraph(index, start, start + len(text), text)

    def __iter__(self) -> Iterator[Paragraph]:
        ends = map(int.__add__, self.starts, map(len, self.texts))
        return map(Paragraph, count(), self.starts, ends, self.texts)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Paragraphs):
            return self.starts == other.starts and self.texts == other.texts
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]  # mutable lists inside, like a list

    def __repr__(self) -> str:
        return f"Paragraphs({list(self)!r})"


def split_paragraphs(text: str, split: Split = "line") -> Paragraphs:
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
    return Paragraphs([s for s, _ in spans], [text[s:e] for s, e in spans])


def _split_newlines(text: str) -> Paragraphs:
    """``split_paragraphs(text, "line")`` for text whose only line break is ``\\n`` (fast path)."""
    lines = text.split("\n")
    if all(lines) and not any(map(str.isspace, lines)):
        return Paragraphs(None, lines)  # every line a paragraph: starts when asked
    # one start more than lines (the end of the text): zip stops at the last line
    starts = list(accumulate(map((1).__add__, map(len, lines)), initial=0))
    kept = [i for i, line in enumerate(lines) if line and not line.isspace()]
    return Paragraphs([starts[i] for i in kept], [lines[i] for i in kept])


def render(text: str, paragraphs: Sequence[Paragraph], kept: Sequence[bool]) -> str:
    """Rebuild ``text`` from the paragraphs whose ``kept`` flag is true.

    Example:
        >>> text = "A\\n\\nB\\nC"
        >>> render(text, split_paragraphs(text), [True, False, True])
        'A\\n\\nC'
    """
    if not paragraphs or all(kept):
        return text
    if isinstance(paragraphs, Paragraphs):
        starts, texts = paragraphs.starts, paragraphs.texts
    else:
        starts, texts = [p.start for p in paragraphs], [p.text for p in paragraphs]
    survivors = [i for i, keep in enumerate(kept) if keep]
    end = starts[-1] + len(texts[-1])
    if not survivors:
        return text[: starts[0]] + text[end:]
    parts = [text[: starts[0]]]
    parts += [text[starts[i] : starts[i + 1]] for i in survivors[:-1]]
    parts.append(texts[survivors[-1]])
    parts.append(text[end:])
    return "".join(parts)
