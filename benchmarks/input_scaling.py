"""Figure 8: inputs cost time linear in their size (issue 14): walks, `[config] tree`, din over scattered pages.

Each figure times an input and one four times as large in the same run; the ratio is 4 when the work is
linear, 16 when quadratic, 64 when cubic. The target, 6, allows for what a larger working set costs in
caches and the allocator (building the 80,000-path tree alone runs at 4.4 to 4.6 times the 20,000 one).
Before issue 14, on this machine: a 1,000-component mkdir line took 6.3 s to import (most of it checking
the [config] tree of every prefix: cubic in depth; 2,000 took 80 s), a 20k-component tree 27 s, and a
din trace over 20k scattered pages 21 s (quadratic).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from _common import Result, median_of, ms, print_table, timed

from model.trace import din
from model.trace.replay import verify
from model.vfs.fs import FileSystem, build_tree, validate_tree
from viz.cli.importing import import_din_file, import_strace_file
from viz.cli.spool import StepSpool

TARGET = "<= 6"


def _figure(name: str, small: float, large: float, note: str) -> Result:
    ratio = large / small
    return Result(name, ms(large), ms(small), ratio, TARGET, ratio <= 6, note)


def _strace(directory: Path, depth: int, lines: int) -> Path:
    """A trace of `lines` stat calls, each on its own path `depth` components deep."""
    path = directory / f"deep{depth}.strace"
    with path.open("w") as f:
        for n in range(lines):
            deep = "/".join("abcdefg"[(n + k) % 7] for k in range(depth - 1))
            f.write(f'1 stat("/{deep}/f{n}", {{st_mode=S_IFREG|0644, st_size=1, ...}}) = 0\n')
    return path


def strace_depth(quick: bool) -> Result:
    lines = 50 if quick else 200
    with tempfile.TemporaryDirectory() as tmp:
        small, large = _strace(Path(tmp), 127, lines), _strace(Path(tmp), 508, lines)  # 508: just under PATH_MAX

        def run(path: Path) -> float:
            def once() -> None:
                with StepSpool() as spool:
                    import_strace_file(str(path), spool)

            return median_of([timed(once) for _ in range(3)])

        a, b = run(small), run(large)
    return _figure(
        f"8a. strace import, {lines} stat lines of 127 vs 508 components (namei walk, disk facts, replay)",
        a,
        b,
        "linear in the path's length: each walk is one pass over its components",
    )


def tree_size(quick: bool) -> Result:
    count = 5_000 if quick else 20_000

    def paths(n: int) -> list[str]:
        return [f"/t{k % 97}/u{k % 89}/v{k}/w/x/y/z/" if k % 3 else f"/t{k % 97}/f{k}" for k in range(n)]

    def run(tree: list[str]) -> float:
        return median_of([timed(lambda: build_tree(FileSystem(), validate_tree(tree))) for _ in range(3)])

    a, b = run(paths(count)), run(paths(4 * count))
    return _figure(f"8b. [config] tree checked and built: {count:,} vs {4 * count:,} paths", a, b, "one pass per path")


def din_pages(quick: bool) -> Result:
    count = 5_000 if quick else 20_000

    def run(n: int) -> float:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "scattered.din"
            path.write_text("".join(f"0 {2 * k * 4096:x}\n" for k in range(n)))

            def once() -> None:
                with StepSpool() as spool:
                    import_din_file(str(path), spool, limit=None)
                    verify(spool.steps(), din.config(None, None, False))

            return median_of([timed(once) for _ in range(3)])

    a, b = run(count), run(4 * count)
    return _figure(
        f"8c. din import and replay over {count:,} vs {4 * count:,} scattered pages (one mapping each)",
        a,
        b,
        "mappings found by bisection: n log n",
    )


def run(quick: bool = False) -> list[Result]:
    return [strace_depth(quick), tree_size(quick), din_pages(quick)]


if __name__ == "__main__":
    print_table(run("--quick" in sys.argv))
