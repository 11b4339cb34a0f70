"""Growing a Line-API view's content without laying the whole screen out again."""

from __future__ import annotations

from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.widget import Widget


def set_virtual_size(view: ScrollView, size: Size) -> None:
    """Give `view` a new virtual (scrollable) size. A new size lays the screen out again only when that
    could move something: the width changes, or the content starts or stops overflowing (a scroll bar comes
    or goes). Otherwise only the view and its scroll bar are repainted: a layout pass per step made every
    visible scroll bar repaint a frame later, which was a frame of each step's latency."""
    old = view.virtual_size
    if size == old:
        return
    height = view.scrollable_content_region.height
    if size.width != old.width or (size.height > height) != (old.height > height) or not view.is_mounted:
        view.virtual_size = size
        return
    view.set_reactive(Widget.virtual_size, size)
    if view.scroll_y > view.max_scroll_y:  # shorter content: what the layout pass would clamp
        view.scroll_to(y=view.max_scroll_y, animate=False, immediate=True, force=True)
    if view.show_vertical_scrollbar:
        view.vertical_scrollbar.window_virtual_size = size.height
    view.refresh()
