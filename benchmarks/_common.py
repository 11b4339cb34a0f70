"""Shared pieces of the benchmarks: timing by median, one result line per figure, and the table."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(slots=True)
class Result:
    """One figure: what was measured against what, the ratio, the target and whether it is met.

    `ratio` is oriented so that smaller is better when `target` reads "<= x" and larger is better
    when it reads ">= x"; `passed` is None for figures reported without a target.
    """

    figure: str
    value: str
    baseline: str
    ratio: float | None
    target: str
    passed: bool | None
    note: str = ""

    @property
    def verdict(self) -> str:
        return {True: "PASS", False: "FAIL", None: "info"}[self.passed]


def check(ratio: float, target: str) -> bool:
    """True when `ratio` meets a target written as "<= x" or ">= x"."""
    op, _, number = target.partition(" ")
    bound = float(number)
    return ratio <= bound if op == "<=" else ratio >= bound


def timed(fn: Callable[[], object], clock: Callable[[], float] = time.process_time) -> float:
    """Seconds one call of `fn` takes, with the garbage collector quiet during the call.

    The default clock is this process's CPU time: the machine is shared, and CPU time of a
    single-threaded loop does not count the time other processes held the core.
    """
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        start = clock()
        fn()
        return clock() - start
    finally:
        if enabled:
            gc.enable()


def median_of(times: list[float]) -> float:
    return statistics.median(times)


def spread(times: list[float]) -> str:
    """How noisy a set of runs was: (max - min) / median, as a percentage."""
    if len(times) < 2:
        return "1 run"
    mid = statistics.median(times)
    return f"spread {100 * (max(times) - min(times)) / mid:.0f}% over {len(times)} runs"


def interleaved(
    subject: Callable[[], object], baseline: Callable[[], object], runs: int
) -> tuple[list[float], list[float]]:
    """Time `subject` and `baseline` alternately `runs` times each, so machine load hits both alike."""
    a: list[float] = []
    b: list[float] = []
    for _ in range(runs):
        b.append(timed(baseline))
        a.append(timed(subject))
    return a, b


def rate(count: int, seconds: float) -> str:
    """`1.23 M/s` or `456 k/s`."""
    per_second = count / seconds
    if per_second >= 1e6:
        return f"{per_second / 1e6:.2f} M/s"
    if per_second >= 1e3:
        return f"{per_second / 1e3:.0f} k/s"
    return f"{per_second:.1f} /s"


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:.1f} ms" if seconds < 10 else f"{seconds:.1f} s"


def print_table(results: list[Result]) -> None:
    """Every figure, one block each: value, baseline, ratio, target, verdict and the note."""
    for r in results:
        ratio = "-" if r.ratio is None else f"{r.ratio:.2f}"
        print(f"[{r.verdict}] {r.figure}")
        print(f"       value {r.value}   baseline {r.baseline}   ratio {ratio}   target {r.target or '-'}")
        if r.note:
            print(f"       {r.note}")
