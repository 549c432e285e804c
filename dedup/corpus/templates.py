"""A page's paragraphs and its site's counts -> the site boilerplate to drop from it.

The rules, in the page's paragraph order (``T`` is the site's threshold of
documents, :func:`dedup.corpus.boilerplate.min_docs_for`):

1. **exact**: the paragraph's exact fingerprint is in ``T`` or more of the
   site's documents.
2. **template**: its shape (:func:`dedup.corpus.shapes.shape_of`: the same
   line with other numbers, dates or times; lines only, not long prose) is
   in ``T`` or more documents, and the page holds that shape once, and no
   neighbour of it holds numbers too (unless that neighbour is exact
   boilerplate). A shape that repeats inside one page, or lines with
   numbers next to each other, are the page's own structure (a results table,
   market prices, comment datelines), not template.
3. **own text**: a paragraph found on this page only (no other document of the
   site holds it, exactly or by shape) of at least ``OWN_LENGTH`` normalized
   characters, and not an in-article duplicate, is the page's own text. A
   frequent paragraph (rule 1 or 2) directly followed by own text stays: it is
   this page's headline, lede or subheading, which other pages list as links.
   The same line in another page's link list (followed by more links) goes.
   (So a template line directly followed by text unique to the page stays on
   that page: a sign-off line before a paragraph no other page holds.)
4. **neighbours**: a paragraph shorter than ``OWN_LENGTH`` repeated on the
   site (2+ documents) but under ``T`` goes where it stands among
   boilerplate: the nearest paragraphs above and below that are boilerplate
   or own text are both boilerplate (or the page's edge), and own text does
   not follow it. A link list's rarer items go with the list; a line repeated
   under ``T`` inside an article stays.

Everything depends on the page and its site's counts only, never on the
order of documents or on which worker ran, so every engine drops the same.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Collection, Mapping, Sequence

from dedup.corpus.shapes import SHAPE_SEED, shape_of, shape_prints

__all__ = ["OWN_LENGTH", "RULES", "SHAPE_SEED", "shape_of", "shape_prints", "site_drops"]

OWN_LENGTH = 80
"""Normalized characters that make a paragraph found on one page its own text."""
RULES = ("exact", "template", "neighbours")


def _in_table(i: int, docs: Sequence[int], shapes: Sequence[int], threshold: int) -> bool:
    """Whether paragraph ``i`` has a neighbour with numbers too that is not exact boilerplate."""
    return any(0 <= j < len(shapes) and shapes[j] and docs[j] < threshold for j in (i - 1, i + 1))


def site_drops(
    prints: Sequence[int],
    shapes: Sequence[int],
    sizes: Sequence[int],
    counts: Mapping[int, int],
    threshold: int,
    dropped: Collection[int] = (),
) -> dict[int, tuple[str, int]]:
    """Return the boilerplate paragraphs of one page: index -> (rule, documents holding it).

    ``prints``, ``shapes`` and ``sizes`` are each paragraph's exact fingerprint,
    shape fingerprint (0: none) and normalized length; ``counts`` the site's
    documents per fingerprint (exact and shape) for those in 2+ documents;
    ``dropped`` the paragraphs the page drops itself (in-article duplicates),
    which are never its own text.

    Example:
        >>> counts = {1: 5, 2: 5, 3: 2}  # 9 is on this page only, and long: its own text
        >>> site_drops([1, 3, 2, 9, 1], [0, 0, 0, 0, 0], [20, 20, 20, 90, 20], counts, 3)
        {0: ('exact', 5), 1: ('neighbours', 2), 4: ('exact', 5)}
    """
    n = len(prints)
    if not counts or not n:
        return {}
    get = counts.get
    docs = [get(f, 0) for f in prints]
    shaped = [get(s, 0) if s else 0 for s in shapes]
    if max(docs) < 2 and max(shaped) < 2:
        return {}
    # own text: on this page only (exactly and by shape), long, not an in-article duplicate
    own = [count < 2 and shape < 2 and size >= OWN_LENGTH
           for count, shape, size in zip(docs, shaped, sizes, strict=True)]
    for i in dropped:
        own[i] = False
    own.append(False)  # past the last paragraph
    rule: dict[int, tuple[str, int]] = {}  # exact and template, by index
    in_page: Counter[int] | None = None
    for i in [i for i in range(n) if docs[i] >= threshold or shaped[i] >= threshold]:
        if docs[i] >= threshold:
            rule[i] = ("exact", docs[i])
            continue
        if in_page is None:
            in_page = Counter(s for s in shapes if s)
        if in_page[shapes[i]] == 1 and not _in_table(i, docs, shapes, threshold):
            rule[i] = ("template", shaped[i])
    drops = {i: found for i, found in rule.items() if not own[i + 1]}
    # neighbours: repeated lines under the threshold between boilerplate; the nearest
    # paragraphs above and below that are boilerplate or own text are boilerplate (or edges)
    candidates = [i for i in range(n) if docs[i] >= 2 and sizes[i] < OWN_LENGTH
                  and i not in rule and not own[i] and not own[i + 1]]
    if candidates:
        anchors = sorted([*rule, *(i for i in range(n) if own[i])])
        for i in candidates:
            at = bisect_left(anchors, i)
            if (at == 0 or anchors[at - 1] in rule) and (
                    at == len(anchors) or anchors[at] in rule):
                drops[i] = ("neighbours", docs[i])
    return dict(sorted(drops.items()))
