"""Duplicate groups -> repeated blocks: runs of paragraphs that reappear together.

Two paragraphs of one group form an aligned pair ``(i, j)``, ``i < j``. Pair
``(i, j)`` continues pair ``(i', j')`` when both copies move forward by at most
``max_gap + 1`` paragraphs (``0 < i - i' <= max_gap + 1`` and the same for
``j``), so a copy may have up to ``max_gap`` paragraphs inserted, missing or too
noisy to match between two aligned ones. Across a gap, both pairs must be
firm: long (a paragraph of ``min_length`` or more), or a short line found
exactly once in each copy (a fact box's "16th PREM"); a short line that recurs
more often ("Advertisement", a line repeated a dozen times) links only to a
directly adjacent pair, so it neither stretches a block nor makes the
alignment depend on which of its many pairs were found. Linked pairs
form a chain, which is cut wherever its first copy would reach its second copy
(a run repeated three times), so the two copies of a block never overlap. A
block counts when each copy has two or more paragraphs and it holds at least
one long pair (a paragraph of ``min_length`` characters or more), so a chorus
or a list of short lines repeated together stays.

Groups larger than ``MAX_GROUP`` (say, a separator line repeated 500 times)
contribute pairs of neighbouring members only, which keeps the work linear.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations, pairwise

from dedup.groups import duplicate_groups, group_pairs

__all__ = ["Block", "find_blocks"]

MAX_GROUP = 32


@dataclass(frozen=True, slots=True)
class Block:
    """A repeated block: aligned pairs ``(i, j)``, first copy ``i``, second copy ``j``."""

    pairs: tuple[tuple[int, int], ...]

    @property
    def first(self) -> tuple[int, int]:
        """First and last paragraph index of the first copy."""
        return self.pairs[0][0], max(i for i, _ in self.pairs)

    @property
    def second(self) -> tuple[int, int]:
        """First and last paragraph index of the second copy."""
        return min(j for _, j in self.pairs), max(j for _, j in self.pairs)


def find_blocks(
    groups: Sequence[int],
    long: Sequence[bool],
    max_gap: int,
    members: Mapping[int, Sequence[int]] | None = None,
) -> list[Block]:
    """Return the repeated blocks, sorted by their first copy.

    ``members`` is ``duplicate_groups(groups)`` when the caller has it already.

    Example:
        >>> # paragraphs 0-2 reappear as 4-6; 3 stands alone
        >>> groups = [0, 1, 2, 3, 0, 1, 2]
        >>> [b.pairs for b in find_blocks(groups, [True] * 7, max_gap=1)]
        [((0, 4), (1, 5), (2, 6))]
    """
    if members is None:
        members = duplicate_groups(groups)
    if not any(long[i] for indices in members.values() for i in indices):
        return []  # no long pair: nothing can anchor a block
    pairs: list[tuple[int, int]] = []
    for indices in members.values():
        if len(indices) <= MAX_GROUP:
            pairs.extend(combinations(indices, 2))
        else:
            pairs.extend(pairwise(indices))
    if len(pairs) < 2:
        return []
    pairs.sort()
    position = {pair: n for n, pair in enumerate(pairs)}
    steps = range(1, max_gap + 2)
    links = []
    sizes = {i: len(indices) for indices in members.values() for i in indices}

    def firm(i: int, j: int) -> bool:
        # a pair that can bridge a gap: a long pair, or a short line found once in each copy
        return _long(long, i, j) or sizes[i] == 2

    for n, (i, j) in enumerate(pairs):
        bridges = firm(i, j)
        for di in steps:  # the pairs (a, b) this one may continue: a and b in one group
            a = i - di
            if a not in sizes:
                continue
            group = groups[a]
            for dj in steps:
                b = j - dj
                if groups[b] == group and (before := position.get((a, b))) is not None \
                        and (di == dj == 1 or (bridges and firm(a, b))):
                    links.append((before, n))
    if not links:
        return []
    component = group_pairs(len(pairs), links)
    chains: dict[int, list[tuple[int, int]]] = {}
    for n in sorted({n for link in links for n in link}):  # a lone pair is no block
        chains.setdefault(component[n], []).append(pairs[n])
    blocks = []
    for chain in chains.values():
        for part in _without_overlap(chain):
            runs = len({i for i, _ in part}) >= 2 and len({j for _, j in part}) >= 2
            if runs and any(long[i] or long[j] for i, j in part):
                blocks.append(Block(tuple(part)))
    return sorted(blocks, key=lambda b: (b.first, b.second))


def _without_overlap(chain: Sequence[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """Cut a chain of sorted pairs wherever its first copy reaches its second copy.

    Three copies of a run link copies 1-2 and 2-3 into one chain whose copies
    overlap; cut, it gives the two blocks 1-2 and 2-3 instead of none.

    Example:
        >>> _without_overlap([(0, 2), (1, 3), (2, 4), (3, 5)])
        [[(0, 2), (1, 3)], [(2, 4), (3, 5)]]
    """
    parts: list[list[tuple[int, int]]] = []
    lowest = -1  # the first paragraph of the current part's second copy
    for i, j in chain:
        if not parts or i >= lowest:
            parts.append([])
            lowest = j
        parts[-1].append((i, j))
        lowest = min(lowest, j)
    return parts


def _long(long: Sequence[bool], i: int, j: int) -> bool:
    return long[i] or long[j]
