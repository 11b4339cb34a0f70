"""`cachescope play`: the app in autoplay, stepping on its own; any key takes control back.

For `record`, a hidden `--step-fd N` makes the app report each step it reaches for the first time on
file descriptor N (a pipe the recorder holds): `begin N` as it starts drawing it, `drawn N` once
drawn. The reports travel beside the terminal stream, so the recording holds only what the app drew.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import sys

from textual.app import App

from viz.app import DEFAULT_DELAY
from viz.cli.base import EXIT_OK, EXIT_USAGE, Parser, load_or_report
from viz.compare.launch import app_for
from viz.options import add_delay, add_theme, parse_size


class StepReporter:
    """The app's step hook for `record`: writes `begin N` when step N starts drawing, `drawn N` once drawn.

    "Drawn" means every widget has handled its pending messages and the screen has repainted, for
    SETTLE_ROUNDS rounds (an update can set off another, such as the event log scrolling to its end).
    """

    SETTLE_ROUNDS = 3

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.app: App[None] | None = None
        self._reported = 0
        self._tasks: set[asyncio.Task[None]] = set()

    def __call__(self, position: int, op: str) -> None:
        """The hook: called by the app each time the step shown changes (before it is painted)."""
        if position <= self._reported or self.app is None:
            return
        self._reported = position
        self._send(f"begin {position}")
        task = asyncio.get_running_loop().create_task(self._report_drawn(self.app, position))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _report_drawn(self, app: App[None], position: int) -> None:
        for _ in range(self.SETTLE_ROUNDS):
            await _all_processed(app)
            await _repainted(app)
        self._send(f"drawn {position}")

    def _send(self, line: str) -> None:
        with contextlib.suppress(OSError):  # the recorder went away: drawing matters more than reporting
            os.write(self.fd, f"{line}\n".encode())


async def _all_processed(app: App[None]) -> None:
    """Wait until the app and every widget on its screen have handled the messages queued so far."""
    done = asyncio.get_running_loop().create_future()
    pumps = [app, *app.screen.walk_children(with_self=True)]
    waiting = 0

    def one_done() -> None:
        nonlocal waiting
        waiting -= 1
        if waiting == 0 and not done.done():
            done.set_result(None)

    for pump in pumps:
        waiting += pump.call_later(one_done)
    if waiting:
        await asyncio.wait_for(done, timeout=5)


async def _repainted(app: App[None]) -> None:
    """Wait for the screen's next repaint (at once if the app is closing)."""
    done = asyncio.get_running_loop().create_future()
    if app.call_after_refresh(lambda: done.done() or done.set_result(None)):
        await asyncio.wait_for(done, timeout=5)


def play_parser() -> argparse.ArgumentParser:
    """The options of `cachescope play`."""
    parser = Parser(
        prog="cachescope play",
        description="Open the app in autoplay: it steps on its own, pausing longer on narrated steps. "
        "Any key takes control back; p plays and pauses, +/- change the pace.",
    )
    parser.add_argument("scenario", help="built-in name or .toml file")
    add_delay(parser, DEFAULT_DELAY)
    parser.add_argument("--exit-at-end", action="store_true", help="quit after the last step's pause")
    add_theme(parser)
    parser.add_argument(
        "--size",
        type=parse_size,
        metavar="COLSxLINES",
        help="the terminal decides the size play draws at; with --size, play checks that the terminal is "
        "that size and refuses to start otherwise, so the same options draw the same frames "
        "(record sets the size itself)",
    )
    parser.add_argument("--step-fd", type=int, help=argparse.SUPPRESS)
    return parser


def play_command(args: list[str]) -> int:
    """`cachescope play SCENARIO [--delay S] [--exit-at-end] [--theme T] [--size WxH]`."""
    options = play_parser().parse_args(args)
    scenario = load_or_report(options.scenario)
    if scenario is None:
        return EXIT_USAGE
    if options.size is not None:
        actual = tuple(shutil.get_terminal_size())  # what Textual will draw at (COLUMNS/LINES first)
        if actual != options.size:
            want = "x".join(map(str, options.size))
            print(
                f"cachescope play: the terminal is {actual[0]}x{actual[1]}, not {want}: "
                f"resize it, or leave out --size (the terminal decides the size for play)",
                file=sys.stderr,
            )
            return EXIT_USAGE
    reporter = StepReporter(options.step_fd) if options.step_fd is not None else None
    app = app_for(
        scenario, autoplay=options.delay, exit_at_end=options.exit_at_end, theme=options.theme, step_hook=reporter
    )
    if reporter is not None:
        reporter.app = app
    app.animation_level = "none"  # no timing-dependent in-between frames: the same options, the same frames
    app.run()
    return app.return_code or EXIT_OK
