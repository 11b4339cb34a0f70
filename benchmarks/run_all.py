"""Every benchmark figure of issues 9 and 14, each with its baseline measured in the same run, ratio, target, verdict.

    .venv/bin/python benchmarks/run_all.py            the full sizes (about nine minutes on a 2-core machine)
    .venv/bin/python benchmarks/run_all.py --quick    smaller sizes (about two minutes)
    .venv/bin/python benchmarks/run_all.py --only 1,3  some figures only

Benchmarks are scripts, not tests: nothing here asserts a time. Each figure is the median of several
runs, subject and baseline alternated so that load from other processes falls on both.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import Result, print_table  # noqa: E402

FIGURES = {
    "1": "namecache_replay",
    "2": "cpu_cache",
    "3": "step_latency",
    "4": "back_step",
    "5": "startup",
    "6": "memory",
    "7": "bulk_replay",
    "8": "input_scaling",
    "9": "big_state_steps",
    "10": "import_vs_run",
    "11": "long_jumps",
    "12": "scenario_load",
    "13": "far_jump",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer runs")
    parser.add_argument("--only", default=",".join(FIGURES), help="comma-separated figure numbers (default: all)")
    options = parser.parse_args()
    os.chdir(HERE.parent)
    load = os.getloadavg()[0]
    print(f"cachescope benchmarks{' (quick)' if options.quick else ''}: Python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs, load average {load:.1f} at start", flush=True)  # fmt: skip
    results: list[Result] = []
    started = time.perf_counter()
    for number in options.only.split(","):
        module = importlib.import_module(FIGURES[number.strip()])
        begun = time.perf_counter()
        figure = module.run(options.quick)
        print_table(figure)
        print(f"       ({time.perf_counter() - begun:.0f} s)", flush=True)
        results += figure
    failed = [r.figure for r in results if r.passed is False]
    print(f"\n{len(results)} figures in {time.perf_counter() - started:.0f} s, load average {os.getloadavg()[0]:.1f} "
          f"at the end; {len(failed)} target{'s' if len(failed) != 1 else ''} not met")  # fmt: skip
    for figure in failed:
        print(f"  not met: {figure}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
