"""Figure 3: time from pressing `n` to the screen settled, in the real app (headless pilot, 120x40).

The model holds about 1,000 or about 1,000,000 objects, a third each of name-cache entries (with their
vnodes), /proc dentries and cached pages, built by calling the model directly (the disk, `vfs_vget`,
`cache_enter`, `spawn`, `lookup_one`, `PageCache.vop_read`), not by stepping a timeline. The script then
steps through lookups, /proc reads and page-cache reads and writes that touch all of it. Each press is
timed as `await pilot.press("n"); await pilot.pause()`, with each subsystem's panel pinned in front in turn.
Figure 3d times the same press in a minimal Textual app whose `n` updates one `Static`, in the same run.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from typing import ClassVar

from _common import Result, check, ms, print_table, spread

from model.ops import parse
from model.procfs.dcache import TGID_ENTRIES, lookup_one
from model.procfs.tasks import spawn
from model.scenario import Scenario
from model.system import System
from model.timeline import Step, Timeline
from model.vfs.fs import DIR, REG

TARGET = "<= 1.5"
SIZE = (120, 40)
PANELS = ("namecache", "vnodes", "pagecache", "proc")
PRESSES = 9
"""Presses per panel; the first of each is a warm-up and is not counted."""
FILES_PER_DIR = 1000
PAGES_PER_FILE = 1000


def config(objects: int) -> dict:
    third = max(1, objects // 3)
    nchash = 1 << min(16, max(4, (third - 1).bit_length()))  # the config allows at most 65536 buckets
    return {"nchash": nchash, "ncvhash": nchash // 4, "namecache_max": third + 64, "desiredvnodes": third + 1100}


def script(dirs: int, files: int, tasks: int, length: int = len(PANELS) * PRESSES) -> list[str]:
    """The steps pressed through: each touches the big state (a cached name, a dentry, cached pages)."""
    out = []
    for k in range(length):
        out += [
            f"lookup /big/d{k % dirs}/f{(7 * k) % files}",
            f"cat /proc/{2 + (5 * k) % tasks}/status",
            f"read /puffs/f{k % 4} {4096 * k} 8192",
            f"write /puffs/f{k % 4} {4096 * k + 100} 100",
        ]
    out = out[:length]
    new = 2 + tasks + 10
    return [*out, f"spawn {new}", f"cat /proc/{new}/status"]  # the last adds dentries: the tree is laid out again


def populate(system: System, objects: int) -> dict[str, int]:
    """Add about objects/3 name-cache entries, dentries and pages; return how many of each there are."""
    third = max(1, objects // 3)
    vfs = system.part("vfs")
    mount = vfs.mounts["mnt0"]
    fs = mount.fs
    root = vfs.rootvnode
    big = fs.create(fs.ROOT_INO, "big", DIR)
    big_vp, _ = vfs.vfs_vget(mount, big)
    vfs.namecache.cache_enter(root, big_vp, "big")
    dirs = max(1, -(-third // FILES_PER_DIR))
    per_dir = min(FILES_PER_DIR, third)
    made = 0
    for d in range(dirs):
        ino = fs.create(big, f"d{d}", DIR)
        dvp, _ = vfs.vfs_vget(mount, ino)
        vfs.namecache.cache_enter(big_vp, dvp, f"d{d}")
        for f in range(per_dir):
            if made >= third:
                break
            vp, _ = vfs.vfs_vget(mount, fs.create(ino, f"f{f}", REG))
            vfs.namecache.cache_enter(dvp, vp, f"f{f}")
            vfs.vrele(vp, quiet=True)
            made += 1
        vfs.vrele(dvp, quiet=True)
    vfs.vrele(big_vp, quiet=True)
    procfs = system.part("procfs")
    ns0 = procfs.namespaces[0]
    proc_root = procfs.dentries[ns0.mount.root]
    tasks = max(1, -(-third // (len(TGID_ENTRIES) + 1)))
    for pid in range(2, 2 + tasks):
        spawn(procfs, pid, None, None, ())
        _, piddir = lookup_one(procfs, proc_root, str(pid))
        assert piddir is not None
        for name in TGID_ENTRIES:
            if len(procfs.dentries) >= third:
                break
            lookup_one(procfs, piddir, name)
    for line in ("mkdir /puffs", "mount /puffs fstype=puffs"):
        system.apply(parse(line))
    files = max(4, -(-third // PAGES_PER_FILE))
    per_file = max(1, third // files)
    for k in range(files):
        size = per_file * 4096
        for line in (f"create /puffs/f{k}", f"server-write /puffs/f{k} 0 {size}", f"read /puffs/f{k} 0 {size}"):
            system.apply(parse(line))
    return {
        "entries": vfs.namecache.numcache,
        "dentries": len(procfs.dentries),
        "pages": sum(map(len, vfs.pagecache.pages.values())),
        "dirs": dirs,
        "files": per_dir,
        "tasks": tasks,
    }


def build(objects: int, length: int = len(PANELS) * PRESSES) -> tuple[Scenario, Timeline, dict[str, int]]:
    raw = config(objects)
    probe = System(raw)
    counts = populate(probe, objects)
    steps = [Step(parse(line)) for line in script(counts["dirs"], counts["files"], counts["tasks"], length)]
    timeline = Timeline(steps, raw)
    timeline.system = probe  # the timeline starts from the populated state (undo never goes below it)
    scenario = Scenario("step latency", "", dict(timeline.system.config), steps, "<benchmark>", raw)
    return scenario, timeline, counts


async def presses(scenario: Scenario, timeline: Timeline) -> dict[str, list[float]]:
    """Seconds per press of `n`, with each panel in front, the first press of each not counted."""
    from viz.app import CacheScopeApp

    app = CacheScopeApp(scenario, timeline=timeline)
    app.pinned = True  # the panel shown stays in front (P): the steps would bring their own forward
    times: dict[str, list[float]] = {}
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for panel in PANELS:
            app.show_panel(panel)
            await pilot.pause()
            measured = []
            for _ in range(PRESSES):
                start = time.perf_counter()
                await pilot.press("n")
                await pilot.pause()
                measured.append(time.perf_counter() - start)
            times[panel] = measured[1:]
        app.show_panel("proc")
        await pilot.press("n")  # spawn
        await pilot.pause()
        start = time.perf_counter()
        await pilot.press("n")  # cat: new dentries
        await pilot.pause()
        times["new dentries"] = [time.perf_counter() - start]
    return times


async def minimal_presses(count: int) -> list[float]:
    """Seconds per press of `n` in a minimal Textual app that updates one Static (the first not counted)."""
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    class Minimal(App[None]):
        BINDINGS: ClassVar = [("n", "step", "Step")]

        def compose(self) -> ComposeResult:
            yield Static("0", id="count")

        def action_step(self) -> None:
            counter = self.query_one("#count", Static)
            counter.update(str(int(str(counter.render())) + 1))

    times = []
    async with Minimal().run_test(size=SIZE) as pilot:
        await pilot.pause()
        for _ in range(count):
            start = time.perf_counter()
            await pilot.press("n")
            await pilot.pause()
            times.append(time.perf_counter() - start)
    return times[1:]


def run(quick: bool = False) -> list[Result]:
    small_n, big_n = 1_000, (200_000 if quick else 1_000_000)
    results = {}
    counts = {}
    for n in (small_n, big_n):
        scenario, timeline, counts[n] = build(n)
        results[n] = asyncio.run(presses(scenario, timeline))
    minimal = asyncio.run(minimal_presses(PRESSES * len(PANELS)))
    out = []
    per_panel = []
    for panel in PANELS:
        small, big = statistics.median(results[small_n][panel]), statistics.median(results[big_n][panel])
        per_panel.append(f"{panel} {ms(big)}/{ms(small)}")
    small_all = [t for panel in PANELS for t in results[small_n][panel]]
    big_all = [t for panel in PANELS for t in results[big_n][panel]]
    ratio = statistics.median(big_all) / statistics.median(small_all)
    c = counts[big_n]
    out.append(
        Result(
            f"3. step latency (n to settled, {SIZE[0]}x{SIZE[1]}): {c['entries']:,} entries + {c['dentries']:,} "
            f"dentries + {c['pages']:,} pages vs ~{small_n:,} objects",
            f"{ms(statistics.median(big_all))} median press",
            f"{ms(statistics.median(small_all))}",
            ratio,
            TARGET,
            check(ratio, TARGET),
            f"ratio of the medians of all presses; slowest press {ms(max(big_all))} vs {ms(max(small_all))}; "
            f"per panel (big/small): {', '.join(per_panel)}; "
            f"big {spread(big_all)}, small {spread(small_all)}",
        )
    )
    new_small, new_big = results[small_n]["new dentries"][0], results[big_n]["new dentries"][0]
    out.append(
        Result(
            "3b. a step that adds /proc dentries (their rows are inserted in place), proc panel in front",
            ms(new_big),
            ms(new_small),
            new_big / new_small,
            "",
            None,
            "one press each; not in the target: O(siblings) for an added dentry; a step that frees or unhashes "
            "dentries lays the whole tree out again (O(dentries))",
        )
    )
    small_median, minimal_median = statistics.median(small_all), statistics.median(minimal)
    out.append(
        Result(
            f"3d. step latency at ~{small_n:,} objects vs a minimal Textual app updating one Static per press",
            ms(small_median),
            f"minimal app {ms(minimal_median)}",
            small_median / minimal_median,
            TARGET,
            check(small_median / minimal_median, TARGET),
            f"the same pilot press and pause, same run; minimal {spread(minimal)}",
        )
    )
    return out


if __name__ == "__main__":
    print_table(run("--quick" in sys.argv))
