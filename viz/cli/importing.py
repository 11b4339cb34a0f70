"""`cachescope import strace|proc|residency|din -o SCENARIO.toml`: real inputs as scenarios.

The parsers live in `model.trace` and never touch the host; this module reads the inputs for them (through
viz/cli/host/: files as capped lines, the /proc tree, mincore), shows progress on stderr for big files,
writes the scenario atomically and prints the import report. Exit status: 0 done, 1 when the
replay of the imported steps had refused steps, 2 for bad input (missing, a directory, unreadable, not
the expected format) or bad usage.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TextIO

from model.limits import too_long
from model.ops import Op
from model.parts import resolve_config
from model.scenario import Scenario
from model.trace import TraceFormatError, din, printable, proc_import, residency
from model.trace.replay import verify
from model.trace.steps import UNCHECKED, StepSink
from model.trace.strace_import import LINE_MAX, import_strace
from model.trace.strace_report import StraceReport
from viz.cli.base import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, Parser
from viz.cli.host import proc_snapshot
from viz.cli.host import residency as host_residency
from viz.cli.host.disk import disk_probe
from viz.cli.host.source import STDIN, InputError, LineSource, Progress
from viz.cli.spool import SpoolFull, StepMemory, StepSpool

BIG = 8 << 20
"""Inputs at least this big show a progress indicator (when stderr is a terminal)."""
MANY_STEPS = 20_000
"""Replays of at least this many steps show one too."""


class ProgressBar:
    """`label: 42% (120 of 300 MiB)` (or `(12,000 of 30,000 steps)`) on one stderr line, redrawn at most 5 times
    a second, when stderr is a terminal and the total reaches `threshold`."""

    def __init__(self, label: str, stream: TextIO | None = None, threshold: int = BIG, unit: str = "MiB") -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.threshold = threshold
        self.unit = unit
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        if total < self.threshold or not self.stream.isatty():
            return
        now = time.monotonic()
        if now - self.last < 0.2 and done < total:
            return
        self.last = now
        amount = f"{done >> 20} of {total >> 20} MiB" if self.unit == "MiB" else f"{done:,} of {total:,} {self.unit}"
        self.stream.write(f"\r{self.label}: {100 * done // max(total, 1):3d}% ({amount})")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


@dataclass(slots=True)
class Imported:
    """What an importer hands back: the scenario's title, about and [config], and refused replay steps."""

    title: str
    about: str
    config: dict[str, Any] = field(default_factory=dict)
    refused: int = 0


class BadInput(Exception):
    """An input the user must fix; the message names it and says what is wrong."""


@contextmanager
def named(where: str) -> Iterator[None]:
    """Turn what a reader says about an input (TraceFormatError) into BadInput naming it: `where: ...`."""
    try:
        yield
    except TraceFormatError as exc:
        raise BadInput(f"{where}: {exc}") from None


def _check_output(out: str, force: bool) -> None:
    """BadInput unless `out` can be written: its directory exists, and it is no device, FIFO, socket or
    link (unless `force`). Checked before any work, and again just before writing."""
    directory = os.path.dirname(out) or "."
    if not os.path.isdir(directory):
        raise BadInput(f"{out}: the directory {directory} does not exist")
    from viz.atomic import check_target  # the check every writer shares

    try:
        check_target(out, force=force)
    except OSError as exc:
        raise BadInput(f"{out}: cannot write: {exc.strerror or exc}") from None


def _write(spool: StepSpool, out: str, title: str, about: str, config: Mapping[str, Any], force: bool) -> None:
    _check_output(out, force)  # it may have changed while the import ran
    try:
        spool.write(out, title, about, config)
    except OSError as exc:
        raise BadInput(f"{out}: cannot write: {exc.strerror or exc}") from None


def _now() -> str:
    return datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")


# -- reading the inputs for the parsers -----------------------------------------------------------------


