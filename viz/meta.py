"""Debugger commands of the command box that are not kernel operations: breakpoints, watches, goto.

They act on the app (what is shown, where to stop), never on the model, so they live in viz/ and
are parsed here; everything else typed in the box is a model op parsed by `model.ops.parse`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from model.ops import split_words
from model.timeline import BREAK_ON

META_VERBS = {
    "break": "break verb|kind|ref|errno VALUE — stop when a step matches (kind takes globs: namecache.*)",
    "delete": "delete N|all — remove breakpoint N (as numbered in the breakpoints screen)",
    "toggle": "toggle N — enable or disable breakpoint N",
    "breaks": "breaks — open the breakpoints screen",
    "watch": "watch ID — pin an object's details (vp9, nc3, 'pid 42', 'D set 5 way 1') beside the log",
    "unwatch": "unwatch ID|all — stop watching",
    "goto": "goto N — go to step N (0 is the initial state)",
    "theme": "theme NAME — dark, light, contrast or colourblind",
}
"""Each meta verb with its usage line (shown in the help screen and on errors)."""


_NUMBER = re.compile(r"-?[0-9]{1,9}")
"""A step or breakpoint number: ASCII digits only (str.isdigit also takes '²') and short enough for int()."""


class MetaError(ValueError):
    """A debugger command that does not parse; the message says what was expected."""


@dataclass(frozen=True, slots=True)
class Meta:
    """A parsed debugger command: the verb and its words (joined when a value may contain spaces)."""

    verb: str
    args: tuple[str, ...]


def parse_meta(line: str) -> Meta | None:
    """A Meta for a debugger command, None for anything else (a model op), MetaError when malformed."""
    words = split_words(line)
    if not words or words[0] not in META_VERBS:
        return None
    verb, rest = words[0], words[1:]
    usage = META_VERBS[verb].split(" — ")[0]
    if verb == "break":
        if len(rest) < 2 or rest[0] not in BREAK_ON:
            raise MetaError(f"usage: {usage}")
        return Meta(verb, (rest[0], " ".join(rest[1:])))
    if verb in ("delete", "toggle"):
        if len(rest) != 1 or not (_NUMBER.fullmatch(rest[0]) or (verb == "delete" and rest[0] == "all")):
            raise MetaError(f"usage: {usage}")
        return Meta(verb, (rest[0],))
    if verb == "goto":
        if len(rest) != 1 or not _NUMBER.fullmatch(rest[0]):
            raise MetaError(f"usage: {usage}")
        return Meta(verb, (rest[0],))
    if verb in ("watch", "unwatch", "theme"):
        if not rest:
            raise MetaError(f"usage: {usage}")
        return Meta(verb, (" ".join(rest),))
    if rest:
        raise MetaError(f"usage: {usage}")
    return Meta(verb, ())
