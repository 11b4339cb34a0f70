"""The comparison is exact: for every built-in scenario and each pair of modes the comparison scenarios use,
`cachescope compare --json` gives each side exactly the events `cachescope run --json` gives on its own,
its diff is exactly the difference of those two outputs, and its machines end in the states `run --state`
dumps. Also: overrides and their errors, the object dump, and what each comparison scenario teaches."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from contextlib import redirect_stdout
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest

from model.compare import COMPARED, CONFIG_DATA, Comparison, diff_events
from model.errors import ScenarioError
from model.overrides import OverrideError, Side, label_of, parse_side
from model.scenario import builtin_names, load_builtin, loads
from model.state_objects import objects
from model.system import System
from viz.cli import main

COMPARISONS = [name for name in builtin_names() if load_builtin(name).compare]
PAIRS = sorted({(a.label, b.label) for name in COMPARISONS for a, b in combinations(load_builtin(name).compare, 2)})


def cli(args: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        status = main(args)
    return status, out.getvalue()


def _toml(value: Any) -> str:
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)  # ints and strings: JSON's forms are TOML's


def scenario_file(name: str, side: Side, directory: Path) -> Path:
    """The built-in scenario written out with the side's configuration as its own: what `run` would run."""
    scenario = load_builtin(name)
    config = side.config(scenario.raw_config)
    lines = ["[config]", *(f"{k} = {_toml(v)}" for k, v in config.items())]
    for step in scenario.steps:
        lines += ["[[step]]", f"do = {json.dumps(str(step.op))}", f"say = {json.dumps(step.say)}"]
    path = directory / f"{name}-{abs(hash(side.label))}.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_json(path: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """`cachescope run FILE --json --state`: the steps' records and the final state."""
    _, text = cli(["run", str(path), "--json", "--state"])
    records = [json.loads(line) for line in text.splitlines()]
    return records[:-1], records[-1]["state"]


def comparable(event: dict[str, Any]) -> dict[str, Any]:
    """The compared fields, as docs/compare.md defines them (written out again here, independently)."""
    out = {name: event.get(name) for name in COMPARED}
    if out["data"] is not None:
        out["data"] = {k: v for k, v in out["data"].items() if k not in CONFIG_DATA} or None
    return out


def check_event_diff(left: list[dict], right: list[dict], diff: list[dict]) -> None:
    """`diff` is exactly the difference of the two lists: every event accounted for once and in order, the
    events it leaves out equal pairwise, each pair it lists unequal, with exactly the fields that differ."""
    listed_l = [d["left"] for d in diff if d["left"] is not None]
    listed_r = [d["right"] for d in diff if d["right"] is not None]
    assert listed_l == sorted(set(listed_l)) and listed_r == sorted(set(listed_r))
    same_l = [i for i in range(len(left)) if i not in listed_l]
    same_r = [j for j in range(len(right)) if j not in listed_r]
    assert [comparable(left[i]) for i in same_l] == [comparable(right[j]) for j in same_r]
    for d in diff:
        if d["left"] is not None and d["right"] is not None:
            a, b = comparable(left[d["left"]]), comparable(right[d["right"]])
            assert a["kind"] == b["kind"] and a != b
            assert d["fields"] == {f: [a[f], b[f]] for f in COMPARED if a[f] != b[f]}
    assert (not diff) == ([comparable(e) for e in left] == [comparable(e) for e in right])


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: "-vs-".join(p))
@pytest.mark.parametrize("name", builtin_names())
def test_the_diff_is_the_difference_of_two_independent_runs(name: str, pair: tuple[str, str], tmp_path: Path) -> None:
    left, right = parse_side(pair[0]), parse_side(pair[1])
    runs = [run_json(scenario_file(name, side, tmp_path)) for side in (left, right)]
    status, text = cli(["compare", name, pair[0], pair[1], "--json"])
    assert status == 0
    *steps, summary = [json.loads(line) for line in text.splitlines()]
    assert len(steps) == len(runs[0][0]) == len(load_builtin(name).steps)
    for step, l_run, r_run in zip(steps, runs[0][0], runs[1][0], strict=True):
        assert step["op"] == l_run["op"] == r_run["op"]
        assert step["sides"][0]["events"] == l_run["events"]
        assert step["sides"][1]["events"] == r_run["events"]
        check_event_diff(l_run["events"], r_run["events"], step["diff"][0]["events"])
    comparison = Comparison(load_builtin(name), [left, right])
    assert [json.loads(json.dumps(s.to_dict())) for s in comparison.systems] == [runs[0][1], runs[1][1]]
    final = {d["id"]: d for d in steps[-1]["diff"][0]["objects"]} if steps else {}
    want_l, want_r = objects(runs[0][1]), objects(runs[1][1])
    assert set(final) == {ref for ref in {*want_l, *want_r} if want_l.get(ref) != want_r.get(ref)}
    for ref, d in final.items():
        if "fields" in d:
            assert {f: v for f, (v, _) in d["fields"].items()} == {f: want_l[ref].get(f) for f in d["fields"]}
            assert {f: v for f, (_, v) in d["fields"].items()} == {f: want_r[ref].get(f) for f in d["fields"]}
        else:
            assert (d["left"], d["right"]) == (want_l.get(ref), want_r.get(ref))
    assert summary["summary"]["divergent"] == [s["step"] for s in steps if s["diverges"]]
    assert summary["summary"]["count"] == len(summary["summary"]["divergent"])