def import_strace_file(
    path: str,
    spool: StepSink,
    *,
    cwd: str | None = None,
    root: str | None = None,
    namecache_max: int | None = None,
    check: bool = True,
    strict: bool = False,
    progress: Progress | None = None,
    checking: Progress | None = None,
) -> tuple[dict[str, Any], StraceReport]:
    """Import the strace file at `path` (``-``: standard input) onto `spool` (see `import_strace`): opened once
    and read once, as a stream, so a pipe or FIFO works as a file does; `root` takes the disk from a real
    tree, `strict` only what the trace proves. `progress` is told how far the reading is, `checking` how far
    the replay check is. InputError for a line past the caps, or where the scenario would pass its size,
    names the line."""
    with LineSource(path, "strace", max_line=LINE_MAX, replay=False, progress=progress) as source:
        try:
            return import_strace(
                source,
                spool,
                cwd=cwd,
                probe=disk_probe(root) if root else None,
                namecache_max=namecache_max,
                check=check,
                strict=strict,
                progress=checking,
            )
        except SpoolFull as exc:
            raise InputError(f"strace line {source.line}: {exc}") from None


def import_din_file(
    path: str, spool: StepSpool, *, limit: int | None, progress: Progress | None = None
) -> din.DinReport:
    """Import the din file at `path` onto `spool`, read once (a stream too: it stops at `limit`)."""
    with (
        LineSource(path, "din", max_line=din.LINE_MAX, replay=False, progress=progress) as source,
        StepSpool(spool.limit) as scratch,
    ):
        try:
            return din.import_din(source, spool, scratch=scratch, limit=limit, stop_at_limit=not source.regular)
        except SpoolFull as exc:
            raise InputError(f"din line {source.line}: {exc}") from None


# -- strace -------------------------------------------------------------------------------------------


def _strace(spool: StepSink, path: str, options: argparse.Namespace | None = None) -> Imported:
    root = getattr(options, "root", None)
    if root is not None and not os.path.isdir(root):
        raise BadInput(f"--root {root}: not a directory")
    cwd = getattr(options, "cwd", None)
    if cwd is not None and (not cwd.startswith("/") or too_long(cwd) is not None):
        why = too_long(cwd) or "not an absolute path"
        raise BadInput(f"--cwd {printable(cwd[:80])}: {why}")
    strict = getattr(options, "strict_disk", False)
    name = display_name(path)
    with named(input_name(path)):
        config, report = import_strace_file(
            path,
            spool,
            cwd=cwd,
            root=root,
            namecache_max=getattr(options, "namecache_max", None),
            check=not getattr(options, "no_check", False),
            strict=strict,
            progress=ProgressBar(f"reading {name}"),
            checking=ProgressBar(f"checking {name}", threshold=MANY_STEPS, unit="steps"),
        )
    disk = (
        "only what the recorded results prove existed before the trace (--strict-disk)"
        if strict
        else "what the recorded results prove, or make likely, existed before the trace"
    )
    about = (
        f"Replay of {name} (strace -f): each step is one system call, as a namei walk (lookup, or open with "
        "its descriptor) or the verb that changes the tree, starting where the kernel's walk started (the cwd, "
        f"or the dirfd's directory: at=N); the say line is the original call. The disk ([config] tree) is {disk}. "
        + "; ".join(report.summary())
    )
    if report.verification is None:
        about += "; not compared with the recorded results (`cachescope import strace` compares them)"
    _report(report.summary(), report.verification.examples if report.verification else [])
    refused = report.verification.refused if report.verification else 0
    return Imported(f"strace: {name}", about, config, refused)


def display_name(path: str) -> str:
    """How an input is named in titles: its file name, or ``stdin`` for ``-``."""
    return "stdin" if path == STDIN else os.path.basename(path) or path


def input_name(path: str) -> str:
    """How an input is named in messages: as the user gave it, or ``stdin`` for ``-``."""
    return "stdin" if path == STDIN else path


def strace_scenario(path: str) -> Scenario | None:
    """The scenario of a strace file imported in memory (for `cachescope FILE.strace`); None after printing
    why not (the caller exits with 2 and the app does not start). The steps are kept as made (`StepMemory`)
    and the replay check is left out: the app replays every step it shows, and on a 100,000-step trace the
    check took as long as the import (`cachescope import strace` still checks)."""
    sink = StepMemory()
    try:
        done = _strace(sink, path, argparse.Namespace(no_check=True))
        return sink.scenario(done.title, done.about, done.config, path)
    except BadInput as exc:
        print(f"cachescope: {exc}", file=sys.stderr)
    except ValueError as exc:  # a [config] the model refuses: the import made it, so say which input
        print(f"cachescope: {path}: the imported scenario's [config] is refused: {exc}", file=sys.stderr)
    return None


# -- proc, residency, din -------------------------------------------------------------------------------


