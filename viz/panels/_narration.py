"""The narration panel: the step's teaching text and the explanations its events carry."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from viz.panels._base import StepView


class Narration(Static):
    """Shows what the scenario says about the current step, then each event's teaching sentence."""

    DEFAULT_CSS = """
    Narration { height: 1fr; border: round $primary-darken-2; padding: 0 1; overflow-y: auto; }
    """

    def __init__(self, about: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "narration"
        self._about = about

    def show(self, view: StepView) -> None:
        text = Text()
        if view.step is None:
            text.append(self._about or "Press n or space to take the first step.")
        else:
            if view.step.say:
                text.append(view.step.say)
            explains = list(dict.fromkeys(e.explain for e in view.events if e.explain))
            for line in explains:
                if text:
                    text.append("\n")
                text.append("• ", style="bold")
                text.append(line, style="italic")
        self.update(text)
