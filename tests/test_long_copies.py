"""The second banding of :mod:`dedup.long_copies`: long near copies LSH's bands left alone.

Each case first checks its premise: the first pass (LSH bands and affix keys) does
not propose the pair, so the outcome is this stage's. Every text is written for
these tests (English, Chinese, Japanese). The module runs twice, on the compiled
kernels and on the NumPy path.
"""

from __future__ import annotations

import numpy as np
import pytest

import dedup
from dedup.candidates import find_candidates, pairs_sharing_a_band
from dedup.config import Config
from dedup.long_copies import _row_pairs, long_copies
from dedup.pipeline import analyze

pytestmark = pytest.mark.usefixtures("kernel_path")

LONG = {
    "en": "The harbour authority said on Thursday that the northern pier would stay closed until "
          "the spring, after engineers found deep cracks in three of the concrete supports during "
          "a routine inspection last month. Ferries will use the southern berth instead, and the "
          "authority expects delays of up to an hour at busy times. A spokesperson said the "
          "repairs would be paid from the maintenance budget and that the work could not start "
          "before the winter storms had passed.",
    "zh": "港务局周四表示，北码头将关闭到明年春天，因为工程师在上个月的例行检查中发现三根混凝土支柱"
          "出现了很深的裂缝。渡轮将改用南侧泊位，港务局预计高峰时段会有长达一小时的延误。一位发言人"
          "说，维修费用将从养护预算中支出，而且工程要等冬季风暴过去之后才能开始。",
    "ja": "港湾局は木曜日、先月の定期点検で技術者がコンクリートの支柱三本に深いひびを見つけたため、"
          "北側の桟橋を来年の春まで閉鎖すると発表した。フェリーは代わりに南側の岸壁を使い、混雑する"
          "時間帯には最大で一時間ほどの遅れが出る見込みだという。広報担当者は、修理費は維持管理の"
          "予算から出し、冬の嵐が過ぎるまでは工事を始められないと説明した。",
}
OTHERS = {
    "en": ["Fishing boats have been asked to use the old slipway beside the lifeboat station.",
           "Local shops near the pier say they expect fewer visitors over the coming weekends.",
           "The council will publish a full timetable for the works on its website next week.",
           "Residents can send questions to the harbour office by email or by post."],
    "zh": ["渔船暂时被要求使用救生艇站旁边的旧滑道。",
           "码头附近的商店说，他们预计接下来几个周末的游客会减少。",
           "市议会下周将在网站上公布完整的施工时间表。",
           "居民可以通过电子邮件或信件向港务办公室提问。"],
    "ja": ["漁船は当面、救命艇の基地の横にある古い斜路を使うよう求められている。",
           "桟橋の近くの商店は、これからの週末は客が減ると見ている。",
           "市議会は来週、工事の日程の全体をウェブサイトで公表する。",
           "住民は電子メールか郵便で港湾事務所に質問できる。"],
}
# isolated copies with typos (wrong characters in Chinese and Japanese: input-method
# slips) near both ends and a fragment appended: no LSH band and no affix in common
COPIES = {
    "en": LONG["en"].replace("authority said", "atuohrity said").replace(
        "the work could", "the wrok could") + " Share this article",
    "zh": "港的局周四表示，北码头将关闭到明年春的，因为的程师在上个月的例行检查的发现三根混凝土支柱"
          "出现了很深的裂缝。渡轮将改的南侧泊位，港务局预计高峰时段会有的达一小时的延误。一位发的人"
          "说，维修费用将从养护预算的支出，而的工程要等冬季风暴过去之后才能开始。（完）",
    "ja": "港湾局は木曜の、先のの定期点検で技術者がコンクリートの支柱三本に深いひびを見つのたため、"
          "北側の桟橋を来年ののまで閉鎖するとの表した。フェリーは代わりに南側の岸壁を使い、混雑すの"
          "時間帯には最大で一時間ほどの遅れが出る見込みのという。広報担当者は、修理のは維持管理の"
          "予算から出し、冬の嵐が過のるまでは工事を始められないと説明した。（共同）",
}
# the same report with other facts (and slips of its own): as alike as the copies, and kept
NEGATIVES = {
    "en": "The harbour authority said on Monday that the northern pier would stay closed until "
          "the spring, after engineers found deep cracks in two of the concrete supports during "
          "a routine inspection last month. Ferries will use the southern berth instead, and the "
          "authority expects delays of up to two hours at busy times. A spokeseprson said the "
          "repairs would be paid from the maintenance budget and that the work could not start "
          "before the iwnter storms had passed.",
    "zh": "港务局周四表示，南码头将关闭到明的秋天，因为工程师在上个月的例行检查中发现五根混凝土支的"
          "出现了很深的裂缝。渡轮将改用南侧泊位，港务局预计高峰时的会的长达一小时的延误。一位发言人"
          "说，维修费用的从养护预算中支出，而且工程要等冬季风暴过去之后才的开始。",
}
CONFIG = Config()


