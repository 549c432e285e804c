"""dedup.clean and clean_with_report: golden cases, options, errors, the report."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

import dedup
from dedup import Config, ConfigError, DedupError, DropReason, InputError

pytestmark = pytest.mark.usefixtures("kernel_path")  # both paths, one contract

CASES_DIR = Path(__file__).parent / "cases"
CASES = [
    case
    for path in sorted(CASES_DIR.glob("*.json"))
    for case in json.loads(path.read_text(encoding="utf-8"))
]

A = "The harbour authority confirmed on Thursday that the northern pier will close for repairs."
B = "Engineers found cracks in three of the concrete supports during a routine inspection."
C = "Fishing boats that normally moor at the pier will be moved to the eastern basin for now."


def test_cases_are_well_formed():
    labels = [case["label"] for case in CASES]
    assert len(labels) == len(set(labels))
    for case in CASES:
        assert set(case) == {"label", "input", "expected", "keep", "comment"}
        assert case["keep"] in {"best", "first", "last"}
        assert case["comment"]


@pytest.mark.parametrize("candidates", ["lsh", "all_pairs"])
@pytest.mark.parametrize("case", CASES, ids=[case["label"] for case in CASES])
def test_golden(case, candidates):
    assert dedup.clean(case["input"], keep=case["keep"], candidates=candidates) == case["expected"]


@pytest.mark.parametrize("case", CASES, ids=[case["label"] for case in CASES])
def test_golden_report_matches_text(case):
    result = dedup.clean_with_report(case["input"], keep=case["keep"])
    assert result.text == case["expected"]
    kept = [d.text for d in result.report.decisions if d.kept]
    assert kept == [d.text for d in dedup.clean_with_report(result.text).report.decisions]


@pytest.mark.parametrize("keep", ["best", "first"])
def test_shared_double_capture_example(shared_examples, keep):
    text = (shared_examples / "double-capture.txt").read_bytes().decode("utf-8")
    expected = (shared_examples / f"double-capture.{keep}.txt").read_bytes().decode("utf-8")
    assert dedup.clean(text, keep=keep) == expected


# --- the report ----------------------------------------------------------------------------


def test_report_of_a_double_capture():
    text = "\n".join([A, B, C, A, B, C])
    report = dedup.clean_with_report(text).report
    assert [d.kept for d in report.decisions] == [True, True, True, False, False, False]
    dropped = report.dropped
    assert [d.reason for d in dropped] == [DropReason.REPEATED_BLOCK] * 3
    assert [d.duplicate_of for d in dropped] == [0, 1, 2]
    assert [d.similarity for d in dropped] == [1.0, 1.0, 1.0]
    assert {d.block for d in dropped} == {0}
    assert report.counts() == {
        "paragraphs": 6, "kept": 3, "dropped": 3, "exact": 0, "near": 0, "repeated_block": 3
    }


def test_report_spans_and_kept_fields():
    text = f"{A}\r\n\r\n{B}\n{A}"
    report = dedup.clean_with_report(text).report
    for d in report.decisions:
        assert text[d.start : d.end] == d.text
    first, second, third = report.decisions
    assert (first.kept, first.reason, first.duplicate_of, first.similarity, first.block) == (
        True, None, None, None, None
    )
    assert (third.kept, third.reason, third.duplicate_of, third.similarity) == (
        False, DropReason.EXACT, 0, 1.0
    )
    assert second.kept


def test_report_near_duplicate_has_similarity_below_one():
    noisy = A.replace("repairs", "repiars")
    report = dedup.clean_with_report(f"{A}\n{B}\n{noisy}").report
    drop = report.decisions[2]
    assert drop.reason is DropReason.NEAR
    assert drop.duplicate_of == 0
    assert 0.9 <= drop.similarity < 1.0


def test_report_to_dict_is_json_ready():
    report = dedup.clean_with_report(f"{A}\n{B}\n{A}").report
    data = report.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["counts"]["dropped"] == 1
    assert data["paragraphs"][2]["reason"] == "exact"
    assert data["paragraphs"][2]["duplicate_of"] == 0


def test_report_of_empty_text():
    result = dedup.clean_with_report("")
    assert result.text == ""
    assert result.report.decisions == ()
    assert result.report.counts()["paragraphs"] == 0


# --- options -------------------------------------------------------------------------------


@pytest.mark.parametrize(("keep", "kept"), [("first", [0, 1]), ("last", [1, 2]), ("best", [0, 1])])
def test_keep_policies(keep, kept):
    text = "\n".join([A, B, A])
    report = dedup.clean_with_report(text, keep=keep).report
    assert [d.index for d in report.decisions if d.kept] == kept


def test_min_length_protects_short_repeats():
    short = "The pier is closed for repairs until spring."  # 44 characters
    text = "\n".join([short, B, short])
    assert dedup.clean(text) == text
    assert dedup.clean(text, min_length=10) == f"{short}\n{B}"


def test_min_similarity_controls_near_matches():
    noisy = A.replace("Thursday", "Thurs")
    text = f"{A}\n{B}\n{noisy}"
    assert dedup.clean(text, min_similarity=0.9) == f"{A}\n{B}"
    assert dedup.clean(text, min_similarity=1.0) == text


def test_split_blank_joins_wrapped_lines():
    wrapped = (
        "The harbour authority confirmed on Thursday\n"
        "that the northern pier will close for repairs."
    )
    text = f"{wrapped}\n\n{B}\n\n{wrapped}\n"
    assert dedup.clean(text, split="blank") == f"{wrapped}\n\n{B}\n"


def test_config_and_keywords():
    text = "\n".join([A, B, A])
    config = Config(keep="last")
    assert dedup.clean(text, config=config) == f"{B}\n{A}"
    assert dedup.clean(text, config=config, keep="first") == f"{A}\n{B}"
    assert config.keep == "last"  # keywords never change the config passed in


def test_config_is_frozen_and_replaceable():
    config = Config()
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.keep = "first"  # type: ignore[misc]
    assert dataclasses.replace(config, num_perm=64, bands=16).rows == 4


# --- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [b"bytes", bytearray(b"bytes"), memoryview(b"bytes")])
def test_bytes_input_says_decode(value):
    with pytest.raises(InputError, match="decode"):
        dedup.clean(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [None, 42, ["a list"], 3.5])
def test_non_str_input(value):
    with pytest.raises(InputError, match="must be str") as info:
        dedup.clean_with_report(value)  # type: ignore[arg-type]
    assert type(value).__name__ in str(info.value)
    assert isinstance(info.value, TypeError)
    assert isinstance(info.value, DedupError)


def test_config_of_wrong_type():
    with pytest.raises(InputError, match="config"):
        dedup.clean("text", config={"keep": "first"})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("options", "name"),
    [
        ({"keep": "middle"}, "keep"),
        ({"keep": "FIRST"}, "keep"),
        ({"split": "sentence"}, "split"),
        ({"candidates": "minhash"}, "candidates"),
        ({"min_length": -1}, "min_length"),
        ({"min_length": 2.5}, "min_length"),
        ({"min_length": True}, "min_length"),
        ({"min_similarity": 1.5}, "min_similarity"),
        ({"min_similarity": 0}, "min_similarity"),
        ({"min_similarity": -0.1}, "min_similarity"),
        ({"min_similarity": "high"}, "min_similarity"),
        ({"min_similarity": float("nan")}, "min_similarity"),
    ],
)
def test_invalid_options_name_the_option(options, name):
    with pytest.raises(ConfigError, match=name) as info:
        dedup.clean("Some text.", **options)
    assert repr(next(iter(options.values()))) in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("fields", "name"),
    [
        ({"num_perm": 30, "bands": 8}, "num_perm"),
        ({"bands": 0}, "bands"),
        ({"shingle_size": 0}, "shingle_size"),
        ({"min_words": 0}, "min_words"),
        ({"max_block_gap": -1}, "max_block_gap"),
        ({"seed": -1}, "seed"),
        ({"seed": "1"}, "seed"),
    ],
)
def test_invalid_config_fields(fields, name):
    with pytest.raises(ConfigError, match=name):
        Config(**fields)


def test_public_api():
    assert sorted(dedup.__all__) == dedup.__all__
    for name in dedup.__all__:
        assert hasattr(dedup, name)
    assert isinstance(dedup.__version__, str)


@pytest.mark.parametrize("entity", ["&#10;", "&#x0a;", "&NewLine;"])
def test_entity_newline_in_a_paragraph(entity):
    # Regression: a key holding a newline shifted every later paragraph's shingles (crash).
    text = f"One{entity}two three four five six seven\n{A}\n{A}"
    assert dedup.clean(text) == f"One{entity}two three four five six seven\n{A}"
