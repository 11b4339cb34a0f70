"""`cachescope serve` under hostile clients: no app outlives its browser, sizes are capped, junk is dropped.

textual-serve 1.1.3 alone leaves an app blocked forever when a browser asks for a large terminal and
leaves while the app starts (../shared/TOOLCHAIN.md); viz/serve_guard.py ends it. These tests make
exactly that request and check, by pid, that the app is gone within seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from viz.serve_guard import MAX_COLUMNS, MAX_LINES, clamp_size

GONE_WITHIN = 8.0
"""Seconds an app may take to be gone after its browser leaves (grace to quit, SIGTERM grace, SIGKILL)."""


@pytest.mark.parametrize(
    ("width", "height", "expected"),
    [
        ("1000", "500", (MAX_COLUMNS, MAX_LINES)),
        ("100", "30", (100, 30)),
        ("-5", "0", (1, 1)),
        ("wide", None, (80, 24)),
        ("9" * 5000, "1e9", (MAX_COLUMNS, 24)),
        (10**30, 2.5, (MAX_COLUMNS, 2)),
    ],
    ids=["too-large", "ordinary", "negative-and-zero", "not-numbers", "5000-digits", "huge-and-float"],
)
def test_client_sizes_are_clamped(width, height, expected):
    assert clamp_size(width, height) == expected


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _environ(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    return dict(item.split("=", 1) for item in raw.decode(errors="replace").split("\0") if "=" in item)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str, Path]]:
    """`cachescope serve tour` on a free port; stopped (and checked for leftovers by the tests) after."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "viz.cli", "serve", "tour", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 20
    while True:
        assert process.poll() is None, log.read_text(errors="replace")
        try:
            with urllib.request.urlopen(url, timeout=2):
                break
        except OSError:
            assert time.monotonic() < deadline, "serve did not answer within 20 s"
            time.sleep(0.1)
    try:
        yield process, url, log
    finally:
        apps = _children(process.pid)
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)
        for pid in apps:  # a test that failed may have left apps: never leave them spinning
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)


def _is_app(pid: int) -> bool:
    """The served app itself (past the fork and the shell's exec): `python -m viz.cli tour`."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().endswith(b"-m\0viz.cli\0tour\0")
    except OSError:
        return False


async def _wait_for_app(server_pid: int, known: set[int]) -> int:
    deadline = time.monotonic() + 20
    while not (new := [pid for pid in _children(server_pid) if pid not in known and _is_app(pid)]):
        assert time.monotonic() < deadline, "no app process was started"
        await asyncio.sleep(0.01)
    return new[0]


async def _wait_gone(pid: int) -> float:
    started = time.monotonic()
    while _alive(pid):
        assert time.monotonic() - started < GONE_WITHIN, f"app {pid} still runs {GONE_WITHIN} s after its browser left"
        await asyncio.sleep(0.05)
    return time.monotonic() - started


@pytest.mark.parametrize("moment", ["at once", "while starting", "after the first frame"])
async def test_a_large_terminal_and_a_disconnect_leave_no_app(server, moment):
    process, url, log = server
    known = set(_children(process.pid))
    async with aiohttp.ClientSession() as session:
        ws = await session.ws_connect(f"{url}ws?width=1000&height=500")
        pid = await _wait_for_app(process.pid, known)
        if moment == "while starting":
            await asyncio.sleep(0.4)
        elif moment == "after the first frame":
            while (await ws.receive(timeout=20)).type != aiohttp.WSMsgType.BINARY:
                pass
            await ws.send_json(["resize", {"width": 10**6, "height": 10**6}])
        environ = _environ(pid)
        assert (environ["COLUMNS"], environ["ROWS"]) == (str(MAX_COLUMNS), str(MAX_LINES))
        await ws.close()
    await _wait_gone(pid)
    assert process.poll() is None  # the server itself carries on
    assert "Traceback" not in log.read_text(errors="replace")


async def test_malformed_messages_are_dropped_and_the_app_keeps_working(server):
    _, url, log = server
    async with aiohttp.ClientSession() as session, session.ws_connect(f"{url}ws?width=x&height=-3") as ws:
        for junk in ("not json", "[]", "{}", '["resize", "big"]', '["resize", {"width": "w"}]', '["stdin", 7]', "5"):
            await ws.send_str(junk)
        await ws.send_json(["ping", "still there?"])
        deadline = time.monotonic() + 20
        while True:
            message = await ws.receive(timeout=max(0.1, deadline - time.monotonic()))
            assert message.type in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY), message
            if message.type == aiohttp.WSMsgType.TEXT and "still there?" in message.data:
                break
    assert "Traceback" not in log.read_text(errors="replace")


@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGTERM, signal.SIGINT], ids=["sighup", "sigterm", "ctrl-c"])
async def test_stopping_the_server_ends_its_apps(server, sig):
    process, url, log = server
    async with aiohttp.ClientSession() as session, session.ws_connect(f"{url}ws?width=100&height=30") as ws:
        pid = await _wait_for_app(process.pid, set())
        while (await ws.receive(timeout=20)).type != aiohttp.WSMsgType.BINARY:
            pass
        process.send_signal(sig)
        await _wait_gone(pid)
        await asyncio.to_thread(process.wait, 10)
    assert "Traceback" not in log.read_text(errors="replace")


def test_apps_die_with_a_killed_server(server):
    """SIGKILL gives the server no chance to clean up: PR_SET_PDEATHSIG has the kernel end its apps."""
    process, url, _ = server

    async def connect_and_kill() -> int:
        async with aiohttp.ClientSession() as session, session.ws_connect(f"{url}ws?width=100&height=30") as ws:
            pid = await _wait_for_app(process.pid, set())
            while (await ws.receive(timeout=20)).type != aiohttp.WSMsgType.BINARY:
                pass
            process.kill()
            await _wait_gone(pid)
            return pid

    asyncio.run(connect_and_kill())
