"""dedup inside other tools: each module needs its own extra, and the core never imports one.

- :mod:`dedup.integrations.scrapy`: ``DedupPipeline``, a Scrapy item pipeline
  (``pip install 'dedup-paragraphs[scrapy]'``).
- :mod:`dedup.integrations.datatrove`: ``DedupFormatter``, a datatrove pipeline
  step (``pip install 'dedup-paragraphs[datatrove]'``).
- :mod:`dedup.integrations.datasets`: ``clean_batch``, for Hugging Face
  ``Dataset.map(batched=True)`` (``pip install 'dedup-paragraphs[datasets]'``).
- :mod:`dedup.integrations.datasketch`: dedup's MinHash signatures as datasketch
  ``LeanMinHash`` objects (``pip install 'dedup-paragraphs[datasketch]'``).
"""

from __future__ import annotations
