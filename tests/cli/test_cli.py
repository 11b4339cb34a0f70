"""The cachescope command: run --json, --state, --list, and exit codes for bad input."""

import json
import subprocess
import sys

from viz.cli import main


def test_run_json_prints_one_object_per_step(capsys):
    assert main(["run", "tour", "--json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["step"] for r in records] == list(range(1, len(records) + 1))
    assert all({"step", "op", "say", "events"} <= set(r) for r in records)
    assert records[1]["op"] == "lookup /usr/bin/cc"
    assert [e["kind"] for e in records[1]["events"]][:2] == ["namei.start", "namecache.miss"]
    assert records[1]["events"][1]["func"] == "cache_lookup" and records[1]["events"][1]["ret"] == -1


def test_run_state_prints_the_final_dump(capsys):
    assert main(["run", "tour", "--state"]) == 0
    state = json.loads(capsys.readouterr().out)
    assert state["schema"] == 1 and "config" in state


def test_run_text_names_each_step(capsys):
    assert main(["run", "tour"]) == 0
    out = capsys.readouterr().out
    assert "step 1: say" in out and "step 3: lookup /usr/bin/cc" in out and "namecache.hit" in out


def test_malformed_scenario_exits_2_naming_the_step(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[step]]\ndo = "stats"\n[[step]]\ndo = "lookpu /x"\n')
    assert main(["run", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.toml: step 2" in err and "unknown verb 'lookpu'" in err


def test_missing_file_and_bad_option_exit_2(tmp_path, capsys):
    assert main(["run", str(tmp_path / "none.toml")]) == 2
    assert "no such file" in capsys.readouterr().err
    try:
        main(["run", "tour", "--bogus"])
    except SystemExit as exc:
        assert exc.code == 2


def test_refused_step_exits_1(tmp_path, capsys):
    scenario = tmp_path / "refused.toml"
    scenario.write_text('[[step]]\ndo = "state vp99"\n')
    assert main(["run", str(scenario)]) == 1
    assert "no object with id 'vp99'" in capsys.readouterr().out


def test_list_and_version_through_the_console_script():
    listing = subprocess.run([sys.executable, "-m", "viz.cli", "--list"], capture_output=True, text=True, check=True)
    assert "tour" in listing.stdout and "(default)" in listing.stdout
    version = subprocess.run([sys.executable, "-m", "viz.cli", "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.startswith("cachescope ")
