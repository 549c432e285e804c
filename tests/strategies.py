"""Shared Hypothesis strategies: paragraphs, separators and whole articles.

All text is generated here; no article text from elsewhere is used.
"""

from __future__ import annotations

from hypothesis import strategies as st

# Line breaks the splitter must handle (STYLE.md §8), and separators built from them.
LINE_BREAKS = ("\n", "\r\n", "\r", "\u2028", "\u2029", "\x85", "\v", "\f")
SEPARATORS = st.one_of(
    st.sampled_from(LINE_BREAKS),
    st.lists(st.sampled_from(["\n", "\r\n", "\n \t\n", "\n\n", "\u2029", " \n"]), min_size=1,
             max_size=3).map("".join),
)
# Separators that end a paragraph with split="blank" too.
BLANK_SEPARATORS = st.sampled_from(["\n\n", "\r\n\r\n", "\n \t\n", "\u2029", "\n\n\n", "\r\r"])

# Disjoint alphabets: two paragraphs written with different ones share no
# word, no shingle, no character of their keys, so they can never match.
# Every alphabet is lowercase (casefold leaves it alone) and has no combining
# marks, digits or final forms that NFKC or casefold would merge.
ALPHABETS = (
    "abcdefghijklm",
    "nopqrstuvwxyz",
    "αβγδεζηθικλμ",
    "νξοπρστυφχψω",
    "абвгдежзийклм",
    "нопрстуфхцчшщ",
    "աբգդեզէըթժիլխ",
    "ծկհձղճմյնշոչպ",
    "აბგდევზთიკლმნ",
    "ოპჟრსტუფქღყშჩ",
    "אבגדהוזחטיכלמ",
    "נסעפצקרשת",
)

# Letters with marks, entities, curly quotes, symbols: noise that keys fold away.
PUNCTUATION = st.sampled_from([",", ".", "!", "?", ";", ":", " -", " —", "’s", "…"])


def words(alphabet: str, *, min_size: int = 1, max_size: int = 9) -> st.SearchStrategy[str]:
    """One word spelled with ``alphabet``."""
    return st.text(st.sampled_from(alphabet), min_size=min_size, max_size=max_size)


@st.composite
def disjoint_paragraph(draw: st.DrawFn, alphabet: str, *, long: bool = True) -> str:
    """A one-line paragraph made only of words from ``alphabet``.

    With ``long=True`` its key has at least 60 characters and 8 words, so it
    is long enough to be dropped when it has a copy.
    """
    count = draw(st.integers(8, 16) if long else st.integers(1, 4))
    text = " ".join(draw(st.lists(words(alphabet, min_size=3 if long else 1), min_size=count,
                                  max_size=count)))
    while long and len(text) < 60:
        text += " " + draw(words(alphabet, min_size=8))
    return text.capitalize() + draw(st.sampled_from(["", ".", "!", "?"]))


@st.composite
def disjoint_paragraphs(
    draw: st.DrawFn, *, min_size: int = 1, max_size: int = len(ALPHABETS), long: bool = True
) -> list[str]:
    """Distinct paragraphs whose vocabularies are pairwise disjoint."""
    alphabets = draw(st.lists(st.sampled_from(ALPHABETS), min_size=min_size, max_size=max_size,
                              unique=True))
    return [draw(disjoint_paragraph(a, long=long)) for a in alphabets]


# Words for realistic English-like text, written for these tests.
VOCABULARY = (
    "the", "council", "harbour", "pier", "bridge", "repairs", "engineers", "found", "cracks",
    "concrete", "supports", "inspection", "month", "boats", "moor", "basin", "traders",
    "visitors", "decision", "structure", "cost", "fund", "regional", "mayor", "said", "on",
    "tuesday", "spring", "winter", "storms", "week", "plan", "budget", "vote", "debate", "school",
    "library", "road", "traffic", "river", "flood", "rain", "water", "station", "train", "line",
    "closed", "open", "new", "old", "local", "national", "minister", "report", "figures", "rose",
    "fell", "shares", "percent", "company", "workers", "union", "strike", "talks", "agreement",
    "north", "south", "east", "west", "city", "town", "village",
)


