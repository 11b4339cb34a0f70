"""The statistics view: every counter under the kernel's name with a one-line definition, and the hit
rate of each cache over the steps so far as a sparkline."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from model.events import Event
from model.parts import HitRate, counter_definition, hit_rates
from model.timeline import Timeline
from viz.palette import palette
from viz.panels._base import StepView, SubsystemPanel
from viz.words import plural


class HitRates:
    """Cumulative hits and misses per cache after each step, built incrementally from the timeline.

    The caches are those the mechanisms register a hit rate for (name cache, dcache, CPU caches).
    """

    def __init__(self, rates: list[HitRate]) -> None:
        self.rates = rates
        self.caches = [rate.cache for rate in rates]
        self.steps: list[tuple[Event, ...]] = []  # the events each entry was computed from
        self.totals: list[dict[str, tuple[int, int]]] = []

    def update(self, timeline: Timeline) -> None:
        keep = 0
        while keep < min(len(self.steps), timeline.position) and self.steps[keep] is timeline.events_of(keep + 1):
            keep += 1
        del self.steps[keep:], self.totals[keep:]
        for n in range(keep + 1, timeline.position + 1):
            events = timeline.events_of(n)
            totals = dict(self.totals[-1]) if self.totals else dict.fromkeys(self.caches, (0, 0))
            for event in events:
                for rate in self.rates:
                    hit = rate.outcome(event)
                    if hit is not None:
                        hits, misses = totals[rate.cache]
                        totals[rate.cache] = (hits + hit, misses + (not hit))
                        break
            self.steps.append(events)
            self.totals.append(totals)

    def series(self, cache: str, width: int) -> list[float]:
        """Hit rate (0..1) after each of the last `width` steps that had lookups in this cache (none: empty)."""
        rates: list[float] = []
        for totals in reversed(self.totals):  # from the newest: a long history costs no more than `width`
            hits, misses = totals[cache]
            if hits + misses:
                rates.append(hits / (hits + misses))
                if len(rates) == width:
                    break
        rates.reverse()
        return rates

    def now(self, cache: str) -> tuple[int, int]:
        return self.totals[-1][cache] if self.totals else (0, 0)


BARS = "▁▂▃▄▅▆▇█"


def sparkline(rates: list[float], width: int) -> str:
    """The last `width` hit rates as bars on a fixed 0-100 % scale; nothing at all when there are none."""
    return "".join(BARS[min(len(BARS) - 1, int(rate * len(BARS)))] for rate in rates[-width:]) if width > 0 else ""


class HitRateRow(Static):
    """One cache's hit rate on one line: name, rate now, the rate after each step so far, and the counts."""

    DEFAULT_CSS = "HitRateRow { height: 1; padding: 0 1; }"

    def __init__(self, cache: str) -> None:
        super().__init__(id=f"rate-{cache}")
        self.cache = cache
        self.counts = (0, 0)
        self.rates: list[float] = []

    def set_rates(self, counts: tuple[int, int], rates: list[float]) -> None:
        self.counts, self.rates = counts, rates
        self.refresh()

    def render(self) -> Text:
        p = palette(self.app)
        hits, misses = self.counts
        width = self.content_size.width or 60
        rate = f"{100 * hits / (hits + misses):.0f}%" if hits + misses else "—"
        head = f"{self.cache:<10}{rate:>5} "
        counts = f" {plural(hits, 'hit')}, {plural(misses, 'miss')}"
        room = width - len(head) - len(counts)
        if room < 8:
            counts, room = "", width - len(head)
        text = Text(head, style="bold")
        text.append(sparkline(self.rates, room).ljust(max(0, room)), style=p.info)
        text.append(counts, style=p.muted)
        return text


class StatsPanel(Vertical, SubsystemPanel):
    """Counters with definitions, and hit-rate sparklines (name cache, dcache, CPU caches)."""

    TAB_TITLE = "stats"
    PART = "core"
    DEFAULT_CSS = """
    StatsPanel { height: 1fr; }
    StatsPanel #rates { height: auto; border-bottom: solid $primary-darken-1; }
    StatsPanel VerticalScroll { height: 1fr; }
    """

    def __init__(self, title: str, about: str, timeline: Timeline) -> None:
        super().__init__(id="stats")
        self._title, self._about, self._timeline = title, about, timeline
        self.rates = HitRates(hit_rates())
        self._pending: StepView | None = None  # the view whose counters are not drawn yet (while hidden)

    def compose(self) -> ComposeResult:
        with Vertical(id="rates"):
            for cache in self.rates.caches:
                yield HitRateRow(cache)
        with VerticalScroll():
            yield Static(id="counters")

    def show(self, view: StepView) -> None:
        self.rates.update(self._timeline)
        for cache in self.rates.caches:
            self.query_one(f"#rate-{cache}", HitRateRow).set_rates(self.rates.now(cache), self.rates.series(cache, 200))
        self._pending = view
        if all(node.display for node in self.ancestors_with_self):
            self._draw_counters()

    def on_show(self) -> None:
        self._draw_counters()

    def _draw_counters(self) -> None:
        """The counters table: only while the panel is on screen, as gathering some (nr_stale) is O(objects)."""
        if self._pending is not None:
            self.query_one("#counters", Static).update(self._table(self._pending))
            self._pending = None

    def _table(self, view: StepView) -> Table:
        p = palette(self.app)
        table = Table(box=None, padding=(0, 1), expand=True, show_header=True, header_style="bold")
        table.add_column("counter", style=f"bold {p.info}", no_wrap=True)
        table.add_column("value", justify="right", no_wrap=True, min_width=7)
        table.add_column("what it counts", style=p.muted, ratio=1)
        for part, counters in view.system.stats().items():
            table.add_row(Text(part, style=f"bold {p.special}"), "", "")
            for name, value in counters.items():
                table.add_row(name, str(value), counter_definition(part, name))
        return table
