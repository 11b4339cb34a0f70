"""No traceback ever reaches a user: every subcommand under hostile input, the top-level handler, the
crash report, and a crash inside the running app.

Each hostile case runs the real console entry point in a subprocess (its own stderr, a short timeout,
no terminal) and checks stderr for "Traceback" and the exit status. Exit 70 is an internal error: the
handler worked, but it is a bug, so no case may end with it.
"""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from viz import crash
from viz.cli import main

ROOT = Path(__file__).resolve().parents[2]
ANY = "any status but 70"
BAD = os.fsencode("\udcff\udcfe.toml")  # a file name that is not UTF-8


def _setup(tmp: Path) -> None:
    """Hostile material in the working directory: a FIFO, a read-only file, non-UTF-8 text, a bad trace."""
    os.mkfifo(tmp / "fifo")
    (tmp / "dir").mkdir()
    (tmp / "latin1.toml").write_bytes(b'title = "caf\xe9"\n[[step]]\ndo = "stats"\n')
    (tmp / "huge.toml").write_text(f'[[step]]\ndo = "read /f 0 {"9" * 5000}"\n')
    (tmp / "junk.strace").write_bytes(b"\x00\xff not strace at all\n" * 3)
    (tmp / "t.din").write_text("0 1000\n1 2000\n2 3000\n")
    (tmp / "file.txt").write_text("not a directory")


CASES: list[tuple[list[str | bytes], int | str]] = [
    # run
    (["run", "/nonexistent.toml"], 2),
    (["run", "dir"], 2),
    (["run", "/dev/null"], ANY),
    (["run", BAD], 2),
    (["run", "latin1.toml"], 2),
    (["run", "huge.toml"], ANY),
    (["run", "fifo-is-not-opened", "--json"], 2),
    # screenshot
    (["screenshot", "tour", "--step", "abc", "-o", "x.svg"], 2),
    (["screenshot", "tour", "--size", "0x0", "-o", "x.svg"], 2),
    (["screenshot", "tour", "--size", "9" * 40 + "x5", "-o", "x.svg"], 2),
    (["screenshot", "tour", "-o", "/nonexistent/dir/x.svg"], 2),
    (["screenshot", "tour", "-o", "dir"], 2),
    (["screenshot", "tour", "-o", "fifo"], 2),
    (["screenshot", "tour", "-o", "file.txt/x.svg"], 2),
    (["screenshot", "tour", "--panel", os.fsencode("\udcff"), "-o", "x.svg"], 2),
    (["screenshot", BAD, "-o", "x.svg"], 2),
    # import
    (["import"], 2),
    (["import", "bogus"], 2),
    (["import", "strace", "/nonexistent", "-o", "x.toml"], 2),
    (["import", "strace", "dir", "-o", "x.toml"], 2),
    (["import", "din", "/dev/null", "-o", "x.toml"], ANY),
    (["import", "din", "t.din", "-o", "fifo"], 2),
    (["import", "din", "t.din", "-o", "/nonexistent/x.toml"], 2),
    (["import", "din", "t.din", "--icache", "0x0x0", "-o", "x.toml"], 2),
    (["import", "din", "t.din", "--limit", "9" * 40, "-o", "x.toml"], ANY),
    (["import", "proc", "--proc", "/nonexistent", "-o", "x.toml"], 2),
    (["import", "residency", BAD, "-o", "x.toml"], 2),
    # play (each fails before the app starts)
    (["play", "/nonexistent"], 2),
    (["play", BAD], 2),
    (["play", "tour", "--delay", "-1"], 2),
    (["play", "tour", "--size", "5x5"], 2),
    # record
    (["record", "tour", "-o", "fifo"], 2),
    (["record", "tour", "--svg-dir", "file.txt"], 2),
    (["record", "tour", "-o", "x.cast", "--timeout", "1e999"], 2),
    (["record", "/nonexistent", "-o", "x.cast"], 2),
    (["record", "tour", "-o", "x.cast", "--size", "9" * 40 + "x10"], 2),
    # serve (each fails before it listens)
    (["serve", "/nonexistent"], 2),
    (["serve", "--port", "0"], 2),
    (["serve", "--port", "9" * 40], 2),
    (["serve", "--host", os.fsencode("\udcff.invalid")], 2),
    # quiz
    (["quiz", "--seed", "abc"], 2),
    (["quiz", "--length", "0"], 2),
    (["quiz", "--seed", "9" * 40], 2),
    (["quiz", "--subsystem", "bogus"], 2),
    (["quiz", "--print", "--seed", "16", "--subsystem", "all"], 0),  # once an IndexError in pc_lost
    # the bare app and --list
    (["/nonexistent.toml"], 2),
    (["dir"], 2),
    ([BAD], 2),
    ([os.fsencode("\udcff.strace")], 2),
    (["junk.strace"], 2),  # once a traceback: a trace the importer refuses is exit 2 naming it
    (["tour", "--theme", "bogus"], 2),
    (["--list"], 0),
    (["--list", "extra", "words"], 2),
]


def _case_id(case: tuple[list[str | bytes], int | str]) -> str:
    args, _ = case
    return " ".join(os.fsdecode(a)[:20] for a in args) or "(none)"


