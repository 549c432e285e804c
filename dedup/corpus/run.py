"""The start of a corpus run, for both engines: what is refused, what is found, what is kept.

:func:`start_run` checks the directories and the report path against the
rules below, lists the sources, removes what killed runs left, checks (with
``resume``) and records the run's options beside its outputs, and works out
which outputs a resumed run keeps (:func:`resumed`). Every refusal is a
:class:`~dedup.errors.DedupError` with one line of message:

- ``IN_DIR`` must be a directory; ``OUT_DIR`` must not be ``IN_DIR``, lie
  inside it or contain it, and must be (or become) a writable directory
  (:class:`~dedup.errors.ConfigError`, :class:`~dedup.errors.OutputError`);
- the report must not lie inside ``IN_DIR``, be a directory, or be the path
  of an output file, of the run record or of the index file
  (:class:`~dedup.errors.ConfigError`);
- ``resume`` into an ``OUT_DIR`` whose run record holds other options is
  refused (:class:`~dedup.errors.ResumeError`): the kept outputs would come
  from another run than the rest.

The run record is ``OUT_DIR/.dedup-run.json``: the options that decide the
output (:meth:`~dedup.corpus.options.CorpusOptions.recorded`), written
atomically before the first output.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from dedup.corpus.options import RunOptions
from dedup.corpus.readers import Source
from dedup.corpus.summary import Summary
from dedup.corpus.writers import output_path, partial_path, remove_partials
from dedup.errors import ConfigError, OutputError, ResumeError

__all__ = [
    "RUN_RECORD",
    "Finder",
    "Start",
    "check_directories",
    "check_site_dir",
    "interrupted",
    "resumed",
    "start_run",
]

RUN_RECORD = ".dedup-run.json"
_RECORD_VERSION = 1

Finder = Callable[..., list[Source]]
"""``find(root, ignored, *, follow_links, skipped)``: the sources of a corpus, in corpus order.

