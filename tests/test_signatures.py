"""dedup.shingles and dedup.signatures: shingle hashes and MinHash rows.

A row of :func:`dedup.signatures.sign` must be bit for bit the ``hashvalues``
of datasketch's ``MinHash(num_perm, seed, scheme="affine32")`` updated with
the same shingle hashes.
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from datasketch import MinHash
from hypothesis import given
from hypothesis import strategies as st

from dedup import shingles, signatures
from dedup.keys import normalize
from dedup.shingles import BASE, MIX, Shingles, encode, shingle
from dedup.signatures import EMPTY, sign
from tests.strategies import ANY_TEXT, sentence


def identity(value: int) -> int:
    return value


def datasketch_row(hashes: np.ndarray, num_perm: int, seed: int) -> np.ndarray:
    minhash = MinHash(num_perm=num_perm, seed=seed, scheme="affine32", hashfunc=identity)
    minhash.update_batch(hashes.tolist())
    return minhash.hashvalues


def rows_of(shingles: Shingles) -> list[np.ndarray]:
    offsets = shingles.offsets
    return [shingles.hashes[offsets[i] : offsets[i + 1]] for i in range(len(offsets) - 1)]


PARAMS = st.sampled_from([(32, 1), (16, 7), (64, 0), (128, 42), (8, 123456789)])


@given(st.lists(st.one_of(sentence(), ANY_TEXT.map(normalize)), min_size=1, max_size=8),
       PARAMS, st.integers(1, 4))
def test_rows_equal_datasketch(keys, params, size):
    num_perm, seed = params
    shingles = shingle(keys, size)
    signature = sign(shingles, num_perm, seed)
    assert signature.shape == (len(keys), num_perm)
    assert signature.dtype == np.uint32
    for row, hashes in zip(signature, rows_of(shingles), strict=True):
        if len(hashes):
            assert row.tolist() == datasketch_row(hashes, num_perm, seed).tolist()
        else:
            assert (row == EMPTY).all()


@given(st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=200), PARAMS)
def test_raw_hashes_equal_datasketch(values, params):
    num_perm, seed = params
    hashes = np.array(values, dtype=np.uint32)
    shingles = Shingles(hashes, np.array([0, len(values)], np.int64), np.array([len(values)]))
    expected = datasketch_row(hashes, num_perm, seed)
    assert sign(shingles, num_perm, seed)[0].tolist() == expected.tolist()


def test_chunked_signing_equals_whole(monkeypatch):
    keys = [normalize(f"paragraph {n} " + "word " * n + f"end {n}") for n in range(30)]
    shingles = shingle(keys)
    whole = sign(shingles, 32, 1)
    monkeypatch.setattr(signatures, "_CHUNK", 7)
    assert (sign(shingles, 32, 1) == whole).all()


def test_a_row_does_not_depend_on_other_paragraphs():
    keys = ["the pier will close for repairs", "boats move to the east basin", "x"]
    together = sign(shingle(keys))
    for n, key in enumerate(keys):
        assert (sign(shingle([key]))[0] == together[n]).all()


def test_empty_inputs():
    assert sign(shingle([]), 16).shape == (0, 16)
    assert (sign(shingle(["", "one"]), 16) == EMPTY).all()


@given(st.integers(1, 256), st.integers(0, 2**32 - 1))
def test_permutations_are_datasketchs(num_perm, seed):
    a, b = signatures.permutations.__wrapped__(num_perm, seed)
    expected_a, expected_b = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
    assert a.dtype == b.dtype == np.uint32
    assert a.tolist() == list(expected_a)
    assert b.tolist() == list(expected_b)


def test_importing_dedup_does_not_import_datasketch():
    """Importing datasketch pulls in SciPy: half a second on every CLI run and worker."""
    code = (
        "import sys, dedup; dedup.clean('a b c d e\\na b c d e'); "
        "print('datasketch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- shingles --------------------------------------------------------------------------------


def test_words_and_offsets():
    s = shingle(["a b c", "", "d", "e f"], 2)
    assert s.words.tolist() == [3, 0, 1, 2]
    assert s.offsets.tolist() == [0, 2, 2, 2, 3]
    assert s.hashes.dtype == np.uint32


def test_shingles_do_not_cross_paragraphs():
    assert len(shingle(["a", "b"], 2).hashes) == 0


@pytest.mark.parametrize("size", [1, 2, 3])
def test_same_key_same_shingles_anywhere(size):
    key = "the harbour authority confirmed the closure"
    s = shingle(["other words first", key, "x y", key], size)
    rows = rows_of(s)
    assert rows[1].tolist() == rows[3].tolist()


def test_word_order_matters():
    first, second = rows_of(shingle(["a b c", "c b a"], 2))
    assert set(first.tolist()).isdisjoint(second.tolist())


@pytest.mark.parametrize(
    ("key", "words"),
    [("東京都", 3), ("สวัสดี", 6), ("привет мир", 2), ("abc 東京 def", 4), ("かな カナ", 4)],
)
def test_scripts_without_spaces_are_character_words(key, words):
    assert shingle([key], 2).words.tolist() == [words]


def test_no_character_below_the_unspaced_bound_is_spaced():
    # encode() skips the spacing regex for text below _UNSPACED_FROM: nothing there may match it
    below_bound = "".join(map(chr, range(shingles._UNSPACED_FROM)))
    assert shingles._NO_SPACES.search(below_bound) is None
    assert shingles._NO_SPACES.match(chr(shingles._UNSPACED_FROM))


@given(ANY_TEXT, st.sampled_from([0x100, 0x0E00, 0x3000, 0xD800]))
def test_below_is_the_maximum_code_point(text, limit):
    assert shingles.below(text, limit) == all(ord(c) < limit for c in text)


def test_keys_of_surrogates_and_nul_do_not_crash():
    keys = [normalize(text) for text in ["a\ud800b c", "\x00 \x00", "\udfff", "x\x00y"]]
    s = shingle(keys, 2)
    assert s.words.tolist()[0] == 3
    assert s.words.tolist()[3] == 2
    assert s.offsets.tolist() == [0, 2, 2, 2, 3]
    assert sign(s).shape == (4, 32)


def test_hashes_do_not_depend_on_the_process():
    code = (
        "from dedup.shingles import shingle;"
        "print(shingle(['the pier will close', 'привет мир друг', '東京都'], 2).hashes.tolist())"
    )
    outputs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                                 text=True, check=True)
        outputs.add(result.stdout)
    here = shingle(["the pier will close", "привет мир друг", "東京都"], 2).hashes.tolist()
    assert outputs == {f"{here}\n"}


@given(
    st.lists(
        st.one_of(sentence(), ANY_TEXT.map(normalize), st.text(min_size=200).map(normalize)),
        min_size=1,
        max_size=12,
    ),
    PARAMS,
    st.integers(1, 4),
)
def test_compiled_kernel_equals_numpy(compiled_kernels, keys, params, size):
    """The compiled kernel and the NumPy stages agree bit for bit, whatever the keys."""
    num_perm, seed = params
    a, b = signatures.permutations(num_perm, seed)
    compiled = compiled_kernels.shingle_sign(encode(keys), len(keys), MIX, size, a, b, BASE,
                                             signatures.FMIX)
    shingles = shingle(keys, size)
    assert compiled[0].tolist() == sign(shingles, num_perm, seed).tolist()
    assert compiled[1].tolist() == shingles.words.tolist()
    assert compiled[2].tolist() == np.diff(shingles.offsets).tolist()


def test_numpy_path_gives_the_same_clean_output():
    """DEDUP_JIT=0 selects the NumPy path in a fresh process: the same cleaned text."""
    story = "The council approved the new budget on Monday after a long debate in the hall."
    text = f"{story}\nA reply.\n{story.replace('Monday', 'monday').replace('hall', 'hal')}\n"
    code = "import sys, dedup; sys.stdout.write(dedup.clean(sys.stdin.read()))"
    outputs = {
        flag: subprocess.run(
            [sys.executable, "-c", code], input=text, capture_output=True, text=True, check=True,
            env={**os.environ, "DEDUP_JIT": flag},
        ).stdout
        for flag in ("0", "1")
    }
    assert outputs["0"] == outputs["1"] == f"{story}\nA reply.\n"


def test_loading_compiles_what_clean_calls():
    """After loading, cleaning needs no other compiled variant (each would cost a compile)."""
    code = (
        "import dedup\nfrom dedup import kernels\nk = kernels.load()\n"
        "dedup.clean('Caf\\u00e9 au lait, twice.\\nCaf\\u00e9 au lait, twice!\\n' * 3)\n"
        "from dedup.corpus.bands import BandOwners\nimport numpy as np\n"
        "t = BandOwners(capacity=4); keys = np.arange(9, dtype=np.uint64)\n"
        "t.claim(keys, keys); t.find(keys); t.release(keys, keys)\n"
        "print([len(getattr(k, f).__wrapped__.signatures) for f in k.__slots__])"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, env={**os.environ, "DEDUP_JIT": "1"})
    assert result.stdout == "[1, 1, 1, 1, 1, 1, 1]\n"
