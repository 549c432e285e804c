"""clean() and clean_with_report(): the stages, called top to bottom.

text -> paragraphs -> keys -> shingles -> signatures -> candidate pairs ->
verified matches -> groups -> repeated blocks -> drops -> text and report.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from typing import Any, NamedTuple

from dedup.blocks import find_blocks
from dedup.candidates import AFFIX, find_candidates
from dedup.config import Candidates, Config, Keep, Split
from dedup.decide import Drop, decide
from dedup.errors import InputError
from dedup.groups import duplicate_groups, exact_pairs, group_pairs
from dedup.headings import heading_drops
from dedup.keys import normalize_paragraphs
from dedup.lengths import text_lengths
from dedup.long_copies import long_copies
from dedup.paragraphs import Paragraph, Paragraphs, render, split_paragraphs
from dedup.report import Cleaned, Decision, Report
from dedup.signatures import U32, Article, sign_article
from dedup.teasers import teaser_drops
from dedup.verify import verify_pairs

__all__ = ["Analyzed", "analyze", "clean", "clean_with_report"]

logger = logging.getLogger(__name__)
_DEFAULT = Config()


def clean(
    text: str,
    *,
    keep: Keep | None = None,
    split: Split | None = None,
    min_length: int | None = None,
    min_similarity: float | None = None,
    candidates: Candidates | None = None,
    config: Config | None = None,
) -> str:
    """Return ``text`` without its duplicate and near-duplicate paragraphs.

    The output is the input minus whole paragraphs: kept paragraphs are
    byte-identical, in input order, with the input's own separators.

    Args:
        text: The article.
        keep: Which copy survives: ``"best"`` (default), ``"first"`` or ``"last"``.
        split: ``"line"`` (default) or ``"blank"``; see :class:`Config`.
        min_length: Shortest normalized length (default 50) of a paragraph that
            may be dropped outside a repeated block.
        min_similarity: rapidfuzz similarity in [0, 1] (default 0.9) for near duplicates.
        candidates: ``"lsh"`` (default) or ``"all_pairs"``.
        config: A :class:`Config` carrying every option; the keyword options
            above override its fields.

    Returns:
        The cleaned text.

    Raises:
        InputError: ``text`` is not a ``str`` (decode ``bytes`` first).
        ConfigError: an option is out of range.

    Example:
        >>> body = "The body of the story, told at length, with every detail in it."
        >>> clean(f"Intro.\\n{body}\\n{body}")
        'Intro.\\nThe body of the story, told at length, with every detail in it.'
    """
    options = _options(config, keep, split, min_length, min_similarity, candidates)
    paragraphs, _, drops, *_ = analyze(text, options)
    if not drops:
        return text
    return render(text, paragraphs, [i not in drops for i in range(len(paragraphs))])


def clean_with_report(
    text: str,
    *,
    keep: Keep | None = None,
    split: Split | None = None,
    min_length: int | None = None,
    min_similarity: float | None = None,
    candidates: Candidates | None = None,
    config: Config | None = None,
) -> Cleaned:
    """Clean ``text`` like :func:`clean` and explain every decision.

    Takes the same arguments as :func:`clean`.

    Example:
        >>> text = "Same words here, twice.\\nSame words here — twice!"
        >>> result = clean_with_report(text, min_length=10)
        >>> result.text
        'Same words here, twice.'
        >>> d = result.report.decisions[1]
        >>> d.kept, d.reason.value, d.duplicate_of, d.similarity
        (False, 'exact', 0, 1.0)
    """
    options = _options(config, keep, split, min_length, min_similarity, candidates)
    paragraphs, _, drops, *_ = analyze(text, options)
    kept = [i not in drops for i in range(len(paragraphs))]
    decisions = tuple(_decision(p, drops.get(p.index)) for p in paragraphs)
    return Cleaned(render(text, paragraphs, kept), Report(decisions))


class Analyzed(NamedTuple):
    """What :func:`analyze` found: the paragraphs, their normalized keys, the drops by index.

    ``signed`` are the paragraphs that got a MinHash signature (first occurrences
    of their key with at least ``min_words`` words), row by row in ``signatures``;
    both are empty when the article had nothing to compare.
    """

    paragraphs: Paragraphs
    keys: list[str]
    drops: dict[int, Drop]
    signed: Sequence[int] = ()
    signatures: U32 | None = None


def analyze(text: str, config: Config) -> Analyzed:
    """Run every stage and return paragraphs, keys and drops (for the corpus cleaner)."""
    _check_text(text)
    paragraphs = split_paragraphs(text, config.split)
    keys = normalize_paragraphs(paragraphs)
    if len(paragraphs) < 2:
        return Analyzed(paragraphs, keys, {})
    exact = exact_pairs(keys)
    duplicates = {b for _, b in exact}
    # each paragraph's first copy; signing drops those with too few words (one compiled pass
    # signs them all faster than Python can count their words first)
    firsts = [i for i in range(len(keys)) if i not in duplicates]
    article = _signatures(keys, firsts, config)
    signed_paragraphs, signatures = article.signed, article.signatures
    pairs = find_candidates(
        keys,
        signed_paragraphs,
        signatures,
        bands=config.bands,
        method=config.candidates,
        banded=article.banded,
        affixes=article.affixes,
    )
    matches = verify_pairs(keys, pairs, config.min_similarity, min_contained=config.min_length)
    matches += long_copies(keys, signed_paragraphs, signatures, pairs, bands=config.bands,
                           min_length=config.min_length, min_similarity=config.min_similarity,
                           shared=article.shared)
    if not exact and not matches:
        drops = _short_copies(text, paragraphs, keys, None, {}, config)
        return Analyzed(paragraphs, keys, drops, signed_paragraphs, signatures)
    lengths = text_lengths(keys)
    groups = group_pairs(len(paragraphs), exact + [(m.a, m.b) for m in matches])
    long = [size >= config.min_length for size in lengths]
    members = duplicate_groups(groups)
    blocks = find_blocks(groups, long, config.max_block_gap, members)
    links = {(m.a, m.b): m.similarity for m in matches}
    drops = decide(
        paragraphs,
        keys,
        groups,
        blocks,
        keep=config.keep,
        min_length=config.min_length,
        links=links,
        members=members,
        lengths=lengths,
    )
    drops = _short_copies(text, paragraphs, keys, lengths, drops, config)
    return Analyzed(paragraphs, keys, drops, signed_paragraphs, signatures)


def _short_copies(
    text: str,
    paragraphs: Paragraphs,
    keys: Sequence[str],
    lengths: Sequence[int] | None,
    drops: dict[int, Drop],
    config: Config,
) -> dict[int, Drop]:
    """Add the short copies that groups never drop: doubled headings, short teasers.

    Repeated until nothing changes: a heading dropped brings the next paragraphs
    to the top, as cleaning the output again would.
    """
    while True:
        count = len(drops)
        drops = heading_drops(paragraphs, keys, drops, config.keep, config.min_length)
        drops = teaser_drops(text, paragraphs, keys, lengths, drops, config)
        if len(drops) == count:
            return drops


def _signatures(keys: Sequence[str], firsts: Sequence[int], config: Config) -> Article:
    """Sign the ``firsts`` that have ``min_words`` words and a shingle: their indices and rows."""
    return sign_article(keys, firsts, shingle_size=config.shingle_size, num_perm=config.num_perm,
                        seed=config.seed, min_words=config.min_words, affix=AFFIX,
                        bands=config.bands)


def _decision(paragraph: Paragraph, drop: Drop | None) -> Decision:
    p = paragraph
    if drop is None:
        return Decision(p.index, p.start, p.end, p.text, kept=True)
    return Decision(p.index, p.start, p.end, p.text, False, drop.reason, drop.duplicate_of,
                    drop.similarity, drop.block)


def _check_text(text: object) -> None:
    if isinstance(text, str):
        return
    if isinstance(text, (bytes, bytearray, memoryview)):
        msg = (
            f"text must be str, got {type(text).__name__}: "
            "decode it first, for example data.decode('utf-8', errors='replace')"
        )
        raise InputError(msg)
    msg = f"text must be str, got {type(text).__name__}: {text!r:.60}"
    raise InputError(msg)


def _options(
    config: Config | None,
    keep: Keep | None,
    split: Split | None,
    min_length: int | None,
    min_similarity: float | None,
    candidates: Candidates | None,
) -> Config:
    base = _DEFAULT if config is None else config
    if not isinstance(base, Config):
        msg = f"config={base!r:.60} must be a dedup.Config"
        raise InputError(msg)
    given = {
        "keep": keep,
        "split": split,
        "min_length": min_length,
        "min_similarity": min_similarity,
        "candidates": candidates,
    }
    changes: dict[str, Any] = {name: value for name, value in given.items() if value is not None}
    return dataclasses.replace(base, **changes) if changes else base
