r"""Text as it may be shown on a terminal: control characters made visible.

An article or a file name can hold escape sequences (``ESC [ ... m`` colors,
OSC 8 links, a title change, a cursor move) that a terminal would obey. Every
text dedup shows on a terminal (the ``--diff`` view, file names and messages
on stderr) goes through :func:`printable` first; the cleaned text written to
stdout or to output files is never changed.
"""

from __future__ import annotations

import re

__all__ = ["printable"]

# C0 controls but tab and line feed, a carriage return not followed by a line
# feed, DEL, C1 controls, and the bidirectional overrides and isolates, which
# reorder what follows them on screen.
_CONTROL = re.compile("[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]|\r(?!\n)")


def printable(text: str) -> str:
    r"""Return ``text`` with every control character shown as a ``\xNN`` or ``\uNNNN`` escape.

    Example:
        >>> printable("a\x1b]8;;http://x\x07link\x1b]8;;\x07 b\tc\n")
        'a\\x1b]8;;http://x\\x07link\\x1b]8;;\\x07 b\tc\n'
    """
    if text.isprintable():
        return text
    return _CONTROL.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
