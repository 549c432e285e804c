"""``python -m dedup``: the ``dedup`` command."""

from __future__ import annotations

import sys

from dedup.cli import main

if __name__ == "__main__":
    sys.exit(main())
