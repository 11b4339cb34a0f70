"""A fast reader for the steps of a scenario file written the way `dumps` and the importers write them.

`tomllib` reads a 100,000-step file in seconds, a character at a time. Those files are a small header
(title, about, [config], [compare]) and then only `[[step]]` lines and `do|say|panel = "basic string"`
lines. `scan` splits the text at its first line that is exactly `[[step]]`, leaves the header to tomllib,
and reads the rest a line at a time, accepting only what it can read exactly as TOML does: blank lines,
`#` comments, `[[step]]`, and `do = "..."`, `say = "..."`, `panel = "..."` (one space each side of the
`=`, a basic string with TOML's escapes, an optional trailing comment), each key at most once a step.
Anything else at all, valid TOML or not, makes `scan` return None: the caller then parses the whole text
with tomllib, so what a file means, and every error it gets, never depends on which path read it.

`StepReader` turns the scanned steps into validated `Step`s a chunk at a time, so that an app can show
the first steps of a big file before the rest are built. `scan_first` reads only the first steps' lines
before that, and the rest on first use (`LaterSteps`); a rest that is not fast-readable is read whole by
tomllib then, giving the same steps, and the same error, only after the first steps.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from json.decoder import scanstring  # type: ignore[attr-defined]  # the C string scanner of the json module
from typing import Generic, TypeVar

from model.errors import ScenarioError

RawStep = tuple[str, str, str]
"""One `[[step]]` table as its `do`, `say` and `panel` strings, "" for a key it does not have."""

_STEP_LINE = "[[step]]"
_CONTROL = r"\x00-\x08\x0a-\x1f\x7f"
"""The characters TOML allows neither in a basic string nor in a comment (all ASCII controls but tab)."""
_CONTROL_BYTES = bytes([*range(0x09), *range(0x0A + 1, 0x20), 0x7F])
_ESCAPE = (
    r'\\(?:[btnfr"\\]'
    r"|u(?![dD][89a-fA-F])[0-9A-Fa-f]{4}"
    r"|U(?:0000(?![dD][89a-fA-F])[0-9A-Fa-f]{4}|000[1-9A-Fa-f][0-9A-Fa-f]{4}|0010[0-9A-Fa-f]{4}))"
)
"""TOML's escapes in a basic string; \\u and \\U only for a Unicode scalar value (no surrogate, at most
U+10FFFF), as tomllib requires."""
_PLAIN = r'[^"\\' + _CONTROL + r"]*"
_COMMENT = r"(?:#[^" + _CONTROL + r"]*)?"
_VALUE = re.compile(r'"(' + _PLAIN + r"(?:" + _ESCAPE + _PLAIN + r')*)"[ \t]*' + _COMMENT)
"""A basic string and what may follow it on its line: spaces, tabs, a comment. The body's pattern is
unrolled (runs of plain characters between escapes) so that a line that does not match fails in linear time."""
_FILLER = re.compile(r"[ \t]*" + _COMMENT)
"""A blank line or a comment line."""
_ANY_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_SIMPLE_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}


@dataclass(frozen=True, slots=True)
class Split:
    """A scenario text cut in two: the header for tomllib, and the steps read by `scan` (or, from
    `scan_first`, the first ones read and the rest read on first use)."""

    header: str
    steps: Sequence[RawStep]


def scan(text: str) -> Split | None:
    """The text's header and its steps, or None when any line after the first `[[step]]` is not one the
    fast reader reads exactly as TOML does (the caller then parses the whole text with tomllib)."""
    start = _first_step_line(text)
    if start is None:
        return None
    section = text[start:]
    steps = _read_steps(section.split("\n"), _no_control(section))
    return None if steps is None else Split(text[:start], steps)


_OTHER_BRACKET_LINE = re.compile(r"\n(?:[ \t]+\[|\[(?!\[step\]\](?:\n|\Z)))")
"""A line that starts with `[` (after spaces or not) and is not exactly `[[step]]`: a table, or a step
line written some other way. One search of the rest, where splitting it into lines to count them took
longer than the rest of the first frame's reading."""


Whole = Callable[[], tuple[list[RawStep], ScenarioError | None]]
"""Every step of a text by tomllib: the steps up to the first bad one, and the error that stops there."""


def scan_first(text: str, first: int, whole: Whole) -> Split | None:
    """As `scan`, but only the first `first` steps are read now and the rest on first use (`LaterSteps`),
    so that an app shows a big file's first steps before its last lines are read: 0.46 s of a
    100,000-step file. `whole()` gives the steps when the rest turns out not to be one the fast reader
    reads (tomllib's reading of the whole text, whose error then comes after the first steps)."""
    start = _first_step_line(text)
    if start is None:
        return None
    cut = start
    for _ in range(first):
        cut = _first_step_line(text, cut + len(_STEP_LINE))
        if cut is None:
            cut = len(text)
            break
    rest = text[cut:]  # it starts with a line that is exactly [[step]] (or is empty)
    if _OTHER_BRACKET_LINE.search(rest):
        return scan(text)  # a table after the steps (it changes the header), or a step line written otherwise
    head = text[start:cut]
    steps = _read_steps(head.split("\n"), _no_control(head))
    if steps is None:
        return None
    if not rest:
        return Split(text[:start], steps)
    step_lines = rest.count("\n" + _STEP_LINE) + 1  # every line starting with [ is one: counted, not split
    return Split(text[:start], LaterSteps(steps, rest, step_lines, whole))


