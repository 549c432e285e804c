"""dedup.integrations.datasets.clean_batch with a real in-memory Hugging Face Dataset."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
import datasets

import dedup
from dedup.integrations.datasets import clean_batch
from tests.corpus_helpers import story

STORY = "The harbour board met on Tuesday to discuss the future of the old ferry pier."


def rows() -> dict[str, list[object]]:
    texts = []
    for n in range(40):
        body = story("ds", n)
        teaser = body[0][: len(body[0]) * 2 // 3] + "…"
        texts.append("\n".join([teaser, *body, STORY, STORY, "Read more"]))
    texts.append(None)
    return {"id": list(range(41)), "content": texts}


def expected(text: str | None) -> str | None:
    return None if text is None else dedup.clean(text)


@pytest.mark.parametrize(("num_proc", "batch_size"), [(None, 1000), (None, 3), (2, 7)])
def test_map_batched_cleans_and_counts(tmp_path, monkeypatch, num_proc, batch_size):
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path))
    data = rows()
    dataset = datasets.Dataset.from_dict(data)
    cleaned = dataset.map(clean_batch, batched=True, batch_size=batch_size, num_proc=num_proc,
                          fn_kwargs={"text_field": "content"})
    assert cleaned.column_names == ["id", "content", "dedup_removed", "dedup_exact",
                                    "dedup_near", "dedup_repeated_block"]
    assert cleaned["id"] == data["id"]
    assert cleaned["content"] == [expected(t) for t in data["content"]]
    assert cleaned["dedup_exact"] == [1] * 40 + [0]
    assert cleaned["dedup_near"] == [1] * 40 + [0]
    assert cleaned["dedup_removed"] == [2] * 40 + [0]
    assert all("Read more" in t for t in cleaned["content"][:40])


def test_options_and_prefix(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path))
    dataset = datasets.Dataset.from_dict({"text": [f"{STORY}\nA reply.\n{STORY}"]})
    cleaned = dataset.map(clean_batch, batched=True,
                          fn_kwargs={"config": dedup.Config(keep="last"), "prefix": "dd_"})
    assert cleaned["text"] == [f"A reply.\n{STORY}"]
    assert cleaned["dd_removed"] == [1]


def test_a_missing_column_is_a_clear_error():
    dataset = datasets.Dataset.from_dict({"body": ["x"]})
    with pytest.raises(KeyError, match="text"):
        dataset.map(clean_batch, batched=True)
