"""Config: every tunable of the cleaner, validated once.

``Config()`` is the tuned default. Change it with :func:`dataclasses.replace`
or pass the same names as keyword arguments to :func:`dedup.clean`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from dedup.errors import ConfigError

__all__ = ["Config", "Keep", "Split"]

Keep = Literal["best", "first", "last"]
Split = Literal["line", "blank"]
Candidates = Literal["lsh", "all_pairs"]

KEEP_VALUES: tuple[Keep, ...] = ("best", "first", "last")
SPLIT_VALUES: tuple[Split, ...] = ("line", "blank")
CANDIDATE_VALUES: tuple[Candidates, ...] = ("lsh", "all_pairs")


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    """Options of the cleaner.

    - ``keep`` (``"best"``): which copy of a duplicate survives. ``"best"`` keeps
      the most complete copy of each repeated block and near-duplicate group (a
      full paragraph beats its truncated teaser; among equally complete copies
      the earliest wins); ``"first"`` the earliest; ``"last"`` the latest.
    - ``split`` (``"line"``): ``"line"`` makes every line a paragraph (scraper
      output, one paragraph per line, blank lines or not); ``"blank"`` makes only
      blank lines separate paragraphs (hard-wrapped plain text and Markdown).
    - ``min_length`` (``50``): a paragraph whose normalized text is shorter than
      this many characters is dropped only as part of a repeated block, as a
      teaser ending in an ellipsis or as a doubled heading. Characters count
      by the text they carry (:func:`dedup.lengths.text_length`: a Han
      character 3, a Hangul syllable 2.5, a kana 1.5, others 1), so the
      threshold means the same in every script. Lower it to also drop short
      isolated repeats; raise it to protect longer list items.
    - ``min_similarity`` (``0.9``): the rapidfuzz similarity, in [0, 1], that two
      normalized paragraphs need to count as near duplicates, and that a short
      paragraph needs against the start or end of a longer one to count as its
      teaser or fragment. Lower finds noisier copies and risks false drops.
    - ``min_words`` (``5``): paragraphs with fewer words are compared exactly
      only, never fuzzily. In scripts written without spaces a word is six
      letters of length (:func:`dedup.lengths.word_count`).
    - ``max_block_gap`` (``2``): how many paragraphs may be inserted or missing
      between two aligned paragraphs of a repeated block.
    - ``shingle_size`` (``2``): words (or characters, for scripts written
      without spaces) per shingle for MinHash.
    - ``num_perm`` (``24``) and ``bands`` (``8``): MinHash permutations and LSH
      bands of ``num_perm // bands`` rows; ``num_perm`` must be a multiple of
      ``bands``. The defaults make a pair of Jaccard similarity 0.5 a candidate
      with probability 0.66, and one of 0.7 with probability 0.97. More bands
      find candidates of lower similarity at a higher cost.
    - ``seed`` (``1``): seed of the MinHash permutations.
    - ``candidates`` (``"lsh"``): ``"lsh"`` proposes pairs with MinHash/LSH and
      prefix and suffix keys; ``"all_pairs"`` verifies every pair (exhaustive,
      quadratic: for small inputs and for testing).

    Raises:
        ConfigError: a field is outside its allowed range.

    Example:
        >>> Config(keep="first").keep
        'first'
        >>> Config(min_similarity=1.5)
        Traceback (most recent call last):
        ...
        dedup.errors.ConfigError: min_similarity=1.5 must be between 0 and 1
    """

    keep: Keep = "best"
    split: Split = "line"
    min_length: int = 50
    min_similarity: float = 0.9
    min_words: int = 5
    max_block_gap: int = 2
    shingle_size: int = 2
    num_perm: int = 24
    bands: int = 8
    seed: int = 1
    candidates: Candidates = "lsh"

    def __post_init__(self) -> None:
        _check_choice("keep", self.keep, KEEP_VALUES)
        _check_choice("split", self.split, SPLIT_VALUES)
        _check_choice("candidates", self.candidates, CANDIDATE_VALUES)
        _check_int("min_length", self.min_length, 0)
        _check_int("min_words", self.min_words, 1)
        _check_int("max_block_gap", self.max_block_gap, 0)
        _check_int("shingle_size", self.shingle_size, 1)
        _check_int("num_perm", self.num_perm, 1)
        _check_int("bands", self.bands, 1)
        _check_int("seed", self.seed, 0)
        if isinstance(self.min_similarity, bool) or not isinstance(
            self.min_similarity, (int, float)
        ):
            msg = f"min_similarity={self.min_similarity!r} must be a number between 0 and 1"
            raise ConfigError(msg)
        if not 0.0 < self.min_similarity <= 1.0:
            msg = f"min_similarity={self.min_similarity!r} must be between 0 and 1"
            raise ConfigError(msg)
        if self.num_perm % self.bands:
            msg = f"num_perm={self.num_perm!r} must be a multiple of bands={self.bands!r}"
            raise ConfigError(msg)

    @property
    def rows(self) -> int:
        """MinHash values per LSH band (``num_perm // bands``)."""
        return self.num_perm // self.bands


def _check_choice(name: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        choices = ", ".join(repr(a) for a in allowed)
        msg = f"{name}={value!r} must be one of {choices}"
        raise ConfigError(msg)


def _check_int(name: str, value: object, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        msg = f"{name}={value!r} must be an integer >= {minimum}"
        raise ConfigError(msg)
    if value < minimum:
        msg = f"{name}={value!r} must be >= {minimum}"
        raise ConfigError(msg)
