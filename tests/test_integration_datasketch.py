"""dedup.integrations.datasketch: dedup's signatures as datasketch LeanMinHash, bit for bit."""

from __future__ import annotations

import pickle

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH
from hypothesis import given
from hypothesis import strategies as st

import dedup
from dedup.integrations.datasketch import lean_minhashes
from dedup.keys import normalize
from dedup.shingles import shingle
from tests.strategies import ANY_TEXT, sentence


def identity(value: int) -> int:
    return value


@given(st.lists(st.one_of(sentence(), ANY_TEXT), min_size=1, max_size=6),
       st.sampled_from([dedup.Config(), dedup.Config(num_perm=64, bands=16, seed=7)]))
def test_lean_minhashes_equal_datasketchs_own(texts, config):
    found = lean_minhashes(texts, config)
    shingles = shingle([normalize(t) for t in texts], config.shingle_size)
    for index, lean in enumerate(found):
        hashes = shingles.hashes[shingles.offsets[index] : shingles.offsets[index + 1]]
        own = MinHash(num_perm=config.num_perm, seed=config.seed, scheme="affine32",
                      hashfunc=identity)
        own.update_batch(hashes.tolist())
        assert isinstance(lean, LeanMinHash)
        assert lean.hashvalues.tolist() == own.hashvalues.tolist()
        assert lean == LeanMinHash(own)
        assert lean.seed == config.seed


def test_lean_minhashes_work_in_datasketch_lsh_and_serialize():
    story = "Volunteers reopened the Gull Island lighthouse on Saturday after two years of work."
    copies = [story, story.replace("Saturday", "Saturday,"), "A different paragraph about ferries."]
    a, b, c = lean_minhashes(copies)
    lsh = MinHashLSH(num_perm=dedup.Config().num_perm, params=(8, 3))
    lsh.insert("story", a)
    assert lsh.query(b) == ["story"]
    assert lsh.query(c) == []
    buffer = bytearray(a.bytesize())
    a.serialize(buffer)
    assert np.array_equal(LeanMinHash.deserialize(buffer).hashvalues, a.hashvalues)
    assert pickle.loads(pickle.dumps(b)) == b