It appends the files of no corpus format to ``ignored``, the corpus files it
passes over (not regular, links out of the corpus) to ``skipped``.
"""


@dataclass(slots=True)
class Start:
    """A started run: its start time, its summary so far, its sources, the outputs it keeps."""

    started: float
    summary: Summary
    sources: list[Source]
    done: set[str] = field(default_factory=set)


def start_run(options: RunOptions, find: Finder) -> Start:
    """Begin a run, for either engine (see the module docstring).

    ``find`` lists the sources under ``options.in_dir``. Unless this is a dry
    run, ``OUT_DIR`` is created, the partial outputs an interrupted run left
    there are removed and the run record is written. ``Start.sources`` holds
    the sources the run reads (with ``resume`` and no option that makes
    outputs depend on each other, nor a report, the finished ones are left
    out), ``Start.done`` the finished outputs it keeps.

    Raises:
        ConfigError: the directories or the report path are refused.
        OutputError: ``OUT_DIR`` cannot be created or written.
        ResumeError: ``resume`` into an ``OUT_DIR`` written with other options.
    """
    started = time.perf_counter()
    check_directories(options.in_dir, options.out_dir)
    summary = Summary()
    sources = find(options.in_dir, summary.ignored, follow_links=options.follow_links,
                   skipped=summary.unread)
    summary.files = len(sources)
    if options.report is not None:
        _check_report(options.report, options, sources)
    if not options.dry_run:
        _prepare_out_dir(options)
    done, sources = resumed(options, sources)
    summary.files_skipped = len(done)
    return Start(started, summary, sources, done)


def interrupted(options: RunOptions, summary: Summary) -> None:
    """End an interrupted run: mark the summary, remove every partial output file.

    The writers discard what they were writing; this also catches a file the
    signal caught while it was being opened.
    """
    summary.interrupted = True
    if not options.dry_run:
        remove_partials(options.out_dir)


def resumed(options: RunOptions, sources: list[Source]) -> tuple[set[str], list[Source]]:
    """Return the finished outputs a run keeps, and the sources it still reads.

    Finished files are read again (not written) when another file's output
    depends on them (boilerplate counts, the cross-document index) or when
    there is a report, so that the report holds every article.
    """
    if not options.resume or options.dry_run:
        return set(), sources
    done = {s.relative for s in sources if output_path(options.out_dir, s).exists()}
    if not (options.across_documents or options.report is not None):
        sources = [s for s in sources if s.relative not in done]  # nothing depends on them
    return done, sources


def check_directories(in_dir: Path, out_dir: Path) -> None:
    """Raise ConfigError unless ``in_dir`` is a directory and ``out_dir`` lies outside it.

    Example:
        >>> check_directories(Path("."), Path("./out"))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        dedup.errors.ConfigError: OUT_DIR 'out' is inside IN_DIR '.': choose a directory ...
    """
    if not in_dir.is_dir():
        msg = f"IN_DIR {str(in_dir)!r} is not a directory"
        raise ConfigError(msg)
    source, target = in_dir.resolve(), out_dir.resolve()
    if source == target:
        msg = (
            f"OUT_DIR {str(out_dir)!r} is IN_DIR: "
            "choose another directory, inputs are never modified"
        )
        raise ConfigError(msg)
    if target.is_relative_to(source):
        msg = (
            f"OUT_DIR {str(out_dir)!r} is inside IN_DIR {str(in_dir)!r}: "
            "choose a directory outside the input"
        )
        raise ConfigError(msg)
    if source.is_relative_to(target):
        msg = (
            f"IN_DIR {str(in_dir)!r} is inside OUT_DIR {str(out_dir)!r}: "
            "outputs could overwrite inputs"
        )
        raise ConfigError(msg)
    if out_dir.exists() and not out_dir.is_dir():
        msg = f"OUT_DIR {str(out_dir)!r} exists and is not a directory"
        raise OutputError(msg)


def check_site_dir(site: Path, options: RunOptions) -> None:
    """Raise ConfigError if the review site ``site`` (replaced as a whole) overlaps a corpus tree.

    It must not be ``IN_DIR`` or ``OUT_DIR``, lie inside either, or contain
    either, nor contain the report.
    """
    target = site.resolve()
    trees = [("IN_DIR", options.in_dir), ("OUT_DIR", options.out_dir)]
    if options.report is not None:
        trees.append(("the report", options.report))
    for name, tree in trees:
        other = tree.resolve()
        if target.is_relative_to(other) or other.is_relative_to(target):
            msg = (
                f"--html-report {str(site)!r} overlaps {name} {str(tree)!r}: the review site "
                "replaces its directory as a whole, choose one apart"
            )
            raise ConfigError(msg)


def _check_report(report: Path, options: RunOptions, sources: list[Source]) -> None:
    target = report.resolve()
    if target.is_relative_to(options.in_dir.resolve()):
        msg = f"report {str(report)!r} is inside IN_DIR: inputs are never modified"
        raise ConfigError(msg)
    if target.is_dir():
        msg = f"report {str(report)!r} is a directory: name a file"
        raise ConfigError(msg)
    index = options.index
    if index is not None and "://" not in index and Path(index).resolve() == target:
        msg = f"report {str(report)!r} is the --index file: name another file"
        raise ConfigError(msg)
    out = options.out_dir.resolve()
    if target == out / RUN_RECORD:
        msg = f"report {str(report)!r} is the run record of OUT_DIR: name another file"
        raise ConfigError(msg)
    if target.is_relative_to(out):
        outputs = {output_path(out, s) for s in sources}
        if target in outputs:
            msg = f"report {str(report)!r} is the path of an output file: name another file"
            raise ConfigError(msg)


def _prepare_out_dir(options: RunOptions) -> None:
    """Create ``OUT_DIR``, remove partial files, check and write the run record."""
    out = options.out_dir
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        msg = f"OUT_DIR {str(out)!r}: cannot create: {error.strerror or error}"
        raise OutputError(msg) from None
    remove_partials(out)
    recorded = options.recorded()
    record = {"dedup_run": _RECORD_VERSION, "options": recorded}
    path = out / RUN_RECORD
    if options.resume:
        _check_record(path, record, recorded)
    temporary = partial_path(path)
    try:
        temporary.write_bytes(orjson.dumps(record, option=orjson.OPT_INDENT_2
                                           | orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE))
        temporary.replace(path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        msg = f"OUT_DIR {str(out)!r}: cannot write: {error.strerror or error}"
        raise OutputError(msg) from None


def _check_record(path: Path, record: dict[str, object], options_now: dict[str, object]) -> None:
    """Refuse to resume into outputs that a run with other options wrote."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return  # no record: a fresh OUT_DIR (or one an older dedup wrote)
    except OSError as error:
        msg = f"--resume: cannot read {str(path)!r}: {error.strerror or error}"
        raise OutputError(msg) from None
    try:
        previous = orjson.loads(data)
    except orjson.JSONDecodeError:
        previous = None
    if not isinstance(previous, dict) or previous.get("dedup_run") != _RECORD_VERSION:
        msg = f"--resume: {str(path)!r} is not a run record of this dedup version"
        raise ResumeError(msg)
    if previous != record:
        before = previous.get("options")
        now = options_now
        changed = sorted(k for k in now if not isinstance(before, dict) or before.get(k) != now[k])
        msg = (
            f"--resume: OUT_DIR was written with other options ({', '.join(changed)}): "
            "rerun with the same options, or without --resume to start over"
        )
        raise ResumeError(msg)

