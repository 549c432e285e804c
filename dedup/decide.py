"""Groups and blocks -> one drop decision per duplicate paragraph.

1. Repeated blocks first: of the two copies of a block, ``keep="first"`` keeps
   the earlier, ``"last"`` the later, and ``"best"`` the more complete one (more
   paragraphs in its span, or under 80% of the other's text, else the
   earlier). Every aligned paragraph of the other copy is dropped; paragraphs
   that only one copy has are unique and stay.
2. Then each duplicate group with a long member (``min_length`` characters or
   more, as :func:`dedup.lengths.text_length` counts them) is ordered by the
   policy: earliest first, latest first, or with
   ``"best"`` the copies with at least 80% of the longest copy's text first
   (earliest first, those ending in an ellipsis, or mid-sentence while a
   longer one ends its sentence, after the others, and of those the ones whose
   words are the start of another copy's last), then the
   shorter ones, longest first. A full paragraph beats its teaser, while noise
   and short fragments do not make a copy "more complete". In that order a
   paragraph is dropped when it matched a paragraph already kept *directly*
   (the same key, or a verified pair of their keys' first occurrences in
   ``links``; without ``links`` only exact copies go), and kept otherwise: two
   different paragraphs that merely share a teaser both stay.
3. Groups of short paragraphs lose members only inside repeated blocks.

No group ever loses all of its members. Every drop carries the similarity of
the pair it names: 1.0 for the same key, the similarity verification found
(``links`` maps each verified pair to it), and only for a pair verification
never compared (a block partner or a group's kept copy reached through other
members) :func:`dedup.verify.similarity`, computed here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from dedup.blocks import Block
from dedup.config import Keep
from dedup.groups import duplicate_groups
from dedup.lengths import text_lengths
from dedup.paragraphs import Paragraph
from dedup.report import DropReason
from dedup.verify import similarity

__all__ = ["ELLIPSIS_ENDINGS", "Drop", "add_drop", "decide", "ends_in_ellipsis", "key_similarity"]

COMPLETE = 0.8  # a copy with less than this share of another's text is less complete
_MARKS = ("…", "...", "⋯", "。。。", "・・・", "．．．")
# an ellipsis, alone or closing a bracket: "…", "[...]", "(…)", "……"
ELLIPSIS_ENDINGS = tuple(m + c for m in _MARKS for c in ("", "]", ")", "）", "】", "」", "』"))


_SENTENCE_ENDINGS = (".", "!", "?", "。", "！", "？", '"', "”", "’", "»", "」", "』", ")")


def ends_in_ellipsis(text: str) -> bool:
    """Whether ``text`` ends in an ellipsis (``ELLIPSIS_ENDINGS``): the mark of a cut text.

    Example:
        >>> [ends_in_ellipsis(t) for t in ("Read on…", "So... [...] ", "Done.", "继续阅读……")]
        [True, True, False, True]
    """
    return text.rstrip().endswith(ELLIPSIS_ENDINGS)


def _ends_sentence(text: str) -> bool:
    """Whether ``text`` ends like a finished sentence (not with an ellipsis)."""
    return not ends_in_ellipsis(text) and text.rstrip().endswith(_SENTENCE_ENDINGS)


@dataclass(frozen=True, slots=True)
class Drop:
    """Why a paragraph goes: the paragraph it duplicates, the reason, its block number.

    ``similarity`` is how close the two paragraphs' keys are, in [0, 1].
    """

    duplicate_of: int
    reason: DropReason
    block: int | None = None
    similarity: float = 1.0


_NO_LINKS: Mapping[tuple[int, int], float] = MappingProxyType({})


def decide(
    paragraphs: Sequence[Paragraph],
    keys: Sequence[str],
    groups: Sequence[int],
    blocks: Sequence[Block],
    *,
    keep: Keep,
    min_length: int,
    links: Mapping[tuple[int, int], float] = _NO_LINKS,
    members: Mapping[int, Sequence[int]] | None = None,
    lengths: Sequence[int] | None = None,
) -> dict[int, Drop]:
    """Return the dropped paragraphs, by index.

    ``links`` maps each verified pair ``(a, b)``, ``a < b``, to its similarity;
    ``members`` is ``duplicate_groups(groups)`` and ``lengths`` is
    ``text_lengths(keys)`` when the caller has them already.

    Example:
        >>> from dedup.paragraphs import split_paragraphs
        >>> ps = split_paragraphs("A long paragraph.\\nOther.\\nA long paragraph.")
        >>> keys = ["a long paragraph", "other", "a long paragraph"]
        >>> decide(ps, keys, [0, 1, 0], [], keep="first", min_length=5)
        {2: Drop(duplicate_of=0, reason=<DropReason.EXACT: 'exact'>, block=None, similarity=1.0)}
    """
    drops: dict[int, Drop] = {}
    for number, block in enumerate(blocks):
        second_wins = _second_wins(block, keys, keep)
        for i, j in block.pairs:
            loser, partner = (i, j) if second_wins else (j, i)
            if loser not in drops:
                drops[loser] = Drop(partner, DropReason.REPEATED_BLOCK, number)
    if members is None:
        members = duplicate_groups(groups)
    if lengths is None:
        lengths = text_lengths(keys)
    # The first occurrence of a member's key is a member of its group (exact copies are
    # grouped), and group members are in index order.
    first: dict[str, int] = {}
    for indices in members.values():
        for index in indices:
            first.setdefault(keys[index], index)
    for indices in members.values():
        alive = [i for i in indices if i not in drops]
        if not alive:  # blocks disagreed: the group keeps one copy all the same
            alive = [_preferred(indices, paragraphs, keys, keep)[0]]
            del drops[alive[0]]
        if max(lengths[i] for i in indices) < min_length:
            continue
        survivors: list[int] = []
        for i in _preferred(alive, paragraphs, keys, keep):
            kept_copy = next((k for k in survivors if _linked(i, k, keys, first, links)
                              and not _continued(paragraphs[i].text, paragraphs[k].text)), None)
            if kept_copy is None:
                survivors.append(i)
            else:
                reason = DropReason.EXACT if keys[i] == keys[kept_copy] else DropReason.NEAR
                drops[i] = Drop(kept_copy, reason)
    return {
        i: _scored(i, _resolve(drop, drops, members[groups[i]]), keys, first, links)
        for i, drop in sorted(drops.items())
    }


def add_drop(drops: dict[int, Drop], loser: int, drop: Drop, keys: Sequence[str]) -> None:
    """Drop ``loser`` too; the drops that pointed at it point at its kept copy instead.

    ``drop`` carries the similarity its rule found; each re-pointed drop gets
    :func:`key_similarity` with its new kept copy.
    """
    kept = drop.duplicate_of
    for index, other in list(drops.items()):
        if other.duplicate_of == loser:
            drops[index] = Drop(kept, other.reason, other.block, key_similarity(keys, index, kept))
    drops[loser] = drop


def key_similarity(keys: Sequence[str], i: int, k: int) -> float:
    """Return the similarity of paragraphs ``i`` and ``k`` by their keys (1.0: the same key).

    Example:
        >>> key_similarity(["same", "same", "other"], 0, 1)
        1.0
    """
    return 1.0 if keys[i] == keys[k] else similarity(keys[i], keys[k])


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


def _preferred(
    indices: Sequence[int], paragraphs: Sequence[Paragraph], keys: Sequence[str], keep: Keep
) -> list[int]:
    """Order a group's members by the keep policy, the copy to keep first."""
    if keep == "first":
        return sorted(indices)
    if keep == "last":
        return sorted(indices, reverse=True)
    longest = max(len(keys[i]) for i in indices)
    complete = [i for i in indices if len(keys[i]) >= COMPLETE * longest]
    # a copy that stops mid-sentence while a longer one ends its sentence was cut
    ended = max((len(keys[i]) for i in complete if _ends_sentence(paragraphs[i].text)), default=0)

    def rank(i: int) -> tuple[int, int, int]:
        if len(keys[i]) < COMPLETE * longest:
            return 2, -len(keys[i]), i
        text = paragraphs[i].text
        cut = ends_in_ellipsis(text) or (len(keys[i]) < ended and not _ends_sentence(text))
        # of two cut copies, the one whose words start another copy was cut shorter
        shorter = cut and any(keys[k] != keys[i] and keys[k].startswith(keys[i])
                              for k in complete)
        return int(cut), int(shorter), i

    return sorted(indices, key=rank)


