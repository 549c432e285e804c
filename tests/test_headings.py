"""Doubled headings beyond the top: the title again as the last paragraph, a section name twice."""

from __future__ import annotations

import pytest

import dedup

TITLE = "Ferry services cut after storm"
BODY = [
    "The island ferry operator said on Monday that two of its four daily crossings will stop.",
    "Repairs to the damaged slipway at the southern harbour are expected to take six weeks.",
    "Passengers holding tickets for the cancelled sailings will be offered a full refund.",
    "A replacement bus will run between the two harbours every hour until the work is done.",
    "Local businesses warned that fewer visitors would reach the island during the summer.",
]  # longer than the reach of the top-of-article rule (headings.REACH)
ZH_TITLE = "暴雨过后渡轮班次减少"
ZH_BODY = [
    "渡轮公司周一表示，由于南港码头的坡道在暴雨中受损，每天四班渡轮中的两班将暂停运营，预计维修需要六周时间。",
    "已经购买停运班次船票的乘客可以在售票处或者网上申请全额退款，公司也会安排大巴把乘客送往北港。",
    "岛上的商户担心，夏季旅游旺季期间上岛的游客会明显减少，希望政府能够尽快提供临时的帮助。",
    "市政府表示将与渡轮公司一起评估损失，并在下周公布新的班次时间表和港口维修的具体安排。",
    "气象部门提醒，本周末仍可能出现强降雨，建议居民和游客出行前留意天气预报和航班信息。",
]


def _text(*lines: str) -> str:
    return "\n".join(lines)


@pytest.mark.parametrize(
    ("copy", "keep", "expected_first"),
    [
        (TITLE, "best", TITLE),
        (TITLE.upper(), "first", TITLE),
        (f"{TITLE} | Island News", "best", TITLE),
        (f"{TITLE} - Island News", "first", TITLE),
    ],
)
def test_the_title_again_as_the_last_paragraph_goes(copy, keep, expected_first):
    text = _text(TITLE, *BODY, copy)
    assert dedup.clean(text, keep=keep) == _text(expected_first, *BODY)


def test_keep_last_keeps_the_closing_copy_of_the_title():
    text = _text(TITLE, *BODY, TITLE)
    assert dedup.clean(text, keep="last") == _text(*BODY, TITLE)


def test_the_title_with_the_site_name_on_top_goes_when_repeated_at_the_end():
    text = _text(f"{TITLE} | Island News", *BODY, TITLE)
    assert dedup.clean(text) == _text(*BODY, TITLE)


def test_an_unspaced_title_again_at_the_end_goes():
    text = _text(ZH_TITLE, *ZH_BODY, ZH_TITLE)
    assert dedup.clean(text) == _text(ZH_TITLE, *ZH_BODY)


@pytest.mark.parametrize(
    "text",
    [
        # a refrain closing a song: the line before it is short
        _text("Carry me home", *BODY, "Over the water", "Under the hill", "Carry me home"),
        # three times: a refrain, not a doubled capture
        _text(TITLE, *BODY[:3], TITLE, *BODY[3:], TITLE),
        # the last copy is a sentence, not a heading
        _text("Never again", *BODY, "Never again."),
        # the first paragraph is a sentence
        _text("We will rebuild.", *BODY, "We will rebuild."),
        # list items
        _text("- ferry times", *BODY, "- ferry times"),
        # one word is enough only right below it, not at the end
        _text("Travel", *BODY, "Travel"),
    ],
)
def test_lines_repeated_at_the_end_that_are_not_a_title_stay(text):
    assert dedup.clean(text) == text


def test_a_one_word_section_name_captured_twice_goes():
    text = _text("Travel", "Travel", TITLE, *BODY)
    assert dedup.clean(text) == _text("Travel", TITLE, *BODY)


@pytest.mark.parametrize(
    "text",
    [
        _text("Travel", "By a reporter", "Travel", *BODY),  # not right below it
        _text("Yes.", "Yes.", *BODY),  # sentences
        _text("Travel", "Travel", "Travel", *BODY),  # more than twice
        _text(BODY[0], "Travel", "Travel", *BODY[1:]),  # not the first paragraph
    ],
)
def test_other_one_word_repeats_stay(text):
    assert dedup.clean(text) == text


def test_cleaning_again_changes_nothing():
    for text in (_text(TITLE, *BODY, TITLE), _text("Travel", "Travel", TITLE, *BODY, TITLE)):
        once = dedup.clean(text)
        assert dedup.clean(once) == once
