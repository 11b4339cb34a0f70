"""The debugger's own commands in the command box (`:`): breakpoints, watches, goto, run, branches,
save, theme, help.

Each is declared once, here: its name, usage, help line, a parser (the words after the name -> its
arguments, or a UsageError) and an action on the app (-> an error message, or None). They act on what
the app shows, where it stops and which branch of the history it shows, never on the model's rules;
anything else typed in the box is a model op, parsed by `model.ops.parse`. The help screen and the
box's completion read this registry. Values that name something (a verb, an event kind, an errno, an
id) are checked against what the model knows (`model.known`), so a typo is refused with a suggestion.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from model.known import known_errno, known_kind, known_ref, known_verb
from model.ops import split_words
from model.scenario import Scenario, dumps
from model.timeline import BREAK_ON, Breakpoint, Timeline
from viz.atomic import atomic_file
from viz.history import BoxHistory
from viz.themes import resolve_theme


class DebuggerApp(Protocol):
    """What the commands' actions use of the app."""

    timeline: Timeline
    history: BoxHistory
    theme: str
    scenario: Scenario

    def notify(self, message: str, *, timeout: float | None = None) -> None: ...

    def watched(self) -> list[str]: ...

    def reading(self) -> str: ...

    def ref_names(self) -> tuple[list[str], bool]: ...

    def action_breakpoints(self) -> None: ...

    def action_branches(self) -> None: ...

    def action_help(self) -> None: ...

    def run_to_breakpoint(self, *, backward: bool) -> None: ...

    def switch_branch(self, number: int) -> str | None: ...

    def delete_branch(self, number: int) -> str | None: ...


class UsageError(ValueError):
    """A debugger command that does not parse; the message gives its usage."""


Parser = Callable[[list[str]], tuple[str, ...]]
Action = Callable[[Any, tuple[str, ...]], str | None]


Closes = Callable[[tuple[str, ...]], bool]


@dataclass(frozen=True, slots=True)
class DebuggerCommand:
    """One debugger command: `parse` turns the words after its name into arguments (UsageError if it
    cannot), `run` carries it out on the app and returns an error message or None. `closes_box(args)`:
    once it has run without error, the command box closes (it moved the view, or opened a screen)
    instead of staying open with "done"."""

    name: str
    usage: str
    summary: str
    parse: Parser
    run: Action
    aliases: tuple[str, ...] = ()
    closes_box: Closes = lambda args: False


DEBUGGER_COMMANDS: dict[str, DebuggerCommand] = {}
"""Every debugger command by name and alias, in the order they are declared."""


def command(
    name: str,
    usage: str,
    summary: str,
    parse: Parser,
    *,
    aliases: tuple[str, ...] = (),
    closes_box: bool | Closes = False,
) -> Callable[[Action], Action]:
    """Declare a debugger command; the decorated function is its action. `closes_box`: True, or a
    predicate on its arguments (``branch 2`` moves and closes the box, ``branch delete 2`` does not)."""
    closes = closes_box if callable(closes_box) else (lambda args, always=closes_box: always)

    def register(run: Action) -> Action:
        spec = DebuggerCommand(name, usage, summary, parse, run, aliases, closes)
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


def optional_back(words: list[str]) -> tuple[str, ...]:
    if words not in ([], ["back"]):
        raise UsageError
    return tuple(words)


def branch_words(words: list[str]) -> tuple[str, ...]:
    """``N`` (switch to branch N) or ``delete N``."""
    if len(words) == 1 and _NUMBER.fullmatch(words[0]):
        return (words[0],)
    if len(words) == 2 and words[0] == "delete" and _NUMBER.fullmatch(words[1]):
        return tuple(words)
    raise UsageError


def save_words(words: list[str]) -> tuple[str, ...]:
    """A file name and maybe ``--force``, in either order."""
    force = "--force" in words
    names = [word for word in words if word != "--force"]
    if len(names) != 1 or words.count("--force") > 1:
        raise UsageError
    return (names[0], "--force") if force else (names[0],)


def check_breakpoint(app: DebuggerApp, on: str, value: str) -> str:
    """The value to keep for a breakpoint on `on`, if it can ever match; ValueError with a suggestion if not
    (an unknown verb, a kind glob that matches no kind, an unknown errno name, an id no step can name)."""
    if on == "verb":
        return known_verb(value)
    if on == "kind":
        return known_kind(value)
    if on == "errno":
        return known_errno(value)
    names, complete = app.ref_names()
    return known_ref(value, names, named_only=complete)


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
        wanted = Breakpoint(args[0], check_breakpoint(app, args[0], args[1]))
    except ValueError as exc:
        return str(exc)
    same = next((n for n, bp in enumerate(breakpoints, start=1) if str(bp) == str(wanted)), None)
    if same is not None:
        return f"breakpoint {same} is already {wanted}"
    breakpoints.append(wanted)
    named = wanted.on != "ref" or wanted.value in app.ref_names()[0]
    note = "" if named else f" (no step so far names {wanted.value})"
    app.notify(f"breakpoint {len(breakpoints)}: {wanted}{note}", timeout=3)
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


@command("breaks", "breaks", "open the breakpoints screen", no_words, closes_box=True)
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


@command("goto", "goto N", "go to step N (0 is the initial state)", one_number, closes_box=True)
def _goto(app: DebuggerApp, args: tuple[str, ...]) -> str | None:
    try:
        app.history.goto(int(args[0]))
    except ValueError as exc:
        return str(exc)
    return None


@command("run", "run [back]", "run to the next (back: the previous) step that hits a breakpoint (also r, R)",
         optional_back, closes_box=True)  # fmt: skip
def _run(app: DebuggerApp, args: tuple[str, ...]) -> str | None:
    app.run_to_breakpoint(backward=bool(args))
    return None


@command("branches", "branches", "list the branches of the history: switch (enter) or delete (d)", no_words,
         closes_box=True)  # fmt: skip
def _branches(app: DebuggerApp, args: tuple[str, ...]) -> str | None:
    app.action_branches()
    return None


@command("branch", "branch N | branch delete N", "switch to branch N, or delete it (not the current one)",
         branch_words, closes_box=lambda args: len(args) == 1)  # fmt: skip
def _branch(app: DebuggerApp, args: tuple[str, ...]) -> str | None:
    if args[0] == "delete":
        return app.delete_branch(int(args[1]))
    return app.switch_branch(int(args[0]))


@command("save", "save FILE.toml [--force]", "save this branch as a scenario (--force replaces a file)", save_words)
def _save(app: DebuggerApp, args: tuple[str, ...]) -> str | None:
    name, force = args[0], "--force" in args[1:]
    path = Path(name).expanduser()
    if path.suffix != ".toml":
        return f"save writes a scenario: name it FILE.toml (save {path.stem or 'lesson'}.toml)"
    if os.path.lexists(path) and not force:
        return f"{name} exists: save {name} --force replaces it"
    if not path.parent.is_dir():
        return f"cannot write {name}: no directory {path.parent}"
    if app.reading():
        return f"{app.reading()}: save once it is read, or the file would miss its last steps"
    scenario, timeline = app.scenario, app.timeline
    branch = Scenario(scenario.title, scenario.about, scenario.config, timeline.steps, str(path),
                      dict(scenario.raw_config))  # fmt: skip
    try:
        with atomic_file(path, force=force) as out:
            out.write(dumps(branch).encode("utf-8"))
    except OSError as exc:
        return f"cannot write {name}: {exc.strerror or exc}"
    app.notify(f"saved {path}: {timeline.length} steps", timeout=3)
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
