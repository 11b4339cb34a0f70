"""Regenerate screenshots/: every built-in scenario at its most telling step, and each theme once.

Run: .venv/bin/python scripts/make_screenshots.py   (README.md shows the results)
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from model.scenario import builtin_names, load_builtin
from viz.screenshot import screenshot_svg

OUT = Path(__file__).resolve().parent.parent / "screenshots"

TELLING_STEPS = {
    "tour": 3,
    "namecache-basics": 9,  # the cache is full: cache_enter reuses the LRU head
    "purge-and-reclaim": 9,  # recycling a vnode purges the names that lead to it
    "puffs-flush-vs-inval": 10,  # invalidating before flushing loses 400 bytes
    "proc-namespaces": 12,  # a thread exits: proc_flush_task in both namespaces
    "jit-stale-icache": 6,  # the I-cache runs the old instruction
    "cacheflush-errors": 4,
    "jit-every-abi": 5,
}
"""Scenario -> step to show; a scenario missing here is shown at its last step."""

THEME_SHOTS = {"dark": "namecache-basics", "light": "puffs-flush-vs-inval", "contrast": "jit-stale-icache",
               "colourblind": "purge-and-reclaim"}  # fmt: skip


def main() -> int:
    OUT.mkdir(exist_ok=True)
    written = []
    for name in builtin_names():
        scenario = load_builtin(name)
        step = TELLING_STEPS.get(name, len(scenario.steps))
        written.append(_write(f"{name}.svg", screenshot_svg(scenario, step, size=(120, 36))))
    for theme, name in THEME_SHOTS.items():
        scenario = load_builtin(name)
        step = TELLING_STEPS.get(name, len(scenario.steps))
        written.append(_write(f"theme-{theme}.svg", screenshot_svg(scenario, step, size=(100, 30), theme=theme)))
    wide = load_builtin("puffs-flush-vs-inval")
    written.append(_write("wide-grid.svg", screenshot_svg(wide, 10, size=(160, 45))))
    for path in written:
        print(path.relative_to(OUT.parent))
    return 0


def _write(name: str, svg: str) -> Path:
    path = OUT / name
    path.write_text(svg, encoding="utf-8")
    return path


if __name__ == "__main__":
    raise SystemExit(main())
