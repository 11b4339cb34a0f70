"""`cachescope compare`: --help, the JSON lines and summary, exit 0 whether or not the kernels differ, exit 2
with a message naming a bad input; and comparison scenarios open side by side in screenshot and the app."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from model.scenario import load_builtin
from viz.cli import main
from viz.compare.app import CompareApp
from viz.compare.launch import app_for


def cli(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            status = main(args)
        except SystemExit as exc:  # argparse's --help and usage errors
            status = exc.code if isinstance(exc.code, int) else 0
    return status, out.getvalue(), err.getvalue()


def test_help_names_the_sides_and_the_keys() -> None:
    status, out, _ = cli(["compare", "--help"])
    assert status == 0
    assert "KEY=VALUE" in out and "[compare]" in out and "]/[" in out


def test_json_prints_every_step_then_a_summary_and_exits_0() -> None:
    status, out, _ = cli(["compare", "proc-flush-2.6.24-vs-4.19", "--json"])
    assert status == 0
    *steps, summary = [json.loads(line) for line in out.splitlines()]
    assert [s["step"] for s in steps] == list(range(1, 7))
    assert summary["summary"]["divergent"] == [4, 5, 6] and summary["summary"]["count"] == 3
    assert [side["label"] for side in steps[0]["sides"]] == ["proc_kernel=v2.6.24", "proc_kernel=v4.19"]


def test_identical_sides_diverge_nowhere_and_still_exit_0() -> None:
    status, out, _ = cli(["compare", "tour", "base", "nchash=16", "--json"])
    assert status == 0
    assert json.loads(out.splitlines()[-1])["summary"]["count"] == 0


def test_three_sides_give_two_diffs_per_step() -> None:
    status, out, _ = cli(["compare", "cacheflush-errors", "cacheflush_mode=legacy", "cacheflush_mode=linux",
                          "cacheflush_mode=spec", "--json"])  # fmt: skip
    assert status == 0
    assert all(len(json.loads(line)["diff"]) == 2 for line in out.splitlines()[:-1])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nosuch", "base", "base"], "no built-in scenario"),
        (["tour"], "has no [compare] table"),
        (["tour", "proc_kernl=v2.6.24", "base"], "did you mean 'proc_kernel'?"),
        (["tour", "proc_kernel=v9", "base"], "expected one of v4.19, v2.6.24"),
        (["tour", "base"], "give two sides"),
        (["tour", "a=1", "b=2", "c=3", "d=4"], "unknown config key 'a'"),
    ],
)
def test_bad_input_exits_2_with_a_message_naming_it(args: list[str], message: str) -> None:
    status, out, err = cli(["compare", *args, "--json"])
    assert status == 2 and not out
    assert message in err and "Traceback" not in err


def test_a_comparison_scenario_opens_side_by_side_and_others_in_the_debugger() -> None:
    assert isinstance(app_for(load_builtin("dcache-2-ways-vs-4-ways")), CompareApp)
    assert not isinstance(app_for(load_builtin("tour")), CompareApp)


def test_screenshot_of_a_comparison_scenario_shows_both_kernels(tmp_path: Path) -> None:
    target = tmp_path / "cmp.svg"
    status, _, err = cli(["screenshot", "inactive-protocol-freebsd4-vs-5", "--step", "3", "--size", "120x40",
                          "-o", str(target)])  # fmt: skip
    assert status == 0, err
    svg = target.read_text(encoding="utf-8")
    assert "vnode_protocol=freebsd4" in svg and "vnode_protocol=freebsd5" in svg
    assert "step&#160;3&#160;/&#160;5" in svg or "step 3 / 5" in svg
