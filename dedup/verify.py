"""Candidate pairs -> verified matches: rapidfuzz decides every merge.

A candidate pair of normalized keys ``(short, long)`` is a match when

- the multiset of numbers in ``short`` is contained in that of ``long``
  (``rose 2% to 340p`` never matches ``fell 3% to 310p``), and either
- ``fuzz.ratio`` (normalized Indel similarity) is at least ``min_similarity``:
  the same paragraph with formatting noise or a few characters changed
  (``Match.kind == "near"``), or
- ``short`` (of at least ``min_contained`` characters, as
  :func:`dedup.lengths.text_length` counts them) has at least
  ``min_similarity`` with the start or the end of ``long`` (its first or last
  ``len(short)`` characters): a truncated teaser, or a copy with a short
  fragment appended or prepended (``Match.kind == "contained"``),
- and the words that differ differ only by typos: each word one side lacks
  pairs with a word of the other side within a small Damerau-Levenshtein
  distance. An inserted "not", "safe" for "closed" or "woman" for "man" makes
  two different paragraphs, however similar their characters.

rapidfuzz scores are 0-100; every similarity here is a float in [0, 1].
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from rapidfuzz.distance import DamerauLevenshtein

from dedup.indel import PIECE, distance, ratio
from dedup.lengths import text_length

__all__ = ["Match", "similarity", "verify_pairs"]

_NUMBER = re.compile(r"\d+")
_NONE: Counter[str] = Counter()
# Inserting or deleting one of these reverses a statement ("t" is what is left
# of "n't" once punctuation is folded: "didn't" -> "didn t").
_NEGATIONS = frozenset(
    ("not", "no", "never", "none", "nor", "neither", "nobody", "nothing", "cannot", "t", "without")
)

_PAIRINGS = 4096  # word pairs tried in full when pairing the words two keys do not share
_REACH = 32  # beyond: each word meets this many on each side of its alphabetical place

MatchKind = Literal["near", "contained"]


@dataclass(frozen=True, slots=True)
class Match:
    """A verified near-duplicate pair ``(a, b)``, ``a < b``, and its similarity in [0, 1]."""

    a: int
    b: int
    kind: MatchKind
    similarity: float


def similarity(first: str, second: str) -> float:
    """Return the similarity verification weighs, in [0, 1].

    That is the larger of ``fuzz.ratio`` and the shorter key's ratio with the
    start or the end of the longer one.

    Example:
        >>> similarity("abcd", "abce")
        0.75
        >>> similarity("the start of a story", "the start of a story and its end")
        1.0
    """
    short, long = sorted((first, second), key=lambda key: (len(key), key))
    if not short:
        return ratio(short, long) / 100.0
    edges = max(ratio(short, long[: len(short)]), ratio(short, long[-len(short) :]))
    return max(ratio(short, long), edges) / 100.0


def verify_pairs(
    keys: Sequence[str],
    pairs: Iterable[tuple[int, int]],
    min_similarity: float,
    *,
    min_contained: int = 0,
) -> list[Match]:
    """Return the candidate pairs that rapidfuzz confirms, in input order.

    A teaser or fragment match needs the shorter key to have at least
    ``min_contained`` characters (:func:`dedup.lengths.text_length`).

    Example:
        >>> keys = ["shares rose 2 to 340p today in london",
        ...         "shares fell 3 to 310p today in london",
        ...         "shares rose 2 to 340p today in london read more"]
        >>> [(m.a, m.b, m.kind) for m in verify_pairs(keys, [(0, 1), (0, 2)], 0.9)]
        [(0, 2, 'contained')]
    """
    cutoff = min_similarity * 100.0
    numbers: dict[int, Counter[str]] = {}
    matches: list[Match] = []
    for a, b in pairs:
        first, second = keys[a], keys[b]
        if (len(first), first) > (len(second), second):  # symmetric: short, then long
            a, b = b, a
            first, second = second, first
        short_numbers, long_numbers = _numbers(numbers, a, first), _numbers(numbers, b, second)
        head_only = False
        if not _numbers_fit(short_numbers, long_numbers):
            if not (first[-1:].isdigit() and _cut_number(first, second, short_numbers,
                                                         long_numbers)):
                continue
            head_only = True  # a teaser cut inside its last number ("60" -> "6…")
        match = _verify(first, second, cutoff, min_contained, head_only=head_only)
        if match is not None:
            matches.append(Match(min(a, b), max(a, b), match[0], match[1]))
    return matches


def _numbers(cache: dict[int, Counter[str]], index: int, key: str) -> Counter[str]:
    found = cache.get(index)
    if found is None:
        numbers = _NUMBER.findall(key)
        found = cache[index] = Counter(numbers) if numbers else _NONE
    return found


def _verify(
    short: str, long: str, cutoff: float, min_contained: int, *, head_only: bool = False
) -> tuple[MatchKind, float] | None:
    """Verify ``short`` against ``long`` (``short`` is not the longer one).

    ``head_only``: only ``short`` as the start of ``long`` may match (a teaser).
    """
    score = 0.0 if head_only else ratio(short, long, score_cutoff=cutoff)
    if score and _words_fit(short.split(), long.split()):
        return "near", score / 100.0
    if text_length(short) < min_contained:
        return None
    words = short.split()
    head_window = long[: len(short)]
    head = ratio(short, head_window, score_cutoff=cutoff)
    if head and not _words_fit(words, head_window.split()):
        head = 0.0
    if head_only:
        return ("contained", head / 100.0) if head else None
    tail_window = long[-len(short) :]
    tail = ratio(short, tail_window, score_cutoff=cutoff)
    if tail and not _words_fit(words, tail_window.split()):
        tail = 0.0
    best = max(head, tail)
    return ("contained", best / 100.0) if best else None


def _words_fit(first: list[str], second: list[str]) -> bool:
    """Whether the words of two texts differ only the way copies of one paragraph do.

    Allowed: typos and abbreviations (a word pairs with a word of the other
    text it could be a misspelling of), words run together or split ("sea
    front" / "seafront"), and a few inserted or deleted words, at most one in
    ten; in a long paragraph, also one word per ``_DOUBLE_TYPO_WORDS`` (40), or per
    ``_DOUBLE_TYPO_LONG_WORDS`` (20) when both words have five letters or more,
    two edits off ("oww" for "now": typing noise hits short words twice).
    Refused: a word replaced by a different word ("safe" / "closed",
    "man" / "woman", "Yes" / "No"), and an inserted or deleted negation ("not",
    "never", the "t" of "didn't"): the paragraphs say different things.
    """
    if first == second:
        return True
    counts_first, counts_second = Counter(first), Counter(second)
    differ = {word for word, _ in counts_first.items() ^ counts_second.items()}
    only_first = _missing(counts_first, counts_second, differ)
    only_second = _missing(counts_second, counts_first, differ)
    only_first, only_second = _unsplit(only_first, only_second)
    only_second, only_first = _unsplit(only_second, only_first)
    only_first, only_second = _pair_typos(only_first, only_second)
    if only_first and only_second:
        words = min(len(first), len(second))
        only_first, only_second = _pair_double_typos(
            only_first, only_second, words // _DOUBLE_TYPO_WORDS, words // _DOUBLE_TYPO_LONG_WORDS
        )
    if only_first and only_second:
        return False  # a word was replaced by another
    inserted = only_first or only_second
    if any(word in _NEGATIONS for word in inserted):
        return False
    return len(inserted) <= max(1, min(len(first), len(second)) // 10)


def _missing(counts: Counter[str], other: Counter[str], differ: set[str]) -> list[str]:
    """``list((counts - other).elements())``, looking only at the words whose counts ``differ``.

    The same words in the same order (first occurrence in ``counts``), without
    the Python loop of ``Counter.__sub__`` over the many words both texts share.
    """
    return [word for word in counts if word in differ for _ in range(counts[word] - other[word])]


def _reach(word: str, others: list[str], full: bool) -> range:
    """The words of ``others`` that ``word`` may pair with.

    All of them while the pairs to try are few (``full``: every ordinary
    paragraph). Beyond, ``others`` is sorted and ``word`` meets the ``_REACH``
    words on each side of its own place, its neighbours in alphabetical order
    (where the words it is a prefix or a typo of the end of usually are), so that
    pairing costs ``O(words)`` rather than ``O(words**2)`` on huge paragraphs.
    """
    if full:
        return range(len(others))
    centre = bisect_left(others, word)
    return range(max(0, centre - _REACH), min(len(others), centre + _REACH))


def _prepared(first: list[str], second: list[str]) -> tuple[list[str], list[str], bool]:
    """The two lists as pairing walks them, and whether every pair is tried."""
    full = len(first) * len(second) <= _PAIRINGS
    return (first, second, True) if full else (sorted(first), sorted(second), False)


def _unsplit(joined: list[str], split: list[str]) -> tuple[list[str], list[str]]:
    """Pair words of ``joined`` with two words of ``split`` that run together into them."""
    if not joined or not split:  # nothing to pair: as the loop below leaves them
        return joined, split
    joined, split, full = _prepared(joined, split)
    taken = [False] * len(split)
    places: dict[str, list[int]] = {}
    for n, word in enumerate(split):
        places.setdefault(word, []).append(n)
    kept = []
    for word in joined:
        for n in _reach(word, split, full):
            a = split[n]
            if taken[n] or word == a or not word.startswith(a):
                continue
            other = next((m for m in places.get(word[len(a) :], ()) if m != n and not taken[m]),
                         None)
            if other is not None:
                taken[n] = taken[other] = True
                break
        else:
            kept.append(word)
    return kept, [w for w, used in zip(split, taken, strict=True) if not used]


def _pair_typos(first: list[str], second: list[str]) -> tuple[list[str], list[str]]:
    """Pair words of ``first`` with words of ``second`` they are typos of, as many as can be.

    Each word first takes the first unpaired word it is a typo of. When words are
    left on both sides and every pair may be tried, a maximum matching replaces
    that greedy one: "tha" took "the", which "teh" needed, while "that" waits.
    """
    first, second, full = _prepared(first, second)
    taken = [False] * len(second)
    kept = []
    for word in first:
        for n in _reach(word, second, full):
            if not taken[n] and _typo(word, second[n]):
                taken[n] = True
                break
        else:
            kept.append(word)
    if kept and full and not all(taken):
        return _matched_typos(first, second)
    return kept, [w for w, used in zip(second, taken, strict=True) if not used]


def _matched_typos(first: list[str], second: list[str]) -> tuple[list[str], list[str]]:
    """The words of each side left over by a maximum matching of typo pairs (augmenting paths)."""
    options = [[n for n in range(len(second)) if _typo(word, second[n])] for word in first]
    owner = [-1] * len(second)  # the word of ``first`` each word of ``second`` is paired with

    def augment(m: int, seen: set[int]) -> bool:
        for n in options[m]:
            if n not in seen:
                seen.add(n)
                if owner[n] < 0 or augment(owner[n], seen):
                    owner[n] = m
                    return True
        return False

    paired = {m for m in range(len(first)) if options[m] and augment(m, set())}
    return ([w for m, w in enumerate(first) if m not in paired],
            [w for n, w in enumerate(second) if owner[n] < 0])


_DOUBLE_TYPO_WORDS = 40  # a long paragraph may hold one word with two typos per this many words
_DOUBLE_TYPO_LONG_WORDS = 20  # or per this many, when both words have _LONG_WORD letters or more
_LONG_WORD = 5


def _pair_double_typos(
    first: list[str], second: list[str], budget: int, long_budget: int
) -> tuple[list[str], list[str]]:
    """Pair leftover words two edits apart ("oww" for "now", "agaisr" for "against").

    Up to ``budget`` pairs of words of three letters or more, or up to
    ``long_budget`` pairs when both words have ``_LONG_WORD`` letters or more
    (two edits change a long word less: typing noise hits it twice by chance).
    """
    most = max(budget, long_budget)
    if most <= 0 or len(first) > most or len(second) > most:
        return first, second
    rest = list(second)
    kept = []
    used = 0
    for word in first:
        shortest = 3 if used < budget else _LONG_WORD
        n = next((n for n, other in enumerate(rest) if min(len(word), len(other)) >= shortest
                  and DamerauLevenshtein.distance(word, other, score_cutoff=2) <= 2), None)
        if n is None or used >= most:
            kept.append(word)
        else:
            del rest[n]
            used += 1
    return kept, rest


def _typo(word: str, other: str) -> bool:
    """A misspelling (one edit per four letters) or an abbreviation ("thurs" for "thursday")."""
    shorter, longer = (word, other) if len(word) <= len(other) else (other, word)
    if len(shorter) >= 3 and longer.startswith(shorter):
        return True
    limit = max(1, len(shorter) // 4)
    if len(longer) - len(shorter) > limit:  # each edit changes the length by one at most
        return False
    if len(longer) > PIECE:  # Damerau-Levenshtein is quadratic: bound it by the pieces' Indel
        return distance(word, other) <= limit
    return DamerauLevenshtein.distance(word, other, score_cutoff=limit) <= limit


_CUT_SHIFT = 16  # how far noise may move the cut number in the other key
_CUT_HEAD = 4  # a teaser and its paragraph start alike


def _cut_number(
    short: str, long: str, short_numbers: Counter[str], long_numbers: Counter[str]
) -> bool:
    """Whether ``short`` ends inside a number of ``long``, and its other numbers fit.

    A teaser cut anywhere may stop within a number ("展现风貌。6…" of "…风貌。60年后"):
    its last digits are then the start of a longer number of ``long``, found
    where ``short`` ends (give or take ``_CUT_SHIFT`` characters), and both
    keys start with the same ``_CUT_HEAD`` characters.
    """
    if not short[-1:].isdigit() or long[:_CUT_HEAD] != short[:_CUT_HEAD]:
        return False  # most keys: no number at the end, or another start than a teaser's
    start = len(short) - 1
    while start and short[start - 1].isdigit():  # unspaced scripts join it to a word: "超过3"
        start -= 1
    last = short[start:]
    end = min(len(long) - 1, len(short) + _CUT_SHIFT)
    at = long.find(last, max(0, start - _CUT_SHIFT), end)
    while at >= 0 and (not long[at + len(last)].isdigit() or long[at - 1 : at].isdigit()):
        at = long.find(last, at + 1, end)
    if at < 0:
        return False
    return all(long_numbers[n] >= count - (n == last) for n, count in short_numbers.items())


def _numbers_fit(short: Counter[str], long: Counter[str]) -> bool:
    """Whether every number of the shorter key also occurs (as often) in the longer."""
    return short is _NONE or all(long[number] >= count for number, count in short.items())
