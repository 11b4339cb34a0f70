"""The registry of subsystems ("parts") and their configuration keys.

A subsystem registers itself once (`register_part`) with a factory and the `[config]` keys it reads;
`System` builds every registered part, so adding a subsystem touches no central list.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol


class Part(Protocol):
    """What every subsystem offers the System."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready state of this subsystem (schema documented in README.md)."""
        ...

    def stats(self) -> dict[str, int]:
        """Counters under the kernel's names (e.g. nchstats), for `stats` and the statistics view."""
        ...

    def describe(self, ref: str) -> str | None:
        """A multi-line description of the object with id `ref`, or None if it is not this part's."""
        ...

    def check(self) -> list[str]:
        """Invariant violations (empty when the state is consistent)."""
        ...


class OpError(Exception):
    """Raised by a handler for an operation the model refuses; `System.apply` turns it into an error event."""

    def __init__(self, text: str, *, hint: str = "", errno: str | None = None, refs: tuple[str, ...] = ()) -> None:
        super().__init__(text)
        self.text = text
        self.hint = hint
        self.errno = errno
        self.refs = refs


@dataclass(frozen=True, slots=True)
class ConfigKey:
    """One `[config]` key: its default, a validator that raises ValueError, and a help line."""

    name: str
    default: Any
    validate: Callable[[Any], Any]
    summary: str


@dataclass(frozen=True, slots=True)
class PartSpec:
    """A registered subsystem: `factory(config)` builds it; `order` places it in dumps and views."""

    name: str
    factory: Callable[[Mapping[str, Any]], Part]
    order: int


PARTS: dict[str, PartSpec] = {}
CONFIG_KEYS: dict[str, ConfigKey] = {}


def register_part(
    name: str, factory: Callable[[Mapping[str, Any]], Part], *, order: int, config: tuple[ConfigKey, ...] = ()
) -> None:
    """Register a subsystem and its config keys (called once, at import of its commands module)."""
    if name in PARTS:
        raise RuntimeError(f"part {name!r} registered twice")
    PARTS[name] = PartSpec(name, factory, order)
    register_config(*config)


def register_config(*keys: ConfigKey) -> None:
    """Register `[config]` keys read by a part registered elsewhere (e.g. the page size, read by the VFS)."""
    for key in keys:
        if key.name in CONFIG_KEYS:
            raise RuntimeError(f"config key {key.name!r} registered twice")
        CONFIG_KEYS[key.name] = key


def ordered_parts() -> list[PartSpec]:
    """The registered parts in display order."""
    return sorted(PARTS.values(), key=lambda spec: (spec.order, spec.name))


def resolve_config(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a `[config]` table and fill defaults; ValueError names the bad key and what is expected."""
    from model.ops import ensure_loaded  # late: the command modules register the keys and import this module

    ensure_loaded()
    for key in raw:
        if key not in CONFIG_KEYS:
            close = difflib.get_close_matches(key, CONFIG_KEYS, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(sorted(CONFIG_KEYS))}"
            raise ValueError(f"unknown config key {key!r} ({hint})")
    resolved: dict[str, Any] = {}
    for name, key in CONFIG_KEYS.items():
        if name in raw:
            try:
                resolved[name] = key.validate(raw[name])
            except (ValueError, TypeError) as exc:
                raise ValueError(f"config key {name!r}: {exc}") from None
        else:
            resolved[name] = key.default
    return resolved


def positive_int(value: Any) -> int:
    """Validator: an integer > 0."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"expected a whole number > 0, got {value!r}")
    return value


def power_of_two(value: Any) -> int:
    """Validator: a power of two (hash table sizes, cache sets, line sizes)."""
    value = positive_int(value)
    if value & (value - 1):
        raise ValueError(f"expected a power of two, got {value}")
    return value


def at_most(limit: int, validate: Callable[[Any], int] = positive_int) -> Callable[[Any], int]:
    """Validator factory: `validate`, and no more than `limit` (for tables the model allocates up front)."""

    def check(value: Any) -> int:
        value = validate(value)
        if value > limit:
            raise ValueError(f"expected at most {limit}, got {value}")
        return value

    return check


def one_of(*choices: str) -> Callable[[Any], str]:
    """Validator factory: a string out of `choices`."""

    def validate(value: Any) -> str:
        if value not in choices:
            raise ValueError(f"expected one of {', '.join(choices)}, got {value!r}")
        return value

    return validate