@pytest.mark.parametrize(("args", "expected"), CASES, ids=[_case_id(c) for c in CASES])
def test_hostile_input_never_shows_a_traceback(tmp_path, args, expected):
    _setup(tmp_path)
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state"), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "viz.cli", *args],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=60,
    )
    err = done.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err, err
    if expected == ANY:
        assert done.returncode != crash.EXIT_INTERNAL, err
    else:
        assert done.returncode == expected, err
    if done.returncode == crash.EXIT_INTERNAL:  # the handler's line, and the report it names exists
        assert err.count("\n") == 1 and "internal error" in err, err
        assert Path(err.rsplit("report saved to ", 1)[1].strip()).is_file()
    if done.returncode != 0:
        assert err.strip(), "a failure must say why"
    assert (tmp_path / "fifo").exists() and not (tmp_path / "fifo").is_file()  # never replaced


# -- the handler and its report ---------------------------------------------------------------------------


def test_an_unexpected_exception_is_one_line_exit_70_and_a_report(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))

    def broken(args: list[str]) -> int:
        raise ValueError("an impossible state\nover two lines")

    monkeypatch.setattr("viz.cli.run.run_command", broken)
    assert main(["run", "tour"]) == crash.EXIT_INTERNAL
    err = capsys.readouterr().err
    assert err.startswith("cachescope: internal error: ValueError: an impossible state over two lines; report saved to")
    assert err.count("\n") == 1 and "Traceback" not in err
    report = Path(err.rsplit("report saved to ", 1)[1].strip())
    assert report.parent == tmp_path / "cachescope" and oct(report.stat().st_mode & 0o777) == "0o600"
    text = report.read_text()
    assert "Traceback (most recent call last)" in text and "in broken" in text and "cachescope 0." in text


def test_the_report_falls_back_to_the_temporary_directory(tmp_path, monkeypatch):
    (tmp_path / "state").write_text("a file where the state directory should be")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)  # read TMPDIR again
    path = crash.save_report(RuntimeError("x"))
    assert path is not None and path.parent == tmp_path


def test_the_report_writer_never_raises(tmp_path, monkeypatch, capsys):
    class Nasty(Exception):
        def __str__(self) -> str:
            raise RuntimeError("even the message is broken")

    monkeypatch.setattr(crash, "report_dirs", lambda: [Path("/proc/no/such/place"), tmp_path / "f" / "x"])
    (tmp_path / "f").write_text("not a directory")
    assert crash.save_report(Nasty()) is None
    assert crash.internal_error(Nasty()) == crash.EXIT_INTERNAL
    err = capsys.readouterr().err
    assert err == "cachescope: internal error: Nasty: (the message could not be shown); no report could be saved\n"

    def no_home() -> list[Path]:
        raise RuntimeError("no home directory")

    monkeypatch.setattr(crash, "report_dirs", no_home)
    assert crash.save_report(ValueError("x")) is None


def test_a_long_message_is_cut_on_its_one_line():
    line = crash.one_line(ValueError("x" * 10_000))
    assert len(line) < crash.MESSAGE_LIMIT + 20 and line.endswith("…")


# -- a crash inside the running app ------------------------------------------------------------------------

CRASHING_APP = """
import sys, viz.app
def boom(self):
    raise RuntimeError("boom in action_step")
viz.app.CacheScopeApp.action_step = boom
from viz.cli import main
sys.exit(main(["tour"]))
"""


def test_an_exception_in_the_app_ends_it_with_one_line_and_exit_70(tmp_path):
    """The real app in a pseudo-terminal: a key runs an action that raises. Textual would print a rich
    traceback and exit 0; here the terminal is restored, one line says what happened, the status is 70."""
    master, slave = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "XDG_STATE_HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    app = subprocess.Popen(
        [sys.executable, "-c", CRASHING_APP], stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT,
        start_new_session=True,
    )  # fmt: skip
    os.close(slave)
    output, pressed, deadline = b"", False, time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            if select.select([master], [], [], 0.1)[0]:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the app closed the terminal
                    break
                if not chunk:
                    break
                output += chunk
            if not pressed and b"step 0 / " in output:
                time.sleep(0.5)  # let it settle into reading keys
                os.write(master, b"n")
                pressed = True
        status = app.wait(timeout=10)
    finally:
        if app.poll() is None:
            os.killpg(app.pid, signal.SIGKILL)
            app.wait()
        os.close(master)
    text = output.decode("utf-8", "replace")
    assert pressed, text[-2000:]
    assert status == crash.EXIT_INTERNAL
    assert "Traceback" not in text
    assert "cachescope: internal error: RuntimeError: boom in action_step; report saved to" in text
    assert "boom in action_step" in next((tmp_path / "cachescope").iterdir()).read_text()


async def test_an_exception_in_an_action_is_kept_for_the_caller_not_printed(capsys):
    """Through the pilot: the app stops with return code 70 and keeps the exception; nothing is printed."""
    from model.scenario import load_builtin
    from viz.app import CacheScopeApp

    class Crashing(CacheScopeApp):
        def action_back(self) -> None:
            raise KeyError("no such step")

    app = Crashing(load_builtin("tour"))
    with pytest.raises(KeyError, match="no such step"):
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("b")
    assert app.return_code == crash.EXIT_INTERNAL
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
