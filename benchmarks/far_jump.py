"""Figure 13: the model's part of a far jump on a real trace, in µs a step, against bare dict work on the
same walks in the same run.

The scenario is `cachescope import strace` of the `tar` trace (benchmarks/_traces.py), cut to its first
100,000 steps (20,000 with --quick). The subject is what `Timeline._fast_forward` does for a jump from
the start: `System(config)`, then every step's `System.apply`, its events materialised as a tuple and
kept. The baseline walks the same paths with the least a cache model could do: the tree as a dict of
(directory, name) -> child, each component probed in an `OrderedDict` LRU (`move_to_end` on a hit,
insert and evict on a miss, as figure 1's baseline), descriptors in a dict; it keeps no events.

CPU time, median of alternated runs, the garbage collector paused, as the app runs each chunk of a
jump (`viz.collector.collector_paused`, then `gc.freeze`: the chunk's objects are all kept, so collections
found nothing to free). 13b is the same with the collector on, as `cachescope run` and the importers
apply steps: its passes over the kept events are the difference. The target is on the value (issue
18's work: ≤ 19 µs a step on this machine); the ratio is the same-run figure to compare across machines.
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from _common import Result, check, print_table, spread
from _traces import NoStrace, scenario

from model.ops import Op
from model.scenario import Scenario, load_file
from model.system import System

TARGET = "<= 19"  # µs a step, on the value
CAPACITY = 56_976  # the scenario's namecache_max: both sides keep as many names


def model_jump(loaded: Scenario) -> list[tuple[Any, ...]]:
    """System() and every step applied unrecorded, events kept: the model's part of `End`."""
    system = System(loaded.raw_config)
    apply = system.apply
    return [tuple(apply(step.op)) for step in loaded.steps]


def _walk(op: Op) -> tuple[str, int | None, int | None] | None:
    """(path, at, fd) of a step that walks a path, or None."""
    if op.verb not in ("lookup", "open", "create"):
        return None
    return op.get("path"), op.get("at"), op.get("fd")


def dict_jump(loaded: Scenario) -> int:
    """The same walks as dict operations; returns the number of LRU hits."""
    tree: dict[tuple[int, str], int] = {}
    names: dict[str, int] = {"/": 0}
    for path in loaded.raw_config.get("tree", ()):
        parent = 0
        prefix = ""
        for name in path.strip("/").split("/"):
            prefix += "/" + name
            node = names.get(prefix)
            if node is None:
                node = names[prefix] = len(names)
                tree[(parent, name)] = node
            parent = node
    lru: OrderedDict[tuple[int, str], int | None] = OrderedDict()
    fds: dict[int, int] = {}
    missing = object()
    hits = 0
    for step in loaded.steps:
        op = step.op
        if op.verb == "close":
            fds.pop(op.get("fd"), None)
            continue
        walk = _walk(op)
        if walk is None:
            continue
        path, at, fd = walk
        node: int | None = 0 if path.startswith("/") or at is None else fds.get(at, 0)
        for name in path.split("/"):
            if not name or node is None:
                continue
            key = (node, name)
            found = lru.get(key, missing)
            if found is missing:
                found = tree.get(key)
                if len(lru) >= CAPACITY:
                    lru.popitem(last=False)
                lru[key] = found
            else:
                lru.move_to_end(key)
                hits += 1
            node = found  # type: ignore[assignment]
        if fd is not None and node is not None:
            fds[fd] = node
    return hits


def _cpu(fn: Callable[[], object], *, collector: bool = True) -> float:
    """CPU seconds of one call, the garbage of the previous run collected first; `collector` off: as
    `_common.timed`, the collector quiet during the call."""
    gc.collect()
    if not collector:
        gc.disable()
    try:
        start = time.process_time()
        result = fn()
        elapsed = time.process_time() - start
    finally:
        gc.enable()
    del result
    return elapsed


def run(quick: bool = False) -> list[Result]:
    count = 20_000 if quick else 100_000
    label = f"13. far jump, model part: System() + {count:,} imported strace steps applied, events kept"
    try:
        path = scenario("big")
    except NoStrace as exc:
        return [Result(label, "-", "-", None, TARGET, None, f"not measured: {exc}")]
    full = load_file(path)
    loaded = replace(full, steps=full.steps[:count])
    del full
    count = len(loaded.steps)
    subject: list[float] = []
    quiet: list[float] = []
    baseline: list[float] = []
    for _ in range(3):
        baseline.append(_cpu(lambda: dict_jump(loaded)))
        subject.append(_cpu(lambda: model_jump(loaded)))
        quiet.append(_cpu(lambda: model_jump(loaded), collector=False))
    build = statistics.median(_cpu(lambda: System(loaded.raw_config)) for _ in range(3))
    model_us, quiet_us, base_us = (1e6 * statistics.median(t) / count for t in (subject, quiet, baseline))
    return [
        Result(
            label,
            f"{quiet_us:.1f} µs/step ({statistics.median(quiet):.2f} s, of which System() {build:.2f} s)",
            f"dict walk {base_us:.2f} µs/step",
            quiet_us / base_us,
            TARGET,
            check(quiet_us, TARGET),
            f"CPU time, collector paused as in the app's jump; target on the value; model {spread(quiet)}, "
            f"baseline {spread(baseline)}",
        ),
        Result(
            "13b. the same with the garbage collector on, as `cachescope run` and the importers apply steps",
            f"{model_us:.1f} µs/step",
            f"dict walk {base_us:.2f} µs/step",
            model_us / base_us,
            "",
            None,
            f"model {spread(subject)}",
        ),
    ]


if __name__ == "__main__":
    print_table(run("--quick" in sys.argv))
