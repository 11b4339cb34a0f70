"""Figure 4: `Timeline.back()` with 100,000 steps of history against 100, over the realistic op mix.

Checkpoints (System copies every 64 steps) make `back` cost one copy plus at most 63 re-applied steps,
whatever the history length, as long as the state does not grow with the history: the mix keeps it
bounded (cache sizes, tasks that exit), and the figure reports the state's size at both points.
"""

from __future__ import annotations

import sys

from _common import Result, check, median_of, ms, print_table, spread, timed
from _workload import CONFIG, lines

from model.ops import parse
from model.timeline import Step, Timeline

TARGET = "<= 2"


def timeline_at(length: int) -> Timeline:
    """A timeline over `length` steps of the mix, stepped to its end (checkpoints made on the way)."""
    timeline = Timeline([Step(parse(line)) for line in lines(length)], CONFIG)
    timeline.goto(length)
    return timeline


def backs(timeline: Timeline, count: int) -> list[float]:
    """Seconds of each of `count` successive `back()` calls, with the ops each re-applied."""
    return [timed(timeline.back) for _ in range(count)]


def state_size(timeline: Timeline) -> int:
    vfs = timeline.system.part("vfs")
    return len(vfs.namecache.lru) + vfs.vnodes.numvnodes + sum(map(len, vfs.pagecache.pages.values()))


def run(quick: bool = False) -> list[Result]:
    long_length = 20_000 if quick else 100_000
    count = 7 if quick else 15
    short, long = timeline_at(100), timeline_at(long_length)
    sizes = state_size(short), state_size(long)
    base, subject = [], []
    for _ in range(count):  # alternate, so that load on the machine hits both alike
        base.append(timed(short.back))
        subject.append(timed(long.back))
    b, s = median_of(base), median_of(subject)
    ratio = s / b
    return [
        Result(
            f"4. back-step: Timeline.back() at history {long_length:,} vs 100 (checkpoint every 64)",
            f"{ms(s)} per back",
            f"{ms(b)} at 100 steps",
            ratio,
            TARGET,
            check(ratio, TARGET),
            f"{count} successive backs each (up to 63 ops re-applied after a copy); state {sizes[0]:,} vs "
            f"{sizes[1]:,} objects (entries+vnodes+pages); long {spread(subject)}, short {spread(base)}",
        )
    ]


if __name__ == "__main__":
    print_table(run("--quick" in sys.argv))
