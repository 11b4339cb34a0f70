"""What every panel receives after a step, and the small protocol a subsystem panel follows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from model.events import Event
from model.system import System
from model.timeline import Step


@dataclass(frozen=True, slots=True)
class StepView:
    """A read-only view of the moment shown: the machine, the step just applied and its events."""

    system: System
    position: int
    length: int
    step: Step | None
    events: Sequence[Event]

    @property
    def refs(self) -> frozenset[str]:
        """Every object id the step's events name, for highlighting."""
        return frozenset(ref for event in self.events for ref in event.refs)


class SubsystemPanel:
    """Mixin for a subsystem's panel: a tab title and `show(view)`, called after every step.

    Panels only read `view`; they never change the model.
    """

    TAB_TITLE = "panel"
    PART = ""
    """The model part this panel draws; the app opens the first panel of a scenario's first part."""
    LEGEND = ""
    """What the panel's glyphs mean, for the help screen."""

    def show(self, view: StepView) -> None:  # pragma: no cover - every panel overrides this
        raise NotImplementedError
