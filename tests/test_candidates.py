"""dedup.candidates: LSH band pairs (checked against datasketch) and affix pairs."""

from __future__ import annotations

from itertools import combinations

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH
from hypothesis import given
from hypothesis import strategies as st

from dedup import candidates
from dedup.candidates import AFFIX, MAX_BUCKET, band_keys, find_candidates
from dedup.keys import normalize_paragraphs
from dedup.lengths import affixes
from dedup.paragraphs import split_paragraphs
from dedup.shingles import shingle
from dedup.signatures import sign
from tests.strategies import articles

BANDINGS = st.sampled_from([(24, 8), (32, 8), (32, 4), (16, 4), (64, 16), (32, 32), (8, 2)])


def unique_affix_keys(count: int) -> list[str]:
    """Keys that share no prefix or suffix of AFFIX characters: no affix pairs."""
    return [f"<{n}>" for n in range(count)]


def datasketch_pairs(signature: np.ndarray, members: list[int], num_perm: int, bands: int,
                     *, lean: bool) -> set[tuple[int, int]]:
    lsh = MinHashLSH(num_perm=num_perm, params=(bands, num_perm // bands))
    sketches = {}
    for i in members:
        if lean:
            sketch = LeanMinHash(seed=1, hashvalues=signature[i], scheme="affine32")
        else:
            sketch = MinHash(num_perm=num_perm, seed=1, hashvalues=signature[i],
                             scheme="affine32")
        sketches[i] = sketch
        lsh.insert(i, sketch)
    pairs = set()
    for i in members:
        for j in lsh.query(sketches[i]):
            if i != j:
                pairs.add((min(i, j), max(i, j)))
    return pairs


def signatures_of(text: str, num_perm: int) -> tuple[list[str], np.ndarray]:
    keys = normalize_paragraphs(split_paragraphs(text))
    return keys, sign(shingle(keys, 2), num_perm, 1)


@given(st.lists(articles(), min_size=1, max_size=3), BANDINGS, st.booleans(), st.data())
def test_band_pairs_equal_datasketch_lsh(texts, banding, lean, data):
    num_perm, bands = banding
    keys, signature = signatures_of("\n".join(texts), num_perm)
    nonempty = [i for i in range(len(keys)) if not (signature[i] == 0xFFFFFFFF).all()]
    members = data.draw(st.lists(st.sampled_from(nonempty), unique=True, max_size=MAX_BUCKET)
                        if nonempty else st.just([]))
    members.sort()
    found = find_candidates(unique_affix_keys(len(keys)), members, signature[members], bands=bands)
    assert set(found) == datasketch_pairs(signature, members, num_perm, bands, lean=lean)


@given(st.lists(articles(), min_size=1, max_size=3), BANDINGS)
def test_real_keys_give_a_superset_of_lsh_pairs(texts, banding):
    num_perm, bands = banding
    keys, signature = signatures_of("\n".join(texts), num_perm)
    members = [i for i in range(len(keys)) if not (signature[i] == 0xFFFFFFFF).all()]
    members = members[:MAX_BUCKET]
    found = find_candidates(keys, members, signature[members], bands=bands)
    assert set(found) >= datasketch_pairs(signature, members, num_perm, bands, lean=True)
    assert found == sorted(set(found))
    assert all(i < j and i in members and j in members for i, j in found)
    assert set(found) <= set(combinations(sorted(members), 2))


def test_all_pairs_is_every_pair_of_eligible():
    signature = np.zeros((3, 8), np.uint32)
    found = find_candidates(["k"] * 5, [0, 2, 4], signature, bands=2, method="all_pairs")
    assert found == [(0, 2), (0, 4), (2, 4)]


def test_only_eligible_paragraphs_pair():
    signature = np.zeros((2, 8), np.uint32)  # identical rows of paragraphs 1 and 3
    assert find_candidates(["a", "b", "c", "d"], [1, 3], signature, bands=2) == [(1, 3)]
    assert find_candidates(["a", "b", "c", "d"], [2], signature[:1], bands=2) == []
    assert find_candidates([], [], np.zeros((0, 8), np.uint32), bands=2) == []


def test_one_agreeing_band_is_enough():
    signature = np.array([[1, 2, 3, 4, 5, 6], [9, 9, 3, 4, 8, 8], [7, 7, 7, 7, 7, 7]], np.uint32)
    assert find_candidates(["a", "b", "c"], [0, 1, 2], signature, bands=3) == [(0, 1)]


def test_same_values_in_different_bands_do_not_pair():
    signature = np.array([[1, 2, 3, 4], [3, 4, 1, 2]], np.uint32)
    assert find_candidates(["a", "b"], [0, 1], signature, bands=2) == []
    keys = band_keys(signature, 2)
    assert keys.shape == (2, 2)
    assert set(keys[0].tolist()).isdisjoint(keys[1].tolist())


def test_affix_pairs():
    head = "x" * AFFIX
    keys = [head + " one", head + " two", "zz" + "y" * AFFIX, "qq" + "y" * AFFIX, "unrelated"]
    signature = np.arange(5 * 8, dtype=np.uint32).reshape(5, 8)  # no band agrees
    assert find_candidates(keys, range(5), signature, bands=4) == [(0, 1), (2, 3)]


def test_large_bucket_pairs_neighbours_only():
    count = MAX_BUCKET + 10
    signature = np.zeros((count, 4), np.uint32)
    found = find_candidates(unique_affix_keys(count), range(count), signature, bands=1)
    assert len(found) < count * (count - 1) // 2
    assert all(j - i <= 8 for i, j in found)
    assert {(i, i + 1) for i in range(count - 1)} <= set(found)


@given(st.integers(2, 150), st.sampled_from([1, 2, 3, 6, 2**16, 2**32]),
       st.sampled_from([(8, 3), (4, 2), (6, 4)]), st.integers(0, 2**32 - 1))
def test_compiled_band_pairs_equal_numpy(compiled_kernels, count, values, shape, seed):
    """Compiled and NumPy banding give the same pairs, big buckets (windowed) included.

    Wide values make rows that repeat no band key (the kernel's early return) or one.
    """
    bands, rows = shape
    rng = np.random.default_rng(seed)
    signatures = rng.integers(0, values, size=(count, bands * rows), dtype=np.uint32)
    owner = np.sort(rng.choice(10 * count, size=count, replace=False)).astype(np.int64)
    compiled = compiled_kernels.band_pairs(signatures, bands, candidates.BAND_MIX,
                                           candidates.BAND_SHIFT, owner,
                                           candidates.MAX_BUCKET, candidates.WINDOW)
    expected = candidates._sharing_a_band_numpy(signatures, bands, owner)
    assert sorted(map(tuple, compiled.tolist())) == sorted(expected)


def _affix_groups(keys: list[str], members: list[int]) -> list[list[int]]:
    """The groups of members sharing an affix, from :func:`dedup.lengths.affixes` alone."""
    groups = []
    for side in affixes(keys, members, AFFIX):
        by_affix: dict[str, list[int]] = {}
        for i, affix in zip(members, side, strict=True):
            by_affix.setdefault(affix, []).append(i)
        groups += [group for group in by_affix.values() if len(group) > 1]
    return groups


_PIECES = st.sampled_from(["the council ", "met ", "東京都庁の前で", "서울에 ", "ก", "a", "b ",
                           "x" * 20, "\U00020001", "今年冬天的第一场雪"])


@given(st.lists(st.lists(_PIECES, min_size=1, max_size=12).map("".join), min_size=2,
                max_size=10, unique=True))
def test_affix_groups_are_those_affixes_give(keys):
    """Members sharing a first or last affix group together, in every script."""
    members = list(range(len(keys)))
    assert candidates._affixes(keys, members) == _affix_groups(keys, members)


def test_compiled_band_pairs_one_repeated_row_among_distinct(compiled_kernels):
    rng = np.random.default_rng(7)
    signatures = rng.integers(0, 2**32, size=(40, 24), dtype=np.uint32)
    signatures[17] = signatures[3]
    signatures[30, :3] = signatures[5, :3]  # one band in common
    owner = np.arange(40, dtype=np.int64) * 2
    compiled = compiled_kernels.band_pairs(signatures, 8, candidates.BAND_MIX,
                                           candidates.BAND_SHIFT, owner,
                                           candidates.MAX_BUCKET, candidates.WINDOW)
    assert sorted(map(tuple, compiled.tolist())) == [(6, 34), (10, 60)]
    assert candidates._sharing_a_band_numpy(signatures, 8, owner) == {(6, 34), (10, 60)}
