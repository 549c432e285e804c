"""The corpus modes of ``dedup batch`` on a Ray cluster, with the local engine's results.

Install with ``pip install 'dedup-paragraphs[ray]'``; run with
``dedup batch IN OUT --engine ray [--address ADDR]`` or :func:`clean_dataset`.
This package is the only part of dedup that imports Ray; its stages call the
local engine's stage functions, so the output is byte for byte the local engine's.
"""

from __future__ import annotations

from dedup.dist.engine import MAX_TASK_EDGES, clean_dataset

__all__ = ["MAX_TASK_EDGES", "clean_dataset"]
