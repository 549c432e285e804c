"""dedup.groups, dedup.blocks and dedup.decide: groups -> repeated blocks -> drops."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

import dedup
from dedup.blocks import MAX_GROUP, Block, find_blocks
from dedup.decide import decide
from dedup.groups import exact_pairs, group_pairs
from dedup.paragraphs import split_paragraphs
from dedup.report import DropReason

# --- groups --------------------------------------------------------------------------------


def test_group_is_the_smallest_linked_index():
    assert group_pairs(6, [(4, 5), (2, 5), (1, 0)]) == [0, 0, 2, 3, 2, 2]


def test_no_pairs_no_groups():
    assert group_pairs(3, []) == [0, 1, 2]
    assert group_pairs(0, []) == []


@given(st.integers(1, 30).flatmap(
    lambda n: st.tuples(st.just(n), st.lists(st.tuples(st.integers(0, n - 1),
                                                       st.integers(0, n - 1))))
), st.randoms(use_true_random=False))
def test_groups_do_not_depend_on_pair_order(case, rnd):
    count, pairs = case
    shuffled = list(pairs)
    rnd.shuffle(shuffled)
    groups = group_pairs(count, pairs)
    assert group_pairs(count, shuffled) == groups
    assert group_pairs(count, [(b, a) for a, b in pairs]) == groups
    for a, b in pairs:
        assert groups[a] == groups[b]
    assert all(groups[i] <= i for i in range(count))


def test_exact_pairs_link_to_the_first_copy():
    assert exact_pairs(["x", "y", "x", "y", "x"]) == [(0, 2), (1, 3), (0, 4)]
    assert exact_pairs([]) == []


# --- blocks --------------------------------------------------------------------------------


def pairs_of(blocks: list[Block]) -> list[tuple[tuple[int, int], ...]]:
    return [b.pairs for b in blocks]


def test_double_capture_is_one_block():
    groups = [0, 1, 2, 0, 1, 2]
    blocks = find_blocks(groups, [True] * 6, max_gap=2)
    assert pairs_of(blocks) == [((0, 3), (1, 4), (2, 5))]
    assert blocks[0].first == (0, 2)
    assert blocks[0].second == (3, 5)


def test_gap_within_max_gap_links():
    groups = [0, 1, 2, 3, 0, 5, 2]  # paragraph 1 is missing from the copy, 5 inserted
    assert pairs_of(find_blocks(groups, [True] * 7, max_gap=1)) == [((0, 4), (2, 6))]
    groups = [0, 1, 2, 3, 4, 0, 6, 7, 3]
    assert find_blocks(groups, [True] * 9, max_gap=1) == []
    assert pairs_of(find_blocks(groups, [True] * 9, max_gap=2)) == [((0, 5), (3, 8))]


def test_a_single_pair_is_not_a_block():
    assert find_blocks([0, 1, 0], [True] * 3, max_gap=2) == []


def test_short_only_blocks_do_not_count():
    groups = [0, 1, 2, 0, 1]  # a chorus of two short lines
    assert find_blocks(groups, [False] * 5, max_gap=2) == []
    long = [False, True, False, False, True]
    assert pairs_of(find_blocks(groups, long, max_gap=2)) == [((0, 3), (1, 4))]


def test_overlapping_copies_are_not_a_block():
    groups = [0, 0, 0]  # one paragraph three times in a row: pairs (0,1),(1,2) chain
    blocks = find_blocks(groups, [True] * 3, max_gap=0)
    assert all(b.first[1] < b.second[0] for b in blocks)


def test_huge_group_stays_linear():
    count = MAX_GROUP * 20
    groups = [0] * count
    blocks = find_blocks(groups, [False] * count, max_gap=2)
    assert blocks == []


# --- decide --------------------------------------------------------------------------------


def paragraphs(*texts: str):
    return split_paragraphs("\n".join(texts))


def test_decide_keeps_one_per_group():
    ps = paragraphs("a", "b", "a", "a")
    keys = ["x" * 60, "y", "x" * 60, "x" * 60]
    for keep, survivor in [("first", 0), ("last", 3), ("best", 0)]:
        drops = decide(ps, keys, [0, 1, 0, 0], [], keep=keep, min_length=50)
        assert sorted(drops) == sorted({0, 2, 3} - {survivor})
        assert all(d.duplicate_of == survivor for d in drops.values())
        assert all(d.reason is DropReason.EXACT for d in drops.values())


def test_best_prefers_the_complete_copy_over_a_teaser():
    full = "the harbour authority confirmed on thursday that the northern pier will close"
    teaser = full[:40]
    ps = paragraphs(teaser + "…", "other", full)
    drops = decide(ps, [teaser, "other", full], [0, 1, 0], [], keep="best", min_length=30,
                   links={(0, 2): 0.97})
    assert list(drops) == [0]
    assert drops[0].similarity == 0.97  # what verification found, carried
    assert drops[0].duplicate_of == 2
    assert drops[0].reason is DropReason.NEAR


def test_best_prefers_no_ellipsis_among_complete_copies():
    key = "the harbour authority confirmed on thursday that the pier will close"
    ps = paragraphs("The harbour … close…", "The harbour … close.")
    drops = decide(ps, [key, key], [0, 0], [], keep="best", min_length=30)
    assert list(drops) == [0]


def test_short_groups_lose_members_only_in_blocks():
    ps = paragraphs("s", "L", "s", "L")
    keys = ["short", "l" * 60, "short", "l" * 60]
    groups = [0, 1, 0, 1]
    assert sorted(decide(ps, keys, groups, [], keep="first", min_length=50)) == [3]
    block = Block(((0, 2), (1, 3)))
    drops = decide(ps, keys, groups, [block], keep="first", min_length=50)
    assert sorted(drops) == [2, 3]
    assert {d.reason for d in drops.values()} == {DropReason.REPEATED_BLOCK}
    assert {d.block for d in drops.values()} == {0}


def test_block_keep_best_takes_the_longer_copy():
    ps = paragraphs("a", "b", "x", "a", "b", "c")
    keys = ["a" * 60, "b" * 60, "x" * 60, "a" * 60, "b" * 60, "c" * 60]
    # the second copy spans three paragraphs (3-5 with a gap) against two (0-1)
    block = Block(((0, 3), (1, 5)))
    drops = decide(ps, keys, [0, 1, 2, 0, 1, 5], [block], keep="best", min_length=50)
    assert sorted(drops) == [0, 1]


@given(st.data())
def test_no_group_loses_every_member_and_drops_point_to_kept(data):
    count = data.draw(st.integers(2, 12))
    groups = group_pairs(count, data.draw(st.lists(st.tuples(st.integers(0, count - 1),
                                                               st.integers(0, count - 1)))))
    keys = [data.draw(st.sampled_from(["short", "l" * 60, "m" * 70 + "…"])) for _ in range(count)]
    ps = paragraphs(*[f"p{n}" for n in range(count)])
    blocks = find_blocks(groups, [len(k) >= 50 for k in keys], max_gap=2)
    keep = data.draw(st.sampled_from(["best", "first", "last"]))
    drops = decide(ps, keys, groups, blocks, keep=keep, min_length=50)
    for group in set(groups):
        assert any(i not in drops for i in range(count) if groups[i] == group)
    for index, drop in drops.items():
        assert drop.duplicate_of not in drops
        assert groups[drop.duplicate_of] == groups[index]


def test_three_copies_give_non_overlapping_blocks():
    groups = [0, 1, 2, 0, 1, 2, 0, 1, 2]  # a run captured three times
    blocks = find_blocks(groups, [False, True, True] * 3, max_gap=2)
    assert pairs_of(blocks) == [((0, 3), (1, 4), (2, 5)), ((0, 6), (1, 7), (2, 8)),
                                ((3, 6), (4, 7), (5, 8))]
    for block in blocks:
        assert block.first[1] < block.second[0]


def test_an_extra_match_does_not_cancel_a_block():
    # 0-1 reappear as 2-3, and 4 matches 1 and 3 (a teaser of the last paragraph).
    groups = [0, 1, 0, 1, 1]
    blocks = find_blocks(groups, [False, True, False, True, True], max_gap=2)
    assert blocks
    assert all(b.first[1] < b.second[0] for b in blocks)
    assert any((0, 2) in b.pairs for b in blocks)


@given(st.lists(st.integers(0, 4), max_size=14), st.integers(0, 3))
def test_blocks_never_overlap(groups_seed, max_gap):
    groups = group_pairs(len(groups_seed), [
        (a, b) for a in range(len(groups_seed)) for b in range(a)
        if groups_seed[a] == groups_seed[b]
    ])
    for block in find_blocks(groups, [True] * len(groups), max_gap):
        assert len(block.pairs) >= 2
        assert block.first[1] < block.second[0]
        assert all(groups[i] == groups[j] and i < j for i, j in block.pairs)


def test_one_paragraph_against_a_run_is_not_a_block():
    # Four copies of one paragraph in a row: cutting the chain leaves parts such as
    # (0, 1), (0, 2), (0, 3), whose first copy is a single paragraph, not a run.
    blocks = find_blocks([0, 0, 0, 0], [True] * 4, max_gap=2)
    for block in blocks:
        assert len({i for i, _ in block.pairs}) >= 2
        assert len({j for _, j in block.pairs}) >= 2


def test_consecutive_copies_keep_the_first_with_keep_best():
    ps = paragraphs("p", "p", "p", "p")
    keys = ["x" * 60] * 4
    groups = [0, 0, 0, 0]
    blocks = find_blocks(groups, [True] * 4, max_gap=2)
    assert sorted(decide(ps, keys, groups, blocks, keep="best", min_length=50)) == [1, 2, 3]


def test_a_line_repeated_many_times_does_not_bridge_gaps_and_lsh_agrees_with_all_pairs():
    """A short line repeated a dozen times links only to adjacent pairs: the double capture
    below is found the same way whatever pairs the candidates proposed (found by Hypothesis)."""
    line = "Decision fund week rose the spring river."
    copy = [line] * 6 + ["The the the.", line + " Read more"]
    text = "\n".join([*copy, "Decisionfund week rose the spring river.", *copy])
    for candidates in ("lsh", "all_pairs"):
        report = dedup.clean_with_report(text, keep="best", candidates=candidates).report
        dropped = [(d.index, d.duplicate_of) for d in report.decisions if not d.kept]
        assert dropped == [(9 + k, k) for k in range(8)], candidates
