"""A scenario file's header read by tomllib, with its long arrays of strings read by the json module.

An imported trace's header is a few lines, one of them `tree = [...]` with every file the trace proves
existed: 3 MB for a 100,000-step `tar` trace, which tomllib reads in 0.3 s, a character at a time, before
the first frame. An array of basic strings, on one line or one string a line as `cachescope import`
writes it, with none of the escapes that differ between the two (\\u, \\U, \\/) and no character one
of them refuses and the other takes (DEL, CR), means the same in JSON, which the json module reads in C.
Such an array is handed to tomllib as `key = []` (its other lines left blank, so every line keeps its
number), so that tomllib still checks everything else (the key, the table, a duplicate), and it is put
back afterwards. Anything else, or any error at all, goes to tomllib as written,
so the result and every error message are tomllib's own.
"""

from __future__ import annotations

import json
import re
import tomllib
from typing import Any

LONG_LINE = 4096
"""Arrays written shorter than this (in characters) are left to tomllib: reading them the fast way saves nothing."""

_LINE = re.compile(r"([A-Za-z0-9_-]+) = (\[.*\])")
"""A bare key, one space each side of `=`, and an array that ends the line."""
_OPENING = re.compile(r"([A-Za-z0-9_-]+) = \[")
"""The first line of an array written one string a line."""
_ELEMENT = '    "'
"""How each of its lines starts."""
_TABLE = re.compile(r"\[([A-Za-z0-9_-]+)\]")
"""A table header naming one bare key: the only kind the fast path follows."""
_DIFFERENT = ("\\u", "\\U", "\\/", "\x7f", "\r")
"""What JSON and TOML read differently (or only one of them refuses) in an array of basic strings."""


def loads_header(header: str, long_line: int = LONG_LINE) -> dict[str, Any]:
    """`tomllib.loads(header)`, the same dict or the same TOMLDecodeError, in a fraction of the time when
    the header holds arrays of plain strings at least `long_line` characters long, written on one line or
    one string a line (as `cachescope import` writes `tree`; see the module docstring)."""
    if "'''" in header or '"""' in header:  # a multi-line string could hold a line that looks like one
        return tomllib.loads(header)
    lines = header.split("\n")
    arrays: list[tuple[str | None, str, list[str]]] = []  # (table, key, strings) put back after tomllib
    table: str | None = None
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if line.lstrip(" \t").startswith("["):  # a table header, indented or not
            match = _TABLE.fullmatch(line.strip(" \t"))
            if match is None:
                return tomllib.loads(header)  # an array of tables, a dotted or quoted name: not followed
            table = match.group(1)
            continue
        opening = _OPENING.fullmatch(line)
        if opening is not None:  # `key = [`, then one string a line, then `]`
            end = _closing(lines, index)
            if end is None:
                continue
            key, array = opening.group(1), "[" + "\n".join(lines[index:end]).removesuffix(",") + "]"
            span = range(index - 1, end + 1)
            index = end + 1
        elif len(line) >= long_line and (match := _LINE.fullmatch(line)) is not None:
            key, array = match.group(1), match.group(2)
            span = range(index - 1, index)
        else:
            continue
        values = _plain_strings(array) if len(array) >= long_line else None
        if values is None:
            continue
        arrays.append((table, key, values))
        lines[span.start] = f"{key} = []"
        for blank in span[1:]:
            lines[blank] = ""  # the lines stay where they were, and so does every error's line number
    if not arrays:
        return tomllib.loads(header)
    try:
        data = tomllib.loads("\n".join(lines))
        for table, key, values in arrays:
            where = data if table is None else data[table]
            if where[key] != []:  # pragma: no cover - tomllib read back what was written
                raise ValueError(key)
            where[key] = values
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError):
        return tomllib.loads(header)  # the error, or the exception, as tomllib gives it for the text itself
    return data


def _closing(lines: list[str], start: int) -> int | None:
    """The index of the `]` line that closes an array opened just before `start`, when every line up to it
    is one of its strings (four spaces, then a quote); else None."""
    for index in range(start, len(lines)):
        line = lines[index]
        if line == "]":
            return index
        if not line.startswith(_ELEMENT):
            return None
    return None


def _plain_strings(array: str) -> list[str] | None:
    """The strings of an array written as JSON, when JSON reads it exactly as TOML does, else None."""
    if any(different in array for different in _DIFFERENT):
        return None
    try:
        values = json.loads(array)
    except ValueError:
        return None
    if not isinstance(values, list) or not all(type(value) is str for value in values):
        return None
    return values
