"""The app's header: Textual's, with a title that is redrawn without laying the screen out again."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.visual import VisualType
from textual.widgets import Header
from textual.widgets._header import HeaderClockSpace, HeaderIcon, HeaderTitle


class StepTitle(HeaderTitle):
    """The title, which every step changes (`step N / M`, marks): one line at the header's full width
    whatever it says, so a new one only repaints (Textual's `update` would lay the whole screen out)."""

    def update(self, content: VisualType = "", *, layout: bool = False) -> None:
        super().update(content, layout=False)


class StepHeader(Header):
    """`Header` with a `StepTitle` and no clock."""

    def compose(self) -> ComposeResult:
        yield HeaderIcon().data_bind(Header.icon)
        yield StepTitle()
        yield HeaderClockSpace()
