"""Collection rules for the whole repository.

``dedup.dist`` imports Ray, SciPy and pyarrow (the ``ray`` extra); without
them its doctests are not collected, and ``tests/test_dist.py`` skips itself.
"""

from __future__ import annotations

import importlib.util

collect_ignore_glob: list[str] = []
if any(importlib.util.find_spec(name) is None for name in ("ray", "scipy", "pyarrow")):
    collect_ignore_glob.append("dedup/dist/*.py")
