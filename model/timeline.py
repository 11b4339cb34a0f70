"""Timeline: the history of a run, with stepping, time travel and breakpoints.

Checkpoints (copies of the System) are kept every `checkpoint_every` steps, so `back` and `goto`
re-apply at most that many operations whatever the length of the history.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from model.events import Event
from model.ops import Op
from model.system import System

DEFAULT_CHECKPOINT_EVERY = 64


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a script: the operation, the narration shown with it (may be empty), and the panel
    the scenario chose to show with it (empty: the one `model.views.view_of` finds)."""

    op: Op
    say: str = ""
    panel: str = ""


Predicate = Callable[[int, Step, Sequence[Event]], bool]
"""Called as predicate(step_number, step, events_of_that_step)."""

BREAK_ON = ("verb", "kind", "ref", "errno")


@dataclass(slots=True)
class Breakpoint:
    """Stop when a step matches: by op `verb`, event `kind` (glob, e.g. ``namecache.*``),
    object id in an event's `ref`s, or `errno` (a name such as ENOENT, or ``*`` for any error)."""

    on: str
    value: str
    enabled: bool = True

    def __post_init__(self) -> None:
        if self.on not in BREAK_ON:
            raise ValueError(f"breakpoints are on {', '.join(BREAK_ON)}, not {self.on!r}")
        if not self.value:
            raise ValueError("a breakpoint needs a value to match")

    def matches(self, step: Step, events: Sequence[Event]) -> bool:
        if not self.enabled:
            return False
        if self.on == "verb":
            return step.op.verb == self.value
        if self.on == "kind":
            return any(fnmatch.fnmatchcase(e.kind, self.value) for e in events)
        if self.on == "ref":  # a vnode id without a generation (vp6) stops at every generation (vp6#2...)
            prefix = self.value + "#"
            return any(self.value in e.refs or any(r.startswith(prefix) for r in e.refs) for e in events)
        want_any = self.value in ("*", "any")
        return any(e.errno is not None and (want_any or e.errno == self.value) for e in events)

    def __str__(self) -> str:
        return f"{self.on} {self.value}"


class Timeline:
    """A script of steps and the position reached in it.

    Position n means the first n steps have been applied; 0 is the initial state.
    """

    def __init__(
        self,
        steps: Sequence[Step] = (),
        config: Mapping[str, Any] | None = None,
        *,
        checkpoint_every: int = DEFAULT_CHECKPOINT_EVERY,
    ) -> None:
        if checkpoint_every < 1:
            raise ValueError("checkpoint_every must be >= 1")
        self.config = dict(config or {})
        self.steps: list[Step] = list(steps)
        self.checkpoint_every = checkpoint_every
        self.breakpoints: list[Breakpoint] = []
        initial = System(self.config)
        self._checkpoints: dict[int, System] = {0: initial.copy()}
        self._events: list[tuple[Event, ...]] = []
        self.system = initial
        self.position = 0
        self.replayed = 0  # ops re-applied by the last back/goto, for tests and benchmarks

    @property
    def length(self) -> int:
        """Number of steps in the script."""
        return len(self.steps)

    @property
    def at_end(self) -> bool:
        return self.position >= len(self.steps)

    @property
    def current_step(self) -> Step | None:
        """The step whose effects are showing (None at position 0)."""
        return self.steps[self.position - 1] if self.position else None

    @property
    def current_events(self) -> tuple[Event, ...]:
        """The events of the step just applied (empty at position 0)."""
        return self._events[self.position - 1] if self.position else ()

    def events_of(self, n: int) -> tuple[Event, ...]:
        """Events of step n (1-based); steps not yet reached have none recorded."""
        return self._events[n - 1] if 0 < n <= len(self._events) else ()

    @property
    def computed(self) -> int:
        """How many steps have known events (reached at least once since the script last changed)."""
        return len(self._events)

    def _apply_next(self) -> tuple[Event, ...]:
        step = self.steps[self.position]
        events = tuple(self.system.apply(step.op))
        self.position += 1
        if self.position > len(self._events):
            self._events.append(events)
        if self.position % self.checkpoint_every == 0 and self.position not in self._checkpoints:
            self._checkpoints[self.position] = self.system.copy()
        return events

    def step(self) -> tuple[Event, ...] | None:
        """Apply the next step; None at the end of the script."""
        if self.at_end:
            return None
        return self._apply_next()

    def back(self) -> bool:
        """Undo one step; False at position 0."""
        if self.position == 0:
            return False
        self.goto(self.position - 1)
        return True

    def goto(self, n: int) -> None:
        """Move to position n (clamped to 0..length), re-applying at most `checkpoint_every` ops."""
        n = max(0, min(n, len(self.steps)))
        self.replayed = 0
        if n == self.position:
            return
        base = max(c for c in self._checkpoints if c <= n)
        if not (self.position < n and self.position >= base):
            self.system = self._checkpoints[base].copy()
            self.position = base
        while self.position < n:
            self._apply_next()
            self.replayed += 1

    def run_until(self, predicate: Predicate, *, backward: bool = False) -> int | None:
        """Step (or go back) until a step matches; return its number, or None at either end.

        Going forward, the first matching step after the current one is applied. Going backward, the
        position moves to the latest earlier step that matches (its effects showing).
        """
        if backward:
            for n in range(self.position - 1, 0, -1):
                if predicate(n, self.steps[n - 1], self._events[n - 1]):
                    self.goto(n)
                    return n
            self.goto(0)
            return None
        while not self.at_end:
            events = self._apply_next()
            if predicate(self.position, self.steps[self.position - 1], events):
                return self.position
        return None

    def hits_breakpoint(self, n: int, step: Step, events: Sequence[Event]) -> bool:
        """Predicate: does step n match any enabled breakpoint?"""
        return any(bp.matches(step, events) for bp in self.breakpoints)

    def run_to_breakpoint(self, *, backward: bool = False) -> int | None:
        """Run to the next (or previous) step that matches an enabled breakpoint."""
        return self.run_until(self.hits_breakpoint, backward=backward)

    def append(self, op: Op, say: str = "") -> tuple[Event, ...]:
        """Apply a new step right after the current one, dropping the old future (as a debugger does)."""
        self.truncate()
        self.steps.append(Step(op, say))
        return self._apply_next()

    def truncate(self) -> None:
        """Forget every step after the current position."""
        del self.steps[self.position :]
        del self._events[self.position :]
        for n in [c for c in self._checkpoints if c > self.position]:
            del self._checkpoints[n]