@st.composite
def sentence(draw: st.DrawFn, *, min_words: int = 3, max_words: int = 25) -> str:
    """An English-like sentence from :data:`VOCABULARY`, maybe with a number."""
    chosen = draw(st.lists(st.sampled_from(VOCABULARY), min_size=min_words, max_size=max_words))
    if draw(st.booleans()):
        position = draw(st.integers(0, len(chosen)))
        chosen.insert(position, str(draw(st.integers(0, 999))))
    return " ".join(chosen).capitalize() + draw(st.sampled_from([".", "!", "?", ":", ""]))


def line_text(**kwargs: object) -> st.SearchStrategy[str]:
    """Arbitrary text without line breaks and with at least one visible character."""
    alphabet = st.characters(exclude_characters="".join(LINE_BREAKS) + "\x1c\x1d\x1e")
    return st.text(alphabet, min_size=1, **kwargs).filter(lambda s: not s.isspace())  # type: ignore[arg-type]


def join(paragraphs: list[str], separators: list[str]) -> str:
    """Join paragraphs with the given separators (cycled if too few)."""
    if not paragraphs:
        return ""
    parts = [paragraphs[0]]
    for n, paragraph in enumerate(paragraphs[1:]):
        parts.append(separators[n % len(separators)] if separators else "\n")
        parts.append(paragraph)
    return "".join(parts)


@st.composite
def noisy_copy(draw: st.DrawFn, paragraph: str) -> str:
    """A copy of ``paragraph`` with formatting noise, an edit, a cut, or a suffix."""
    kind = draw(st.sampled_from(["exact", "spaces", "quotes", "entity", "typo", "cut",
                                 "read more", "upper"]))
    if kind == "spaces":
        return paragraph.replace(" ", "  ") + " "
    if kind == "quotes":
        return f"“{paragraph}”"
    if kind == "entity":
        return paragraph.replace(" ", " &amp; ", 1)
    if kind == "typo" and len(paragraph) > 10:
        position = draw(st.integers(1, len(paragraph) - 2))
        return paragraph[:position] + paragraph[position + 1 :]
    if kind == "cut" and len(paragraph) > 20:
        return paragraph[: draw(st.integers(len(paragraph) // 2, len(paragraph) - 1))] + "…"
    if kind == "read more":
        return paragraph + " Read more"
    if kind == "upper":
        return paragraph.upper()
    return paragraph


@st.composite
def articles(draw: st.DrawFn, *, max_paragraphs: int = 12) -> str:
    """Articles with exact, noisy and block copies of English-like paragraphs."""
    pool = draw(st.lists(sentence(), min_size=1, max_size=6))
    pool += draw(st.lists(st.sampled_from(["* * *", "Read more", "Advertisement", "1-0", ""]),
                          max_size=2))
    pool = [p for p in pool if p.strip()] or ["Only one paragraph here."]
    count = draw(st.integers(1, max_paragraphs))
    paragraphs = []
    for _ in range(count):
        base = draw(st.sampled_from(pool))
        paragraphs.append(draw(noisy_copy(base)))
    if len(paragraphs) > 2 and draw(st.booleans()):  # repeat a run: a block copy
        start = draw(st.integers(0, len(paragraphs) - 2))
        stop = draw(st.integers(start + 1, len(paragraphs)))
        paragraphs += paragraphs[start:stop]
    separators = draw(st.lists(SEPARATORS, min_size=1, max_size=3))
    return join([p for p in paragraphs if p.strip()], separators)


# Arbitrary text: every code point, lone surrogates and NULs included.
ANY_TEXT = st.text(st.characters(exclude_categories=()))
