"""Hugging Face ``datasets``: :func:`clean_batch` for ``Dataset.map(batched=True)``.

Each row's text is cleaned like :func:`dedup.clean` (duplicates inside the
article: exact, near, repeated blocks) and columns say what went::

    from dedup.integrations.datasets import clean_batch

    cleaned = dataset.map(clean_batch, batched=True)                 # the "text" column
    cleaned = dataset.map(clean_batch, batched=True, num_proc=4,
                          fn_kwargs={"text_field": "content"})

Added columns (``prefix`` ``"dedup_"`` by default): ``dedup_removed``
(paragraphs removed) and one count per reason, ``dedup_exact``, ``dedup_near``,
``dedup_repeated_block``. A ``None`` text stays ``None`` with zero counts.

Rows are independent, so ``num_proc`` only splits the rows between processes:
the result is the same for any ``num_proc`` and batch size. Nothing is shared
between rows: for duplicates across documents use ``dedup batch`` or
:class:`dedup.Deduplicator`. The function needs no import of ``datasets``
itself; the extra (``pip install 'dedup-paragraphs[datasets]'``) installs it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dedup.config import Config
from dedup.pipeline import clean_with_report
from dedup.report import DropReason

__all__ = ["REASONS", "clean_batch"]

REASONS = tuple(reason.value for reason in DropReason)


def clean_batch(
    batch: Mapping[str, Sequence[Any]],
    *,
    text_field: str = "text",
    config: Config | None = None,
    prefix: str = "dedup_",
) -> dict[str, list[Any]]:
    """Clean the text column of a batch of rows; return it with the removal counts.

    Args:
        batch: A batch as ``Dataset.map(batched=True)`` passes it: column -> values.
        text_field: The column holding the text.
        config: In-article options (:class:`dedup.Config`; default options if ``None``).
        prefix: Prefix of the added count columns.

    Returns:
        The cleaned text column and the count columns (``datasets`` keeps the others).

    Raises:
        KeyError: the batch has no ``text_field`` column.
        InputError: a value of the text column is not a string (or ``None``).

    Example:
        >>> story = "The council approved the new budget on Monday after a long debate."
        >>> out = clean_batch({"text": [f"{story}\\n{story}", "Short."]})
        >>> out["text"][0] == story, out["dedup_removed"], out["dedup_exact"]
        (True, [1, 0], [1, 0])
    """
    cleaned: list[str | None] = []
    columns: dict[str, list[int]] = {name: [] for name in ("dropped", *REASONS)}
    for text in batch[text_field]:
        counts = dict.fromkeys(columns, 0)
        if text is None:
            cleaned.append(None)
        else:
            result = clean_with_report(text, config=config)
            cleaned.append(result.text)
            counts = result.report.counts()
        for name, column in columns.items():
            column.append(counts[name])
    out: dict[str, list[Any]] = {text_field: cleaned, f"{prefix}removed": columns.pop("dropped")}
    out.update({f"{prefix}{reason}": column for reason, column in columns.items()})
    return out
