"""Groups and blocks -> one drop decision per duplicate paragraph.

1. Repeated blocks first: of the two copies of a block, ``keep="first"`` keeps
   the earlier, ``"last"`` the later, and ``"best"`` the more complete one (more
   paragraphs in its span, or under 80% of the other's text, else the
   earlier). Every aligned paragraph of the other copy is dropped; paragraphs
   that only one copy has are unique and stay.
2. Then each duplicate group with a long member (``min_length`` characters or
   more) keeps one survivor among the paragraphs still kept: the earliest, the
   latest, or with ``"best"`` the earliest of the copies that have at least
   80% of the longest copy's text, preferring one that does not end in an
   ellipsis (a full paragraph beats its teaser; noise and short fragments do
   not make a copy "more complete").
3. Groups of short paragraphs lose members only inside repeated blocks.

No group ever loses all of its members.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dedup.blocks import Block
from dedup.config import Keep
from dedup.groups import duplicate_groups
from dedup.paragraphs import Paragraph
from dedup.report import DropReason

__all__ = ["Drop", "decide"]

COMPLETE = 0.8  # a copy with less than this share of another's text is less complete
_ELLIPSES = ("…", "...", "[…]", "[...]", "…]")


@dataclass(frozen=True, slots=True)
class Drop:
    """Why a paragraph goes: the paragraph it duplicates, the reason, its block number."""

    duplicate_of: int
    reason: DropReason
    block: int | None = None


def decide(
    paragraphs: Sequence[Paragraph],
    keys: Sequence[str],
    groups: Sequence[int],
    blocks: Sequence[Block],
    *,
    keep: Keep,
    min_length: int,
) -> dict[int, Drop]:
    """Return the dropped paragraphs, by index.

    Example:
        >>> from dedup.paragraphs import split_paragraphs
        >>> ps = split_paragraphs("A long paragraph.\\nOther.\\nA long paragraph.")
        >>> keys = ["a long paragraph", "other", "a long paragraph"]
        >>> decide(ps, keys, [0, 1, 0], [], keep="first", min_length=5)
        {2: Drop(duplicate_of=0, reason=<DropReason.EXACT: 'exact'>, block=None)}
    """
    drops: dict[int, Drop] = {}
    for number, block in enumerate(blocks):
        second_wins = _second_wins(block, keys, keep)
        for i, j in block.pairs:
            loser, partner = (i, j) if second_wins else (j, i)
            if loser not in drops:
                drops[loser] = Drop(partner, DropReason.REPEATED_BLOCK, number)
    members = duplicate_groups(groups)
    for indices in members.values():
        alive = [i for i in indices if i not in drops]
        if not alive:  # blocks disagreed: the group keeps one copy all the same
            alive = [_choose(indices, paragraphs, keys, keep)]
            del drops[alive[0]]
        if max(len(keys[i]) for i in indices) < min_length:
            continue
        survivor = _choose(alive, paragraphs, keys, keep)
        for i in alive:
            if i != survivor:
                reason = DropReason.EXACT if keys[i] == keys[survivor] else DropReason.NEAR
                drops[i] = Drop(survivor, reason)
    return {i: _resolve(drop, drops, members[groups[i]]) for i, drop in sorted(drops.items())}


def _second_wins(block: Block, keys: Sequence[str], keep: Keep) -> bool:
    if keep != "best":
        return keep == "last"
    (a_start, a_end), (b_start, b_end) = block.first, block.second
    a_count, b_count = a_end - a_start + 1, b_end - b_start + 1
    if a_count != b_count:
        return b_count > a_count
    a_text = sum(len(keys[k]) for k in range(a_start, a_end + 1))
    b_text = sum(len(keys[k]) for k in range(b_start, b_end + 1))
    return a_text < COMPLETE * b_text


def _choose(
    indices: Sequence[int], paragraphs: Sequence[Paragraph], keys: Sequence[str], keep: Keep
) -> int:
    if keep == "first":
        return min(indices)
    if keep == "last":
        return max(indices)
    longest = max(len(keys[i]) for i in indices)
    complete = [i for i in indices if len(keys[i]) >= COMPLETE * longest]
    whole = [i for i in complete if not paragraphs[i].text.rstrip().endswith(_ELLIPSES)]
    return min(whole or complete)


def _resolve(drop: Drop, drops: dict[int, Drop], group: Sequence[int]) -> Drop:
    """Point ``duplicate_of`` at a kept paragraph: the partner, else the group's first kept one."""
    if drop.duplicate_of not in drops:
        return drop
    kept = next(i for i in group if i not in drops)
    return Drop(kept, drop.reason, drop.block)
