"""dedup.corpus.bands: the band-owner table, compiled and as a dict, against a dict model."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import kernels
from dedup.corpus import bands
from dedup.corpus.bands import BandOwners

# Few distinct keys, so that claims repeat and releases hit, in a table of 8 slots at first,
# so that probe runs collide, wrap around, and grow; 0 and 2**64 - 1 included.
KEYS = st.one_of(st.sampled_from([0, 1, 2, 3, 2**64 - 1, 2**63, 12345, 99]),
                 st.integers(0, 2**64 - 1))
OWNERS = st.sampled_from([0, 7, 8, 2**64 - 2])
PAIRS = st.lists(st.tuples(KEYS, OWNERS), max_size=12)
STEPS = st.lists(st.tuples(st.sampled_from(["claim", "release"]), PAIRS), max_size=25)



def _table(hot: int = 1 << 19) -> BandOwners:
    return BandOwners(capacity=8, hot_capacity=hot)


def _arrays(pairs: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    keys = np.array([k for k, _ in pairs], dtype=np.uint64)
    owners = np.array([o for _, o in pairs], dtype=np.uint64)
    return keys, owners


def _check_against_a_dict(table: BandOwners, steps, queries) -> None:
    model: dict[int, int] = {}
    for action, pairs in steps:
        if action == "claim":
            table.claim(*_arrays(pairs))
            for key, owner in pairs:
                model.setdefault(key, owner)
        else:
            table.release(*_arrays(pairs))
            for key, owner in pairs:
                if model.get(key) == owner:
                    del model[key]
        assert len(table) == len(model)
    wanted = [*queries, *model, *(k for _, pairs in steps for k, _ in pairs)]
    found, owners = table.find(np.array(wanted, dtype=np.uint64))
    assert found.tolist() == [key in model for key in wanted]
    assert [o for o, f in zip(owners.tolist(), found.tolist(), strict=True) if f] == [
        model[key] for key in wanted if key in model
    ]


@settings(max_examples=300)
@given(steps=STEPS, queries=st.lists(KEYS, max_size=10))
def test_table_behaves_as_a_dict(kernel_path: str, steps, queries) -> None:
    """Claims keep the first owner, releases remove only a key's own owner, finds see both."""
    _check_against_a_dict(_table(), steps, queries)


@settings(max_examples=300)
@given(steps=STEPS, queries=st.lists(KEYS, max_size=10), merge=st.sampled_from([1, 6, 1 << 22]),
       bit_slice=st.sampled_from([1, 3, 1 << 20]))
def test_frozen_runs_behave_as_a_dict(compiled_kernels: kernels.Kernels, steps, queries,
                                      merge: int, bit_slice: int) -> None:
    """A table of 8 slots at most freezes its keys into sorted runs, merged up to ``merge``
    keys (their bit filters built ``bit_slice`` keys at a time): released there, claimed
    again, found in any run, as in a dict (the NumPy path is a dict)."""
    with pytest.MonkeyPatch.context() as patch, kernels.use("compiled"):
        patch.setattr(bands, "MAX_RUN", merge)
        patch.setattr(bands, "_SLICE", bit_slice)
        table = _table(hot=8)
        _check_against_a_dict(table, steps, queries)


def test_table_grows_and_keeps_every_key(kernel_path: str) -> None:
    """Far more keys than the first table holds: all found after growing, half released."""
    rng = np.random.default_rng(7)
    keys = np.unique(rng.integers(0, 2**64, 50_000, dtype=np.uint64))
    owners = rng.integers(0, 2**64, keys.shape[0], dtype=np.uint64)
    table = _table()
    for start in range(0, keys.shape[0], 1000):
        table.claim(keys[start:start + 1000], owners[start:start + 1000])
    table.claim(keys, owners[::-1].copy())  # every key is owned already: nothing changes
    found, got = table.find(keys)
    assert found.all()
    assert np.array_equal(got, owners)
    table.release(keys[::2], owners[::2])
    found, got = table.find(keys)
    assert not found[::2].any()
    assert found[1::2].all()
    assert np.array_equal(got[1::2], owners[1::2])
    assert len(table) == keys.shape[0] // 2


