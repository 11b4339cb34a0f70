"""Figure 2: seeded loads through one D-cache (64 sets, 8 ways, 64-byte lines, LRU) against pycachesim.

pycachesim is a C cache simulator with a Python interface. It is installed only in a venv of the
benchmarks' own (`benchmarks/.venv`, gitignored; made on first use), never as a dependency of
cachescope, and is driven there by `_pycachesim_worker.py` in a subprocess reading the same addresses.
Our side is `model.cpu.cache.Cache.run`, the model's bulk per-access path (no bytes, no events); the
per-call `Cache.access` rate is reported beside it. Hit and miss counts must equal pycachesim's.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import venv
from array import array
from pathlib import Path

from _common import Result, check, median_of, print_table, rate, spread, timed

from model.cpu.cache import Cache

SETS, WAYS, LINE = 64, 8, 64
TARGET = ">= 3"
HERE = Path(__file__).resolve().parent
VENV = HERE / ".venv"
WORKER = HERE / "_pycachesim_worker.py"


def make_addresses(count: int, seed: int = 2) -> array:
    """Loads: half a sequential walk over 48 KiB, 30% random in a hot 16 KiB, 20% anywhere in 1 MiB."""
    rng = random.Random(seed)
    out = array("Q")
    position = 0
    for _ in range(count):
        roll = rng.random()
        if roll < 0.5:
            position = (position + 8) % (48 << 10)
            out.append(0x100000 + position)
        elif roll < 0.8:
            out.append(0x400000 + rng.randrange(16 << 10))
        else:
            out.append(0x800000 + rng.randrange(1 << 20))
    return out


def pycachesim_python() -> Path | None:
    """The benchmarks' venv python with pycachesim importable, made on first use; None if it cannot be."""
    python = VENV / "bin" / "python"
    probe = [str(python), "-c", "import cachesim"]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return python
    try:
        if not python.exists():
            venv.create(VENV, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "pycachesim"], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"   (pycachesim could not be installed in {VENV}: {exc})", file=sys.stderr)
        return None
    return python if subprocess.run(probe, capture_output=True).returncode == 0 else None


def run_worker(python: Path, trace: Path, mode: str) -> dict:
    command = [str(python), str(WORKER), str(trace), mode, str(SETS), str(WAYS), str(LINE)]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(done.stdout)


def ours_bulk(addrs: array) -> Cache:
    cache = Cache("D", SETS, WAYS, LINE)
    cache.run(addrs)
    return cache


def ours_per_call(addrs: array) -> Cache:
    cache = Cache("D", SETS, WAYS, LINE)
    access = cache.access
    for addr in addrs:
        access(addr)
    return cache


def run(quick: bool = False) -> list[Result]:
    count = 200_000 if quick else 1_000_000
    rounds = 3 if quick else 5
    addrs = make_addresses(count)
    python = pycachesim_python()
    if python is None:
        note = "the benchmark venv could not install pycachesim (no compiler or no registry?)"
        return [
            Result(
                "2. CPU cache model vs pycachesim", "skipped", "pycachesim not installable", None, TARGET, None, note
            )
        ]
    with tempfile.TemporaryDirectory() as tmp:
        trace = Path(tmp) / "addrs.bin"
        trace.write_bytes(addrs.tobytes())
        per_call, batched, bulk, single = [], [], [], []
        counts: dict = {}
        for _ in range(rounds):
            answer = run_worker(python, trace, "per-call")
            per_call.append(answer["seconds"])
            counts = answer
            batched.append(run_worker(python, trace, "batched")["seconds"])
            bulk.append(timed(lambda: ours_bulk(addrs)))
        for _ in range(max(1, rounds // 2)):
            single.append(timed(lambda: ours_per_call(addrs)))
    cache = ours_bulk(addrs)
    same = (cache.hits, cache.misses) == (counts["hits"], counts["misses"])
    if not same:
        theirs_counts = f"{counts['hits']}/{counts['misses']}"
        raise AssertionError(f"hits/misses {cache.hits}/{cache.misses} != pycachesim's {theirs_counts}")
    ours, theirs, theirs_batched = median_of(bulk), median_of(per_call), median_of(batched)
    ratio = theirs / ours
    hit_rate = 100 * cache.hits / count
    return [
        Result(
            f"2. CPU cache model: {count:,} loads, D-cache {SETS}x{WAYS}x{LINE} LRU ({hit_rate:.0f}% hits)",
            f"Cache.run {rate(count, ours)}",
            f"pycachesim load() per access {rate(count, theirs)}",
            ratio,
            TARGET,
            check(ratio, TARGET),
            f"ratio = our accesses/s over pycachesim's; hits {cache.hits:,} and misses {cache.misses:,} equal "
            f"pycachesim's; ours {spread(bulk)}, pycachesim {spread(per_call)}",
        ),
        Result(
            "2b. the same against pycachesim's batched load(list) (C loop)",
            f"Cache.run {rate(count, ours)}",
            f"pycachesim batched {rate(count, theirs_batched)}",
            theirs_batched / ours,
            "",
            None,
            f"reported only; our per-call Cache.access runs at {rate(count, median_of(single))}",
        ),
    ]


if __name__ == "__main__":
    os.chdir(HERE)
    print_table(run("--quick" in sys.argv))
