"""The debugger's own commands in the command box (`:`): breakpoints, watches, goto, theme, help.

Each is declared once, here: its name, usage, help line, a parser (the words after the name -> its
arguments, or a UsageError) and an action on the app (-> an error message, or None). They act on what
the app shows and where it stops, never on the model; anything else typed in the box is a model op,
parsed by `model.ops.parse`. The help screen and the box's completion read this registry.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from model.ops import split_words
from model.timeline import BREAK_ON, Breakpoint, Timeline
from viz.themes import resolve_theme


class DebuggerApp(Protocol):
    """What the commands' actions use of the app."""

    timeline: Timeline
    theme: str

    def notify(self, message: str, *, timeout: float | None = None) -> None: ...

    def watched(self) -> list[str]: ...

    def action_breakpoints(self) -> None: ...

    def action_help(self) -> None: ...


class UsageError(ValueError):
    """A debugger command that does not parse; the message gives its usage."""


Parser = Callable[[list[str]], tuple[str, ...]]
Action = Callable[[Any, tuple[str, ...]], str | None]


@dataclass(frozen=True, slots=True)
class DebuggerCommand:
    """One debugger command: `parse` turns the words after its name into arguments (UsageError if it
    cannot), `run` carries it out on the app and returns an error message or None. `closes_box`: the
    command box closes instead of staying open with "done"."""

    name: str
    usage: str
    summary: str
    parse: Parser
    run: Action
    aliases: tuple[str, ...] = ()
    closes_box: bool = False


DEBUGGER_COMMANDS: dict[str, DebuggerCommand] = {}
"""Every debugger command by name and alias, in the order they are declared."""


def command(
    name: str, usage: str, summary: str, parse: Parser, *, aliases: tuple[str, ...] = (), closes_box: bool = False
) -> Callable[[Action], Action]:
    """Declare a debugger command; the decorated function is its action."""

    def register(run: Action) -> Action:
        spec = DebuggerCommand(name, usage, summary, parse, run, aliases, closes_box)
        for word in (name, *aliases):
            if word in DEBUGGER_COMMANDS:
                raise RuntimeError(f"debugger command {word!r} declared twice")
            DEBUGGER_COMMANDS[word] = spec
        return run

    return register


def commands() -> list[DebuggerCommand]:
    """Each command once, in declaration order (aliases not repeated)."""
    return list(dict.fromkeys(DEBUGGER_COMMANDS.values()))


def names() -> list[str]:
    """Every name and alias the command box accepts as a debugger command."""
    return list(DEBUGGER_COMMANDS)


def parse_command(line: str) -> tuple[DebuggerCommand, tuple[str, ...]] | None:
    """The debugger command on `line` and its arguments; None for anything else (a model op)."""
    words = split_words(line)
    if not words or words[0] not in DEBUGGER_COMMANDS:
        return None
    spec = DEBUGGER_COMMANDS[words[0]]
    try:
        return spec, spec.parse(words[1:])
    except UsageError:
        raise UsageError(f"usage: {spec.usage}") from None


# -- parsers -----------------------------------------------------------------------------------------------

_NUMBER = re.compile(r"-?[0-9]{1,9}")
"""A step or breakpoint number: ASCII digits only (str.isdigit also takes '²') and short enough for int()."""


def no_words(words: list[str]) -> tuple[str, ...]:
    if words:
        raise UsageError
    return ()


def one_number(words: list[str], *, all_too: bool = False) -> tuple[str, ...]:
    if len(words) != 1 or not (_NUMBER.fullmatch(words[0]) or (all_too and words[0] == "all")):
        raise UsageError
    return (words[0],)


def rest_of_line(words: list[str]) -> tuple[str, ...]:
    """Every word, joined: a value that may hold spaces (``pid 42``, ``D set 5 way 1``)."""
    if not words:
        raise UsageError
    return (" ".join(words),)


def breakpoint_words(words: list[str]) -> tuple[str, ...]:
    if len(words) < 2 or words[0] not in BREAK_ON:
        raise UsageError
    return (words[0], " ".join(words[1:]))


# -- the commands --------------------------------------------------------------------------------------------


@command(
    "break",
    "break verb|kind|ref|errno VALUE",
    "stop when a step matches (kind takes globs: namecache.*)",
    breakpoint_words,
)
def _break(app: DebuggerApp, args: tuple[str, ...]) -> str | None:
    breakpoints = app.timeline.breakpoints
    try:
        breakpoints.append(Breakpoint(args[0], args[1]))
    except ValueError as exc:
        return str(exc)
    app.notify(f"breakpoint {len(breakpoints)}: {breakpoints[-1]}", timeout=2)
    return None


@command(
    "delete",
    "delete N|all",
    "remove breakpoint N (as numbered in the breakpoints screen)",
    lambda words: one_number(words, all_too=True),
)
def _delete(app: DebuggerApp, args: tuple[str, ...]) -> str | None:
    return _on_breakpoint(app, args[0], delete=True)


@command("toggle", "toggle N", "enable or disable breakpoint N", one_number)
def _toggle(app: DebuggerApp, args: tuple[str, ...]) -> str | None:
    return _on_breakpoint(app, args[0], delete=False)


def _on_breakpoint(app: DebuggerApp, which: str, *, delete: bool) -> str | None:
    breakpoints = app.timeline.breakpoints
    if which == "all":
        breakpoints.clear()
        return None
    index = int(which) - 1
    if not 0 <= index < len(breakpoints):
        return f"no breakpoint {which} (there are {len(breakpoints)})"
    if delete:
        del breakpoints[index]
    else:
        breakpoints[index].enabled = not breakpoints[index].enabled
    return None


@command("breaks", "breaks", "open the breakpoints screen", no_words)
def _breaks(app: DebuggerApp, args: tuple[str, ...]) -> str | None:
    app.action_breakpoints()
    return None


@command(
    "watch", "watch ID", "pin an object's details (vp9, nc3, 'pid 42', 'D set 5 way 1') beside the log", rest_of_line
)
def _watch(app: DebuggerApp, args: tuple[str, ...]) -> str | None:
    watched = app.watched()
    if args[0] not in watched:
        watched.append(args[0])
    return None


@command("unwatch", "unwatch ID|all", "stop watching", rest_of_line)
def _unwatch(app: DebuggerApp, args: tuple[str, ...]) -> str | None:
    watched = app.watched()
    if args[0] == "all":
        watched.clear()
    elif args[0] in watched:
        watched.remove(args[0])
    else:
        return f"{args[0]} is not watched"
    return None


@command("goto", "goto N", "go to step N (0 is the initial state)", one_number)
def _goto(app: DebuggerApp, args: tuple[str, ...]) -> str | None:
    app.timeline.goto(int(args[0]))
    return None


@command("theme", "theme NAME", "dark, light, contrast or colourblind", rest_of_line)
def _theme(app: DebuggerApp, args: tuple[str, ...]) -> str | None:
    try:
        app.theme = resolve_theme(args[0])
    except ValueError as exc:
        return str(exc)
    return None


@command("help", "help", "this screen: keys, commands and glyphs (also ?)", no_words, aliases=("?",), closes_box=True)
def _help(app: DebuggerApp, args: tuple[str, ...]) -> str | None:
    app.action_help()
    return None