def test_the_dict_moves_into_the_table_when_the_kernels_load() -> None:
    """A table started before the kernels loaded (auto mode, little work) keeps every key."""
    with kernels.use("numpy"):
        table = _table()
        table.claim(np.arange(1, 40, dtype=np.uint64), np.arange(1, 40, dtype=np.uint64) * 3)
        table.release(np.array([5], dtype=np.uint64), np.array([15], dtype=np.uint64))
    with kernels.use("compiled"):
        table.claim(np.array([2, 100], dtype=np.uint64), np.array([9, 9], dtype=np.uint64))
        found, owners = table.find(np.arange(1, 101, dtype=np.uint64))
    assert table._kernels is not None
    assert len(table) == 39
    expected = {k: 3 * k for k in range(1, 40) if k != 5} | {100: 9}
    assert found.tolist() == [k in expected for k in range(1, 101)]
    assert [o for o, f in zip(owners.tolist(), found.tolist(), strict=True) if f] == list(
        expected.values())


def test_capacity_must_be_a_power_of_two() -> None:
    with pytest.raises(ValueError, match="power of two"):
        BandOwners(capacity=12)


def test_table_stays_between_30_and_60_percent_full(compiled_kernels: kernels.Kernels) -> None:
    """Below its largest size, the table doubles when 60% full, never quadruples."""
    rng = np.random.default_rng(11)
    keys = np.unique(rng.integers(0, 2**64, 300_000, dtype=np.uint64))
    with kernels.use("compiled"):
        table = BandOwners(capacity=8, hot_capacity=1 << 20)
    assert table.nbytes > 0
    loads = []
    for start in range(0, keys.shape[0], 997):
        batch = keys[start:start + 997]
        table.claim(batch, batch)
        loads.append(len(table) / (table.nbytes / 17))
    grown = loads[len(loads) // 10:]  # past the first few growths of a tiny table
    assert min(grown) >= 0.29
    assert max(loads) <= 0.6


def test_frozen_keys_take_about_14_bytes_each(compiled_kernels: kernels.Kernels) -> None:
    """Past the table's largest size, keys go to sorted runs: 8 bytes of key, 4 of owner index,
    the owners themselves (8 paragraphs' bands share one), 1 to 2 of bit filter; each key
    found with its owner."""
    rng = np.random.default_rng(12)
    keys = np.unique(rng.integers(0, 2**64, 400_000, dtype=np.uint64))
    rng.shuffle(keys)
    owners = np.repeat(rng.integers(0, 2**64, keys.shape[0] // 8 + 1, dtype=np.uint64), 8)
    owners = owners[:keys.shape[0]]
    with kernels.use("compiled"):
        table = BandOwners(capacity=8, hot_capacity=1 << 12)
        for start in range(0, keys.shape[0], 800):
            table.claim(keys[start:start + 800], owners[start:start + 800])
    hot = (1 << 12) * 17
    assert len(table._runs) <= 12
    assert table.nbytes - hot <= 15 * len(table)
    found, got = table.find(keys)
    assert found.all()
    assert np.array_equal(got, owners)
    table.release(keys[1::2], owners[1::2])
    found, got = table.find(keys)
    assert found.tolist() == [True, False] * (keys.shape[0] // 2)
    assert len(table) == keys.shape[0] // 2


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 2**64 - 1), max_size=300), st.integers(1, 40))
def test_a_frozen_tables_distinct_owners_are_np_unique(
    compiled_kernels: kernels.Kernels, pool: list[int], size: int
) -> None:
    """The owners of a frozen table and each key's index among them: np.unique's answer."""
    values = np.array([pool[i % len(pool)] for i in range(size * 7)] if pool else [],
                      dtype=np.uint64)
    with kernels.use("compiled"):
        owners, which = BandOwners()._distinct(values)
    expected, inverse = np.unique(values, return_inverse=True)
    assert owners.tolist() == expected.tolist()
    assert which.dtype == np.uint32
    assert which.tolist() == inverse.tolist()