def test_a_step_diverges_where_events_differ_or_object_differences_change() -> None:
    comparison = Comparison(
        load_builtin("proc-flush-2.6.24-vs-4.19"), load_builtin("proc-flush-2.6.24-vs-4.19").compare
    )
    for before, step in zip(comparison.steps, comparison.steps[1:], strict=False):
        changed = step.pairs[0].objects != before.pairs[0].objects
        assert step.diverges == bool(step.pairs[0].events or changed)


def test_events_are_paired_by_kind_and_the_rest_are_one_sided() -> None:
    left = [{"kind": "a", "ret": 0}, {"kind": "b"}, {"kind": "c", "ret": 0}]
    right = [{"kind": "a", "ret": 0}, {"kind": "c", "ret": -1, "errno": "EFAULT"}, {"kind": "d"}]
    got = [d.to_dict() for d in diff_events(left, right)]
    assert got == [
        {"left": 1, "right": None},
        {"left": 2, "right": 1, "fields": {"ret": [0, -1], "errno": [None, "EFAULT"]}},
        {"left": None, "right": 2},
    ]


def test_cacheflush_mode_and_abi_in_data_are_not_compared_but_what_it_did_is() -> None:
    a = {"kind": "cpu.cacheflush", "ret": 0, "data": {"mode": "linux", "abi": "mips", "acts_as": "BCACHE"}}
    b = {"kind": "cpu.cacheflush", "ret": 0, "data": {"mode": "spec", "abi": "mips", "acts_as": "BCACHE"}}
    assert diff_events([a], [b]) == ()
    c = {**b, "data": {**b["data"], "acts_as": "ICACHE"}}
    assert diff_events([a], [c])[0].fields == {"data": [{"acts_as": "BCACHE"}, {"acts_as": "ICACHE"}]}


# -- overrides -------------------------------------------------------------------------------------------------


def test_overrides_parse_as_typed_and_merge_one_field_of_a_table() -> None:
    side = parse_side("dcache.ways=4,cacheflush_mode=legacy,cacheflush_cap_sys_admin=true")
    assert side.overrides == {"dcache": {"ways": 4}, "cacheflush_mode": "legacy", "cacheflush_cap_sys_admin": True}
    config = side.config({"dcache": {"sets": 16, "ways": 2, "line": 32}})
    assert config["dcache"] == {"sets": 16, "ways": 4, "line": 32}
    assert parse_side("dcache.ways=4").config({})["dcache"] == {"sets": 8, "ways": 4, "line": 16}
    assert System(side.config({})).part("cpu").mode == "legacy"
    assert label_of(side.overrides) == "dcache.ways=4,cacheflush_mode=legacy,cacheflush_cap_sys_admin=true"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("proc_kernl=v2.6.24", "did you mean 'proc_kernel'?"),
        ("proc_kernel=", "expected KEY=VALUE"),
        ("proc_kernel=v9", "expected one of v4.19, v2.6.24, got 'v9'"),
        ("dcache.wayz=4", "unknown key 'wayz'"),
        ("nchash=3", "expected a power of two, got 3"),
        ("nosuchfile.toml", "nosuchfile.toml: no such file"),
        ("legacy", "not KEY=VALUE nor a .toml file"),
    ],
)
def test_a_bad_side_is_refused_with_a_message_naming_it(text: str, message: str) -> None:
    with pytest.raises(OverrideError, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        parse_side(text).config({})


def test_a_toml_file_side_takes_its_config_table(tmp_path: Path) -> None:
    path = tmp_path / "old.toml"
    path.write_text('[config]\nproc_kernel = "v2.6.24"\ndcache = { ways = 4 }\n', encoding="utf-8")
    side = parse_side(str(path))
    assert side.label == "old.toml"
    assert side.config({})["proc_kernel"] == "v2.6.24"
    (tmp_path / "none.toml").write_text("title = 'x'\n", encoding="utf-8")
    with pytest.raises(OverrideError, match="no \\[config\\] table"):
        parse_side(str(tmp_path / "none.toml"))


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("left = { proc_kernel = 'v2.6.24' }", "needs both left and right"),
        ("left = {}\nrigth = {}", "did you mean 'right'?"),
        ("left = { proc_kernl = 'v2.6.24' }\nright = {}", "did you mean 'proc_kernel'?"),
        ("left = { proc_kernel = 'v9' }\nright = {}", "expected one of"),
        ("left = 'x'\nright = {}", "expected a table of config overrides"),
    ],
)
def test_a_bad_compare_table_is_a_scenario_error(table: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=message.replace("(", r"\(").replace(")", r"\)")) as caught:
        loads(f'[compare]\n{table}\n[[step]]\ndo = "spawn 100"\n', "lesson.toml")
    assert str(caught.value).startswith("lesson.toml")