def _proc(spool: StepSpool, options: argparse.Namespace) -> Imported:
    if not os.path.isdir(options.proc):
        raise BadInput(f"--proc {options.proc}: not a directory")
    try:
        snap = proc_snapshot.take(options.proc)
    except TraceFormatError as exc:  # the message starts with the file: --proc DIR/123/status: ...
        raise BadInput(f"--proc {exc}") from None
    if not snap.tasks:
        raise BadInput(f"--proc {options.proc}: no task directories (is it a proc file system?)")
    steps, report = proc_import.plan(snap, limit=options.limit, pid_ns_only=options.pid_ns)
    for op, say in steps:
        spool.add(op, say, None)
    where = socket.gethostname()
    about = (
        f"The tasks of {where}'s {options.proc} at {_now()}, rebuilt: the reader's PID namespace is ns0, "
        "nested ones are made with unshare-pid and their init. " + "; ".join(report.summary())
    )
    _report(report.summary())
    return Imported(f"/proc of {where}", about)


def _residency(spool: StepSpool, options: argparse.Namespace) -> Imported:
    files = []
    for path in options.files:
        if (why := too_long(host_residency.model_path(path))) is not None:
            raise BadInput(f"{path}: its path on the model's puffs mount is too long for namei ({why})")
        try:
            files.append(host_residency.measure(path))
        except host_residency.ResidencyError as exc:
            raise BadInput(str(exc)) from None
    if (why := residency.too_big(files)) is not None:
        raise BadInput(why)
    _add(spool, residency.plan(files, host_residency.PAGE_SIZE))
    lines = [residency.summary(f) for f in files]
    about = (
        f"Page-cache residency of {len(files)} file(s) on {socket.gethostname()} at {_now()}, measured with "
        f"mincore(2) as fincore does; each file is rebuilt on a puffs mount and its resident pages read in. "
        + "; ".join(lines)
    )
    _report(lines)
    return Imported("page-cache residency", about, residency.config(files, host_residency.PAGE_SIZE))


def _geometry(key: str) -> Callable[[str], dict[str, int]]:
    """An argparse type for --icache/--dcache: SETSxWAYSxLINE, checked as the model checks `[config] KEY`."""

    def parse(text: str) -> dict[str, int]:
        try:
            sets, ways, line = (int(n) for n in text.lower().split("x"))
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected SETSxWAYSxLINE such as 64x2x32, got {text!r}") from None
        geometry = {"sets": sets, "ways": ways, "line": line}
        try:
            resolve_config({key: geometry})
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc).removeprefix(f"config key {key!r}: ")) from None
        return geometry

    return parse


