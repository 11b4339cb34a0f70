"""Figure 10: importing a real strace trace, its replay check included, against `cachescope run` on the
scenario the import writes (issue 18 asks <= 1.5).

Both are whole commands in fresh processes, as a user runs them: `cachescope import strace TRACE -o OUT`
and `cachescope run OUT > /dev/null`. Wall time, each the median of a few runs, alternated.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import Result, check, print_table
from _traces import NoStrace, steps_in, trace

TARGET = "<= 1.5"


def wall(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "viz.cli", *args], check=False, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def run(quick: bool = False) -> list[Result]:
    try:
        source = trace("medium" if quick else "big")
    except NoStrace as exc:
        return [Result("10. import strace (check included) vs run of its scenario", "-", "-", None, TARGET, None,
                       f"not measured: {exc}")]  # fmt: skip
    runs = 3 if quick else 2
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "imported.toml")
        imports, replays = [], []
        for _ in range(runs):
            Path(out).unlink(missing_ok=True)
            imports.append(wall(["import", "strace", str(source), "-o", out]))
            replays.append(wall(["run", out]))
        steps = steps_in(Path(out))
    i, r = statistics.median(imports), statistics.median(replays)
    size = os.path.getsize(source)
    return [
        Result(
            f"10. import strace of a {size / 1e6:.0f} MB trace (check included) vs run of its {steps:,}-step scenario",
            f"{i:.1f} s import",
            f"{r:.1f} s run",
            i / r,
            TARGET,
            check(i / r, TARGET),
            f"wall time, median of {runs} alternated runs each",
        )
    ]


if __name__ == "__main__":
    print_table(run("--quick" in sys.argv))
