"""dedup.verify: rapidfuzz decides which candidate pairs are near duplicates."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dedup.keys import normalize
from dedup.verify import Match, similarity, verify_pairs
from tests.strategies import sentence

FULL = normalize(
    "The harbour authority confirmed on Thursday that the northern pier will close for "
    "repairs until the spring."
)


def verify(first: str, second: str, min_similarity: float = 0.9) -> Match | None:
    matches = verify_pairs([normalize(first), normalize(second)], [(0, 1)], min_similarity)
    return matches[0] if matches else None


def test_similarity_is_a_fraction():
    assert similarity("abcd", "abcd") == 1.0
    assert similarity("abcd", "wxyz") == 0.0
    assert similarity("abcd", "abce") == 0.75


def test_typo_is_near():
    match = verify(FULL, FULL.replace("repairs", "repiars"))
    assert match is not None
    assert match.kind == "near"
    assert 0.9 <= match.similarity < 1.0


def test_teaser_is_contained():
    match = verify(FULL[:60], FULL)
    assert match is not None
    assert match.kind == "contained"
    assert match.similarity >= 0.9


def test_appended_and_prepended_fragments_are_contained():
    for noisy in (f"{FULL} read more about the harbour closure here", f"update two {FULL}"):
        match = verify(noisy, FULL)
        assert match is not None
        assert match.kind in {"near", "contained"}


def test_fragment_from_the_middle_is_not_a_match():
    middle = FULL[30:75]
    assert verify(middle, FULL) is None


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Shares in Northwind Mining rose 2% to 340p in early trading after the forecast.",
         "Shares in Northwind Mining fell 3% to 310p in early trading after the forecast."),
        ("Shares in Northwind Mining rose 2% to 340p in early trading after the forecast.",
         "Shares in Northwind Mining rose 2% to 341p in early trading after the forecast."),
        ("The match ended 2-1 after a late goal from the visiting side in the second half.",
         "The match ended 1-1 after a late goal from the visiting side in the second half."),
        ("Rain is expected across the north on Monday with highs of 12C and winds of 30mph.",
         "Rain is expected across the north on Monday with highs of 12C and winds of 35mph."),
    ],
)
def test_different_numbers_never_match(first, second):
    assert verify(first, second, 0.5) is None


def test_numbers_of_the_short_must_be_in_the_long():
    long = "In 2024 the council spent 340 million on 12 new schools and 3 libraries in the city."
    assert verify(long[:50], long) is not None  # the teaser's numbers are all in the long one
    assert verify(long[:50].replace("340", "430"), long, 0.5) is None


def test_unrelated_text_does_not_match():
    other = "Engineers found cracks in three of the concrete supports last month."
    assert verify(FULL, other) is None


def test_min_similarity_one_needs_identical_keys():
    assert verify(FULL, FULL, 1.0) is not None
    assert verify(FULL, FULL.replace("northern", "nothern"), 1.0) is None


def test_pairs_keep_their_input_order():
    keys = [FULL, FULL, FULL]
    assert [(m.a, m.b) for m in verify_pairs(keys, [(1, 2), (0, 2), (0, 1)], 0.9)] == [
        (1, 2), (0, 2), (0, 1)
    ]


@given(sentence(min_words=5), sentence(min_words=5), st.floats(0.5, 1.0))
def test_verification_is_symmetric(first, second, min_similarity):
    keys = [normalize(first), normalize(second)]
    forward = verify_pairs(keys, [(0, 1)], min_similarity)
    backward = verify_pairs(keys[::-1], [(0, 1)], min_similarity)
    assert [(m.kind, m.similarity) for m in forward] == [(m.kind, m.similarity) for m in backward]
    for match in forward:
        assert min_similarity <= match.similarity <= 1.0


@given(sentence(min_words=5))
def test_a_key_matches_itself(text):
    key = normalize(text)
    assert verify_pairs([key, key], [(0, 1)], 0.9) == [Match(0, 1, "near", 1.0)]
