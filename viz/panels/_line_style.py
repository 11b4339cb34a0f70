"""A Line-API widget's base style, worked out once per render pass instead of once per line."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.style import Style
from textual.geometry import Region
from textual.strip import Strip

if TYPE_CHECKING:
    from textual.widget import Widget

    _Mixin = Widget
else:
    _Mixin = object  # not a DOMNode: Textual takes CSS from the first DOMNode base only, which must stay ScrollView


class LineStyle(_Mixin):
    """Mixed in before ScrollView: `line_style` is the widget's `rich_style` (an ancestor walk that cost a
    quarter of each rendered row) taken once while Textual renders the widget's lines, and worked out
    afresh when `render_line` is called on its own (as tests do)."""

    _pass_style: Style | None = None

    @property
    def line_style(self) -> Style:
        """The base style of every line: the widget's colours and text style from CSS."""
        return self._pass_style if self._pass_style is not None else self.rich_style

    def render_lines(self, crop: Region) -> list[Strip]:
        self._pass_style = self.rich_style
        try:
            return super().render_lines(crop)
        finally:
            self._pass_style = None
