"""`cachescope import ...` and `cachescope FILE.strace`: files written, replayable by `run`, bad input exits 2."""

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import viz.app
from model.scenario import load_file
from viz.cli import main
from viz.cli.importing import ProgressBar, strace_scenario

DATA = Path(__file__).parent.parent / "data"
ROOT = Path(__file__).parent.parent.parent


def imported_runs(out, capsys):
    """The written scenario replays under `cachescope run` with exit 0."""
    capsys.readouterr()
    assert main(["run", str(out)]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("name", ["ls.strace", "python.strace", "threads.strace"])
def test_import_strace_writes_a_scenario_that_runs(tmp_path, capsys, name):
    out = tmp_path / "trace.toml"
    assert main(["import", "strace", str(DATA / name), "-o", str(out)]) == 0
    report = capsys.readouterr().out
    assert "0 unknown" in report and f"wrote {out}" in report
    compared = report.split("replay: ")[1].split(" recorded")[0]  # "N of N"
    agreed, total = compared.split(" of ")
    assert agreed == total
    text = out.read_text()
    assert text.startswith('title = "strace: ') and "[config]" in text and "tree = [" in text
    assert "step 1: " in imported_runs(out, capsys)


def test_import_strace_with_root_and_cwd(tmp_path, capsys):
    out = tmp_path / "ls.toml"
    assert main(["import", "strace", str(DATA / "ls.strace"), "--root", "/", "--cwd", "/tmp", "-o", str(out)]) == 0
    assert 'do = "cd /tmp"' in out.read_text()
    imported_runs(out, capsys)


def test_import_din_proc_and_residency(tmp_path, capsys):
    din = tmp_path / "din.toml"
    assert main(["import", "din", str(DATA / "loop.din"), "--icache", "4x2x16", "-o", str(din)]) == 0
    assert "I-cache" in capsys.readouterr().out
    imported_runs(din, capsys)
    proc = tmp_path / "proc.toml"
    assert main(["import", "proc", "--limit", "50", "-o", str(proc)]) == 0
    imported_runs(proc, capsys)
    res = tmp_path / "res.toml"
    assert main(["import", "residency", str(DATA / "loop.din"), str(DATA / "ls.strace"), "-o", str(res)]) == 0
    assert "pages resident" in capsys.readouterr().out
    imported_runs(res, capsys)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["strace", "missing.strace"], "no such file"),
        (["strace", "{data}"], "is a directory"),
        (["strace", "{data}/loop.din"], "not strace output"),
        (["strace", "{data}/ls.strace", "--root", "{data}/ls.strace"], "not a directory"),
        (["din", "{data}/ls.strace"], "not a din trace"),
        (["din", "{data}/loop.din", "--icache", "3x2x16"], "power of two"),
        (["din", "{data}/loop.din", "--icache", "big"], "SETSxWAYSxLINE"),
        (["residency", "{data}"], "is a directory"),
        (["residency", "{data}/nothing-here"], "no such file"),
        (["proc", "--proc", "{data}"], "no task directories"),
    ],
)
def test_bad_input_exits_2_with_a_message(tmp_path, capsys, args, message):
    out = tmp_path / "out.toml"
    args = [a.format(data=DATA) for a in args]
    assert main(["import", *args, "-o", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_output_directory_must_exist(tmp_path, capsys):
    assert main(["import", "din", str(DATA / "loop.din"), "-o", str(tmp_path / "no" / "x.toml")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_opening_a_strace_file_imports_it_in_memory(tmp_path, monkeypatch, capsys):
    opened = []

    class FakeApp:
        def __init__(self, scenario, **options):
            opened.append(scenario)

        def run(self):
            pass

    monkeypatch.setattr(viz.app, "CacheScopeApp", FakeApp)
    trace = tmp_path / "copy.strace"
    shutil.copy(DATA / "threads.strace", trace)
    assert main([str(trace)]) == 0
    (scenario,) = opened
    assert scenario.title == "strace: copy.strace" and len(scenario.steps) > 100
    assert any(step.op.verb == "rmdir" for step in scenario.steps)
    assert list(tmp_path.iterdir()) == [trace]  # nothing written
    capsys.readouterr()
    assert main([str(tmp_path / "missing.strace")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_an_opened_strace_file_holds_the_steps_the_import_writes(tmp_path, capsys):
    """`cachescope FILE.strace` keeps the ops as the importer made them (no text written and read back); they
    are the steps `cachescope import strace` writes. The replay check is left to `import`."""
    for name in ("threads.strace", "hostile.strace"):
        trace = DATA / name
        out = tmp_path / f"{name}.toml"
        assert main(["import", "strace", str(trace), "-o", str(out)]) == 0
        written = load_file(out)
        scenario = strace_scenario(str(trace))
        assert scenario is not None
        assert [(s.op, s.say) for s in scenario.steps] == [(s.op, s.say) for s in written.steps]
        assert scenario.config == written.config and scenario.title == written.title
        assert "not compared with the recorded results" in scenario.about
        assert "replay:" in written.about and "replay:" not in scenario.about
    capsys.readouterr()


class Tty(io.StringIO):
    def isatty(self):
        return True


def test_progress_shows_only_for_big_inputs_on_a_terminal():
    tty, pipe = Tty(), io.StringIO()
    ProgressBar("reading x", tty)(50 << 20, 100 << 20)
    ProgressBar("reading x", pipe)(50 << 20, 100 << 20)
    ProgressBar("reading x", Tty())(10, 100)
    assert "reading x:  50% (50 of 100 MiB)" in tty.getvalue() and pipe.getvalue() == ""


def run_cli(args, **options):
    """`cachescope ARGS` in a child process (for real pipes, FIFOs and bash's process substitution)."""
    return subprocess.run(
        [sys.executable, "-c", "import sys; from viz.cli import main; sys.exit(main())", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        **options,
    )


def scenario_body(path):
    """The scenario after its title and about, which name the input."""
    return Path(path).read_text().split("\n[config]", 1)[1]


@pytest.mark.parametrize("how", ["dash", "fifo", "process-substitution"])
def test_strace_input_is_read_once_from_pipes_fifos_and_process_substitution(tmp_path, how):
    """The importer reads its input once, as a stream: `-` on a pipe, a named FIFO and `<(...)` give the same
    scenario as the file."""
    trace = DATA / "find.strace"
    out = tmp_path / "out.toml"
    if how == "dash":
        with subprocess.Popen(["cat", str(trace)], stdout=subprocess.PIPE) as cat:
            done = run_cli(["import", "strace", "-", "-o", str(out)], stdin=cat.stdout)
    elif how == "fifo":
        fifo = tmp_path / "trace.fifo"
        os.mkfifo(fifo)
        with subprocess.Popen(["sh", "-c", f"cat '{trace}' > '{fifo}'"]) as writer:
            done = run_cli(["import", "strace", str(fifo), "-o", str(out)])
            writer.wait(timeout=60)
    else:
        command = f"exec '{sys.executable}' -c 'import sys; from viz.cli import main; sys.exit(main())' "
        command += f"import strace <(cat '{trace}') -o '{out}'"
        done = subprocess.run(["bash", "-c", command], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "190 of 190 recorded results agree" in done.stdout
    assert main(["import", "strace", str(trace), "-o", str(tmp_path / "file.toml")]) == 0
    assert scenario_body(out) == scenario_body(tmp_path / "file.toml")
    if how == "dash":
        assert 'title = "strace: stdin"' in out.read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["strace", "{data}/ls.strace", "--root", "/", "--strict-disk"], "not allowed with argument --root"),
        (["din", "{data}/loop.din", "--limit", "0"], "argument --limit: expected a whole number > 0, got 0"),
        (["din", "{data}/loop.din", "--limit", "-5"], "argument --limit: expected a whole number > 0, got -5"),
        (["proc", "--limit", "0"], "argument --limit: expected a whole number > 0, got 0"),
        (["strace", "{data}/ls.strace", "--namecache-max", "0"], "expected a whole number > 0, got 0"),
    ],
)
def test_options_are_checked_before_any_work(tmp_path, capsys, args, message):
    out = tmp_path / "out.toml"
    assert main(["import", *[a.format(data=DATA) for a in args], "-o", str(out)]) == 2
    assert message in capsys.readouterr().err and not out.exists()


def test_strict_disk_imports_and_reports(tmp_path, capsys):
    out = tmp_path / "strict.toml"
    assert main(["import", "strace", str(DATA / "rm-rf.strace"), "--strict-disk", "-o", str(out)]) == 0
    report = capsys.readouterr().out
    assert "836 of 836 recorded results agree" in report and "skipped" in report and "newfstatat" in report
    assert "--strict-disk" in out.read_text()  # the about says what the disk is
    imported_runs(out, capsys)


def test_the_replay_check_shows_progress_in_steps():
    tty = Tty()
    ProgressBar("checking x", tty, threshold=10, unit="steps")(12_000, 30_000)
    assert "checking x:  40% (12,000 of 30,000 steps)" in tty.getvalue()


def test_residency_of_big_files(tmp_path, capsys):
    """A 100 MiB file replays with a page cache sized from it; one past the model's largest file is refused
    before anything is written."""
    big = tmp_path / "big.bin"
    with big.open("wb") as f:
        f.truncate(100 << 20)
        f.write(b"x" * 8192)
    out = tmp_path / "res.toml"
    assert main(["import", "residency", str(big), "-o", str(out)]) == 0
    assert "max_file_pages = 25600" in out.read_text()
    assert "EFBIG" not in imported_runs(out, capsys)
    huge = tmp_path / "huge.bin"
    try:
        with huge.open("wb") as f:
            f.truncate((1 << 24) * 4096 + 4096)  # sparse: one page past 64 GiB
    except OSError:
        pytest.skip("this file system cannot hold a sparse 64 GiB file")
    out.unlink()
    assert main(["import", "residency", str(huge), "-o", str(out)]) == 2
    assert "more than the largest file the model holds" in capsys.readouterr().err and not out.exists()
