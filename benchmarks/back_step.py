"""Figure 4: `Timeline.back()` with 100,000 steps of history against 100, over the realistic op mix.

`back` replays the step's undo records backward (model/journal.py): its cost is what that step changed,
whatever the history's length or the state's size. The figure reports the state's size at both points
and the records undone.
"""

from __future__ import annotations

import sys

from _common import Result, check, median_of, ms, print_table, spread, timed
from _workload import CONFIG, lines

from model.ops import parse
from model.timeline import Step, Timeline

TARGET = "<= 1.2"


def timeline_at(length: int) -> Timeline:
    """A timeline over `length` steps of the mix, stepped to its end (undo records kept on the way)."""
    timeline = Timeline([Step(parse(line)) for line in lines(length)], CONFIG)
    timeline.goto(length)
    return timeline


def state_size(timeline: Timeline) -> int:
    vfs = timeline.system.part("vfs")
    return len(vfs.namecache.lru) + vfs.vnodes.numvnodes + sum(map(len, vfs.pagecache.pages.values()))


def run(quick: bool = False) -> list[Result]:
    long_length = 20_000 if quick else 100_000
    count = 7 if quick else 15
    short, long = timeline_at(100), timeline_at(long_length)
    sizes = state_size(short), state_size(long)
    base, subject, records = [], [], []
    for _ in range(count):  # alternate, so that load on the machine hits both alike
        base.append(timed(short.back))
        records.append(len(long.node(long.position).records or ()))
        subject.append(timed(long.back))
    b, s = median_of(base), median_of(subject)
    ratio = s / b
    return [
        Result(
            f"4. back-step: Timeline.back() at history {long_length:,} vs 100 (undo records)",
            f"{ms(s)} per back",
            f"{ms(b)} at 100 steps",
            ratio,
            TARGET,
            check(ratio, TARGET),
            f"{count} successive backs each, undoing {min(records)}-{max(records)} records; state {sizes[0]:,} vs "
            f"{sizes[1]:,} objects (entries+vnodes+pages); long {spread(subject)}, short {spread(base)}",
        )
    ]


if __name__ == "__main__":
    print_table(run("--quick" in sys.argv))
