"""textual-serve's server, guarded: no app outlives its browser, no browser asks for a giant terminal.

textual-serve 1.1.3 starts one app process per websocket and, when the browser leaves, asks the app to
quit and waits for it. An app still starting, or blocked writing a large first frame nobody reads any
more, never quits: it stays, at up to 100 % CPU, until the server exits (../shared/TOOLCHAIN.md). Here:

- each app runs in its own session (`exec`, so the shell is not left between) with PR_SET_PDEATHSIG, and
  when its websocket closes, whatever its state, it gets a short grace to quit, then SIGTERM and SIGKILL
  to its process group; the server does the same to every app still running when it stops;
- the terminal size a client asks for (`?width=&height=`, or a later resize) is clamped to
  MAX_COLUMNS x MAX_LINES, and at least 1 x 1;
- a malformed message from a client is dropped, never a traceback on the server's console;
- SIGHUP (the terminal running serve closed) stops the server as SIGINT and SIGTERM do.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
from typing import Any

from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server

from viz.signals import STOP_SIGNALS, die_with_parent, kill_group, stop_group_async

MAX_COLUMNS, MAX_LINES = 500, 200
QUIT_GRACE = 2.0
"""Seconds an app gets to quit by itself when its browser leaves, before it is signalled."""
log = logging.getLogger("textual-serve")


def clamp_size(width: object, height: object) -> tuple[int, int]:
    """A client's terminal size as whole numbers in 1..MAX_COLUMNS and 1..MAX_LINES (80x24 if not numbers)."""
    return _clamp(width, 80, MAX_COLUMNS), _clamp(height, 24, MAX_LINES)


def _clamp(value: object, default: int, most: int) -> int:
    text = value.strip() if isinstance(value, str) else ""
    if len(text) > 9 and text.isascii() and text.lstrip("+-").isdigit():  # too many digits to bother parsing
        return 1 if text.startswith("-") else most
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        number = default
    return max(1, min(most, number))


class GuardedAppService(AppService):
    """One browser's app: started in its own session, clamped in size, and always ended with its websocket."""

    async def _open_app_process(self, width: int = 80, height: int = 24) -> asyncio.subprocess.Process:
        width, height = clamp_size(width, height)
        self._process = process = await asyncio.create_subprocess_shell(
            f"exec {self.command}",  # the app replaces the shell: the process we signal is the app
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=self._build_environment(width=width, height=height),
            start_new_session=True,
            preexec_fn=die_with_parent(),
        )
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    async def set_terminal_size(self, width: int, height: int) -> None:
        await super().set_terminal_size(*clamp_size(width, height))

    async def stop(self) -> None:
        """Ask the app to quit; whatever happens, it is gone when this returns."""
        try:
            await asyncio.wait_for(super().stop(), QUIT_GRACE)
        except Exception:  # stuck (TimeoutError), or its pipes already broken: it is ended below
            pass
        finally:
            await self.kill()

    async def kill(self) -> None:
        """End the app's process group: SIGTERM, a grace, SIGKILL (a stuck app ignores SIGTERM)."""
        if self._process is not None:
            await stop_group_async(self._process)
            if self._process.returncode is not None:  # its pipes go now, not in a finaliser after the loop closed
                self._process._transport.close()  # type: ignore[attr-defined]
        if self._task is not None and self._task.done():
            self._task = None


AUTOFOCUS = """<script>
  /* cachescope: keys reach the app at once, with no click first: focus xterm.js's input once it exists */
  window.addEventListener("load", () => {
    const focus = () => {
      const input = document.querySelector(".xterm-helper-textarea");
      if (input) input.focus();
      return Boolean(input);
    };
    if (!focus()) {
      const timer = setInterval(() => focus() && clearInterval(timer), 50);
    }
  });
</script>"""
"""Added to textual-serve's page: its terminal otherwise takes no key until it is clicked."""


class GuardedServer(Server):
    """textual-serve's Server with GuardedAppService, clamped sizes, checked messages and SIGHUP handled,
    and a page whose terminal has the keyboard from the start."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.services: set[GuardedAppService] = set()

    async def handle_index(self, request: web.Request) -> web.StreamResponse:  # type: ignore[override]
        """textual-serve's page, with AUTOFOCUS before its end."""
        response = await super().handle_index(request)
        if isinstance(response, web.Response) and response.text is not None:
            response.text = response.text.replace("</body>", f"{AUTOFOCUS}\n  </body>", 1)
        return response

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """One browser: start its app at the (clamped) size it asks for, relay messages, end the app after."""
        websocket = web.WebSocketResponse(heartbeat=15)
        width, height = clamp_size(request.query.get("width", "80"), request.query.get("height", "24"))
        service: GuardedAppService | None = None
        try:
            await websocket.prepare(request)
            service = GuardedAppService(
                self.command,
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=websocket.close,
                download_manager=self.download_manager,
                debug=self.debug,
            )
            self.services.add(service)
            await service.start(width, height)
            await self._process_messages(websocket, service)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await websocket.close()
        except Exception as error:  # one line on the console, never a traceback
            log.warning("websocket ended: %s: %s", type(error).__name__, error)
        finally:
            if service is not None:
                await asyncio.shield(self._end(service))
        return websocket

    async def _end(self, service: GuardedAppService) -> None:
        try:
            await service.stop()
        finally:
            self.services.discard(service)

    async def _process_messages(self, websocket: web.WebSocketResponse, app_service: AppService) -> None:
        """Relay a browser's messages to its app; anything malformed is dropped."""
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = json.loads(message.data)
                kind, data = (envelope[0], envelope[1]) if len(envelope) > 1 else (envelope[0], None)
            except (ValueError, TypeError, KeyError, IndexError):
                continue
            if kind == "stdin" and isinstance(data, str):
                await app_service.send_bytes(data.encode("utf-8", "replace"))
            elif kind == "resize" and isinstance(data, dict):
                await app_service.set_terminal_size(data.get("width", 80), data.get("height", 24))
            elif kind == "ping":
                await websocket.send_json(["pong", data])
            elif kind == "blur":
                await app_service.blur()
            elif kind == "focus":
                await app_service.focus()

    async def on_shutdown(self, app: web.Application) -> None:
        """The server is stopping: end every app still running."""
        await asyncio.gather(*(service.kill() for service in list(self.services)), return_exceptions=True)

    def serve(self, debug: bool = False) -> None:
        """Serve until SIGINT, SIGTERM or SIGHUP (a signal set to be ignored, as by nohup, stays ignored)."""
        self.debug = debug
        self.initialize_logging()
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        for sig in STOP_SIGNALS:
            if signal.getsignal(sig) is not signal.SIG_IGN:
                loop.add_signal_handler(sig, self.request_exit)
        try:
            web.run_app(
                self._make_app(),
                host=self.host,
                port=self.port,
                handle_signals=False,
                loop=loop,
                print=lambda *args: None,
            )
        finally:  # run_app has closed the loop (and its signal handlers): kill anything the shutdown missed
            for service in list(self.services):
                process = service._process
                if process is not None and process.returncode is None:
                    kill_group(process.pid, signal.SIGKILL)
