"""Shapes: lines with other numbers, dates or times share one; long prose has none."""

from __future__ import annotations

import xxhash
from hypothesis import given
from hypothesis import strategies as st

from dedup.corpus.shapes import DATE_WORDS, SHAPE_LENGTH, SHAPE_SEED, shape_of, shape_prints

WORDS = st.sampled_from([*sorted(DATE_WORDS)[:12], "posted", "comments", "1st", "22nd", "3rd",
                         "12", "2005", "٣", "१२", "#", "stand", "1stnd", "a1b2", "page", "of"])
KEYS = st.lists(WORDS, min_size=0, max_size=8).map(" ".join)


def _expected(key: str) -> int:
    shape = shape_of(key)
    if shape is None:
        return 0
    return xxhash.xxh3_64_intdigest(shape.encode("utf-8", "surrogatepass"), SHAPE_SEED) or 1


@given(st.lists(KEYS, max_size=12))
def test_article_shapes_are_each_lines_shape(keys: list[str]) -> None:
    assert shape_prints(keys) == [_expected(k) for k in keys]


def test_templated_lines_share_a_shape_and_plain_lines_have_none() -> None:
    dated = ["last updated monday 14 march 2005 12 02 gmt",
             "last updated friday 2 june 2006 9 15 gmt"]
    first, second, plain = shape_prints([*dated, "share this article"])
    assert first == second != 0 == plain
    assert shape_of("page 2 of 7") == shape_of("page 10 of 12") == "page # of #"
    assert shape_of("1st place") == shape_of("22nd place")


def test_long_prose_with_numbers_has_no_shape() -> None:
    report = ("the ftse 100 rose 12 points to 6 123 on monday as miners gained and "
              "banks fell after the results of the 3 largest lenders ") * 3
    assert len(report) > SHAPE_LENGTH
    assert shape_of(report) is None
    assert shape_prints([report, "posted 3 may"])[0] == 0
    line = report[:SHAPE_LENGTH]
    assert shape_of(line) is not None
