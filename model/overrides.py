"""Config overrides: one side of a comparison, written as `proc_kernel=v2.6.24`, `dcache.ways=4`, several
of them joined by commas, a TOML file with a `[config]` table, or a table of a scenario's `[compare]`.

An override replaces one `[config]` key of the scenario's own configuration; a dotted key (`dcache.ways`)
replaces one field of a table-valued key and keeps the others. The result is validated by the config
registry (`model.parts.resolve_config`), so a bad key or value is refused with the registry's message and
its did-you-mean. Pure: reading the TOML file a side names is the only I/O.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from model.parts import config_keys, resolve_config

SIDE_NAMES = ("left", "right", "right2")
"""The keys of a `[compare]` table, in column order: two sides, or three."""
BASE = "base"
"""A side written as this word takes the scenario's own configuration, with no override."""


class OverrideError(ValueError):
    """A side that cannot be used: the message names the input and says what was expected."""


@dataclass(frozen=True, slots=True)
class Side:
    """One machine of a comparison: its label (for headers and JSON) and its overrides of `[config]`."""

    label: str
    overrides: dict[str, Any]

    def config(self, base: Mapping[str, Any]) -> dict[str, Any]:
        """The raw `[config]` of this side: `base` with the overrides merged in, validated (OverrideError)."""
        merged = merge(base, self.overrides)
        try:
            resolve_config(merged)
        except ValueError as exc:
            raise OverrideError(f"{self.label}: {exc}") from None
        return merged


def merge(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """`base` with `overrides` in: a table-valued override is merged field by field into the key's table
    (the base's, else the registry's default), anything else replaces the key's value."""
    out = dict(base)
    defaults = {name: key.default for name, key in config_keys().items()}
    for key, value in overrides.items():
        current = out.get(key, defaults.get(key))
        if isinstance(value, Mapping) and isinstance(current, Mapping):
            out[key] = {**current, **value}
        else:
            out[key] = value
    return out


def parse_value(text: str) -> Any:
    """A value as TOML reads it (`4`, `true`, `{ sets = 8 }`, `"x"`), else the bare word as a string."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except (tomllib.TOMLDecodeError, RecursionError):
        return text


def parse_assignment(text: str) -> dict[str, Any]:
    """`key=value` or `key.field=value` as an override table, the key checked against the registry."""
    name, equals, value = text.partition("=")
    name, value = name.strip(), value.strip()
    if not equals or not name or not value:
        raise OverrideError(f"{text!r}: expected KEY=VALUE, e.g. proc_kernel=v2.6.24 or dcache.ways=4")
    key, _, field = name.partition(".")
    check_key(key, text)
    parsed = parse_value(value)
    return {key: {field: parsed}} if field else {key: parsed}


def check_key(key: str, where: str) -> None:
    """Refuse a key the config registry does not know, naming the closest one."""
    keys = config_keys()
    if key not in keys:
        close = difflib.get_close_matches(key, keys, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(keys)}"
        raise OverrideError(f"{where!r}: unknown config key {key!r} ({hint})")


def parse_side(text: str) -> Side:
    """A side from the command line: `base`, `k=v[,k=v...]`, or a path to a TOML file with a `[config]` table."""
    text = text.strip()
    if text == BASE:
        return Side(BASE, {})
    if "=" not in text:
        return side_from_file(Path(text))
    overrides: dict[str, Any] = {}
    for part in (p for p in text.split(",") if p.strip()):
        for key, value in parse_assignment(part).items():
            overrides[key] = {**overrides[key], **value} if isinstance(value, dict) and key in overrides else value
    if not overrides:
        raise OverrideError(f"{text!r}: no override in it")
    return Side(label_of(overrides), overrides)


def side_from_file(path: Path) -> Side:
    """A side from a TOML file's `[config]` table (a scenario file will do: only its config is read)."""
    source = str(path)
    if not path.name.endswith(".toml"):
        raise OverrideError(f"{source!r}: not KEY=VALUE nor a .toml file (e.g. proc_kernel=v2.6.24, or base)")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise OverrideError(f"{source}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise OverrideError(f"{source}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    except (tomllib.TOMLDecodeError, RecursionError) as exc:
        raise OverrideError(f"{source}: not valid TOML: {exc}") from None
    table = data.get("config")
    if not isinstance(table, Mapping):
        raise OverrideError(
            f"{source}: no [config] table",
        )
    return side_from_table(table, f"{path.stem}.toml", label=path.name)


def side_from_table(table: Any, where: str, *, label: str | None = None) -> Side:
    """A side from a TOML table of overrides (a `[compare]` side or a file's `[config]`)."""
    if not isinstance(table, Mapping):
        raise OverrideError(f'{where}: expected a table of config overrides, e.g. {{ proc_kernel = "v2.6.24" }}')
    for key in table:
        check_key(key, where)
    overrides = dict(table)
    return Side(label or label_of(overrides), overrides)


def label_of(overrides: Mapping[str, Any]) -> str:
    """`proc_kernel=v2.6.24`, `dcache.ways=4`: the overrides as a user would type them."""
    words = []
    for key, value in overrides.items():
        if isinstance(value, Mapping):
            words += [f"{key}.{field}={_word(v)}" for field, v in value.items()]
        else:
            words.append(f"{key}={_word(value)}")
    return ",".join(words) or BASE


def _word(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def sides_of_table(table: Any, source: str) -> list[Side]:
    """The sides a scenario's `[compare]` table names: `left` and `right`, and `right2` for a third column."""
    if not isinstance(table, Mapping):
        raise OverrideError(f"{source}: [compare] must be a table with left and right")
    for key in table:
        if key not in SIDE_NAMES:
            close = difflib.get_close_matches(key, SIDE_NAMES, n=1, cutoff=0.5)
            hint = f"did you mean {close[0]!r}?" if close else "expected left, right and right2"
            raise OverrideError(f"{source}: [compare]: unknown key {key!r} ({hint})")
    if "left" not in table or "right" not in table:
        raise OverrideError(f"{source}: [compare] needs both left and right")
    return [side_from_table(table[name], f"{source}: [compare] {name}") for name in SIDE_NAMES if name in table]
