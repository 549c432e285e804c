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


def _reference_site_drops(prints, shapes, sizes, counts, threshold, dropped):  # type: ignore[no-untyped-def]
    """The rules paragraph by paragraph, as first written: the model site_drops must equal."""
    from collections import Counter

    from dedup.corpus.templates import OWN_LENGTH

    n = len(prints)
    docs = [counts.get(f, 0) for f in prints]
    in_page = Counter(s for s in shapes if s)
    rule, found, own = [None] * n, [0] * n, [False] * n
    for i in range(n):
        shaped = counts.get(shapes[i], 0) if shapes[i] else 0
        table = any(0 <= j < n and shapes[j] and docs[j] < threshold for j in (i - 1, i + 1))
        if docs[i] >= threshold:
            rule[i], found[i] = "exact", docs[i]
        elif shaped >= threshold and in_page[shapes[i]] == 1 and not table:
            rule[i], found[i] = "template", shaped
        elif docs[i] < 2 and shaped < 2 and sizes[i] >= OWN_LENGTH and i not in dropped:
            own[i] = True
    drops = {i: (rule[i], found[i]) for i in range(n)
             if rule[i] is not None and not (i + 1 < n and own[i + 1])}
    above, pending = True, []
    for i in range(n + 1):
        if i < n and rule[i] is None and not own[i]:
            if docs[i] >= 2 and sizes[i] < OWN_LENGTH and above and not (i + 1 < n and own[i + 1]):
                pending.append(i)
            continue
        if i == n or rule[i] is not None:
            drops.update((j, ("neighbours", docs[j])) for j in pending)
        pending = []
        above = i < n and rule[i] is not None
    return dict(sorted(drops.items()))


PAGE = st.lists(st.tuples(st.integers(1, 8), st.integers(0, 4), st.sampled_from([10, 79, 80, 200])),
                max_size=25)


@given(PAGE, st.dictionaries(st.integers(1, 8), st.integers(2, 6)),
       st.dictionaries(st.integers(1, 4), st.integers(2, 6)), st.integers(2, 5),
       st.sets(st.integers(0, 24)))
def test_site_drops_equal_the_paragraph_by_paragraph_rules(page, exact, shaped, threshold,
                                                            dropped):  # type: ignore[no-untyped-def]
    from dedup.corpus.templates import site_drops

    prints = [p for p, _, _ in page]
    shapes = [100 + s if s else 0 for _, s, _ in page]  # shape prints never equal exact ones
    sizes = [size for _, _, size in page]
    counts = {**exact, **{100 + s: n for s, n in shaped.items()}}
    dropped = {i for i in dropped if i < len(page)}
    assert site_drops(prints, shapes, sizes, counts, threshold, frozenset(dropped)) == (
        _reference_site_drops(prints, shapes, sizes, counts, threshold, dropped) if counts else {})
