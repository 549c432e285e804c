"""Hypothesis profiles and shared fixtures.

The profile is chosen by ``HYPOTHESIS_PROFILE`` if set (``dev``, ``ci`` or
``thorough``), else ``ci`` when the ``CI`` environment variable is set, else
``dev``. ``ci`` is derandomized (the
same examples on every run, no flaky CI) and has no deadline, because shared
runners are slow and uneven; ``dev`` explores new examples on every run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from dedup import kernels
from tests.redis_server import RedisServer

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=60,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=60, deadline=None)
# For a long hunt on a workstation: HYPOTHESIS_PROFILE=thorough pytest tests/test_properties.py
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture
def shared_examples() -> Path:
    """The directory ../shared/examples next to the repository (CI has it)."""
    examples = SHARED / "examples"
    if not examples.is_dir():
        pytest.skip(f"{examples} is not present")
    return examples


@pytest.fixture(scope="module", params=["compiled", "numpy"])
def kernel_path(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run a module's tests on the compiled kernels, then on the NumPy path (one contract).

    Module-scoped, so that Hypothesis tests can use it, and a module marked
    ``pytestmark = pytest.mark.usefixtures("kernel_path")`` runs twice.
    """
    choice = request.param
    with kernels.use(choice):
        yield choice


@pytest.fixture(scope="session")
def compiled_kernels() -> kernels.Kernels:
    """The compiled kernels, loaded whatever ``DEDUP_JIT`` says (to compare them with NumPy)."""
    with kernels.use("compiled"):
        loaded = kernels.load()
    assert loaded is not None, "Numba could not compile the kernels"
    return loaded


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A real redis-server of this test alone (killed or stopped at its end)."""
    server = RedisServer(tmp_path / "redis").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def shared_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One redis-server for a whole session; tests keep apart with their own key prefix."""
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    try:
        yield server
    finally:
        server.stop()
