"""Hostile input through the command line: exit 2 with a message naming the input and where, bounded memory.

Endless inputs (/dev/zero, `yes |`, a FIFO fed forever), a 2 MB line, crafted /proc trees and options past
what the model takes all end with exit 2 and one line on stderr that says which input was wrong, never a
traceback, never `[config]` for what is not a config problem. The memory checks run the command in a child
with RLIMIT_AS of 1 GiB: before the caps, these inputs reached 2.3 to 9.8 GB.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import viz.app
import viz.cli.spool
from viz.cli import main

DATA = Path(__file__).parent.parent / "data"
ROOT = Path(__file__).parent.parent.parent
LIMIT = 1 << 30


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT, LIMIT))


def run_limited(args: list[str], stdin: int | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """`cachescope ARGS` in a child that may map at most 1 GiB."""
    return subprocess.run(
        [sys.executable, "-c", "import sys; from viz.cli import main; sys.exit(main())", *args],
        cwd=ROOT,
        stdin=stdin if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=_limited,
        check=False,
    )


@pytest.fixture
def zero_strace(tmp_path: Path) -> Path:
    link = tmp_path / "zero.strace"
    link.symlink_to("/dev/zero")
    return link


@pytest.fixture
def long_line(tmp_path: Path) -> Path:
    """One 2 MB strace line: a mkdir of a path of a million components (written in pieces)."""
    path = tmp_path / "long.strace"
    with path.open("w") as f:
        f.write('1 mkdir("')
        for _ in range(100):
            f.write("/a" * 10_000)
        f.write('", 0777) = 0\n')
    return path


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "/dev/zero"], "cachescope: /dev/zero: larger than 64 MiB, the most a scenario file may be"),
        (["import", "din", "/dev/zero", "-o", "{tmp}/o.toml"], "/dev/zero: din line 1: longer than 4 KiB"),
        (["import", "strace", "/dev/zero", "-o", "{tmp}/o.toml"], "/dev/zero: strace line 1: longer than 1 MiB"),
        (["{zero_strace}"], "zero.strace: strace line 1: longer than 1 MiB"),
        (["import", "strace", "{long_line}", "-o", "{tmp}/o.toml"], "long.strace: strace line 1: longer than 1 MiB"),
    ],
    ids=["run", "din", "strace", "open-strace", "2MB-line"],
)
def test_endless_or_huge_input_is_refused_within_a_gigabyte(tmp_path, zero_strace, long_line, args, message):
    args = [a.format(tmp=tmp_path, zero_strace=zero_strace, long_line=long_line) for a in args]
    done = run_limited(args)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr and "Error" not in done.stderr
    assert not (tmp_path / "o.toml").exists()


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("strace", "/dev/stdin: strace line 50: not strace output"),
        ("din", "/dev/stdin: din line 20: not a din trace"),
    ],
)
def test_yes_piped_into_an_import_is_refused_within_a_gigabyte(tmp_path, kind, message):
    yes = subprocess.Popen(["yes"], stdout=subprocess.PIPE)
    try:
        assert yes.stdout is not None
        done = run_limited(["import", kind, "/dev/stdin", "-o", str(tmp_path / "o.toml")], stdin=yes.stdout.fileno())
    finally:
        yes.kill()
        yes.wait()
    assert done.returncode == 2 and message in done.stderr, done.stderr


@pytest.mark.parametrize("kind", ["strace", "din"])
def test_an_import_from_a_pipe_writes_what_the_file_gives(tmp_path, kind):
    source = DATA / ("threads.strace" if kind == "strace" else "loop.din")
    with source.open("rb") as f:
        piped = run_limited(["import", kind, "/dev/stdin", "-o", str(tmp_path / "piped.toml")], stdin=f.fileno())
    assert piped.returncode == 0, piped.stderr
    assert main(["import", kind, str(source), "-o", str(tmp_path / "file.toml")]) == 0
    strip = lambda text: text.split("\n[config]", 1)[1]  # noqa: E731 (the title and about name the input)
    assert strip((tmp_path / "piped.toml").read_text()) == strip((tmp_path / "file.toml").read_text())


def test_a_scenario_file_past_the_cap_is_refused_before_it_is_read(tmp_path, capsys):
    big = tmp_path / "big.toml"
    with big.open("wb") as f:
        f.truncate((64 << 20) + 1)  # sparse: nothing is written, and nothing should be read
    assert main(["run", str(big)]) == 2
    assert f"{big}: larger than 64 MiB" in capsys.readouterr().err


def test_a_fifo_fed_forever_as_a_scenario_is_refused_at_the_cap(tmp_path, capsys):
    fifo = tmp_path / "endless.toml"
    os.mkfifo(fifo)

    def feed() -> None:
        try:
            with fifo.open("wb") as f:
                while True:
                    f.write(b'say = "x"\n' * 4096)
        except BrokenPipeError:
            pass

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    assert main(["run", str(fifo)]) == 2
    assert f"{fifo}: larger than 64 MiB" in capsys.readouterr().err
    writer.join(timeout=10)


# -- `cachescope FILE.strace`: a trace the importer refuses is exit 2, and the app does not start ------------


@pytest.fixture
def no_app(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    started: list[object] = []

    class App:
        def __init__(self, scenario: object, **options: object) -> None:
            started.append(scenario)

        def run(self) -> None:
            pass

    monkeypatch.setattr(viz.app, "CacheScopeApp", App)
    return started


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: shutil.copy(DATA / "loop.din", p), "not strace output"),
        (lambda p: p.mkdir(), "is a directory"),
        (lambda p: p.symlink_to("/dev/zero"), "strace line 1: longer than 1 MiB"),
        (lambda p: p.write_bytes(b"\xff\xfe\x00garbage\n" * 60), "strace line 50: not strace output"),
        (lambda p: None, "no such file"),
    ],
    ids=["din", "directory", "dev-zero", "binary", "missing"],
)
def test_a_strace_file_the_importer_refuses_exits_2_naming_it(tmp_path, capsys, no_app, make, message):
    trace = tmp_path / "t.strace"
    make(trace)
    assert main([str(trace)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"cachescope: {trace}: ") and message in err and "Traceback" not in err
    assert no_app == []


def test_real_strace_output_once_refused_opens(tmp_path, capsys, no_app):
    """umask's octal result, a raw byte that is not UTF-8, a NUL and a 5,000-digit number: counted, not fatal."""
    trace = tmp_path / "hostile.strace"
    shutil.copy(DATA / "hostile.strace", trace)
    assert main([str(trace)]) == 0
    assert len(no_app) == 1
    out = capsys.readouterr().out
    assert "2 line(s) not read as strace, e.g. line 7: " in out and "[config]" not in out


