"""`cachescope serve`: the page over HTTP, the app over its websocket, and the app in headless Chromium.

The server runs in its own process group, ended with SIGTERM, a short grace, then SIGKILL: textual-serve
1.1.3 can leave an app spinning when a browser leaves while the app is still starting, so every client
here waits for the app to draw before it disconnects (../shared/TOOLCHAIN.md).
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pyte
import pytest

from viz.cli import main
from viz.serve import announcement, app_command

TITLE = "A short walk"
WALK = Path(__file__).with_name("walk.toml")
CHROMIUM = "/usr/bin/chromium"


@dataclass
class Served:
    url: str
    page: str
    log: Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _stop_group(process: subprocess.Popen[bytes], grace: float = 3.0) -> None:
    """SIGTERM the server's process group (server and served apps), then SIGKILL whatever is left."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        if sig == signal.SIGTERM:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=grace)
            time.sleep(0.2)  # the served apps get their own grace
    process.wait(timeout=5)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`cachescope serve tests/viz/walk.toml` on a free localhost port, until the module's tests are done."""
    port = _free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "viz.cli", "serve", str(WALK), "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 20
        while True:
            assert server.poll() is None, f"serve exited: {log.read_text(errors='replace')}"
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    page = response.read().decode("utf-8")
                break
            except OSError:
                assert time.monotonic() < deadline, "serve did not answer within 20 s"
                time.sleep(0.1)
        yield Served(url, page, log)
    finally:
        _stop_group(server)


def test_serve_answers_http_with_the_app_page(served):
    assert f"cachescope: {TITLE}" in served.page
    assert ".xterm-helper-textarea" in served.page and served.page.rstrip().endswith("</html>")  # autofocus
    assert f"ws://{served.url.removeprefix('http://')}ws" in served.page
    said = served.log.read_text(errors="replace")
    assert f"at {served.url.rstrip('/')}" in said and "this machine only" in said


def _screen_text(screen: pyte.Screen) -> str:
    return "\n".join(screen.display)


async def _read_until(ws: aiohttp.ClientWebSocketResponse, stream: pyte.ByteStream, text: str) -> None:
    deadline = time.monotonic() + 20
    while text not in _screen_text(stream.listener):
        message = await ws.receive(timeout=max(0.1, deadline - time.monotonic()))
        if message.type == aiohttp.WSMsgType.BINARY:
            stream.feed(message.data)
        elif message.type != aiohttp.WSMsgType.TEXT:
            pytest.fail(f"websocket ended before {text!r} was drawn: {message.type}")


async def test_served_app_draws_and_steps_over_the_websocket(served):
    screen = pyte.Screen(100, 30)
    stream = pyte.ByteStream(screen)
    async with aiohttp.ClientSession() as session, session.ws_connect(f"{served.url}ws?width=100&height=30") as ws:
        await _read_until(ws, stream, TITLE)  # the app has started: leaving now is safe
        assert "step 0 / 3" in screen.display[0]
        await ws.send_json(["stdin", "n"])
        await _read_until(ws, stream, "step 1 / 3")
        assert "Ahoy: a narration-only step." in _screen_text(screen)


def _browser_or_skip() -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no {CHROMIUM}: Debian's chromium package is not installed (.ci/run installs it with apt-get)")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")


def test_served_app_in_headless_chromium(served, tmp_path):
    _browser_or_skip()
    from playwright.sync_api import sync_playwright

    frames: list[bytes] = []

    def collect(ws) -> None:
        ws.on("framereceived", lambda frame: frames.append(frame.encode("utf-8") if isinstance(frame, str) else frame))

    screen = pyte.Screen(400, 120)  # larger than the browser's terminal: no line wraps
    stream = pyte.ByteStream(screen)

    def wait_for(text: str, page) -> None:
        deadline, fed = time.monotonic() + 30, 0
        while text not in _screen_text(screen):
            assert time.monotonic() < deadline, f"{text!r} never appeared in the browser's terminal"
            page.wait_for_timeout(100)
            for frame in frames[fed:]:
                stream.feed(frame)
            fed = len(frames)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 800})
            page.on("websocket", collect)
            local = served.url.removeprefix("http://")  # textual-serve's page also asks for a web font: refuse
            page.route("**/*", lambda route: route.continue_() if local in route.request.url else route.abort())
            page.goto(served.url, wait_until="domcontentloaded")
            assert f"cachescope: {TITLE}" in page.content()  # the splash, before the terminal draws
            wait_for(TITLE, page)  # the app started and drew its header: disconnecting is safe from here
            page.keyboard.press("n")  # no click first: the page gives the terminal the keyboard itself
            wait_for("step 1 / 3", page)
            shot = tmp_path / "served.png"
            page.screenshot(path=str(shot))
            assert shot.stat().st_size > 10_000
        finally:
            browser.close()


def test_serve_refuses_a_port_in_use(capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["serve", "tour", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert f"port {port}" in err and "in use" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["serve", "--port", "99999"], "not between 1 and 65535"),
        (["serve", "--port", "http"], "is not a number"),
        (["serve", "--theme", "neon"], "invalid choice: 'neon'"),
        (["serve", "no-such-scenario"], "no built-in scenario"),
        (["serve", "--host", "no-such-host.invalid"], "cannot listen on 'no-such-host.invalid'"),
    ],
)
def test_serve_bad_input_exits_2(args, message, capsys):
    try:
        status = main(args)
    except SystemExit as exc:
        status = exc.code
    assert status == 2
    assert message in capsys.readouterr().err


def test_announcement_says_who_can_connect():
    local = announcement(TITLE, "http://127.0.0.1:8000", "127.0.0.1", 8000, ["127.0.0.1"])
    assert "http://127.0.0.1:8000" in local and "this machine only" in local and "warning" not in local
    shared = announcement(TITLE, "http://classroom:8000", "0.0.0.0", 8000, ["0.0.0.0"])
    assert "warning: listening on 0.0.0.0" in shared and "other machines" in shared


def test_served_command_is_this_python_on_the_same_scenario(tmp_path):
    scenario = tmp_path / "mine.toml"
    scenario.write_text('[[step]]\ndo = "stats"\n')
    assert shlex.split(app_command("tour", "light")) == [sys.executable, "-m", "viz.cli", "tour", "--theme", "light"]
    assert shlex.split(app_command(str(scenario), None))[-1] == str(scenario.resolve())
    assert shutil.which(shlex.split(app_command(None, None))[0]) is not None