def _linked(
    i: int,
    k: int,
    keys: Sequence[str],
    first: dict[str, int],
    links: Mapping[tuple[int, int], float],
) -> bool:
    """Whether paragraphs ``i`` and ``k`` matched directly (not only through others).

    ``links`` holds verified pairs of first occurrences of their keys.
    """
    if keys[i] == keys[k]:
        return True
    a, b = first[keys[i]], first[keys[k]]
    return (min(a, b), max(a, b)) in links


_TAIL = 8  # characters that locate a sentence's end in the other copy
_REACH = 40  # how far noise may move it


def _continued(first: str, second: str) -> bool:
    """Whether the shorter text is a finished sentence that the longer one goes on with.

    ``"… alongside the US military."`` and ``"… alongside the U.S. military until
    elections can be held."`` are two statements (MRPC labels such pairs "not a
    paraphrase"): the longer says more *within the sentence* the shorter ends,
    and keeping the earlier one would lose that. A fragment a scraper appends
    starts a new sentence ("… military. Read more") and is no such case, nor is
    a teaser, which does not end its sentence.
    """
    short, long = (first, second) if len(first) <= len(second) else (second, first)
    short = short.rstrip()
    if (not short.endswith(_FINAL_STOPS) or ends_in_ellipsis(short)
            or len(long.rstrip()) <= len(short)):
        return False
    tail = short.rstrip("".join(_FINAL_STOPS)).rstrip()[-_TAIL:]
    if len(tail) < _TAIL // 2:
        return False
    # where the shorter one ends in the longer: the last match near the same place
    at = long.rfind(tail, max(0, len(short) - len(tail) - _REACH), len(short) + _REACH)
    if at < 0:
        return False  # noise moved or changed it: no evidence, the match stands
    rest = long[at + len(tail) :]
    if rest[:1].isalnum():
        return False  # the word goes on ("electionn."): a typo, not a longer sentence
    after = rest.lstrip(" \"”’'»」』）)")
    return bool(after) and (after[0].isalnum() or after[0] in ",;:，、；：")



_FINAL_STOPS = (".", "!", "?", "。", "！", "？", '"', "”", "’", "»", "」", "』")


def _resolve(drop: Drop, drops: dict[int, Drop], group: Sequence[int]) -> Drop:
    """Point ``duplicate_of`` at a kept paragraph: the partner, else the group's first kept one."""
    if drop.duplicate_of not in drops:
        return drop
    kept = next(i for i in group if i not in drops)
    return Drop(kept, drop.reason, drop.block)


def _scored(
    i: int,
    drop: Drop,
    keys: Sequence[str],
    first: dict[str, int],
    links: Mapping[tuple[int, int], float],
) -> Drop:
    """Give ``drop`` the similarity of paragraph ``i`` with the copy it names."""
    kept = drop.duplicate_of
    if keys[i] == keys[kept]:
        return drop  # 1.0
    a, b = first.get(keys[i], i), first.get(keys[kept], kept)
    score = links.get((min(a, b), max(a, b)))
    if score is None:  # never compared directly: linked through other members
        score = similarity(keys[i], keys[kept])
    return Drop(kept, drop.reason, drop.block, score)
