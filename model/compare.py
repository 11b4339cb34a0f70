"""Two (or three) kernels side by side: one scenario's ops applied to machines that differ only in their
`[config]`, and, per step, exactly what differs between them (docs/compare.md).

The first side is the reference; each other side is compared with it. Per step:

- **events**: the step's event lists are aligned (longest common subsequence of their compared fields).
  Events equal in `kind, func, ret, errno, refs, created, changed, removed, data` are the same; a pair
  left over with the same kind is one event that differs (the fields that differ, each [left, right]);
  the rest happened on one side only. `text`, `explain` and `source` are not compared: they word or
  cite what those fields say, and a source names the kernel version by design.
- **objects**: the state dumps' objects (`model.state_objects`) by id: present on one side only (the
  whole object), or on both with fields that differ (those fields, each [left, right]).

A step **diverges** when its events differ, or when its object differences are not those of the step
before (a difference appears, goes or changes): the step where the kernels part ways, not every step
after it. Pure and deterministic; `cachescope compare` prints it, the app's compare view draws it.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from model.events import Event
from model.overrides import Side
from model.parts import source_of
from model.scenario import Scenario
from model.state_objects import objects
from model.system import System
from model.timeline import Step, Timeline

COMPARED = ("kind", "func", "ret", "errno", "refs", "created", "changed", "removed", "data")
"""The fields of an event (as `Event.to_dict` writes them; a missing one is None) a comparison looks at."""
CONFIG_DATA = frozenset({"mode", "abi"})
"""Keys of an event's `data` that say which configuration the call ran under (cacheflush's mode and ABI),
not what it did: left out of `data` when comparing, or every call would differ between two modes."""
MAX_SIDES = 3

JsonEvent = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class EventDiff:
    """One event that is not the same on both sides: indexes into each side's list (None: absent there),
    and for a pair, the compared fields that differ as {field: [left, right]}."""

    left: int | None
    right: int | None
    fields: dict[str, list[Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"left": self.left, "right": self.right}
        if self.fields:
            out["fields"] = self.fields
        return out


@dataclass(frozen=True, slots=True)
class ObjectDiff:
    """One object whose state differs: the whole object where one side lacks it (None there), else only
    the fields that differ as {field: [left, right]}."""

    id: str
    left: dict[str, Any] | None = None
    right: dict[str, Any] | None = None
    fields: dict[str, list[Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        if self.fields:
            return {"id": self.id, "fields": self.fields}
        return {"id": self.id, "left": self.left, "right": self.right}

    def words(self) -> str:
        """`state: live | dead`, `only on the left`: what differs, in a few words, for the app."""
        if not self.fields:
            return "only on the left" if self.right is None else "only on the right"
        return ", ".join(
            f"{name}: {_short(pair[0], name)} | {_short(pair[1], name)}" for name, pair in self.fields.items()
        )


@dataclass(frozen=True, slots=True)
class PairDiff:
    """What differs at one step between the reference side and one other side."""

    events: tuple[EventDiff, ...] = ()
    objects: tuple[ObjectDiff, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"events": [d.to_dict() for d in self.events], "objects": [d.to_dict() for d in self.objects]}


@dataclass(frozen=True, slots=True)
class StepDiff:
    """One step (0: the initial state) of a comparison: each side's events (JSON, with their source) and,
    for each side after the first, its differences from the first."""

    step: int
    op: str
    say: str
    events: tuple[tuple[dict[str, Any], ...], ...]
    pairs: tuple[PairDiff, ...]
    diverges: bool

    def marked_events(self, side: int) -> dict[int, str]:
        """Index of each event of `side` that differs -> "differs" (its counterpart differs in some field)
        or "only" (no counterpart: only this side has it); the first side is marked against every other."""
        marks: dict[int, str] = {}
        for number, pair in enumerate(self.pairs, start=1):
            if side not in (0, number):
                continue
            for diff in pair.events:
                index = diff.left if side == 0 else diff.right
                if index is not None:
                    marks[index] = "differs" if diff.fields or marks.get(index) == "differs" else "only"
        return marks

    @property
    def object_ids(self) -> frozenset[str]:
        """Every id whose state differs at this step, on any pair of sides."""
        return frozenset(d.id for pair in self.pairs for d in pair.objects)

    def to_dict(self, labels: Sequence[str]) -> dict[str, Any]:
        return {
            "step": self.step,
            "op": self.op,
            "say": self.say,
            "diverges": self.diverges,
            "sides": [
                {"label": label, "events": list(events)} for label, events in zip(labels, self.events, strict=True)
            ],
            "diff": [{"right": labels[n], **pair.to_dict()} for n, pair in enumerate(self.pairs, start=1)],
        }


def comparable(event: JsonEvent) -> dict[str, Any]:
    """The compared fields of a JSON event (None where absent), `data` without its CONFIG_DATA keys."""
    out = {name: event.get(name) for name in COMPARED}
    if isinstance(out["data"], Mapping):
        out["data"] = {k: v for k, v in out["data"].items() if k not in CONFIG_DATA} or None
    return out


def compared(event: JsonEvent) -> tuple[Any, ...]:
    """The compared fields of a JSON event, hashable: two events are the same when these are equal."""
    return _frozen(tuple(comparable(event).values()))


def diff_events(left: Sequence[JsonEvent], right: Sequence[JsonEvent]) -> tuple[EventDiff, ...]:
    """The events that are not the same on both sides (see the module's docstring), in order."""
    keys_l, keys_r = [compared(e) for e in left], [compared(e) for e in right]
    out: list[EventDiff] = []
    matcher = difflib.SequenceMatcher(None, keys_l, keys_r, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        kinds = difflib.SequenceMatcher(
            None, [k[0] for k in keys_l[i1:i2]], [k[0] for k in keys_r[j1:j2]], autojunk=False
        )
        for kind_tag, a1, a2, b1, b2 in kinds.get_opcodes():
            if kind_tag == "equal":  # same kinds, in order: one event each side that differs
                for i, j in zip(range(i1 + a1, i1 + a2), range(j1 + b1, j1 + b2), strict=True):
                    out.append(EventDiff(i, j, _field_diff(comparable(left[i]), comparable(right[j]), COMPARED)))
                continue
            out += [EventDiff(i, None) for i in range(i1 + a1, i1 + a2)]
            out += [EventDiff(None, j) for j in range(j1 + b1, j1 + b2)]
    return tuple(out)


def diff_objects(left: Mapping[str, dict[str, Any]], right: Mapping[str, dict[str, Any]]) -> tuple[ObjectDiff, ...]:
    """The objects whose state differs, by id, in the order the left side lists them, then the right's own."""
    out: list[ObjectDiff] = []
    for ref in [*left, *(r for r in right if r not in left)]:
        a, b = left.get(ref), right.get(ref)
        if a is None or b is None:
            out.append(ObjectDiff(ref, a, b))
        elif a != b:
            out.append(ObjectDiff(ref, fields=_field_diff(a, b, list(dict.fromkeys([*a, *b])))))
    return tuple(out)


class Comparison:
    """A scenario run on each side's machine, step by step, with the differences at every step."""

    def __init__(self, scenario: Scenario, sides: Sequence[Side]) -> None:
        if not 2 <= len(sides) <= MAX_SIDES:
            raise ValueError(f"a comparison has 2 or 3 sides, got {len(sides)}")
        self.scenario = scenario
        self.sides = list(sides)
        self.configs = [side.config(scenario.raw_config) for side in sides]
        self.labels = _unique_labels([side.label for side in sides])
        self.systems = [System(config) for config in self.configs]
        self.steps: list[StepDiff] = []
        previous = self._pairs((), self._objects())
        self.steps.append(StepDiff(0, "", scenario.about, ((),) * len(sides), previous, False))
        for number, step in enumerate(scenario.steps, start=1):
            events = tuple(tuple(_json(e, system) for e in system.apply(step.op)) for system in self.systems)
            pairs = self._pairs(events, self._objects())
            diverges = any(p.events for p in pairs) or any(
                p.objects != q.objects for p, q in zip(pairs, previous, strict=True)
            )
            self.steps.append(StepDiff(number, str(step.op), step.say, events, pairs, diverges))
            previous = pairs

    def _objects(self) -> list[dict[str, dict[str, Any]]]:
        return [objects(system.to_dict()) for system in self.systems]

    @staticmethod
    def _pairs(events: Sequence[Sequence[JsonEvent]], found: list[dict[str, dict[str, Any]]]) -> tuple[PairDiff, ...]:
        out = []
        for n in range(1, len(found)):
            event_diffs = diff_events(events[0], events[n]) if events else ()
            out.append(PairDiff(event_diffs, diff_objects(found[0], found[n])))
        return tuple(out)

    @property
    def divergent(self) -> list[int]:
        """The steps that diverge, in order."""
        return [s.step for s in self.steps if s.diverges]

    def summary(self) -> dict[str, Any]:
        """How many steps diverge, which, and the initial state's differences (different geometry, say)."""
        return {
            "scenario": self.scenario.title,
            "sides": self.labels,
            "steps": len(self.steps) - 1,
            "divergent": self.divergent,
            "count": len(self.divergent),
            "initial": [pair.to_dict()["objects"] for pair in self.steps[0].pairs],
        }


def _json(event: Any, system: System) -> dict[str, Any]:
    """The event as `cachescope run --json` prints it: its dict, with the source of its kernel function."""
    out = event.to_dict()
    source = source_of(event, system.config)
    if source is not None:
        out["source"] = source.to_dict()
    return out


def _unique_labels(labels: list[str]) -> list[str]:
    """Labels as given, numbered where two sides carry the same one (`base`, `base #2`)."""
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} #{seen[label]}")
    return out


def _field_diff(a: Mapping[str, Any], b: Mapping[str, Any], names: Sequence[str]) -> dict[str, list[Any]]:
    return {name: [a.get(name), b.get(name)] for name in names if _frozen(a.get(name)) != _frozen(b.get(name))}


def _frozen(value: Any) -> Any:
    """A hashable, order-faithful form of a JSON value (tuples and JSON keys sorted for dicts)."""
    if isinstance(value, Mapping):
        return tuple(sorted((str(k), _frozen(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    return value


HEX_FIELDS = frozenset({"addr", "tag", "start", "end"})


def _short(value: Any, name: str = "") -> str:
    """A value in a few characters: addresses and tags in hex, booleans as true/false, None as —."""
    if isinstance(value, int) and not isinstance(value, bool) and name in HEX_FIELDS:
        return hex(value)
    text = "—" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
    return text if len(text) <= 24 else text[:23] + "…"


class Lockstep:
    """One Timeline per side, always at the same position: stepping moves them all (for the compare view)."""

    def __init__(self, comparison: Comparison) -> None:
        self.comparison = comparison
        self.timelines = [Timeline(comparison.scenario.steps, config) for config in comparison.configs]

    @property
    def position(self) -> int:
        return self.timelines[0].position

    @property
    def length(self) -> int:
        return self.timelines[0].length

    @property
    def at_end(self) -> bool:
        return self.timelines[0].at_end

    @property
    def steps(self) -> list[Step]:
        return self.timelines[0].steps

    @property
    def current_step(self) -> Step | None:
        return self.timelines[0].current_step

    @property
    def diff(self) -> StepDiff:
        """The differences at the position shown."""
        return self.comparison.steps[self.position]

    def step(self) -> tuple[Event, ...] | None:
        """Every side one step forward; the first side's events, None at the end."""
        events = [timeline.step() for timeline in self.timelines]
        return events[0]

    def back(self) -> bool:
        """Every side one step back; False at step 0."""
        return all([timeline.back() for timeline in self.timelines])

    def goto(self, n: int) -> None:
        for timeline in self.timelines:
            timeline.goto(n)

    def next_divergent(self, *, backward: bool = False) -> int | None:
        """The next (or previous) divergent step from the position, if any."""
        steps = self.comparison.divergent
        if backward:
            return next((n for n in reversed(steps) if n < self.position), None)
        return next((n for n in steps if n > self.position), None)
