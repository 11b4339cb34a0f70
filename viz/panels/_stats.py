"""The statistics view: every counter under the kernel's name with a one-line definition, and the hit
rate of each cache over the steps so far as a sparkline."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Label, Sparkline, Static

from model.events import Event
from model.parts import HitRate, counter_definition, hit_rates
from model.timeline import Timeline
from viz.palette import palette
from viz.panels._base import StepView, SubsystemPanel


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
        """Hit rate (0..1) after each of the last `width` steps that had lookups in this cache."""
        rates = [h / (h + m) for h, m in (t[cache] for t in self.totals) if h + m]
        return rates[-width:] or [0.0]

    def now(self, cache: str) -> tuple[int, int]:
        return self.totals[-1][cache] if self.totals else (0, 0)


class StatsPanel(Vertical, SubsystemPanel):
    """Counters with definitions, and hit-rate sparklines (name cache, dcache, CPU caches)."""

    TAB_TITLE = "stats"
    PART = "core"
    DEFAULT_CSS = """
    StatsPanel { height: 1fr; }
    StatsPanel #rates { height: auto; }
    StatsPanel .rate { width: 1fr; height: 3; padding: 0 1; }
    StatsPanel .rate Sparkline { height: 1; }
    StatsPanel VerticalScroll { height: 1fr; }
    """

    def __init__(self, title: str, about: str, timeline: Timeline) -> None:
        super().__init__(id="stats")
        self._title, self._about, self._timeline = title, about, timeline
        self.rates = HitRates(hit_rates())
        self._pending: StepView | None = None  # the view whose counters are not drawn yet (while hidden)

    def compose(self) -> ComposeResult:
        with Horizontal(id="rates"):
            for cache in self.rates.caches:
                with Vertical(classes="rate"):
                    yield Label(cache, id=f"rate-label-{cache}")
                    yield Sparkline([0.0], id=f"rate-{cache}", summary_function=max)
        with VerticalScroll():
            yield Static(id="counters")

    def show(self, view: StepView) -> None:
        self.rates.update(self._timeline)
        for cache in self.rates.caches:
            hits, misses = self.rates.now(cache)
            rate = f"{100 * hits / (hits + misses):.0f}%" if hits + misses else "—"
            self.query_one(f"#rate-label-{cache}", Label).update(
                f"{cache} hit rate {rate} ({hits} hits, {misses} misses)"
            )
            self.query_one(f"#rate-{cache}", Sparkline).data = self.rates.series(cache, 60)
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
        table.add_column("value", justify="right", no_wrap=True, min_width=6)
        table.add_column("what it counts", style="dim", ratio=1)
        table.add_row(Text(self._title, style="bold"), f"{view.position}/{view.length}", "scenario and step")
        for part, counters in view.system.stats().items():
            table.add_row(Text(part, style=f"bold {p.special}"), "", "")
            for name, value in counters.items():
                table.add_row(name, str(value), counter_definition(part, name))
        return table