class LaterSteps(Sequence[RawStep]):
    """A file's steps: the first ones read, the rest read (whole, once) when a step past them is asked
    for. Until then its length counts the step lines of the rest. A slice reaching a bad step the rest
    holds raises that step's error, as a chunk with a bad step does; asked again, it raises it again."""

    def __init__(self, first: list[RawStep], rest: str, step_lines: int, whole: Whole) -> None:
        self._first = first
        self._rest = rest  # the rest's text, its first line a step line
        self._whole = whole
        self._rest_count = step_lines
        self._good: list[RawStep] | None = None  # every step up to the first bad one, once read
        self._error: ScenarioError | None = None  # what stops there

    def __len__(self) -> int:
        if self._good is None:
            return len(self._first) + self._rest_count
        return len(self._good) + (self._error is not None)

    def __getitem__(self, index):  # type: ignore[no-untyped-def,override]
        if not isinstance(index, slice):
            raise TypeError("LaterSteps gives slices")
        start, stop, _ = index.indices(len(self))
        if self._good is None and stop <= len(self._first):
            return self._first[start:stop]
        good = self._read()
        if self._error is not None and stop > len(good):
            raise self._error
        return good[start:stop]

    def _read(self) -> list[RawStep]:
        if self._good is None:
            more = _read_steps(self._rest.split("\n"), _no_control(self._rest))
            if more is not None:
                self._good = self._first + more
            else:
                try:
                    self._good, self._error = self._whole()
                except ScenarioError as exc:  # the whole text refused (not TOML): after the first steps
                    self._good, self._error = self._first, exc
            self._rest = ""
        return self._good


def _no_control(section: str) -> bool:
    """No character TOML forbids in a string or a comment anywhere in `section` (line ends aside)."""
    try:
        data = section.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: let the exact patterns read every line
        return False
    return len(data.translate(None, _CONTROL_BYTES)) == len(data)


def _first_step_line(text: str, at: int = 0) -> int | None:
    """Where the first line that is exactly `[[step]]` starts, from offset `at` (a line's start) on, or
    None if there is none."""
    if not text.startswith(_STEP_LINE, at):
        at = text.find("\n" + _STEP_LINE, at) + 1
        if not at:
            return None
    while True:
        end = at + len(_STEP_LINE)
        if end == len(text) or text[end] == "\n":
            return at
        at = text.find("\n" + _STEP_LINE, end) + 1
        if not at:
            return None


def _read_steps(lines: list[str], clean: bool) -> list[RawStep] | None:
    """The steps of `lines` (the first being `[[step]]`), or None at the first line read otherwise.

    `clean` says no line holds a control character TOML forbids: a string that the json module's C
    scanner reads to the end of its line, with no escape whose meaning differs in JSON (\\/, \\u, \\U),
    is then a TOML basic string of the same value. Any other line goes through the exact patterns.
    """
    steps: list[RawStep] = []
    do = say = panel = None
    for line in lines:
        if not line:
            continue
        first = line[0]
        if first == "[":
            if line != _STEP_LINE:
                return None
            steps.append((do or "", say or "", panel or ""))
            do = say = panel = None
            continue
        if first == "d" and line.startswith('do = "'):
            start = 6
        elif first == "s" and line.startswith('say = "'):
            start = 7
        elif first == "p" and line.startswith('panel = "'):
            start = 9
        else:
            if _FILLER.fullmatch(line) is None:
                return None
            continue
        value = None
        if clean:
            try:
                value, end = scanstring(line, start, False)
            except ValueError:
                end = -1
            if end != len(line) or ("\\" in line and ("\\/" in line or "\\u" in line or "\\U" in line)):
                value = None
        if value is None:
            value = _basic_string(line[start - 1 :])
            if value is None:
                return None
        if start == 6:
            if do is not None:
                return None  # a key twice in one table: a TOML error, which tomllib words
            do = value
        elif start == 7:
            if say is not None:
                return None
            say = value
        else:
            if panel is not None:
                return None
            panel = value
    steps.append((do or "", say or "", panel or ""))
    del steps[0]  # what came before the first [[step]]: nothing, as `scan` cut the text there
    return steps


def _basic_string(rest: str) -> str | None:
    """The value of the TOML basic string that starts `rest` (spaces and a comment may follow it), or None."""
    match = _VALUE.fullmatch(rest)
    if match is None:
        return None
    body = match.group(1)
    return body if "\\" not in body else _ANY_ESCAPE.sub(_one_escape, body)


def _one_escape(match: re.Match[str]) -> str:
    hex_digits = match.group(1) or match.group(2)
    return chr(int(hex_digits, 16)) if hex_digits else _SIMPLE_ESCAPES[match.group(3)]


T = TypeVar("T")


class StepReader(Generic[T]):
    """The steps of a scanned file after the ones already given, built `read(n)` at a time.

    `build(raws, before)` turns consecutive raw steps, the first numbered `before + 1` in the file, into
    steps, raising on a bad one; a chunk with a bad step raises and leaves the reader where it was, so
    nothing is skipped.
    """

    def __init__(
        self, raw: Sequence[RawStep], build: Callable[[Sequence[RawStep], int], list[T]], start: int = 0
    ) -> None:
        self._raw = raw
        self._build = build
        self._next = start

    @property
    def total(self) -> int:
        """How many steps the file has, counting the ones already given."""
        return len(self._raw)

    @property
    def position(self) -> int:
        """How many steps have been given (the first ones by the caller, then by `read`)."""
        return self._next

    @property
    def done(self) -> bool:
        """Every step has been given."""
        return self._next >= len(self._raw)

    def read(self, n: int) -> list[T]:
        """The next `n` steps (fewer at the end of the file, none once done), each built and checked."""
        if n < 0:
            raise ValueError(f"read takes a count >= 0, got {n}")
        start = self._next
        end = min(start + n, len(self._raw))
        steps = self._build(self._raw[start:end], start) if end > start else []
        self._next = end
        return steps
