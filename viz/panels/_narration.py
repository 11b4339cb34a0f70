"""The narration panel: the step's teaching text and the explanations its events carry.

It scrolls, and says so: while some of the text is below the fold its border shows `more ▼`.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from model.views import view_of, view_of_event
from viz.panels._base import StepView

MORE = "more ▼"


class Narration(VerticalScroll):
    """Shows what the scenario says about the current step, then each event's teaching sentence."""

    DEFAULT_CSS = """
    Narration { height: 1fr; border: round $primary-darken-1; border-title-color: $foreground; padding: 0 1;
                border-subtitle-color: $accent; border-subtitle-style: bold; scrollbar-size-vertical: 1; }
    Narration:focus { border: round $accent; }
    Narration > #narration-text { height: auto; }
    """

    def __init__(self, about: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "narration"
        self._about = about
        self._shown_explains: set[str] = set()

    def compose(self) -> ComposeResult:
        yield Static(id="narration-text")

    @property
    def text(self) -> Text:
        """What the panel says now (all of it, shown or scrolled away)."""
        content = self.query_one("#narration-text", Static).content
        return content if isinstance(content, Text) else Text(str(content))

    def show(self, view: StepView) -> None:
        text = Text()
        if view.step is None:
            text.append(self._about or "Press n or space to take the first step.")
        else:
            if view.step.say:
                text.append(view.step.say)
            # Explanations new since the step shown before come first, then those of the step's own view:
            # the one a step adds ("open but deleted") before the one every walk repeats.
            lesson = view_of(view.step, view.events)
            explains = list(dict.fromkeys(e.explain for e in view.events if e.explain))
            views = {e.explain: view_of_event(e) for e in reversed(view.events) if e.explain}
            explains.sort(key=lambda line: (line in self._shown_explains, views[line] != lesson))
            self._shown_explains = set(explains)
            for line in explains:
                if text:
                    text.append("\n")
                text.append("• ", style="bold")
                text.append(line, style="italic")
        static = self.query_one("#narration-text", Static)
        if static.content != text:
            static.update(text)
            self.scroll_home(animate=False, immediate=True)
        self.mark_more()
        self.call_after_refresh(self.mark_more)

    def hidden_lines(self) -> int:
        """How many lines of the text are below the visible part (from its wrapping at the panel's width)."""
        region = self.scrollable_content_region
        if not region.width:
            return 0
        lines = len(self.text.wrap(self.app.console, region.width))
        return max(0, lines - round(self.scroll_y) - region.height)

    def mark_more(self) -> None:
        """`more ▼` in the border while text is hidden below."""
        self.border_subtitle = MORE if self.hidden_lines() > 0 else ""

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self.mark_more()

    def on_resize(self) -> None:
        self.call_after_refresh(self.mark_more)
