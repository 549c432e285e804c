"""dedup.keys: Unicode-safe normalized keys."""

from __future__ import annotations

import sys
import unicodedata

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dedup import keys
from dedup.keys import normalize, normalize_paragraphs
from dedup.paragraphs import split_paragraphs
from tests.strategies import ANY_TEXT, SEPARATORS, join, line_text


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Smith &amp; Jones", "smith jones"),
        ("Smith & Jones", "smith jones"),
        ("it&#8217;s", "it s"),
        ("“Quoted,” he said.", "quoted he said"),
        ('"Quoted," he said.', "quoted he said"),
        ("  many   spaces\there  ", "many spaces here"),
        ("ＦＵＬＬ ｗｉｄｔｈ", "full width"),
        ("ﬁnal ligature", "final ligature"),
        ("Straße", "strasse"),
        ("STRASSE", "strasse"),
        ("soft\u00adhyphen zero\u200bwidth", "softhyphen zerowidth"),
        ("\ufeffBOM", "bom"),
        ("snake_case", "snake case"),
        ("em—dash – en-dash", "em dash en dash"),
        ("emoji 🎉 party", "emoji party"),
        ("1,000.50", "1 000 50"),
        ("Привет, МИР!", "привет мир"),
        ("ΣΟΦΊΑ", "σοφία"),
    ],
)
def test_normalize(raw, key):
    assert normalize(raw) == key


@pytest.mark.parametrize("raw", ["* * *", "***", "— — —", "•", "...", "§§"])
def test_punctuation_only_keeps_raw_text(raw):
    assert normalize(raw) == raw
    assert normalize(f"  {raw}  ") == raw


def test_punctuation_only_paragraphs_do_not_share_a_key():
    assert len({normalize(raw) for raw in ["* * *", "***", "— — —", "•", "..."]}) == 5


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("ไม้", "ไม่"),  # Thai: "wood" and "not" differ only in a tone mark
        ("สวัสดีครับ", "สวัสดีค่ะ"),
        ("कमल", "कमला"),  # Devanagari
        ("كتب", "كتاب"),  # Arabic
        ("東京", "京都"),
        ("Мир", "Мор"),
        ("résumé", "resume"),  # accents are letters, not noise
    ],
)
def test_scripts_keep_their_letters_and_marks(first, second):
    assert normalize(first)
    assert normalize(first) != normalize(second)


@pytest.mark.parametrize(
    "text",
    [
        "Городской совет утвердил план.",
        "وافق مجلس المدينة على الخطة.",
        "市议会批准了计划。",
        "สภาเมืองอนุมัติแผน",
        "市議会は計画を承認しました。",
    ],
)
def test_non_latin_keys_are_not_empty_or_ascii(text):
    key = normalize(text)
    assert key
    assert not key.isascii()


def test_entity_decoding_to_a_newline_stays_in_one_key():
    ps = split_paragraphs("One&#10;two\nThree&#13;four")
    assert normalize_paragraphs(ps) == ["one two", "three four"]


def test_normalize_paragraphs_of_nothing():
    assert normalize_paragraphs([]) == []


@st.composite
def texts(draw: st.DrawFn) -> str:
    specials = st.sampled_from(
        ["A &amp; B", "&#10;x", "* * *", "Ｘ", "\u200b", "x\u0301", "_", "&lt;p&gt;"]
    )
    lines = draw(st.lists(st.one_of(line_text(max_size=30), specials), max_size=8))
    return join(lines, draw(st.lists(SEPARATORS, min_size=1, max_size=3)))


@given(texts(), st.sampled_from(["line", "blank"]))
def test_batch_keys_equal_single_keys(text, split):
    ps = split_paragraphs(text, split)
    assert normalize_paragraphs(ps) == [normalize(p.text) for p in ps]


@given(ANY_TEXT)
def test_normalize_never_crashes(text):
    key = normalize(text)
    assert isinstance(key, str)
    assert "\n" not in key
    assert key == key.strip()
    assert (key == "") == (text.split() == [])


@given(st.one_of(ANY_TEXT, st.text(alphabet=st.sampled_from(
    " \n\t aB_-.\u00e9\u00c9\u0301\u0903\u6771\u3000\u2028\U0001f600\U00020000\U000e0100\ud800"
    "\u00df\u0130\u03a3\u1e9e\ufb01\u00ad\u200b\ufeff\u0345\u2126\u212a\U00010400\u00a0\u2026"
), max_size=60)))
def test_compiled_fold_equals_regex_fold(compiled_kernels, text):
    """The compiled fold (casefold included) gives the keys of casefold, byte table and regex."""
    prepared = keys._prepare(text)
    data = prepared.encode("utf-8", "surrogatepass").translate(keys._BYTE_FOLD)
    expected = keys._folded().sub(" ", data.decode("utf-8", "surrogatepass"))
    uncased = keys._compatible(keys._unescaped(text))
    utf8 = np.frombuffer(uncased.encode("utf-8", "surrogatepass"), np.uint8)
    folded = compiled_kernels.fold_spaces(utf8, keys._ASCII_FOLD, *keys._fold_tables())
    assert folded.tobytes().decode("utf-8", "surrogatepass").split("\n") == [
        " ".join(line.split()) for line in expected.split("\n")
    ]


@given(st.text(max_size=80))
def test_nfkc_of_the_lines_that_need_it_is_nfkc(text):
    assert keys._compatible(text) == unicodedata.normalize("NFKC", text)


@pytest.mark.parametrize("text", ["ok\u00a0fine…\nx\u0301\nＦＵＬＬ", "…\u0301 e\u00a0\u0301",
                                  "½\n\n"])
def test_nfkc_shortcuts(text):
    assert keys._compatible(text) == unicodedata.normalize("NFKC", text)


def test_compiled_casefold_covers_every_code_point(compiled_kernels):
    """The kernel's casefold table equals ``str.casefold`` of every character, each alone."""
    chars = [chr(c) for c in range(0x80, sys.maxunicode + 1) if not 0xD800 <= c < 0xE000]
    assert all(c.casefold() == c for c in chars[keys._CASED - 0x80 - 0x800:])
    text = "\n".join(chars)
    utf8 = np.frombuffer(keys._compatible(text).encode("utf-8"), np.uint8)
    folded = compiled_kernels.fold_spaces(utf8, keys._ASCII_FOLD, *keys._fold_tables())
    data = keys._prepare(text).encode("utf-8").translate(keys._BYTE_FOLD)
    expected = keys._folded().sub(" ", data.decode("utf-8"))
    assert folded.tobytes().decode("utf-8").split("\n") == [
        " ".join(line.split()) for line in expected.split("\n")]


def test_survivor_table_holds_every_letter_digit_and_mark():
    """The table, which scans only some planes, equals a scan of every code point."""
    category = unicodedata.category
    expected = np.array([c.isalnum() or category(c)[0] == "M"
                         for c in map(chr, range(sys.maxunicode + 1))])
    expected[:0x80] = False  # ASCII is the byte table's
    assert np.array_equal(keys._survivors().astype(bool), expected)
    assert keys._folded().sub("_", "a\u0301\u00e9\u3000\U0001f600\u6771") == "a\u0301\u00e9_\u6771"