# -- the object dump ------------------------------------------------------------------------------------------


def test_an_i_line_is_stale_in_the_dump_exactly_when_the_cpu_says_so() -> None:
    scenario = load_builtin("cacheflush-legacy-vs-linux-vs-spec")
    for side in scenario.compare:
        system = System(side.config(scenario.raw_config))
        cpu = system.part("cpu")
        for step in scenario.steps:
            system.apply(step.op)
            found = objects(system.to_dict())
            for index, way in cpu.icache.valid_lines():
                assert found[f"I set {index} way {way}"]["stale"] == cpu.is_stale(index, way)


def test_every_live_id_of_the_machine_is_an_object_of_its_dump() -> None:
    for name in ("tour", "proc-namespaces", "puffs-flush-vs-inval", "jit-stale-icache"):
        system = System(load_builtin(name).raw_config)
        for step in load_builtin(name).steps:
            system.apply(step.op)
        found = objects(system.to_dict())
        ids = set(system.ids())
        assert ids - set(found) == set(), name


# -- the comparison scenarios teach what they say -------------------------------------------------------------


def _steps(name: str) -> Comparison:
    scenario = load_builtin(name)
    return Comparison(scenario, scenario.compare)


def test_proc_flush_2_6_24_leaves_the_threads_task_dentry_behind() -> None:
    c = _steps("proc-flush-2.6.24-vs-4.19")
    exit_step = next(s for s in c.steps if s.op == "exit 101")
    assert c.divergent[0] == exit_step.step
    left_only = {d.id: d.left for d in exit_step.pairs[0].objects if d.left is not None and d.right is None}
    assert any(obj.get("path") == "/proc/100/task/101" and obj["hashed"] for obj in left_only.values())
    kinds = [e["kind"] for e in exit_step.events[1]]
    assert "proc.d_invalidate" in kinds and "proc.d_invalidate" not in [e["kind"] for e in exit_step.events[0]]
    again = c.steps[exit_step.step + 1]
    assert any(e["func"] == "pid_revalidate" for e in again.events[0])
    assert not again.pairs[0].objects  # the revalidation dropped it: the trees agree again


def test_cacheflush_three_kernels_part_where_the_narration_says() -> None:
    c = _steps("cacheflush-legacy-vs-linux-vs-spec")
    by_op = {s.op: s for s in c.steps}
    stale = {op: [any(e["kind"] == "cpu.stale_fetch" for e in side) for side in by_op[op].events] for op in by_op}
    assert stale["exec 0x400000"] == [False, False, True]
    assert stale["exec 0x400010"] == [False, True, True]
    results = [
        [(e["ret"], e.get("errno")) for e in side if e["kind"] == "cpu.cacheflush"]
        for side in by_op["cacheflush 0x500000 0x1000 BCACHE"].events
    ]
    assert results == [[(0, None)], [(0, None)], [(-1, "EFAULT")]]
    results = [
        [(e["ret"], e.get("errno")) for e in side if e["kind"] == "cpu.cacheflush"]
        for side in by_op["cacheflush 0x400000 4 5"].events
    ]
    assert results == [[(0, None)], [(0, None)], [(-1, "EINVAL")]]
    assert c.divergent[0] == by_op["cacheflush 0x400000 4 ICACHE"].step


def test_inactive_protocol_badfs_violates_freebsd4_only() -> None:
    c = _steps("inactive-protocol-freebsd4-vs-5")
    for step in c.steps[1:]:
        violations = [[e for e in side if e["kind"] == "error.vnode_lock"] for side in step.events]
        assert step.diverges == bool(violations[0])
        assert not violations[1]
    assert c.divergent == [s.step for s in c.steps if s.op in ("create /mnt/f", "close fd=3")]


def test_two_ways_thrash_where_four_ways_hit() -> None:
    c = _steps("dcache-2-ways-vs-4-ways")
    loads_ = [s for s in c.steps if s.op.startswith("load")]
    outcome = [
        [next(e["kind"] for e in side if e["kind"] in ("cpu.hit", "cpu.miss")) for side in s.events] for s in loads_
    ]
    assert [o[0] for o in outcome] == ["cpu.miss"] * 6
    assert [o[1] for o in outcome] == ["cpu.miss"] * 3 + ["cpu.hit"] * 3
    assert c.divergent[0] == loads_[2].step  # the third line: evicts on 2 ways, a new way on 4