def _positive(text: str) -> int:
    """An argparse type: a whole number > 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a whole number > 0, got {value}")
    return value


def _din(spool: StepSpool, options: argparse.Namespace) -> Imported:
    with named(input_name(options.file)):
        report = import_din_file(
            options.file,
            spool,
            limit=options.limit,
            progress=ProgressBar(f"reading {display_name(options.file)}"),
        )
    config = din.config(options.icache, options.dcache, report.refs[din.FLUSH] > 0)
    lines_out = report.summary()
    refused = 0
    if not options.no_check:
        checking = ProgressBar(f"checking {display_name(options.file)}", threshold=MANY_STEPS, unit="steps")
        check = verify(spool.steps(), config, keep_system=True, progress=checking, total=spool.count)
        assert check.system is not None
        stats = check.system.part("cpu").stats()
        refused = check.refused
        lines_out.append(
            f"replay: I-cache {stats['I_hits']} hits, {stats['I_misses']} misses; D-cache {stats['D_hits']} hits, "
            f"{stats['D_misses']} misses; {refused} step(s) refused"
        )
    about = f"Dinero IV trace {display_name(options.file)}. {din.ABOUT} " + "; ".join(lines_out)
    _report(lines_out)
    return Imported(f"din: {display_name(options.file)}", about, config, refused)


def _add(spool: StepSpool, steps: Iterable[tuple[Op, str]]) -> None:
    for op, say in steps:
        spool.add(op, say, UNCHECKED)


def _report(lines: list[str], mismatches: Iterable[str] = ()) -> None:
    for line in lines:
        print(f"  {printable(line)}")
    for example in mismatches:
        print(f"  mismatch: {printable(example)}")


# -- the command ---------------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = Parser(prog="cachescope import", description="Turn real traces and this machine's state into scenarios.")
    sub = parser.add_subparsers(dest="kind", required=True, metavar="{strace,proc,residency,din}")
    strace = sub.add_parser("strace", help="replay strace -f -tt -e trace=%%file,process output")
    strace.add_argument("file", help="the strace output (strace -f -tt -y -o FILE ...), or - for standard input")
    disk = strace.add_mutually_exclusive_group()
    disk.add_argument("--root", metavar="DIR", help="take the disk from the real tree under DIR (read-only)")
    disk.add_argument(
        "--strict-disk",
        action="store_true",
        help="start from an empty disk plus only what the trace proves existed (no guesses from failures)",
    )
    strace.add_argument("--cwd", metavar="DIR", help="the traced program's starting cwd (default: from getcwd, or /)")
    strace.add_argument("--namecache-max", type=_positive, metavar="N", help="name-cache size (default: room for all)")
    strace.add_argument("--no-check", action="store_true", help="skip replaying the result through the model")
    proc = sub.add_parser("proc", help="this machine's tasks and PID namespaces from /proc")
    proc.add_argument("--pid-ns", action="store_true", help="only tasks in nested PID namespaces (and their makers)")
    proc.add_argument("--limit", type=_positive, default=300, metavar="N", help="at most N tasks (default 300)")
    proc.add_argument("--proc", default="/proc", metavar="DIR", help="the proc tree to read (default /proc)")
    res = sub.add_parser("residency", help="page-cache residency of files (mincore, as fincore)")
    res.add_argument("files", nargs="+", metavar="FILE", help="regular files")
    dinp = sub.add_parser("din", help="a Dinero IV din trace into CPU-cache steps")
    dinp.add_argument("file", help="LABEL ADDRESS lines (0 read, 1 write, 2 fetch, 4 flush), or - for standard input")
    dinp.add_argument(
        "--icache", type=_geometry("icache"), metavar="SxWxL", help="I-cache sets x ways x line (default 8x2x16)"
    )
    dinp.add_argument(
        "--dcache", type=_geometry("dcache"), metavar="SxWxL", help="D-cache sets x ways x line (default 8x2x16)"
    )
    dinp.add_argument(
        "--limit", type=_positive, default=100_000, metavar="N", help="at most N references (default 100000)"
    )
    dinp.add_argument("--no-check", action="store_true", help="skip replaying the result through the model")
    for command in (strace, proc, res, dinp):
        command.add_argument("-o", "--output", required=True, metavar="SCENARIO.toml", help="the scenario to write")
        command.add_argument(
            "--force", action="store_true", help="replace an output that is a link, device, FIFO or socket (the name)"
        )
    return parser


def _input(options: argparse.Namespace) -> str:
    """The input an import read, for messages."""
    if options.kind == "proc":
        return f"--proc {options.proc}"
    if options.kind == "residency":
        return " ".join(options.files)
    return input_name(str(options.file))


IMPORTERS: dict[str, Callable[[StepSpool, argparse.Namespace], Imported]] = {
    "strace": lambda spool, options: _strace(spool, options.file, options),
    "proc": _proc,
    "residency": _residency,
    "din": _din,
}


def import_command(args: list[str]) -> int:
    """`cachescope import KIND ... -o SCENARIO.toml`."""
    try:
        options = _parser().parse_args(args)
    except SystemExit as exc:  # --help, or a usage error argparse has already explained
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    with StepSpool() as spool:
        try:
            _check_output(options.output, options.force)
            done = IMPORTERS[options.kind](spool, options)
            resolve_config(done.config)
            _write(spool, options.output, done.title, done.about, done.config, options.force)
        except BadInput as exc:
            print(f"cachescope import {options.kind}: {exc}", file=sys.stderr)
            return EXIT_USAGE
        except SpoolFull as exc:  # the scenario would pass SCENARIO_MAX
            print(f"cachescope import {options.kind}: {_input(options)}: {exc}", file=sys.stderr)
            return EXIT_USAGE
        except ValueError as exc:  # a [config] the model refuses: the import made it, so name the input
            print(
                f"cachescope import {options.kind}: {_input(options)}: the imported scenario's [config] is "
                f"refused: {exc}",
                file=sys.stderr,
            )
            return EXIT_USAGE
        print(f"wrote {options.output}: {spool.count} steps")
    return EXIT_REFUSED if done.refused else EXIT_OK
