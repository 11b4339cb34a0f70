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
from model.timeline import Node, Timeline
from viz.palette import palette
from viz.panels._base import StepView, SubsystemPanel
from viz.words import plural


class HitRates:
    """Cumulative hits and misses per cache after each step, built incrementally from the timeline.

    The caches are those the mechanisms register a hit rate for (name cache, dcache, CPU caches). An
    outcome reads only an event's kind and func (`model.parts.HitRate`), so it is worked out once per
    pair; the totals after each step are one flat tuple (hits, misses per cache, in `caches` order).
    """

    def __init__(self, rates: list[HitRate]) -> None:
        self.rates = rates
        self.caches = [rate.cache for rate in rates]
        self.nodes: list[Node] = []  # the timeline's node of each step the totals were computed from
        self.totals: list[tuple[int, ...]] = []
        self._outcomes: dict[tuple[str, str], tuple[int, int] | None] = {}  # (kind, func) -> (index, hit)

    def _outcome(self, event: Event) -> tuple[int, int] | None:
        """(index of the hits slot in a totals tuple, 1 for a hit or 0 for a miss), or None: no lookup."""
        key = (event.kind, event.func)
        if key not in self._outcomes:
            found = None
            for index, rate in enumerate(self.rates):
                hit = rate.outcome(event)
                if hit is not None:
                    found = (2 * index, int(hit))
                    break
            self._outcomes[key] = found
        return self._outcomes[key]

    def update(self, timeline: Timeline) -> None:
        keep = min(timeline.position, timeline.common_steps(self.nodes))
        del self.nodes[keep:], self.totals[keep:]
        totals = list(self.totals[-1]) if self.totals else [0] * (2 * len(self.rates))
        outcome, events_of, node = self._outcome, timeline.events_of, timeline.node
        for n in range(keep + 1, timeline.position + 1):
            for event in events_of(n):
                found = outcome(event)
                if found is not None:
                    index, hit = found
                    totals[index + 1 - hit] += 1
            self.nodes.append(node(n))
            self.totals.append(tuple(totals))

    def series(self, cache: str, width: int) -> list[float]:
        """Hit rate (0..1) after each of the last `width` steps that had lookups in this cache (none: empty)."""
        index = 2 * self.caches.index(cache)
        rates: list[float] = []
        for totals in reversed(self.totals):  # from the newest: a long history costs no more than `width`
            hits, misses = totals[index], totals[index + 1]
            if not hits + misses:  # the totals are cumulative: no lookup before this step either
                break
            rates.append(hits / (hits + misses))
            if len(rates) == width:
                break
        rates.reverse()
        return rates

    def now(self, cache: str) -> tuple[int, int]:
        if not self.totals:
            return (0, 0)
        index = 2 * self.caches.index(cache)
        return self.totals[-1][index], self.totals[-1][index + 1]


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
