"""The cost of verifying a pair is bounded: linear in its length, not quadratic.

No timing: what is checked is what reaches rapidfuzz (whose cost is the product
of the lengths it compares) and how many word pairings are tried.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz
from rapidfuzz.distance import DamerauLevenshtein, Indel

from dedup import indel, verify
from dedup.verify import similarity, verify_pairs


def _text(size: int, seed: int, vocabulary: int = 3000, spaces: bool = True) -> str:
    rng = random.Random(seed)
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9)))
             for _ in range(vocabulary)]
    out: list[str] = []
    length = 0
    while length < size:
        word = rng.choice(words)
        out.append(word)
        length += len(word) + 1
    return (" " if spaces else "").join(out)


def _edited(text: str, every: int, seed: int) -> str:
    """A copy with one word in ``every`` misspelled (a letter no word has appended)."""
    words = text.split(" ")
    for n in range(seed % every, len(words), every):
        words[n] += "Q"
    return " ".join(words)


class Calls:
    """What reached rapidfuzz: the lengths of every pair of strings compared."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.sizes: list[tuple[int, int]] = []
        self.typos = 0
        for owner, name in ((fuzz, "ratio"), (Indel, "distance")):
            monkeypatch.setattr(owner, name, self._recording(getattr(owner, name)))
        damerau = DamerauLevenshtein.distance

        def counted(a: str, b: str, **kwargs: object) -> object:
            self.typos += 1
            self.sizes.append((len(a), len(b)))
            return damerau(a, b, **kwargs)

        monkeypatch.setattr(DamerauLevenshtein, "distance", counted)

    def _recording(self, function):  # type: ignore[no-untyped-def]
        def recorded(a: str, b: str, **kwargs: object) -> object:
            self.sizes.append((len(a), len(b)))
            return function(a, b, **kwargs)

        return recorded

    @property
    def work(self) -> int:
        """The cost rapidfuzz was asked for: the sum of the products of the lengths."""
        return sum(a * b for a, b in self.sizes)


@pytest.mark.parametrize(
    "long",
    [
        pytest.param(_text(400_000, 1), id="prose"),
        pytest.param(_text(400_000, 2, vocabulary=40), id="forty-words"),
        pytest.param(_text(200_000, 3, spaces=False), id="no-spaces"),
        pytest.param("ab " * 130_000, id="periodic"),
    ],
)
def test_a_huge_pair_costs_linear_work(monkeypatch: pytest.MonkeyPatch, long: str) -> None:
    near = _edited(long, 500, 1) if " " in long else long[:1000] + "x" + long[1000:]
    calls = Calls(monkeypatch)
    verify_pairs([near, long], [(0, 1)], 0.9, min_contained=1)
    similarity(near, long)
    total = len(near) + len(long)
    assert calls.sizes, "rapidfuzz was never asked"
    assert max(max(pair) for pair in calls.sizes) <= indel.PIECE
    # at most six comparisons of the pair (verify's three, similarity's three),
    # each in pieces of at most PIECE characters a side
    assert calls.work <= 6 * total * indel.PIECE


def test_huge_near_copies_still_match() -> None:
    long = _text(300_000, 4)
    near = _edited(long, 400, 2)
    matches = verify_pairs([near, long], [(0, 1)], 0.9)
    assert [(m.a, m.b, m.kind) for m in matches] == [(0, 1, "near")]
    exact = fuzz.ratio(near, long) / 100.0
    assert matches[0].similarity == pytest.approx(exact, abs=1e-4)
    assert similarity(long, long[: len(long) // 2]) == 1.0  # a teaser of half of it


def test_word_pairing_is_bounded_on_huge_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Thousands of misspelled words: each meets a bounded number of candidates."""
    long = _text(400_000, 5, vocabulary=60_000)
    near = _edited(long, 20, 3)  # about 3,000 misspelled words
    calls = Calls(monkeypatch)
    fits = verify._words_fit(near.split(), long.split())
    differing = len(set(near.split()) ^ set(long.split()))
    assert fits
    assert calls.typos <= 2 * verify._REACH * differing


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32), st.integers(1, 50), st.sampled_from([5000, 9000, 12000]))
def test_piecewise_distance_is_never_below_the_exact_one(seed: int, every: int, size: int) -> None:
    """Pieces are a valid alignment: a long pair is never called more similar than it is."""
    rng = random.Random(seed)
    first = _text(size, seed % 7, vocabulary=rng.choice([30, 3000]))
    second = _edited(first, every, seed)
    if seed % 3 == 0:
        cut = rng.randrange(len(second))
        second = second[:cut] + _text(rng.randint(1, 3000), seed) + second[cut:]
    exact = Indel.distance(first, second)
    assert indel.distance(first, second) >= exact
    assert indel.ratio(first, second) <= fuzz.ratio(first, second) + 1e-9


@given(st.text(max_size=60), st.text(max_size=60))
def test_short_texts_get_rapidfuzz_exact_ratio(first: str, second: str) -> None:
    assert indel.ratio(first, second) == fuzz.ratio(first, second)
    assert indel.distance(first, second) == Indel.distance(first, second)


def test_near_identical_long_pairs_get_the_exact_distance() -> None:
    first = _text(50_000, 6)
    second = _edited(first, 300, 4)
    assert indel.distance(first, second) == Indel.distance(first, second)
