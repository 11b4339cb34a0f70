"""Command-line options shared by `play`, `record`, `screenshot` and `serve`: sizes, delays, themes, --force, labels."""

from __future__ import annotations

import argparse
import re

from model.timeline import Step
from viz.themes import theme_names

DEFAULT_SIZE = (100, 30)
MIN_SIZE, MAX_SIZE = (20, 8), (1000, 500)
LABEL_WIDTH = 60
_SIZE = re.compile(r"(\d+)x(\d+)")


def parse_size(text: str) -> tuple[int, int]:
    """`100x30` -> (100, 30); argparse turns the ValueError's message into an exit with status 2."""
    match = _SIZE.fullmatch(text.strip().lower())
    if match is None:
        raise argparse.ArgumentTypeError(f"size {text!r} is not COLUMNSxLINES, e.g. 100x30")
    width, height = int(match[1]), int(match[2])
    if not (MIN_SIZE[0] <= width <= MAX_SIZE[0] and MIN_SIZE[1] <= height <= MAX_SIZE[1]):
        raise argparse.ArgumentTypeError(
            f"size {text!r} is out of range: {MIN_SIZE[0]}..{MAX_SIZE[0]} columns, {MIN_SIZE[1]}..{MAX_SIZE[1]} lines"
        )
    return width, height


def parse_seconds(text: str) -> float:
    """A positive number of seconds, at most an hour (for --delay and --timeout)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError(f"{text!r} must be more than 0 and at most 3600 seconds")
    return value


def add_theme(parser: argparse.ArgumentParser) -> None:
    """`--theme T`, checked against cachescope's themes (an unknown name exits with 2 and the list)."""
    parser.add_argument(
        "--theme",
        choices=theme_names(),
        metavar="THEME",
        help=f"colour theme: {', '.join(theme_names()[:4])} (default: dark)",
    )


def add_force(parser: argparse.ArgumentParser) -> None:
    """`--force`: write over a symbolic link, device node, FIFO or socket (the name, never its target)."""
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace an output that is a symbolic link, device node, FIFO or socket (the link itself is "
        "replaced, never what it points to); without it such outputs are refused",
    )


def add_delay(parser: argparse.ArgumentParser, default: float) -> None:
    """`--delay SECONDS`: the autoplay pace; narrated steps stay up longer (the app's pause_after)."""
    parser.add_argument(
        "--delay",
        type=parse_seconds,
        default=default,
        metavar="SECONDS",
        help=f"seconds per step; steps with narration stay longer, by their word count (default: {default})",
    )


def step_label(position: int, step: Step) -> str:
    """`step 3: lookup /usr/bin/cc`: a marker's or a handout heading's name for a step, kept short."""
    op = " ".join(str(step.op).split())
    if len(op) > LABEL_WIDTH:
        op = op[: LABEL_WIDTH - 1].rstrip() + "…"
    return f"step {position}: {op}"
