"""Figure 5: start-up to the first frame, cachescope on the default scenario against a hello-world Textual app.

Both are started the same way, as a fresh Python process (so imports count), each with Textual's headless
driver through `App.run_test`: the clock starts before the process is spawned and stops when the app's
first screen has been composed, mounted and painted (`await pilot.pause()` after `run_test` is entered),
at which point the child prints and exits. 120x40. Bytecode caches are allowed, as on a user's machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from _common import Result, check, median_of, ms, print_table, spread

TARGET = "<= 1.5"
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
"""As a user's machine runs it: with bytecode caches (this sandbox turns them off for everything)."""
HERE = Path(__file__).resolve().parent

CHILD = """
import asyncio, sys
{make_app}
async def main():
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        sys.stdout.write("painted\\n")
        sys.stdout.flush()
asyncio.run(main())
"""
CACHESCOPE = """
from model.scenario import resolve
from viz.app import CacheScopeApp
app = CacheScopeApp(resolve(None))
"""
HELLO = """
from textual.app import App
from textual.widgets import Static
class Hello(App):
    def compose(self):
        yield Static("Hello, world")
app = Hello()
"""


def first_frame(make_app: str) -> float:
    """Wall seconds from spawning the process to its first painted screen."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", CHILD.format(make_app=make_app)], capture_output=True, text=True,
                          cwd=HERE.parent, env=ENV)  # fmt: skip
    elapsed = time.perf_counter() - start
    if "painted" not in done.stdout:
        raise RuntimeError(f"the app did not start: {done.stderr[-2000:]}")
    return elapsed


def run(quick: bool = False) -> list[Result]:
    runs = 3 if quick else 7
    first_frame(HELLO)  # warm the file cache and the bytecode caches for both
    first_frame(CACHESCOPE)
    ours, hello = [], []
    for _ in range(runs):
        hello.append(first_frame(HELLO))
        ours.append(first_frame(CACHESCOPE))
    a, b = median_of(ours), median_of(hello)
    ratio = a / b
    return [
        Result(
            "5. start-up: cachescope (default scenario) to first frame vs a hello-world Textual app",
            ms(a),
            f"hello world {ms(b)}",
            ratio,
            TARGET,
            check(ratio, TARGET),
            f"fresh process each, run_test headless 120x40, wall time; ours {spread(ours)}, hello {spread(hello)}",
        )
    ]


if __name__ == "__main__":
    print_table(run("--quick" in sys.argv))
