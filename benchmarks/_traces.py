"""Real strace traces for the benchmarks: recorded once on this machine with the flags docs/importing.md
recommends, kept in benchmarks/.data/ (ignored by git), and imported once into scenarios.

A trace is `strace -f` of `tar cf /dev/null` over system directories: every file of the trees is opened
and read, as in the issue's `tar czf` measurement. Without strace the figures that need one say so.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parent / ".data"
FLAGS = ["-f", "-tt", "-y", "-e", "trace=%file,%process,fchdir,close,close_range,dup,dup2,dup3,fcntl"]
TREES = {
    "small": ["usr/share/i18n"],
    "medium": ["usr/share/doc"],
    "big": ["usr/share", "usr/lib/python3.11"],
}
"""Trees tarred per trace size: on this machine `small` gives about a thousand steps, `medium` ten
thousand, `big` over a hundred thousand."""


class NoStrace(RuntimeError):
    """strace is not installed: the figures that need a real trace cannot be measured."""


def trace(size: str) -> Path:
    """The recorded trace of that size (recorded on first use)."""
    path = DATA / f"tar-{size}.strace"
    if path.exists():
        return path
    if shutil.which("strace") is None:
        raise NoStrace("strace is not installed (apt-get install strace)")
    DATA.mkdir(exist_ok=True)
    trees = [t for t in TREES[size] if (Path("/") / t).exists()]
    subprocess.run(
        ["strace", *FLAGS, "-o", str(path), "tar", "cf", "/dev/null", "-C", "/", *trees],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return path


def scenario(size: str) -> Path:
    """The scenario `cachescope import strace` writes for that trace (imported on first use)."""
    path = DATA / f"tar-{size}.toml"
    if not path.exists():
        source = trace(size)
        subprocess.run(
            [sys.executable, "-m", "viz.cli", "import", "strace", str(source), "-o", str(path), "--no-check"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return path


def steps_in(path: Path) -> int:
    """How many steps a scenario file has (its `[[step]]` tables), without loading it."""
    with path.open("rb") as f:
        return sum(line.startswith(b"[[step]]") for line in f)
