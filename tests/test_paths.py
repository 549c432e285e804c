"""The compiled kernels and the NumPy path clean every article the same, report included.

Each stage compares its two implementations in its own tests; here whole
articles go through both, with what takes the shortcuts of either path: text
NFKC changes (no-break spaces, ellipses, full-width forms, ligatures), case
that ``str.casefold`` folds beyond ASCII, invisible characters, scripts
written without spaces, entities, doubled headings, short teasers, repeats.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

import dedup
from dedup import kernels
from dedup.config import Config
from dedup.pipeline import analyze
from tests.strategies import articles, join, sentence

_NOISE = st.sampled_from(["\u00a0", "…", "ＦＵＬＬ ", "ﬁ", "Straße ", "ΣΟΦΊΑ ", "İ", "\u00ad",
                          "\u200b", "&amp; ", "x\u0301", "½ ", "™", "（注）"])
_CJK = st.sampled_from([
    "今年冬天的第一场雪今天落在了城市里，市民纷纷出门赏雪。",
    "東京都庁の前で会いましょう、午後三時に。",
    "서울에 첫눈이 내렸다 시민들은 거리로 나왔다",
    "สภาเมืองอนุมัติแผนงบประมาณใหม่ในวันจันทร์",
])


@st.composite
def noisy(draw: st.DrawFn, text: str) -> str:
    """``text`` with characters that NFKC, casefold or the fold change put in at a few places."""
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(_NOISE) + text[at:]
    return text


@st.composite
def mixed_articles(draw: st.DrawFn) -> str:
    title = draw(sentence(min_words=2, max_words=6)).rstrip(".!?")
    body = draw(st.lists(st.one_of(sentence(min_words=6), _CJK).flatmap(noisy), min_size=1,
                         max_size=6))
    paragraphs = [title, draw(st.sampled_from([title, f"{title} | The Site", title.upper()]))]
    for paragraph in body:
        paragraphs.append(paragraph)
        if draw(st.booleans()):  # a repeat, a teaser or a cut copy somewhere later
            copy = draw(st.sampled_from([paragraph, paragraph[: len(paragraph) // 2] + "…",
                                         paragraph.upper()]))
            paragraphs.insert(draw(st.integers(0, len(paragraphs))), copy)
    if draw(st.booleans()):
        paragraphs.append(title)
    return join(paragraphs, draw(st.lists(st.sampled_from(["\n", "\n\n", "\r\n"]), min_size=1)))


def _both(text: str, keep: str) -> tuple[dict[str, object], dict[str, object]]:
    """What each path makes of ``text``: the cleaned text, the report, keys and signatures."""
    results = []
    for choice in ("compiled", "numpy"):
        with kernels.use(choice):  # type: ignore[arg-type]
            cleaned = dedup.clean_with_report(text, keep=keep)  # type: ignore[arg-type]
            assert dedup.clean(text, keep=keep) == cleaned.text  # type: ignore[arg-type]
            found = analyze(text, Config(keep=keep))  # type: ignore[arg-type]
        results.append({"text": cleaned.text, "report": cleaned.report.to_dict(),
                        "keys": found.keys, "signed": list(found.signed),
                        "signatures": None if found.signatures is None else
                        found.signatures.tolist()})
    return results[0], results[1]


@given(st.one_of(mixed_articles(), articles()), st.sampled_from(["best", "first", "last"]))
def test_both_paths_clean_the_same(compiled_kernels, text, keep):
    compiled, numpy = _both(text, keep)
    assert compiled == numpy