def _article(lang: str, copy: str) -> tuple[str, int]:
    """The long paragraph first, the others, then ``copy`` last: its index."""
    lines = [LONG[lang], *OTHERS[lang], copy]
    return "\n".join(lines), len(lines) - 1


def _first_pass(text: str) -> tuple[list[str], list[int], np.ndarray, list[tuple[int, int]]]:
    found = analyze(text, CONFIG)
    assert found.signatures is not None
    pairs = find_candidates(found.keys, found.signed, found.signatures, bands=CONFIG.bands)
    return found.keys, list(found.signed), found.signatures, pairs


@pytest.mark.parametrize("lang", sorted(COPIES))
def test_an_isolated_long_copy_with_both_ends_changed_goes(lang: str) -> None:
    text, last = _article(lang, COPIES[lang])
    keys, signed, signatures, pairs = _first_pass(text)
    assert (0, last) not in pairs  # the premise: LSH and the affixes miss it
    matches = long_copies(keys, signed, signatures, pairs, bands=CONFIG.bands,
                          min_length=CONFIG.min_length, min_similarity=CONFIG.min_similarity)
    assert [(m.a, m.b) for m in matches] == [(0, last)]
    assert dedup.clean(text) == "\n".join([LONG[lang], *OTHERS[lang]])
    decision = dedup.clean_with_report(text).report.decisions[last]
    assert not decision.kept
    assert decision.duplicate_of == 0


@pytest.mark.parametrize("lang", sorted(NEGATIVES))
def test_the_same_report_with_other_facts_stays(lang: str) -> None:
    text, last = _article(lang, NEGATIVES[lang])
    keys, signed, signatures, pairs = _first_pass(text)
    assert (0, last) not in pairs
    paired = _row_pairs(signatures)
    shared = pairs_sharing_a_band(paired.view(np.uint32), paired.shape[1], np.asarray(signed))
    assert (0, last) in shared  # the second banding proposes it; verification refuses it
    assert long_copies(keys, signed, signatures, pairs, bands=CONFIG.bands,
                       min_length=CONFIG.min_length, min_similarity=CONFIG.min_similarity) == []
    assert dedup.clean(text) == text


def test_a_copy_with_a_candidate_is_left_to_the_first_pass() -> None:
    text, _ = _article("en", COPIES["en"])
    keys, signed, signatures, _ = _first_pass(text)
    matches = long_copies(keys, signed, signatures, [(0, 1)], bands=CONFIG.bands,
                          min_length=CONFIG.min_length, min_similarity=CONFIG.min_similarity)
    assert matches == []  # paragraph 0 has a candidate pair: looked at already


def test_short_copies_are_not_compared() -> None:
    text, _ = _article("en", COPIES["en"])
    keys, signed, signatures, pairs = _first_pass(text)
    matches = long_copies(keys, signed, signatures, pairs, bands=CONFIG.bands,
                          min_length=len(keys[0]) + 1, min_similarity=CONFIG.min_similarity)
    assert matches == []


def test_bands_of_two_rows_leave_nothing_to_a_second_banding() -> None:
    text, _ = _article("en", COPIES["en"])
    keys, signed, signatures, _ = _first_pass(text)
    assert long_copies(keys, signed, signatures, [], bands=signatures.shape[1] // 2,
                       min_length=CONFIG.min_length, min_similarity=CONFIG.min_similarity) == []


def test_row_pairs_are_two_rows_side_by_side() -> None:
    signatures = np.arange(2 * 25, dtype=np.uint32).reshape(2, 25)
    paired = _row_pairs(signatures)
    assert paired.shape == (2, 12)
    assert paired[1, 3] == signatures[1, 6:8].copy().view(np.uint64)[0]
