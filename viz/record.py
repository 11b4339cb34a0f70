"""`cachescope record`: an asciicast v2 of the autoplay (`-o walk.cast`) or an SVG handout (`--svg-dir`).

Exit status: 0 when the recording is complete, 1 when it failed (the app crashed or timed out), 2 for
bad usage (a bad size, an unknown theme, a scenario that does not load, an output that cannot be
written), 128 + N when stopped by signal N (130 Ctrl-C, 143 SIGTERM, 129 SIGHUP). Nothing is left under
the requested name unless it is complete, no temporary file or directory is left at all, and the app
being recorded is stopped with us (viz/signals.py).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from model.scenario import Scenario
from viz.atomic import UnsafeTarget, atomic_dir, atomic_file, check_target
from viz.cli.base import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, Parser, load_or_report
from viz.handout import INDEX, is_handout, not_a_handout, write_handout
from viz.options import DEFAULT_SIZE, add_delay, add_force, add_theme, parse_seconds, parse_size, step_label

EXIT_FAILED = EXIT_REFUSED
DEFAULT_DELAY = 1.0
STARTUP_ALLOWANCE = 30.0
"""Seconds allowed, on top of the steps' pauses, for the app to start and stop (default timeout)."""


def record_parser() -> argparse.ArgumentParser:
    """The options of `cachescope record`."""
    parser = Parser(
        prog="cachescope record",
        description="Record the autoplay of a scenario without anyone at a terminal: an asciicast v2 file "
        "with a marker at each step (-o), or one SVG per step and an index.html handout (--svg-dir).",
    )
    parser.add_argument("scenario", help="built-in name or .toml file")
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("-o", "--output", type=Path, metavar="FILE.cast", help="write an asciicast v2 recording")
    target.add_argument("--svg-dir", type=Path, metavar="DIR", help="write step-NNN.svg per step and index.html")
    add_delay(parser, DEFAULT_DELAY)
    size = "x".join(map(str, DEFAULT_SIZE))
    parser.add_argument(
        "--size", type=parse_size, default=DEFAULT_SIZE, metavar="COLSxLINES", help=f"screen size (default: {size})"
    )
    add_theme(parser)
    add_force(parser)
    parser.add_argument(
        "--timeout",
        type=parse_seconds,
        metavar="SECONDS",
        help="give up on a cast after this long (default: the steps' longest possible pauses plus 30 s)",
    )
    return parser


def record_command(args: list[str]) -> int:
    """`cachescope record SCENARIO (-o FILE.cast | --svg-dir DIR) [--delay S] [--size WxH] [--theme T]`."""
    options = record_parser().parse_args(args)
    scenario = load_or_report(options.scenario)
    if scenario is None:
        return EXIT_USAGE
    target: Path = options.output or options.svg_dir
    problem = _unwritable(target, directory=options.svg_dir is not None, force=options.force)
    if problem:
        print(f"cachescope record: cannot write {target}: {problem}", file=sys.stderr)
        return EXIT_USAGE
    if options.output is not None:  # viz.cli makes stop signals unwind through the writers
        return _record_cast(scenario, options)
    return _record_svgs(scenario, options)


def _record_cast(scenario: Scenario, options: argparse.Namespace) -> int:
    from viz.cast import RecordError, record

    labels = {n: step_label(n, step) for n, step in enumerate(scenario.steps, start=1)}
    # The longest pause a step can earn is 5 delays (viz.app's pause_after caps narration at 60 words).
    timeout = options.timeout or STARTUP_ALLOWANCE + options.delay * 5 * (len(scenario.steps) + 1)
    width, height = options.size
    argv = [sys.executable, "-m", "viz.cli", "play", str(_child_arg(options.scenario)), "--exit-at-end"]
    argv += ["--delay", repr(options.delay), "--size", f"{width}x{height}"]
    argv += ["--theme", options.theme] if options.theme else []
    try:
        with atomic_file(options.output, force=options.force) as out:
            marked = record(argv, out, size=options.size, title=f"cachescope: {scenario.title}", labels=labels,
                            timeout=timeout)  # fmt: skip
    except RecordError as exc:
        print(f"cachescope record: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as exc:
        print(f"cachescope record: cannot write {options.output}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    if marked != list(range(1, len(scenario.steps) + 1)):
        print(f"cachescope record: warning: markers for steps {marked}, expected 1..{len(scenario.steps)}",
              file=sys.stderr)  # fmt: skip
    print(f"wrote {options.output}: {len(marked)} steps, {width}x{height}")
    return EXIT_OK


def _record_svgs(scenario: Scenario, options: argparse.Namespace) -> int:
    try:
        with atomic_dir(options.svg_dir, is_handout, force=options.force) as temp:
            count = write_handout(scenario, temp, size=options.size, theme=options.theme)
    except OSError as exc:
        print(f"cachescope record: cannot write {options.svg_dir}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"wrote {options.svg_dir / INDEX} and {count} SVG screens")
    return EXIT_OK


def _child_arg(arg: str) -> str:
    """A scenario file as an absolute path (the child may not share our idea of it); names unchanged."""
    path = Path(arg)
    return str(path.resolve()) if path.exists() and path.is_file() else arg


def _unwritable(target: Path, *, directory: bool, force: bool) -> str | None:
    """Why `target` cannot be written, checked before any work is done; None if it looks fine."""
    parent = target.parent
    if not parent.is_dir():
        return f"no directory {parent}"
    if directory and target.is_dir() and not target.is_symlink() and (why := not_a_handout(target)):
        return f"{why}: choose a new directory (record replaces only an earlier handout)"
    try:
        check_target(target, force=force, directory=directory, replaceable=is_handout)
    except UnsafeTarget as exc:
        return exc.strerror
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"no permission to write in {parent}"
    return None
