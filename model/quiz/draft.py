"""What a mechanism gives the quiz engine: drills, and the builders of their questions.

A `Drill` is one subsystem's quiz: a small machine, an unquizzed setup, a seeded proposer of the next op
and the question builders. A builder gets the state before, the op, the events it caused and the state
after (a copy the op was applied to), and returns a `Draft` (the prompt, the right option, plausible
wrong ones, and a one-line explanation taken from the events) or None when the step gives it nothing to
ask. A proposer is a pure function of (random generator, current System, ops so far): it reads the state
through `System.to_dict()` so that what it proposes makes sense now.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from model.events import Event
from model.ops import Op

if TYPE_CHECKING:
    from model.system import System


@dataclass(frozen=True, slots=True)
class Ctx:
    """One step being quizzed: the state before, the op, its events and the state after (a copy)."""

    rng: random.Random
    before: System
    op: Op
    events: Sequence[Event]
    after: System
    history: Sequence[Op]

    def first(self, *kinds: str) -> Event | None:
        """The first event of one of these kinds."""
        return next((e for e in self.events if e.kind in kinds), None)

    def all(self, *kinds: str) -> list[Event]:
        """Every event of one of these kinds, in order."""
        return [e for e in self.events if e.kind in kinds]


@dataclass(frozen=True, slots=True)
class Draft:
    """A question before its options are drawn: `fixed` options keep their order; else `wrong` is sampled.

    `order` is "sorted" (numbers, chains: in numeric order) or "shuffle"; `fact` is the raw answer.
    """

    kind: str
    prompt: str
    right: str
    wrong: tuple[str, ...]
    explain: str
    fixed: tuple[str, ...] = ()
    order: str = "shuffle"
    fact: Any = None


Builder = Callable[[Ctx], Draft | None]
Proposer = Callable[[random.Random, "System", Sequence[Op]], Op]


@dataclass(frozen=True, slots=True)
class Drill:
    """One subsystem's quiz: its config, its setup lines (not quizzed), its proposer, the panel to show,
    and its question builders (one listed twice is tried first twice as often)."""

    name: str
    about: str
    config: Mapping[str, Any]
    setup: tuple[str, ...]
    propose: Proposer
    panel: str
    questions: tuple[Builder, ...]


def weighted(rng: random.Random, choices: Sequence[tuple[str, int]]) -> str:
    """One name out of (name, weight) pairs; weights of 0 are never picked."""
    return rng.choices([name for name, _ in choices], weights=[w for _, w in choices])[0]


def nearby(right: int, *, low: int = 0, high: int | None = None, spread: int = 3) -> tuple[str, ...]:
    """Other counts near `right`, within [low, high]: distractors for a "how many" question."""
    top = right + spread if high is None else min(high, right + spread)
    return tuple(str(n) for n in range(max(low, right - spread), top + 1) if n != right)


def why(event: Event) -> str:
    """One line saying what happened and, where the model says it, why."""
    return f"{event.text}. {event.explain}" if event.explain else event.text


def join(events: Sequence[Event]) -> str:
    """One line from several events' texts."""
    return "; ".join(e.text for e in events)


def state_of(system: System) -> dict[str, Any]:
    """The JSON state dump: builders read state through it, as tests and importers do."""
    return system.to_dict()
