"""Collection rules for the whole repository.

``dedup.dist`` imports Ray, SciPy and pyarrow (the ``ray`` extra); without
them its doctests are not collected, and ``tests/test_dist.py`` skips itself.
"""

from __future__ import annotations

import importlib.util

collect_ignore_glob: list[str] = []
if any(importlib.util.find_spec(name) is None for name in ("ray", "scipy", "pyarrow")):
    collect_ignore_glob.append("dedup/dist/*.py")


def pytest_sessionstart(session: object) -> None:
    """Compile dedup's kernels (or load them from the cache) before any test.

    No test, and no CLI process a test starts, then pays the first compilation
    inside a timeout. With ``DEDUP_JIT=0`` the tests still take the NumPy path.
    """
    from dedup import kernels

    with kernels.use("compiled"):
        kernels.load()
