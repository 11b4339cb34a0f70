"""The `cachescope` command: `main` and the table of subcommands, each a module of its own (`run`,
`importing`, `play`, `quiz` here; `viz.screenshot`, `viz.record`, `viz.serve`), imported only when used.

Exit status: 0 on success, 1 when a step was refused by the model (an error event), 2 on bad usage
or a bad scenario (the message goes to stderr and names the file and step), 70 on an internal error (a
bug: one line on stderr, the traceback in a saved report, see viz/crash.py), 128 + N when stopped by
signal N (130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from collections.abc import Sequence
from typing import TextIO

from model import __version__
from model.scenario import DEFAULT_SCENARIO, builtin_names, load_builtin
from viz.cli.base import EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, Parser, open_or_report
from viz.crash import internal_error
from viz.signals import stop_signals_raise
from viz.themes import theme_names

SUBCOMMANDS: dict[str, tuple[str, str, str]] = {
    "run": ("viz.cli.run", "run_command", "run a scenario headless and print its events"),
    "screenshot": ("viz.screenshot", "screenshot_command", "save an SVG of a scenario at a step"),
    "import": (
        "viz.cli.importing",
        "import_command",
        "turn strace, /proc, page-cache residency or din into a scenario",
    ),
    "play": ("viz.cli.play", "play_command", "open the app in autoplay (any key takes control back)"),
    "record": ("viz.record", "record_command", "record the autoplay as asciicast v2, or an SVG handout"),
    "serve": ("viz.serve", "serve_command", "serve the app to web browsers (localhost unless --host)"),
    "quiz": ("viz.cli.quiz", "quiz_command", "a seeded quiz on what each step does (--reverse: which op did it?)"),
    "compare": (
        "viz.cli.compare",
        "compare_command",
        "one scenario on two or three kernel configurations side by side",
    ),
}
"""name -> (module, function, help). The function takes the remaining arguments and returns the exit
status. A new subcommand is one line here and a module of its own, imported only when used."""
WRITERS = frozenset({"run", "screenshot", "import", "record"})
"""Subcommands that write files or start children: SIGINT, SIGTERM and SIGHUP raise Stopped while they
run, so temporary files and children go with them (viz/signals.py). serve stops on them in its own
event loop; the app (play, quiz, the bare command) leaves them to the terminal."""


def _main_parser() -> argparse.ArgumentParser:
    commands = "\n".join(f"  cachescope {name:<10} {help_}" for name, (_, _, help_) in SUBCOMMANDS.items())
    parser = Parser(
        prog="cachescope",
        description="A step-through visual debugger for the kernel caches around the VFS.",
        epilog=f"subcommands (each has --help):\n{commands}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "scenario", nargs="?", help=f"built-in name, .toml file or .strace trace (default: {DEFAULT_SCENARIO})"
    )
    parser.add_argument("--list", action="store_true", help="list the built-in scenarios and exit")
    parser.add_argument(
        "--theme",
        choices=theme_names(),
        metavar="THEME",
        help=f"colour theme: {', '.join(theme_names()[:4])} (t cycles them in the app)",
    )
    parser.add_argument("--version", action="version", version=f"cachescope {__version__}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script: every subcommand runs here, and no traceback gets past it."""
    try:
        return _main(list(sys.argv[1:] if argv is None else argv))
    except BrokenPipeError:  # e.g. `cachescope run ... | head`: the reader left, which is not an error
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM/SIGHUP raised as Stopped by a writer
        return getattr(exc, "exit_status", EXIT_INTERRUPTED)
    except Exception as exc:  # a bug: one line, a report, no traceback
        return internal_error(exc)


def _main(args: list[str]) -> int:
    if args and args[0] in SUBCOMMANDS:
        module, function, _ = SUBCOMMANDS[args[0]]
        command = getattr(importlib.import_module(module), function)
        if args[0] not in WRITERS:
            return command(args[1:])
        with stop_signals_raise():
            return command(args[1:])
    options = _main_parser().parse_args(args)
    if options.list:
        return _list(sys.stdout)
    if options.scenario and options.scenario.endswith(".strace"):  # imported in memory, no file written
        imported = importlib.import_module("viz.cli.importing").strace_scenario(options.scenario)
        opened = None if imported is None else (imported, None)
    else:
        opened = open_or_report(options.scenario)
    if opened is None:
        return EXIT_USAGE
    scenario, reader = opened
    from viz.compare.launch import app_for  # imported late: `run` and `--list` need no Textual

    app_for(scenario, theme=options.theme, **({"reader": reader} if reader is not None else {})).run()
    return EXIT_OK


def _list(out: TextIO) -> int:
    for name in builtin_names():
        scenario = load_builtin(name)
        marker = " (default)" if name == DEFAULT_SCENARIO else ""
        out.write(f"{name:24} {scenario.title}{marker}\n")
    return EXIT_OK