def test_a_strace_file_with_more_steps_than_the_app_opens_exits_2(tmp_path, capsys, no_app, monkeypatch):
    monkeypatch.setattr(viz.cli.spool, "MEMORY_STEPS", 10)
    trace = tmp_path / "t.strace"
    shutil.copy(DATA / "threads.strace", trace)
    assert main([str(trace)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"cachescope: {trace}: strace line ") and "more than 10 steps" in err
    assert no_app == []


# -- every importer error names the input, never [config] ------------------------------------------------------


def proc_with(tmp_path: Path, entry: str) -> Path:
    root = tmp_path / "proc"
    (root / "1").mkdir(parents=True)
    (root / "1" / "status").write_text("Name:\tinit\nPid:\t1\nPPid:\t0\nTgid:\t1\nNSpid:\t1\n")
    (root / "9").mkdir()
    status = root / "9" / "status"
    if entry == "fifo":
        os.mkfifo(status)
    elif entry == "zero":
        status.symlink_to("/dev/zero")
    else:
        status.write_text(f"Name:\tx\nPid:\t{'9' * 5000}\n")
    return root


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["proc", "--proc", "{proc}", "fifo"], "--proc {proc}/9/status: not a regular file"),
        (["proc", "--proc", "{proc}", "zero"], "--proc {proc}/9/status: not a regular file"),
        (["proc", "--proc", "{proc}", "number"], "--proc {proc}/9/status: Pid: expected a number"),
        (["din", "{data}/loop.din", "--icache", "3x2x16"], "argument --icache: expected a power of two, got 3"),
        (["din", "{data}/loop.din", "--limit", "0"], "argument --limit: expected a whole number > 0"),
        (["strace", "{data}/ls.strace", "--namecache-max", "-3"], "argument --namecache-max: expected a whole"),
        (["strace", "{data}/ls.strace", "--cwd", "tmp"], "--cwd tmp: not an absolute path"),
        (["strace", "{data}/ls.strace", "--cwd", "/" + "d/" * 600], "bytes, MAXPATHLEN is 1024"),
        (["residency", "/dev/zero"], "/dev/zero: not a regular file"),
        (["strace", "{data}/loop.din"], "{data}/loop.din: strace line 50: not strace output"),
        (["din", "{data}/ls.strace"], "{data}/ls.strace: din line 20: not a din trace"),
    ],
    ids=[
        "proc-fifo",
        "proc-zero",
        "proc-number",
        "geometry",
        "limit",
        "namecache",
        "cwd",
        "cwd-long",
        "residency",
        "not-strace",
        "not-din",
    ],
)
def test_importer_errors_name_the_input_and_where(tmp_path, capsys, args, message):
    proc = tmp_path / "proc"
    if args[0] == "proc":  # the last word says what the crafted tree's pid 9 has for a status file
        *args, entry = args
        proc_with(tmp_path, entry)
    args = [a.format(data=DATA, proc=proc) for a in args]
    assert main(["import", *args, "-o", str(tmp_path / "o.toml")]) == 2
    err = capsys.readouterr().err
    assert message.format(proc=proc, data=DATA) in err and "[config]" not in err, err
    assert not (tmp_path / "o.toml").exists()
