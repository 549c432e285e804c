"""Verified pairs -> duplicate groups (a small union-find).

A group is named by its smallest paragraph index, so group ids are stable and
independent of the order pairs arrive in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = ["duplicate_groups", "exact_pairs", "group_pairs"]


def group_pairs(count: int, pairs: Iterable[tuple[int, int]]) -> list[int]:
    """Return the group of every paragraph: the smallest index it is linked to.

    Example:
        >>> group_pairs(5, [(3, 1), (1, 4)])
        [0, 1, 2, 1, 1]
    """
    parent = list(range(count))

    def find(x: int) -> int:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    touched: set[int] = set()
    for a, b in pairs:
        touched.add(a)
        touched.add(b)
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    # Every root is the smallest member of its group, so parent[i] <= i: one
    # pass in index order over the linked paragraphs finds every root from
    # already final smaller ones (the others are their own roots).
    for i in sorted(touched):
        parent[i] = parent[parent[i]]
    return parent


def duplicate_groups(groups: Sequence[int]) -> dict[int, list[int]]:
    """Return the members of every group of two or more, by group, in index order.

    ``groups`` names each group by its smallest member, as :func:`group_pairs` does.

    Example:
        >>> duplicate_groups([0, 1, 0, 3, 1, 5])
        {0: [0, 2], 1: [1, 4]}
    """
    members: dict[int, list[int]] = {}
    for index in [i for i, group in enumerate(groups) if group != i]:
        group = groups[index]
        if group in members:
            members[group].append(index)
        else:
            members[group] = [group, index]
    return dict(sorted(members.items()))


def exact_pairs(keys: Sequence[str]) -> list[tuple[int, int]]:
    """Link every paragraph to the first paragraph with the same key.

    Example:
        >>> exact_pairs(["a", "b", "a", "a"])
        [(0, 2), (0, 3)]
    """
    if len(set(keys)) == len(keys):  # most articles: a set is built faster than the dict
        return []
    # built from the end, so the earliest index of a key is the one that stays
    first = dict(zip(reversed(keys), range(len(keys) - 1, -1, -1), strict=True))
    return [(first[key], index) for index, key in enumerate(keys) if first[key] != index]
