"""Figure 7: `cachescope run` on a generated 1,000,000-step scenario, without the app; ops per second.

The scenario (the realistic mix of `_workload`) is written as TOML into a temporary directory and run
as a user would, `cachescope run FILE` in a fresh process with its output (every step and event) going to
/dev/null; the figure is wall time and peak memory. Reading the TOML alone is timed in this process,
to say how much of the run it is.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

from _common import Result, print_table, rate, timed
from _workload import lines, toml_text

CHILD = """
import sys
from viz.cli import main
with open("/dev/null", "w") as sys.stdout:
    code = main(["run", sys.argv[1]])
sys.stderr.write(open("/proc/self/status").read())
sys.exit(code)
"""
"""`cachescope run FILE` (the console script's own `main`) with its output thrown away; then its peak RSS
as the kernel counts it for this program alone (VmHWM: rusage's maxrss would include the parent's)."""


def run(quick: bool = False) -> list[Result]:
    count = 100_000 if quick else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bulk.toml"
        path.write_text(toml_text(lines(count)), encoding="utf-8")
        size = path.stat().st_size
        parse = timed(lambda: tomllib.loads(path.read_text(encoding="utf-8")))
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True)
        seconds = time.perf_counter() - start
    completed = done.returncode == 0
    peak = next((line.split()[1] for line in done.stderr.splitlines() if line.startswith("VmHWM:")), "?")
    note = (
        f"exit {done.returncode}; {size / 1e6:.0f} MB of TOML, read by tomllib in {parse:.1f} s "
        f"({100 * parse / seconds:.0f}% of the run); peak RSS {int(peak) // 1024 if peak.isdigit() else '?'} MB; "
        "wall time"
    )
    return [
        Result(
            f"7. bulk replay: cachescope run on {count:,} steps (TOML), output to /dev/null",
            f"{rate(count, seconds)} ({seconds:.0f} s)",
            "",
            None,
            "completes",
            completed,
            note,
        )
    ]


if __name__ == "__main__":
    print_table(run("--quick" in sys.argv))
