"""Issue 11: every script, blocks of short lines, short teasers, headlines captured twice.

All text here is written for these tests. Each test runs on both code paths
(compiled kernels and ``DEDUP_JIT=0`` NumPy) through the ``paths`` fixture.
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import dedup
from dedup.lengths import affixes, text_length, text_lengths, word_count, word_counts
from dedup.shingles import shingle

ZH = "今天上午，市政府宣布将在明年春天之前完成老城区所有道路的翻修工程，预计总投资超过三亿元。"
ZH_NEAR = ZH.replace("，", ",").replace("。", ".")
JA = "昨日の午後、市役所は来年の春までに旧市街のすべての道路を改修すると発表しました。"
KO = "서울시는 내년 봄까지 구도심의 모든 도로를 보수하겠다고 어제 오후에 발표했습니다."
TH = "เมื่อวานนี้เทศบาลเมืองประกาศว่าจะซ่อมแซมถนนทุกสายในเขตเมืองเก่าให้เสร็จก่อนฤดูใบไม้ผลิปีหน้า"
OTHER = {
    "zh": "这座城市的居民对新的公共交通计划表示欢迎，认为这将大大缩短他们每天的通勤时间。",
    "ja": "住民の多くは新しい交通計画を歓迎しており、毎日の通勤時間が短くなると期待している。",
    "ko": "많은 주민들은 새로운 교통 계획을 환영하며 매일의 통근 시간이 짧아질 것으로 기대한다.",
    "th": "ชาวเมืองส่วนใหญ่ต่างยินดีกับแผนการคมนาคมใหม่และหวังว่าจะช่วยลดเวลาเดินทางในแต่ละวัน",
}
BODY = {"zh": ZH, "ja": JA, "ko": KO, "th": TH}
SHORT = {"zh": "2026年12月4日", "ja": "ホーム", "ko": "사진 제공", "th": "หน้าแรก"}
EN = "The harbour authority confirmed on Thursday that the northern pier will close for repairs."
EN2 = "Engineers found cracks in three of the concrete supports during a routine inspection."


def _run(code: str) -> str:
    env = dict(os.environ, DEDUP_JIT="0")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          check=True)
    return done.stdout


@pytest.mark.parametrize("script", sorted(BODY))
def test_an_unspaced_sentence_is_long_and_a_menu_line_short(script):
    assert text_length(dedup.keys.normalize(BODY[script])) >= 50
    assert text_length(dedup.keys.normalize(SHORT[script])) < 50


def test_lengths_in_one_pass_equal_one_by_one():
    keys = [dedup.keys.normalize(t) for t in (*BODY.values(), EN, "", "ça va", "x")]
    assert text_lengths(keys) == [text_length(k) for k in keys]
    counts = word_counts(keys, shingle(keys).words)
    assert counts.tolist() == [word_count(k) for k in keys]


def test_word_counts_weigh_unspaced_characters():
    assert word_count("東京") == 1  # 6 letters: one word, as the shingle stage saw two
    assert word_count("the council met today") == 4
    assert word_count(dedup.keys.normalize(TH)) >= 5
    assert affixes(["東京都庁の前で会いましょう"], [0], 32)[0] == ["東京都庁の前で会いましょう"]


@pytest.mark.parametrize("script", sorted(BODY))
def test_an_isolated_copy_goes_in_every_script(script):
    text = f"{BODY[script]}\n{OTHER[script]}\n{SHORT[script]}\n{BODY[script]}"
    assert dedup.clean(text) == f"{BODY[script]}\n{OTHER[script]}\n{SHORT[script]}"


@pytest.mark.parametrize("script", sorted(BODY))
def test_short_lines_repeated_in_isolation_stay_in_every_script(script):
    text = f"{SHORT[script]}\n{BODY[script]}\n{SHORT[script]}\n{OTHER[script]}\n{SHORT[script]}"
    assert dedup.clean(text) == text


def test_full_width_and_half_width_punctuation_make_one_paragraph():
    text = f"{ZH}\n{OTHER['zh']}\n{ZH_NEAR}"
    assert dedup.clean(text) == f"{ZH}\n{OTHER['zh']}"


@pytest.mark.parametrize("script", sorted(BODY))
def test_one_character_changed_is_a_near_copy(script):
    body = BODY[script]
    near = body[:10] + body[11:]
    assert dedup.clean(f"{body}\n{OTHER[script]}\n{near}") == f"{body}\n{OTHER[script]}"


@pytest.mark.parametrize("script", sorted(BODY))
def test_a_teaser_goes_in_every_script(script):
    body = BODY[script]
    teaser = body[: len(body) // 2] + "……"
    assert dedup.clean(f"{teaser}\n{body}\n{OTHER[script]}") == f"{body}\n{OTHER[script]}"


def test_a_short_teaser_with_an_ellipsis_goes_and_a_headline_stays():
    teaser = "The harbour authority confirmed on Thursday…"
    assert len(teaser) < 50
    assert dedup.clean(f"{teaser}\n{EN}\n{EN2}") == f"{EN}\n{EN2}"
    assert dedup.clean(f"{EN}\n{EN2}\n{teaser}", keep="first") == f"{EN}\n{EN2}"
    headline = "The harbour authority confirmed"
    assert dedup.clean(f"{headline}\n{EN}\n{EN2}") == f"{headline}\n{EN}\n{EN2}"


@pytest.mark.parametrize("ending", ["...", " […]", " [...]", "(…)"])
def test_every_ellipsis_style_marks_a_teaser(ending):
    teaser = "Engineers found cracks in three" + ending
    assert dedup.clean(f"{EN}\n{teaser}\n{EN2}") == f"{EN}\n{EN2}"


def test_a_short_unspaced_teaser_goes():
    teaser = ZH[:12] + "…"  # eleven characters: five words, under min_length
    assert dedup.clean(f"{teaser}\n{ZH}\n{OTHER['zh']}") == f"{ZH}\n{OTHER['zh']}"


def test_a_repeated_fact_box_anchored_by_a_long_paragraph_goes_whole():
    box = ["Riverside 2-1 Hill Town", "16th PREM", "WINNERS (six times)", "Venue: Mill Park",
           EN, "Referee: Sam Price", "Kick-off: 15:00 GMT"]
    second = box[:2] + box[3:]  # the second capture misses a line
    text = "\n".join(["Match report", EN2, *box, *second, "Full story below."])
    assert dedup.clean(text) == "\n".join(["Match report", EN2, *box, "Full story below."])


def test_a_repeated_box_of_short_lines_only_stays():
    box = ["Riverside 2-1 Hill Town", "16th PREM", "Venue: Mill Park", "Referee: Sam Price"]
    text = "\n".join([EN, *box, EN2, *box])
    assert dedup.clean(text) == text


@pytest.mark.parametrize(
    "copy",
    [
        "Floods close the coast road",
        "FLOODS CLOSE THE COAST ROAD!",
        "Floods close the coast road | BBC News",
        "Floods close the coast road - The Courier",
        "Courier: Floods close the coast road",
    ],
)
def test_a_heading_captured_twice_goes(copy):
    title = "Floods close the coast road"
    text = f"{title}\nBy a reporter\n{copy}\n{EN}\n{EN2}"
    assert dedup.clean(text) == f"{title}\nBy a reporter\n{EN}\n{EN2}"


def test_the_heading_with_a_site_name_goes_when_it_comes_first():
    title = "Floods close the coast road"
    text = f"{title} | BBC News\n{title}\n{EN}"
    assert dedup.clean(text) == f"{title}\n{EN}"


def test_an_unspaced_heading_with_a_site_name_goes():
    title = "市政府宣布翻修老城区道路"
    assert dedup.clean(f"{title}\n{title}_新闻网\n{ZH}") == f"{title}\n{ZH}"


@pytest.mark.parametrize(
    "text",
    [
        "Question one\nYes please\nNo thanks\nMaybe\nLater\nQuestion one\n" + EN,  # beyond reach
        "Chorus line here\n" + EN + "\n" + EN2 + "\nAgain\nMore\nChorus line here",  # far below
        "Ingredients:\n- 2 eggs\n- 1 cup\n- 2 eggs\n" + EN,  # list items after a label
        "* * *\n" + EN + "\n* * *\n" + EN2,
        "Hold the line, hold the line.\nHold the line, hold the line.\n" + EN,  # sentences
        "Round one\nRound one\nRound one\n" + EN,  # more than twice
    ],
)
def test_short_lines_repeated_elsewhere_stay(text):
    assert dedup.clean(text) == text


def test_corpus_min_length_uses_the_same_measure():
    from dedup.corpus.decisions import analyze_article

    analysis = analyze_article(f"{ZH}\n{SHORT['zh']}", dedup.Config(), cross_doc=True)
    assert analysis.candidates == (0,)


def test_both_code_paths_agree_on_every_script():
    texts = [
        f"{BODY[s]}\n{OTHER[s]}\n{SHORT[s]}\n{BODY[s][:12]}……\n{BODY[s]}\n{SHORT[s]}" for s in BODY
    ] + ["Floods close the road\nFloods close the road | News\n" + EN + "\n" + EN[:30] + "…"]
    code = (
        "import dedup, json, sys\n"
        f"texts = {texts!r}\n"
        "print(json.dumps([dedup.clean(t) for t in texts]))"
    )
    import json

    assert json.loads(_run(code)) == [dedup.clean(t) for t in texts]


def test_lengths_never_need_numpy_for_light_text():
    keys = ["plain ascii", "ça va très bien", "привет мир"]
    assert text_lengths(keys) == [len(k) for k in keys]
    assert word_counts(keys, np.array([2, 4, 2])).tolist() == [2, 4, 2]
