"""Figure 7: `cachescope run` on a generated 1,000,000-step scenario, without the app; ops per second.

The scenario (the realistic mix of `_workload`) is written as TOML into a temporary directory and run
as a user would, `cachescope run FILE` in a subprocess with its output (every step and event) going to
/dev/null; the figure is wall time and peak memory. Reading the TOML alone is timed in this process,
to say how much of the run it is.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

from _common import Result, print_table, rate, timed
from _workload import lines, toml_text


def run(quick: bool = False) -> list[Result]:
    count = 100_000 if quick else 1_000_000
    command = shutil.which("cachescope") or str(Path(sys.executable).with_name("cachescope"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bulk.toml"
        path.write_text(toml_text(lines(count)), encoding="utf-8")
        size = path.stat().st_size
        parse = timed(lambda: tomllib.loads(path.read_text(encoding="utf-8")))
        start = time.perf_counter()
        with open("/dev/null", "w") as sink:
            child = subprocess.Popen([command, "run", str(path)], stdout=sink, stderr=subprocess.DEVNULL)
            _, status, usage = os.wait4(child.pid, 0)  # the child's own peak memory, not any other child's
            child.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - start
    code = child.returncode
    completed = code == 0
    note = (
        f"exit {code}; {size / 1e6:.0f} MB of TOML, read by tomllib in {parse:.1f} s "
        f"({100 * parse / seconds:.0f}% of the run); peak RSS {usage.ru_maxrss / 1024:.0f} MB; wall time"
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
