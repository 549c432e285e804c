"""Copies of a long paragraph with a word typed twice wrong ("oww" for "now") still match."""

from __future__ import annotations

import dedup

LONG = (
    "The harbour authority said on Thursday that the northern pier would stay closed until the "
    "spring, after engineers found deep cracks in three of the concrete supports during a routine "
    "inspection last month. Ferries will now use the southern berth, and the authority expects "
    "delays of up to an hour at busy times. A spokesperson said the repairs would cost about two "
    "million pounds and that the work could not start before the winter storms had passed."
)
OTHER = "Fishing boats have been asked to use the old slipway beside the lifeboat station instead."


def test_a_long_copy_with_a_word_two_edits_off_goes():
    copy = LONG.replace("will now use", "will oww use").replace("routine", "routnie")
    text = "\n".join([LONG, OTHER, copy])
    assert dedup.clean(text) == "\n".join([LONG, OTHER])


def test_a_short_paragraph_with_a_word_changed_two_edits_off_stays():
    one = "The minister said his plan for the harbour would be published next week in full."
    two = "The minister said her plan for the harbour would be published next week in full."
    text = "\n".join([one, OTHER, two])
    assert dedup.clean(text) == text


def test_two_words_changed_in_a_long_paragraph_beyond_the_budget_stay():
    copy = LONG.replace("will now use", "will oww use").replace("cost about", "csto about")
    copy = copy.replace("closed until", "closde until").replace("deep cracks", "deep crkcas")
    text = "\n".join([LONG, OTHER, copy])
    assert dedup.clean(text) == text
