"""What every panel receives after a step, and the small protocol a subsystem panel follows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

from model.events import Event
from model.system import System
from model.timeline import Step


@dataclass(frozen=True)
class StepView:
    """A read-only view of the moment shown: the machine, the step just applied and its events."""

    system: System
    position: int
    length: int
    step: Step | None
    events: Sequence[Event]
    events_of: Callable[[int], Sequence[Event]] | None = None
    """The events of any step computed so far (1-based), to say when an object absent now comes or went."""
    computed: int = 0

    @cached_property
    def refs(self) -> frozenset[str]:
        """Every object id the step's events name, for highlighting."""
        return frozenset(ref for event in self.events for ref in event.refs)

    @cached_property
    def changed(self) -> frozenset[str]:
        """Ids the step's events created or changed (marked ◆)."""
        return frozenset(ref for event in self.events for ref in (*event.created, *event.changed))

    @cached_property
    def created(self) -> frozenset[str]:
        """Ids the step's events brought into being (a subset of `changed`)."""
        return frozenset(ref for event in self.events for ref in event.created)

    @cached_property
    def removed(self) -> dict[str, Event]:
        """Ids the step's events removed, each with the (last) event that removed it: drawn as ghosts."""
        return {ref: event for event in self.events for ref in event.removed}

    @cached_property
    def looked(self) -> frozenset[str]:
        """Ids the events name without changing them (a chain searched, a directory read): marked ◇."""
        return self.refs - self.changed - self.removed.keys()

    def whereabouts(self, ref: str) -> str:
        """Why `ref` is not there now, in words: removed at an earlier step, or created at a later one."""
        here = f"{ref} does not exist at step {self.position}"
        if self.events_of is None:
            return here
        for n in range(self.position, 0, -1):
            if any(ref in e.removed for e in self.events_of(n)):
                return f"{here}: it was removed at step {n}"
            if any(ref in e.created for e in self.events_of(n)):
                break
        for n in range(self.position + 1, self.computed + 1):
            if any(ref in e.created for e in self.events_of(n)):
                return f"{here}; it is created at step {n}"
        return here

    def gone_label(self, ref: str) -> str:
        """What the removal event says the object `ref` was (its `data["gone"]` label), or empty."""
        event = self.removed.get(ref)
        return str(event.data.get("gone", {}).get(ref, "")) if event is not None else ""


class SubsystemPanel:
    """Mixin for a subsystem's panel: a tab title, `show(view)` after every step, and `lesson(view)`.

    Panels only read `view`; they never change the model. A panel draws the view (`model.views`) named
    by its TAB_TITLE: the app brings it forward when a step is about that view.
    """

    TAB_TITLE = "panel"
    PART = ""
    """The model part this panel draws; the app opens the first panel of a scenario's first part."""
    LEGEND = ""
    """What the panel's glyphs mean, for the help screen."""

    def show(self, view: StepView) -> None:  # pragma: no cover - every panel overrides this
        raise NotImplementedError

    def lesson(self, view: StepView) -> tuple[str, ...]:
        """The number the step's lesson turns on, for the frame's border, longest wording first (the frame
        shows the first that fits); empty when the step has none for this panel. Read from the events."""
        return ()
