"""Every writer cleans up on SIGINT, SIGTERM and SIGHUP and takes its children with it.

`record` killed by SIGHUP (its terminal closed) used to leave its `.part` file and the app it drives,
reparented to init and spinning. Each test starts a real command in a subprocess, signals it in the
middle of its work, and checks by pid and by directory listing that nothing is left.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from viz.signals import Stopped, stop_signals_raise

SIGNALS = [signal.SIGINT, signal.SIGTERM, signal.SIGHUP]
IDS = ["sigint", "sigterm", "sighup"]


def _start(*args: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "viz.cli", *args],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a signal for the test's group never reaches it by accident
    )


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _wait_until(condition, process: subprocess.Popen[str], what: str, limit: float = 30.0) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        assert process.poll() is None, f"exited before {what}: {process.communicate()[1]}"
        assert time.monotonic() < deadline, f"never {what}"
        time.sleep(0.02)


def _finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    try:
        _, err = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    return process.returncode, err


def _gone(pids: list[int], within: float = 5.0) -> list[int]:
    deadline = time.monotonic() + within
    while (alive := [pid for pid in pids if _alive(pid)]) and time.monotonic() < deadline:
        time.sleep(0.05)
    return alive


@pytest.mark.parametrize("sig", SIGNALS, ids=IDS)
def test_record_cast_stopped_leaves_no_part_file_and_no_app(tmp_path, sig):
    scenario = tmp_path / "slow.toml"
    scenario.write_text('[[step]]\ndo = "stats"\n[[step]]\ndo = "state"\n')
    recorder = _start("record", str(scenario), "-o", "walk.cast", "--delay", "30", cwd=tmp_path)
    _wait_until(lambda: any(p.name.endswith(".part") for p in tmp_path.iterdir()), recorder, "made its .part file")
    _wait_until(lambda: _children(recorder.pid), recorder, "started the app")
    apps = _children(recorder.pid)
    time.sleep(0.5)  # the app is drawing into the temporary cast
    recorder.send_signal(sig)
    status, err = _finish(recorder)
    assert status == 128 + sig
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["slow.toml"]
    assert _gone(apps) == []


def test_record_killed_outright_takes_the_app_with_it(tmp_path):
    """SIGKILL runs no cleanup at all: PR_SET_PDEATHSIG has the kernel end the app, so nothing spins on."""
    recorder = _start("record", "tour", "-o", "walk.cast", "--delay", "30", cwd=tmp_path)
    _wait_until(lambda: _children(recorder.pid), recorder, "started the app")
    apps = _children(recorder.pid)
    recorder.kill()
    _finish(recorder)
    assert _gone(apps) == []


@pytest.mark.parametrize("sig", SIGNALS, ids=IDS)
def test_record_handout_stopped_leaves_no_part_directory(tmp_path, sig):
    (tmp_path / "handout").mkdir()
    recorder = _start("record", "tour", "--svg-dir", "handout", cwd=tmp_path)

    def drawing() -> bool:
        return any(p.name.endswith(".part") and (p / "step-001.svg").exists() for p in tmp_path.iterdir())

    _wait_until(drawing, recorder, "drew its first screens")
    recorder.send_signal(sig)
    status, err = _finish(recorder)
    assert status == 128 + sig
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["handout"]
    assert list((tmp_path / "handout").iterdir()) == []  # the user's directory is as it was


@pytest.mark.parametrize("sig", SIGNALS, ids=IDS)
def test_import_stopped_writes_nothing(tmp_path, sig):
    rng = random.Random(7)
    trace = tmp_path / "big.din"
    trace.write_text("".join(f"{rng.choice('012')} {0x1000 + rng.randrange(64) * 16:x}\n" for _ in range(600_000)))
    importer = _start("import", "din", "big.din", "--limit", "600000", "-o", "big.toml", cwd=tmp_path)
    time.sleep(2.0)  # well into reading: the whole import takes many seconds
    assert importer.poll() is None, importer.communicate()[1]
    importer.send_signal(sig)
    status, err = _finish(importer)
    assert status == 128 + sig
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.din"]


def test_stop_signals_raise_once_and_restore_the_handlers():
    before = {sig: signal.getsignal(sig) for sig in SIGNALS}
    cleanup_finished = False
    with pytest.raises(Stopped) as caught, stop_signals_raise():
        try:
            signal.raise_signal(signal.SIGHUP)
        finally:
            signal.raise_signal(signal.SIGTERM)  # a second signal during the cleanup is not raised
            cleanup_finished = True
    assert cleanup_finished
    assert caught.value.signum == signal.SIGHUP and caught.value.exit_status == 129
    assert {sig: signal.getsignal(sig) for sig in SIGNALS} == before


def test_ignored_signals_stay_ignored():
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)  # as under nohup
    try:
        with stop_signals_raise():
            signal.raise_signal(signal.SIGHUP)  # nothing happens
            assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, previous)
