"""System: the one simulated machine. It owns every mechanism's part and applies operations to them."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from model.errors import CommandError, OpError
from model.events import Event
from model.ops import VERBS, Op, spec_for
from model.parts import Part, live_ids, mechanisms, resolve_config

SCHEMA_VERSION = 1


class System:
    """Every mechanism's part of the simulated machine, built from the registry with one validated config."""

    __slots__ = ("config", "parts")

    def __init__(self, config: Mapping[str, Any] | None = None) -> None:
        self.config: dict[str, Any] = resolve_config(config or {})
        self.parts: dict[str, Part] = {spec.name: spec.factory(self.config) for spec in mechanisms()}

    def part(self, name: str) -> Any:
        """The part of the mechanism registered as `name`."""
        return self.parts[name]

    def apply(self, op: Op) -> list[Event]:
        """Apply one operation and return what happened. Refused operations come back as error events."""
        spec = VERBS.get(op.verb)  # loaded when the parts were built; hot: one dict read per step
        if spec is None:
            try:
                spec = spec_for(op.verb)
            except CommandError as exc:
                return [Event("error", str(exc))]
        try:
            return spec.handler(self, **dict(op.args))
        except OpError as exc:
            return [Event("error", f"{op.verb}: {exc.text}", refs=exc.refs, explain=exc.hint, errno=exc.errno)]

    def copy(self) -> System:
        """An independent copy (the quiz tries an op on a copy; time travel never copies, see model.journal)."""
        return copy.deepcopy(self)

    def ids(self) -> list[str]:
        """Every object id that exists now, through each mechanism's id spaces (for completion)."""
        return list(live_ids(self.parts))

    def describe(self, ref: str) -> str | None:
        """What the object with id `ref` is, from whichever part owns it."""
        for part in self.parts.values():
            text = part.describe(ref)
            if text is not None:
                return text
        return None

    def stats(self) -> dict[str, dict[str, int]]:
        """Every part's counters, under the kernel's names."""
        return {name: part.stats() for name, part in self.parts.items() if part.stats()}

    def check(self) -> list[str]:
        """Invariant violations across all parts, each prefixed with its part's name."""
        return [f"{name}: {problem}" for name, part in self.parts.items() for problem in part.check()]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dump of the whole state; the schema is documented in README.md."""
        out: dict[str, Any] = {"schema": SCHEMA_VERSION, "config": dict(self.config)}
        for name, part in self.parts.items():
            out[name] = part.to_dict()
        return out
