"""A drop carries the similarity it was verified with, in every report that shows it."""

from __future__ import annotations

from unittest import mock

import dedup
from dedup.config import Config
from dedup.corpus.decisions import analyze_article
from dedup.keys import normalize
from dedup.verify import similarity, verify_pairs

SHORT = ("The harbour authority confirmed on Thursday that the northern pier "
         "will close for repairs")
LONG = SHORT + " tomorrow"  # one word added: a near match by ratio, a perfect one by its start
TEXT = f"{SHORT}\nBetween them.\n{LONG}"


def _verified() -> float:
    keys = [normalize(SHORT), normalize(LONG)]
    (match,) = verify_pairs(keys, [(0, 1)], Config().min_similarity)
    assert match.kind == "near"
    return match.similarity


def test_the_verified_similarity_is_not_the_recomputed_one() -> None:
    # the case that tells them apart: the old recomputation took the best of ratio and edges
    assert _verified() < similarity(normalize(SHORT), normalize(LONG)) == 1.0


def test_clean_with_report_carries_the_verified_similarity() -> None:
    (drop,) = dedup.clean_with_report(TEXT).report.dropped
    assert drop.reason is dedup.DropReason.NEAR
    assert drop.similarity == _verified()


def test_corpus_analysis_carries_it_without_computing_it_again() -> None:
    with mock.patch("dedup.decide.similarity", side_effect=AssertionError("recomputed")):
        analysis = analyze_article(TEXT, Config())
    (drop,) = analysis.drops.values()
    assert drop.similarity == _verified()


def test_exact_copies_have_similarity_one() -> None:
    text = f"{SHORT}\nBetween them.\n{SHORT.upper()}"
    (drop,) = dedup.clean_with_report(text).report.dropped
    assert (drop.reason, drop.similarity) == (dedup.DropReason.EXACT, 1.0)


def test_a_drop_re_pointed_to_a_new_kept_copy_gets_that_copys_similarity() -> None:
    from dedup.decide import Drop, add_drop, key_similarity
    from dedup.report import DropReason
    from dedup.verify import similarity

    keys = ["the ferry leaves at nine from the quay",
            "the ferry leaves at nine from the old quay",
            "the ferry leaves at ten from the north quay"]
    drops = {2: Drop(1, DropReason.NEAR, None, similarity(keys[2], keys[1]))}
    add_drop(drops, 1, Drop(0, DropReason.NEAR, None, 0.97), keys)
    assert drops[1].similarity == 0.97  # the rule's own score, kept
    assert drops[2].duplicate_of == 0
    assert drops[2].similarity == key_similarity(keys, 2, 0) == similarity(keys[2], keys[0])
    assert drops[2].similarity != 1.0
