"""dedup.signatures.sign_article: the compiled one-call signing equals the NumPy stages.

The kernel signs whole keys (it cuts the edges of long ones and spaces unspaced
scripts itself), keeps the usable rows and answers three questions for the
candidate stages; each answer is checked here against the NumPy code it spares.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import kernels
from dedup.candidates import AFFIX, band_keys, find_candidates, pairs_sharing_a_band
from dedup.config import Config
from dedup.keys import normalize
from dedup.lengths import affixes
from dedup.long_copies import _any_shared, _row_pairs, long_copies
from dedup.signatures import Article, sign_article
from tests.strategies import ANY_TEXT, sentence

# Latin, Thai (unspaced, weight 1), kana (1.5), Han (3), Hangul (2.5, spaced), a
# character above the tables: keys whose edges, spacing and affixes all differ by script.
MIXED = st.text(st.sampled_from("ab cd ef กขค あいう 東京都 한국어 é\U00040000"), min_size=0,
                max_size=300).map(normalize)
KEYS = st.lists(st.one_of(sentence(), ANY_TEXT.map(normalize), MIXED,
                          st.text(min_size=120).map(normalize)), min_size=1, max_size=14)
SHAPES = st.sampled_from([(24, 8, 2), (16, 4, 3), (32, 8, 1), (25, 5, 2), (8, 2, 2)])


def _sign(keys: list[str], firsts: list[int], shape: tuple[int, int, int],
          path: kernels.Mode) -> Article:
    num_perm, bands, min_words = shape
    with kernels.use(path):
        return sign_article(keys, firsts, shingle_size=2, num_perm=num_perm, seed=1,
                            min_words=min_words, affix=AFFIX, bands=bands)


def _second_band_sharers(signatures: np.ndarray) -> list[int]:
    """Rows sharing a band key of the second banding with another row (NumPy)."""
    keys = band_keys(_row_pairs(signatures).view(np.uint32), signatures.shape[1] // 2)
    counts: dict[int, int] = {}
    for value in keys.ravel().tolist():
        counts[value] = counts.get(value, 0) + 1
    return [r for r, row in enumerate(keys.tolist()) if any(counts[v] > 1 for v in row)]


@settings(max_examples=150, deadline=None)
@given(KEYS, SHAPES, st.data())
def test_compiled_equals_numpy_and_answers_right(compiled_kernels, keys, shape, data):
    """Same rows and signatures; each flag is what the NumPy code would find."""
    firsts = sorted(data.draw(st.sets(st.integers(0, len(keys) - 1), min_size=1)))
    numpy_side = _sign(keys, firsts, shape, "numpy")
    compiled = _sign(keys, firsts, shape, "compiled")
    assert compiled.signed == numpy_side.signed
    assert compiled.signatures.tolist() == numpy_side.signatures.tolist()
    assert (numpy_side.banded, numpy_side.affixes, numpy_side.shared) == (None, None, None)
    signed, rows = compiled.signed, compiled.signatures
    if len(signed) < 2:
        return
    owner = np.asarray(signed, dtype=np.int64)
    with kernels.use("numpy"):
        assert compiled.banded == bool(pairs_sharing_a_band(rows, shape[1], owner))
    heads, tails = affixes(keys, signed, AFFIX)
    repeated = len(set(heads)) < len(heads) or len(set(tails)) < len(tails)
    assert compiled.affixes is not None
    if not repeated:
        assert compiled.affixes.size == 0 or compiled.affixes.shape == (2, len(signed))
    else:
        assert compiled.affixes.shape == (2, len(signed))
        for side, values in enumerate((heads, tails)):
            for x in range(len(signed)):
                for y in range(x):
                    if values[x] == values[y]:
                        assert compiled.affixes[side, x] == compiled.affixes[side, y]
    expected = _second_band_sharers(rows) if _any_shared(_row_pairs(rows)) else []
    assert compiled.shared == expected


def test_the_edges_of_long_keys_and_unspaced_scripts_are_signed_as_encode_does(
        compiled_kernels):
    """Long keys of each script (cut at 64 characters a side), exactly 128 and 129 long."""
    latin = " ".join(f"word{i}" for i in range(60))
    keys = [latin, "東京都庁の前で会いましょう" * 12, "กขคงจฉ " * 30, "é" * 128, "é" * 129,
            latin[:128], latin[:129], "ab \U00040000 cd" * 20, ""]
    shape = (24, 8, 1)
    numpy_side = _sign(keys, list(range(len(keys))), shape, "numpy")
    compiled = _sign(keys, list(range(len(keys))), shape, "compiled")
    assert compiled.signed == numpy_side.signed
    assert compiled.signatures.tolist() == numpy_side.signatures.tolist()


def test_equal_affix_hashes_still_compare_the_affixes():
    """Hashes only select whom to compare: all-equal hashes give the pairs of real affixes."""
    keys = ["the same start of a paragraph, then one ending",
            "the same start of a paragraph, then another ending",
            "a quite different paragraph that shares nothing else",
            "another paragraph again, with words of its own here"]
    signatures = np.arange(4 * 8, dtype=np.uint32).reshape(4, 8)
    members = [0, 1, 2, 3]
    plain = find_candidates(keys, members, signatures, bands=4)
    hashed = find_candidates(keys, members, signatures, bands=4,
                             affixes=np.zeros((2, 4), dtype=np.uint64))
    assert plain == hashed == [(0, 1)]
    nothing = find_candidates(keys, members, signatures, bands=4, banded=False,
                              affixes=np.empty((2, 0), dtype=np.uint64))
    assert nothing == []


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(sentence(min_words=6), MIXED), min_size=2, max_size=10), st.data())
def test_candidates_and_long_copies_from_the_answers_equal_the_full_search(
        compiled_kernels, keys, data):
    """find_candidates and long_copies told what the kernel found give what they find alone."""
    keys = keys + data.draw(st.lists(st.sampled_from(keys), max_size=4))  # some near copies
    config = Config(min_words=2, min_length=20, min_similarity=0.5)
    article = _sign(keys, list(range(len(keys))), (config.num_perm, config.bands, 2), "compiled")
    with kernels.use("compiled"):
        told = find_candidates(keys, article.signed, article.signatures, bands=config.bands,
                               banded=article.banded, affixes=article.affixes)
        alone = find_candidates(keys, article.signed, article.signatures, bands=config.bands)
        assert told == alone
        options = {"bands": config.bands, "min_length": config.min_length,
                   "min_similarity": config.min_similarity}
        assert long_copies(keys, article.signed, article.signatures, told,
                           shared=article.shared, **options) == long_copies(
            keys, article.signed, article.signatures, told, **options)
