"""Figure 12: reading a 100,000-step scenario file: the fast step reader (model/step_reader.py) against
tomllib on the steps, the per-load parse memo against parsing every step, the whole file both ways, and
the first 2,000 steps through `opens` against the whole load.

The file is `cachescope import strace` of a real `tar` trace (benchmarks/_traces.py), cut to its first
100,000 steps and written back by `dumps`: a header whose [config] tree lists every file the trace
touched, then the steps. CPU time, the garbage collector quiet (_common.timed), median of alternated runs.
"""

from __future__ import annotations

import statistics
import sys
import tomllib
from dataclasses import replace

from _common import Result, check, interleaved, ms, print_table, spread, timed
from _traces import NoStrace, scenario

from model.ops import make, parse
from model.scenario import _loads_toml, _StepBuilder, dumps, load_file, loads, opens
from model.step_reader import scan
from model.timeline import Step

TARGET = ">= 5"  # reading the steps section: tomllib over the fast reader
FIRST = 2_000


def _cut_text(steps: int, quick: bool) -> str:
    """The imported scenario's first `steps` steps, as the text `dumps` writes."""
    loaded = load_file(scenario("medium" if quick else "big"))
    return dumps(replace(loaded, steps=loaded.steps[:steps]))


def run(quick: bool = False) -> list[Result]:
    try:
        text = _cut_text(10_000 if quick else 100_000, quick)
    except NoStrace as exc:
        note = f"not measured: {exc}"
        return [Result("12. reading a 100,000-step scenario file", "-", "-", None, TARGET, None, note)]
    split = scan(text)
    assert split is not None, "dumps writes what the fast reader reads"
    section, raws = text[len(split.header) :], split.steps
    runs = 3 if quick else 5
    size = f"{len(raws):,}-step scenario ({len(text.encode()) / 1e6:.0f} MB, header {len(split.header) / 1e6:.1f} MB)"

    def parse_each() -> None:  # what building cost before the memo: every step's `do` parsed
        [Step(parse(do), say, panel) if do else Step(make("say", text=say), say, panel) for do, say, panel in raws]

    read_fast, read_toml = interleaved(lambda: scan(text), lambda: tomllib.loads(section), runs)
    built, built_each = interleaved(lambda: _StepBuilder("s.toml").many(raws, 0), parse_each, runs)
    whole_fast, whole_toml = interleaved(lambda: loads(text, "s.toml"), lambda: _loads_toml(text, "s.toml"), runs)
    first = [timed(lambda: opens(text, "s.toml", FIRST)) for _ in range(runs)]
    rf, rt, bm, be = map(statistics.median, (read_fast, read_toml, built, built_each))
    wf, wt, fm = map(statistics.median, (whole_fast, whole_toml, first))
    return [
        Result(
            f"12. reading the steps of a {size}: fast reader vs tomllib",
            ms(rf),
            f"tomllib {ms(rt)}",
            rt / rf,
            TARGET,
            check(rt / rf, TARGET),
            f"ratio is the speed-up; text to do/say/panel strings, nothing built; {spread(read_fast)}",
        ),
        Result(
            "12b. building those steps: each distinct `do` parsed once vs every step's parsed",
            ms(bm),
            f"each parsed {ms(be)}",
            be / bm,
            "",
            None,
            f"ratio is the speed-up; {len(set(do for do, _, _ in raws)):,} distinct `do` texts",
        ),
        Result(
            "12c. the whole file: loads (fast reader) vs tomllib over the whole text, both built the same",
            ms(wf),
            f"tomllib {ms(wt)}",
            wt / wf,
            "",
            None,
            "ratio is the speed-up; the header (its [config] tree checked) costs the same on both paths",
        ),
        Result(
            f"12d. the first {FIRST:,} steps of it through opens(), vs the whole fast load",
            ms(fm),
            f"loads {ms(wf)}",
            fm / wf,
            "",
            None,
            "the header and the scan of every line are paid up front; the other steps are built on read()",
        ),
    ]


if __name__ == "__main__":
    print_table(run("--quick" in sys.argv))
