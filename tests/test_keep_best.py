"""keep="best" between copies of nearly the same length: a copy cut mid-sentence loses."""

from __future__ import annotations

import pytest

import dedup

FULL = (
    "The county council approved a plan on Tuesday to rebuild the old stone bridge "
    "over the river by the end of next year (at a cost of £4.2m)."
)
CUT = FULL.removesuffix(" (at a cost of £4.2m).")  # stops mid-sentence
OTHER = "Traffic will be sent through the village of Upper Mill while the work goes on."
LAST = "Residents said they welcomed the decision but worried about the noise at night."


@pytest.mark.parametrize("where", ["before", "after"])
def test_the_full_sentence_beats_its_copy_cut_mid_sentence(where):
    lines = [CUT, OTHER, FULL, LAST] if where == "before" else [OTHER, FULL, LAST, CUT]
    assert dedup.clean("\n".join(lines)) == "\n".join(line for line in lines if line != CUT)


def test_a_fragment_glued_on_does_not_make_a_copy_more_complete():
    copy = FULL + " Read more"
    text = "\n".join([FULL, OTHER, copy, LAST])
    assert dedup.clean(text) == "\n".join([FULL, OTHER, LAST])


def test_copies_that_both_end_their_sentence_keep_the_earlier():
    copy = FULL.replace("“", '"').replace("  ", " ").replace("next year", "next  year")
    text = "\n".join([copy, OTHER, FULL, LAST])
    assert dedup.clean(text) == "\n".join([copy, OTHER, LAST])


def test_first_and_last_policies_are_unchanged():
    text = "\n".join([CUT, OTHER, FULL, LAST])
    assert dedup.clean(text, keep="first") == "\n".join([CUT, OTHER, LAST])
    assert dedup.clean(text, keep="last") == "\n".join([OTHER, FULL, LAST])
