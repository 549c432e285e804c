"""``dedup batch IN_DIR OUT_DIR``: argv -> RunOptions -> an engine -> exit code.

Only this module and the rest of the CLI touch the terminal: progress goes to
stderr when it is a terminal and ``--quiet`` is off; the one-line summary,
every bad file and every file not read go to stderr, control characters
escaped. The corpus layer is imported when the command runs, not when the
parser is built.
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from dedup.cli.options import ExitCode, add_matching_options, config_from_args
from dedup.errors import ConfigError
from dedup.extras import install_hint
from dedup.printable import printable
from dedup.report import REPORT_MODES

if TYPE_CHECKING:
    from dedup.corpus.options import RunOptions
    from dedup.corpus.summary import Summary

__all__ = ["add_parser", "default_workers"]

_DESCRIPTION = """\
Clean every article of a corpus directory into a mirrored tree. Reads .txt and
.md files (one article each), JSON lines (.jsonl; gzip: .jsonl.gz, .json.gz;
zstd: .jsonl.zst, .json.zst; one JSON object per line) and Parquet files (one
article per row); writes the same names, formats and compression under OUT_DIR
and names the files it ignores. Inputs are never modified; each output appears
only when complete.
"""


def default_workers() -> int:
    """Return the number of cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the ``batch`` subcommand."""
    batch = commands.add_parser(
        "batch", help="clean a corpus directory into a mirrored tree",
        description=_DESCRIPTION,
    )
    batch.add_argument("in_dir", metavar="IN_DIR", type=Path, help="the corpus directory")
    batch.add_argument("out_dir", metavar="OUT_DIR", type=Path,
                       help="where the cleaned tree goes (outside IN_DIR)")
    source = batch.add_argument_group("input")
    source.add_argument("--text-field", default="text", metavar="NAME",
                        help="JSON field holding the article (default: %(default)s)")
    source.add_argument("--id-field", default="id", metavar="NAME",
                        help="JSON field holding the article id (default: %(default)s; "
                             "else PATH:LINE)")
    source.add_argument("--site-field", default=None, metavar="NAME",
                        help="JSON field holding the site (default: the host of the 'url' "
                             "field, else the file's directory)")
    source.add_argument("--follow-links", action="store_true",
                        help="also read links to files outside IN_DIR and links to "
                             "directories (default: only links to files inside IN_DIR)")
    output = batch.add_argument_group("output")
    output.add_argument("--report", type=Path, metavar="FILE",
                        help="write one JSON line per article with its decisions "
                             "(gzip-compressed when FILE ends in .gz; not inside IN_DIR, "
                             "not an output path)")
    output.add_argument("--report-mode", choices=REPORT_MODES, default=None,
                        help="what the report lists: drops, the removed paragraphs and the "
                             "kept copies they duplicate (default), or full, every paragraph "
                             "with its text (default with --html-report)")
    output.add_argument("--html-report", type=Path, metavar="DIR",
                        help="also write a static HTML review site of the run into DIR "
                             "(replaced as a whole; see also: dedup report)")
    output.add_argument("--dry-run", action="store_true",
                        help="write only the report, no cleaned files")
    output.add_argument("--resume", action="store_true",
                        help="keep output files a previous run with the same options finished")
    add_matching_options(batch)
    corpus = batch.add_argument_group("corpus")
    corpus.add_argument("--boilerplate-min-docs", type=int, metavar="N",
                        help="drop a paragraph found in at least N articles of one site "
                             "from all of them (N >= 2)")
    corpus.add_argument("--boilerplate-fraction", type=float, metavar="F",
                        help="also drop a paragraph found in at least this fraction of a "
                             "site's articles (and at least 3)")
    corpus.add_argument("--cross-doc", action="store_true",
                        help="drop a paragraph (exact or near duplicate) an earlier article "
                             "kept; earlier = input path, then line")
    corpus.add_argument("--index", metavar="PATH|URL",
                        help="read and update a persistent index: a SQLite file, or a "
                             "redis://host:port/db URL")
    run_group = batch.add_argument_group("run")
    run_group.add_argument("--workers", type=int, default=default_workers(), metavar="N",
                           help="worker processes (default: all cores, %(default)s); results "
                                "are the same for any N")
    run_group.add_argument("--quiet", action="store_true", help="no progress bar and no summary")
    run_group.add_argument("--engine", choices=("local", "ray"), default="local",
                           help="local: worker processes here (default); ray: Ray Data on a "
                                "Ray cluster, the same output "
                                "(pip install 'dedup-paragraphs[ray]')")
    run_group.add_argument("--address", metavar="ADDR",
                           help="with --engine ray: the cluster ('auto', ray://HOST:PORT; "
                                "default: RAY_ADDRESS, else a local Ray with --workers CPUs)")
    batch.set_defaults(run=run, parser=batch)


def options_from_args(args: argparse.Namespace, report: Path | None) -> RunOptions:
    """Build the run's options from the command line (``report``: where the report goes).

    Raises:
        ConfigError: an option is out of range, or options contradict each other.
    """
    from dedup.corpus.options import RunOptions
    from dedup.corpus.readers import Fields

    if args.address is not None and args.engine != "ray":
        msg = "--address names a Ray cluster: use it with --engine ray"
        raise ConfigError(msg)
    return RunOptions(
        in_dir=args.in_dir,
        out_dir=args.out_dir,
        fields=Fields(args.text_field, args.id_field, args.site_field),
        config=config_from_args(args),
        workers=args.workers,
        boilerplate_min_docs=args.boilerplate_min_docs,
        boilerplate_fraction=args.boilerplate_fraction,
        cross_doc=args.cross_doc,
        index=args.index,
        report=report,
        report_mode=args.report_mode or ("full" if args.html_report else "drops"),
        dry_run=args.dry_run,
        resume=args.resume,
        follow_links=args.follow_links,
    )


def run(args: argparse.Namespace) -> int:
    """Clean the corpus (the ``dedup batch`` command).

    Raises:
        ConfigError: an option or a path is refused.
        DedupError: the environment stops the run (OUT_DIR, the report, the index).
    """
    from rich.console import Console

    from dedup.corpus.run import check_site_dir

    options = options_from_args(args, args.report)
    if args.html_report is not None:
        check_site_dir(args.html_report, options)
    scratch = None
    if args.html_report is not None and args.report is None:
        scratch = Path(tempfile.mkdtemp(prefix="dedup-report-"))
        options = options_from_args(args, scratch / "report.jsonl")
    console = Console(stderr=True)
    previous = signal.signal(signal.SIGTERM, functools.partial(_interrupt, os.getpid()))
    try:
        engine = _engine(args.engine, args.address)
        summary = engine(options, console=console,
                         progress=console.is_terminal and not args.quiet)
        html_failed = (
            args.html_report is not None and options.report is not None
            and not summary.interrupted and not _html_report(options.report, args.html_report)
        )
    finally:
        signal.signal(signal.SIGTERM, previous)
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    return _finish(summary, options, quiet=args.quiet, html_failed=html_failed)


def _finish(summary: Summary, options: RunOptions, *, quiet: bool, html_failed: bool) -> int:
    for skipped in summary.unread:
        print(f"dedup: {printable(str(skipped))}", file=sys.stderr)
    for failure in summary.failures:
        print(f"dedup: {printable(str(failure))}", file=sys.stderr)
    for line in ignored_lines(summary.ignored):
        print(printable(line), file=sys.stderr)
    if summary.interrupted:
        print("dedup: interrupted; finished files are complete, run again with --resume",
              file=sys.stderr)
        return ExitCode.INTERRUPTED
    if not quiet:
        print(summary.line(), file=sys.stderr)
    if summary.ignored and not summary.files:
        print(f"dedup: no corpus files in {printable(str(options.in_dir))}: nothing cleaned",
              file=sys.stderr)
        return ExitCode.SOME_FILES_FAILED
    return ExitCode.SOME_FILES_FAILED if summary.failures or html_failed else ExitCode.OK


def ignored_lines(ignored: list[str], limit: int = 20) -> list[str]:
    """Name the files a run did not read (the first ``limit``), and say which ones it reads.

    Example:
        >>> for line in ignored_lines(["a.csv", "b.html"], limit=1):
        ...     print(line[:60])
        dedup: ignored a.csv: not a corpus file
        dedup: ignored 1 more file
        dedup: corpus files are .txt, .md, .jsonl, .jsonl.gz, .json.
    """
    from dedup.corpus.readers import SUFFIXES, record_path

    if not ignored:
        return []
    lines = [f"dedup: ignored {record_path(name)}: not a corpus file" for name in ignored[:limit]]
    if len(ignored) > limit:
        more = len(ignored) - limit
        lines.append(f"dedup: ignored {more} more file{'s' if more > 1 else ''}")
    lines.append(f"dedup: corpus files are {', '.join(SUFFIXES)}")
    return lines


def _html_report(report: Path, out_dir: Path) -> bool:
    """Write the review site of ``report`` into ``out_dir``; say why not on stderr."""
    from dedup.review.report_file import site_from_report

    try:
        site_from_report(str(report), out_dir)
    except (OSError, ValueError) as error:
        print(f"dedup: --html-report {printable(str(out_dir))}: {printable(str(error))}",
              file=sys.stderr)
        return False
    return True


def _engine(name: str, address: str | None) -> Callable[..., Summary]:
    """Return the engine's run function: ``run_batch``, or ``clean_dataset`` at ``address``."""
    if name == "local":
        from dedup.corpus.batch import run_batch

        return run_batch
    import importlib.util

    missing = [m for m in ("ray", "scipy", "pyarrow") if importlib.util.find_spec(m) is None]
    if missing:
        msg = f"--engine ray needs the ray extra: {install_hint('ray')} (no {missing[0]})"
        raise ConfigError(msg)
    from dedup.dist import clean_dataset

    return functools.partial(clean_dataset, address=address)


def _interrupt(owner: int, number: int, frame: FrameType | None) -> None:
    """SIGTERM in the process that set it (``owner``): stop the run as Ctrl-C does.

    A worker forked before its own set-up resets the handler dies as SIGTERM's
    default would have it, without a traceback from its pool's initializer.
    """
    if os.getpid() != owner:
        signal.signal(number, signal.SIG_DFL)
        os.kill(os.getpid(), number)
        return
    raise KeyboardInterrupt
