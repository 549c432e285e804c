"""What the subcommands share: exit codes and the in-article matching options."""

from __future__ import annotations

import argparse
from enum import IntEnum

from dedup.config import CANDIDATE_VALUES, KEEP_VALUES, SPLIT_VALUES, Config

__all__ = ["ExitCode", "add_matching_options", "config_from_args"]


class ExitCode(IntEnum):
    """What the ``dedup`` command's exit code means."""

    OK = 0
    SOME_FILES_FAILED = 1
    USAGE = 2
    INTERRUPTED = 130


def add_matching_options(parser: argparse.ArgumentParser) -> None:
    """Add the in-article cleaning options (the fields of :class:`dedup.Config`)."""
    defaults = Config()
    group = parser.add_argument_group("matching")
    group.add_argument("--keep", choices=KEEP_VALUES, default=defaults.keep,
                       help="which copy survives (default: %(default)s)")
    group.add_argument("--split", choices=SPLIT_VALUES, default=defaults.split,
                       help="paragraphs are lines, or blocks between blank lines "
                            "(default: %(default)s)")
    group.add_argument("--min-length", type=int, default=defaults.min_length, metavar="N",
                       help="shortest normalized paragraph dropped outside a repeated block "
                            "(default: %(default)s)")
    group.add_argument("--min-similarity", type=float, default=defaults.min_similarity,
                       metavar="S", help="near-duplicate similarity in [0, 1] "
                                         "(default: %(default)s)")
    group.add_argument("--candidates", choices=CANDIDATE_VALUES, default=defaults.candidates,
                       help="candidate pairs from LSH, or every pair (default: %(default)s)")


def config_from_args(args: argparse.Namespace) -> Config:
    """Build the :class:`dedup.Config` the matching options describe.

    Raises:
        ConfigError: a value is out of range.
    """
    return Config(
        keep=args.keep,
        split=args.split,
        min_length=args.min_length,
        min_similarity=args.min_similarity,
        candidates=args.candidates,
    )
