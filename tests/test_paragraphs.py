"""dedup.paragraphs: splitting text into paragraphs and rendering the kept ones."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

import dedup
from dedup.paragraphs import Paragraph, render, split_paragraphs
from tests.strategies import LINE_BREAKS, SEPARATORS, join, line_text


def texts(text: str, split: str = "line") -> list[str]:
    return [p.text for p in split_paragraphs(text, split)]  # type: ignore[arg-type]


@pytest.mark.parametrize("brk", LINE_BREAKS)
def test_every_line_break_splits(brk):
    assert texts(f"One{brk}Two{brk}Three") == ["One", "Two", "Three"]


def test_crlf_is_one_break():
    text = "One\r\nTwo\r\n"
    assert split_paragraphs(text) == [Paragraph(0, 0, 3, "One"), Paragraph(1, 5, 8, "Two")]


def test_blank_and_whitespace_lines_are_not_paragraphs():
    assert texts("\n\n  One\n \t \n\n\u3000\nTwo  \n\n") == ["  One", "Two  "]


def test_spans_point_into_the_text():
    text = " \r\nAlpha\u2028\u2028Beta\r\rGamma \n"
    for index, p in enumerate(split_paragraphs(text)):
        assert p.index == index
        assert text[p.start : p.end] == p.text


@pytest.mark.parametrize(
    "text", ["One", "Alpha\nBeta\nGamma", "Ünï\n東京 都\n x \nlast", "Ünï\n\nlast\n"]
)
def test_starts_of_consecutive_lines_are_their_offsets(text):
    """Lines that are all paragraphs get their starts on first use: the same offsets."""
    paragraphs = split_paragraphs(text)
    offsets = [text.index(line) for line in paragraphs.texts]
    assert paragraphs.starts == offsets
    assert [p.start for p in paragraphs] == offsets
    assert [text[p.start : p.end] for p in split_paragraphs(text)] == paragraphs.texts


@pytest.mark.parametrize("text", ["", "\n", "\r\n\r\n", "   ", "\u2029\u2028\x85"])
def test_no_paragraphs(text):
    assert split_paragraphs(text) == []
    assert split_paragraphs(text, "blank") == []
    assert dedup.clean(text) == text


def test_split_blank_joins_single_breaks():
    text = "One\nstill one.\r\nAnd still.\n\nTwo\rtwo.\u2028more two.\n \nThree."
    assert texts(text, "blank") == [
        "One\nstill one.\r\nAnd still.", "Two\rtwo.\u2028more two.", "Three."
    ]


@pytest.mark.parametrize("brk", ["\u2029", "\v", "\f", "\n\n", "\r\n\r\n", "\r\r", "\n\t\n"])
def test_split_blank_separates_on_paragraph_breaks(brk):
    assert texts(f"One{brk}Two", "blank") == ["One", "Two"]


def test_very_long_single_paragraph():
    body = "word " * 400_000 + "end."
    assert texts(body) == [body]
    assert dedup.clean(body) == body
    assert dedup.clean(f"{body}\n{body}") == body


def test_render_all_kept_is_identity():
    text = "\n A\r\n\r\nB\u2028C  \n\n"
    assert render(text, split_paragraphs(text), [True, True, True]) == text


def test_render_keeps_own_separators_and_the_tail():
    text = "A\r\n\r\nB\nC\u2029D\n\n"
    ps = split_paragraphs(text)
    assert render(text, ps, [True, False, True, False]) == "A\r\n\r\nC\n\n"
    assert render(text, ps, [False, True, False, True]) == "B\nD\n\n"
    assert render(text, ps, [False, False, False, False]) == "\n\n"


def test_render_keeps_leading_text():
    text = "  \n\nA\nB"
    assert render(text, split_paragraphs(text), [False, True]) == "  \n\nB"


@st.composite
def split_texts(draw: st.DrawFn) -> str:
    lines = draw(st.lists(line_text(max_size=20), max_size=8))
    separators = draw(st.lists(SEPARATORS, min_size=1, max_size=4))
    lead = draw(st.sampled_from(["", "\n", " \r\n"]))
    tail = draw(st.sampled_from(["", "\n", "\r\n", "\n\n", " "]))
    return lead + join(lines, separators) + tail


@given(split_texts(), st.sampled_from(["line", "blank"]))
def test_split_render_round_trip(text, split):
    ps = split_paragraphs(text, split)
    assert split_paragraphs(render(text, ps, [True] * len(ps)), split) == ps


@given(split_texts(), st.sampled_from(["line", "blank"]), st.data())
def test_render_subset_resplits_to_the_subset(text, split, data):
    ps = split_paragraphs(text, split)
    kept = data.draw(st.lists(st.booleans(), min_size=len(ps), max_size=len(ps)))
    out = render(text, ps, kept)
    assert texts(out, split) == [p.text for p, k in zip(ps, kept, strict=True) if k]


@given(split_texts(), st.data())
def test_render_preserves_separators(text, data):
    ps = split_paragraphs(text)
    kept = data.draw(st.lists(st.booleans(), min_size=len(ps), max_size=len(ps)))
    survivors = [p for p, k in zip(ps, kept, strict=True) if k]
    out = render(text, ps, kept)
    expected = text[: ps[0].start] if ps else text
    for n, p in enumerate(survivors):
        following = ps[p.index + 1].start if p.index + 1 < len(ps) else len(text)
        expected += p.text if n == len(survivors) - 1 else text[p.start : following]
    if ps:
        expected += text[ps[-1].end :]
    assert out == expected


@given(split_texts())
def test_line_split_covers_every_visible_character(text):
    ps = split_paragraphs(text)
    covered = "".join(p.text for p in ps)
    assert "".join(text.split()) == "".join(covered.split())


def reference_split(text: str) -> list[Paragraph]:
    """split="line" by the module's definition: maximal runs without a line break."""
    spans = [m.span() for m in re.finditer("[^\n\r\v\f\x85\u2028\u2029]+", text)
             if not m.group().isspace()]
    return [Paragraph(i, s, e, text[s:e]) for i, (s, e) in enumerate(spans)]


@given(st.lists(st.one_of(line_text(max_size=20), st.sampled_from(["", " ", "\t", "\x1c"])),
                max_size=10).map("\n".join))
def test_newline_only_text_splits_like_the_definition(text):
    assert split_paragraphs(text) == reference_split(text)


@given(split_texts())
def test_line_split_matches_the_definition(text):
    assert split_paragraphs(text) == reference_split(text)
