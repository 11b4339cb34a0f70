"""The source bar: the kernel function a selected event models, its file and release, and a link to it."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.widgets import Static

from model.events import Event
from model.sources import Source


def open_url_style(url: str, *, underline: bool = True) -> Style:
    """A style whose click opens `url` (the app's `open_source` action, through Textual's `@click`), underlined
    where it reads as a link (the source bar), plain where it would clutter (each function name in the log)."""
    return Style(underline=underline, meta={"@click": f"app.open_source({url!r})"})


def source_text(event: Event, source: Source | None) -> Text:
    """One or two lines: `func → function() in file · kernel` and the link, or why there is none."""
    if source is None:
        reason = "names no kernel function" if not event.func else f"names {event.func}, which has no source"
        return Text(f"this event ({event.kind}) {reason}", style="italic")
    text = Text(overflow="fold")  # the link is one long word: folded, never cut
    if source.function != event.func:
        text.append(f"{event.func} → ", style="bold")
    text.append(f"{source.function}()", style=open_url_style(source.url) + Style(bold=True))
    text.append(f" in {source.file} · {source.kernel}\n")
    text.append(f"↗{source.url}", style=open_url_style(source.url))
    return text


class SourceBar(Static):
    """Under the event log: hidden until an event is selected (a click on it), then its source."""

    DEFAULT_CSS = """
    SourceBar { height: auto; max-height: 5; display: none; padding: 0 1; border-top: solid $primary-darken-1; }
    SourceBar.-shown { display: block; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.event: Event | None = None
        self.source: Source | None = None

    def show_source(self, event: Event, source: Source | None) -> None:
        """Show the source of `event` (None: it names no function with a source)."""
        self.event, self.source = event, source
        self.add_class("-shown")
        self.update(source_text(event, source))
