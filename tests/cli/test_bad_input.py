"""Bad input everywhere gets a clear message: through `viz.cli.main`, exit code 2 and the reason on stderr.

A scenario that does not load is 2, whatever is wrong with it (its file, its TOML, its keys, a command
line, a config value); a step the model refuses while running is 1 (documented in README.md), and the
refusal is named on stderr too.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from viz.cli import main


def scenario(tmp_path: Path, text: str, name: str = "s.toml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def step(line: str) -> str:
    """A [[step]] table doing `line` (a JSON string is a TOML basic string)."""
    return f"[[step]]\ndo = {json.dumps(line)}\n"


def run_fails(capsys: pytest.CaptureFixture[str], args: list[str], *expected: str, code: int = 2) -> str:
    """main(args) exits with `code`, and stderr holds every expected piece of the message."""
    assert main(args) == code
    err = capsys.readouterr().err
    for piece in expected:
        assert piece in err, (piece, err)
    return err


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("lokup /etc", ["unknown verb 'lokup'", "did you mean 'lookup'?"]),
        ("stast", ["unknown verb 'stast'", "did you mean 'stats'?"]),
        ("stats now", ["stats takes no arguments, got an extra word 'now'"]),
        ("lookup", ["lookup needs PATH", "usage: lookup PATH"]),
        ("rename /a", ["rename needs NEW", "usage: rename OLD NEW"]),
        ("read /f abc 10", ["read: OFFSET expected a number", "got 'abc'"]),
        ("write /f 0 -5", ["write: LENGTH expected a number >= 0, got '-5'"]),
        ("revlookup vp1 0x", ["revlookup: BUFSIZE expected a number", "got '0x'"]),
        ("close vpx", ["close: VP expected a vnode id like vp7 or vp7#2, got 'vpx'"]),
        ("dput 7", ["dput: DENTRY expected a dentry id like d7, got '7'"]),
        ("spawn 5 ns=one", ["spawn: NS expected a namespace like 1 or ns1, got 'one'"]),
        ("store 0x100000000 4 1", ["store: ADDR expected an address below 0x100000000", "32-bit"]),
        ("exec 0x1_0000_0000", ["exec: ADDR expected an address below 0x100000000"]),
        ("abi x86", ["abi: SETTING expected an ABI (mips, m68k, sh, nds32)"]),
        ("mount /mnt fstype=ext4", ["mount: FSTYPE expected one of ffs, tmpfs, puffs, badfs, got 'ext4'"]),
        ("lookup '/etc", ["cannot split the line into words", "check the quotes"]),
    ],
)
def test_a_step_that_does_not_parse_exits_2_naming_file_step_and_word(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str, expected: list[str]
) -> None:
    path = scenario(tmp_path, '[[step]]\nsay = "first"\n' + step(line))
    run_fails(capsys, ["run", path], f"{path}: step 2:", *expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('titel = "x"\n', ["unknown top-level key 'titel'", "did you mean 'title'?"]),
        ('[[step]]\ndp = "stats"\n', ["step 1: unknown step key 'dp'", "did you mean 'do'?"]),
        ("[config]\nnchsah = 8\n", ["unknown config key 'nchsah'", "did you mean 'nchash'?"]),
        ("[config]\nnchash = 12\n", ["config key 'nchash'", "expected a power of two, got 12"]),
        ("[config]\nnchash = 1099511627776\n", ["config key 'nchash'", "expected at most 65536"]),
        ("[config]\ndcache = { sets = 1048576 }\n", ["config key 'dcache'", "more than 16384 lines"]),
        ('[config]\nproc_kernel = "v9"\n', ["expected one of v4.19, v2.6.24, got 'v9'"]),
        ("title = 5\n", ["'title' must be a string, got int"]),
        ("config = 5\n", ["[config] must be a table"]),
        ("[[step]]\n", ["step 1: a step needs 'do' (a command) or 'say' (narration)"]),
        ("this is not toml\n", ["not valid TOML"]),
        ("a = " + "[" * 2000 + "]" * 2000 + "\n", ["nested too deeply"]),
    ],
)
def test_a_scenario_that_does_not_load_exits_2_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, expected: list[str]
) -> None:
    path = scenario(tmp_path, text)
    run_fails(capsys, ["run", path], f"cachescope: {path}", *expected)


def test_files_that_cannot_be_scenarios_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Missing, a directory, not UTF-8, a NUL in the name, an unknown built-in: each named on stderr."""
    run_fails(capsys, ["run", str(tmp_path / "none.toml")], "none.toml: no such file", "--list")
    run_fails(capsys, ["run", str(tmp_path)], f"{tmp_path}: is a directory, not a scenario file")
    binary = tmp_path / "b.toml"
    binary.write_bytes(b"\xff\xfe\x00title")
    run_fails(capsys, ["run", str(binary)], "b.toml: not a text file (not UTF-8)")
    run_fails(capsys, ["run", "a\0b.toml"], "not a usable file name")
    run_fails(capsys, ["run", "tuor"], "tuor: no built-in scenario of that name", "did you mean 'tour'?")


def test_the_app_is_not_started_on_a_scenario_that_does_not_load(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`cachescope FILE` reports the same errors before any window opens (the app would need a terminal)."""
    run_fails(capsys, [scenario(tmp_path, step("lokup /etc"))], "step 1:", "did you mean 'lookup'?")
    run_fails(capsys, [str(tmp_path)], "is a directory")
    run_fails(capsys, [str(tmp_path / "missing.toml")], "no such file")


def test_bad_usage_exits_2_with_usage_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["run"], ["run", "tour", "--bogus"], ["--bogus"]):
        with pytest.raises(SystemExit) as exit_info:
            main(args)
        assert exit_info.value.code == 2
        err = capsys.readouterr().err
        assert "usage: cachescope" in err and "error:" in err


def test_a_refused_step_exits_1_and_says_why_on_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown object id parses but names nothing: the model refuses the step (exit 1, README)."""
    path = scenario(tmp_path, step("stats") + step("close vp99") + step("state nc42"))
    err = run_fails(capsys, ["run", path], f"{path}: step 2: close: no vnode vp99", "vnodes are vp1..", code=1)
    assert f"{path}: step 3: state: no object with id 'nc42'" in err
    assert "step 1" not in err


def test_refusals_in_json_mode_leave_stdout_pure_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = scenario(tmp_path, step("close vp99"))
    assert main(["run", path, "--json"]) == 1
    captured = capsys.readouterr()
    assert [json.loads(line)["step"] for line in captured.out.splitlines()] == [1]
    assert "no vnode vp99" in captured.err


@pytest.mark.parametrize("step_number", ["22", "-1", "99"])
def test_a_screenshot_step_outside_the_scenario_exits_2_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], step_number: str
) -> None:
    out = tmp_path / "x.svg"
    run_fails(capsys, ["screenshot", "tour", "--step", step_number, "-o", str(out)],
              f"--step {step_number}: tour has steps 0 to 21")  # fmt: skip
    assert not out.exists()
