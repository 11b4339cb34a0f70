"""The narration panel: the step's teaching text and the explanations its events carry.

It scrolls, and says so: while some of the text is below the fold its border shows `more ▼`. It draws its
wrapped lines itself (Line API) and sets its own virtual size, so a step whose text is a line longer or
shorter changes no widget's size: a size change during a layout asks Textual for a second layout pass, a
frame later, and that pass was a fifth of a step's time.
"""

from __future__ import annotations

from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from model.views import view_of, view_of_event
from viz.panels._base import StepView
from viz.panels._line_style import LineStyle
from viz.panels._scroll_size import set_virtual_size

MORE = "more ▼"
PROMPT = "Press n or space to take the first step."


class Narration(LineStyle, ScrollView, can_focus=True):
    """Shows what the scenario says about the current step, then each event's teaching sentence."""

    ALLOW_MAXIMIZE = False  # the app maximises the log and narration together
    DEFAULT_CSS = """
    Narration { height: 1fr; border: round $primary-darken-1; border-title-color: $foreground; padding: 0 1;
                overflow-x: hidden; overflow-y: auto; scrollbar-gutter: stable;
                border-subtitle-color: $accent; border-subtitle-style: bold; scrollbar-size-vertical: 1; }
    Narration:focus { border: round $accent; }
    """

    def __init__(self, about: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "narration"
        self._about = about
        self._shown_explains: set[str] = set()
        self._text = Text()
        self._lines: list[Strip] = []
        self._wrapped_at = 0

    @property
    def text(self) -> Text:
        """What the panel says now (all of it, shown or scrolled away)."""
        return self._text

    def show(self, view: StepView) -> None:
        text = Text()
        if view.step is None:
            text.append(self._about or PROMPT)
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
        if text != self._text:
            self._text = text
            self._wrap()
            self.scroll_home(animate=False, immediate=True)
        self.mark_more()

    def _wrap(self) -> None:
        """Wrap the text at the width inside the border, padding and scroll bar (kept whether the bar shows
        or not, so wrapping never depends on it)."""
        width = self.scrollable_content_region.width
        self._wrapped_at = width
        console = self.app.console
        lines = self._text.wrap(console, width) if width > 0 else []
        self._lines = [Strip(list(line.render(console))).simplify() for line in lines]
        set_virtual_size(self, Size(width, len(self._lines)))
        self.refresh()

    def on_resize(self) -> None:
        if self.scrollable_content_region.width != self._wrapped_at:
            self._wrap()
        self.mark_more()

    def render_line(self, y: int) -> Strip:
        row = round(self.scroll_y) + y
        width = self.scrollable_content_region.width
        base = self.line_style
        if row >= len(self._lines):
            return Strip.blank(width, base)
        return self._lines[row].apply_style(base).crop_extend(0, width, base)

    def hidden_lines(self) -> int:
        """How many lines of the text are below the visible part."""
        return max(0, len(self._lines) - round(self.scroll_y) - self.scrollable_content_region.height)

    def mark_more(self) -> None:
        """`more ▼` in the border while text is hidden below."""
        self.border_subtitle = MORE if self.hidden_lines() > 0 else ""

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self.mark_more()
