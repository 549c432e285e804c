"""``dedup report REPORT --html DIR``: the review site of an existing ``--report`` file.

The report may be gzip-compressed (``.gz``); on a terminal a progress bar shows
how much of it is read (:func:`dedup.review.report_file.site_from_report`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dedup.cli.options import ExitCode
from dedup.errors import ConfigError

__all__ = ["add_parser"]


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the ``report`` subcommand."""
    report = commands.add_parser(
        "report", help="render an existing --report file",
        description="Write the static HTML review site of a corpus run from its report.",
    )
    report.add_argument("report", metavar="REPORT",
                        help="a JSON-lines report, .gz for gzip (- for stdin)")
    report.add_argument("--html", metavar="DIR", required=True,
                        help="write the review site into DIR (replaced as a whole)")
    report.add_argument("--per-page", type=int, default=100, metavar="N",
                        help="articles per page of the overview's list (default: %(default)s)")
    report.set_defaults(run=run, parser=report)


def run(args: argparse.Namespace) -> int:
    """Write the review site of ``args.report`` (the ``dedup report`` command).

    Raises:
        ConfigError: ``--per-page`` is below 1.
    """
    import orjson
    from rich.console import Console

    from dedup.printable import printable
    from dedup.review.report_file import site_from_report

    if args.per_page < 1:
        msg = f"--per-page={args.per_page} must be at least 1"
        raise ConfigError(msg)
    try:
        summary = site_from_report(args.report, Path(args.html), per_page=args.per_page,
                                   console=Console(stderr=True))
    except (OSError, orjson.JSONDecodeError) as error:
        print(f"dedup: {printable(args.report)}: {printable(str(error))}", file=sys.stderr)
        return ExitCode.SOME_FILES_FAILED
    print(
        f"dedup: wrote {printable(str(summary.out_dir / 'index.html'))}: "
        f"{summary.articles} articles, "
        f"{summary.removed_paragraphs} of {summary.paragraphs} paragraphs removed",
        file=sys.stderr,
    )
    return ExitCode.OK
