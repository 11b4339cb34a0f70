"""Stop signals as exceptions, and children that never outlive the command that started them.

While a long-running command writes, SIGINT (Ctrl-C), SIGTERM and SIGHUP (the terminal closed) raise
`Stopped`, which unwinds through the atomic writers (viz/atomic.py) so their temporary files go, and
through the code that started children, which stops them. `viz.cli.main` turns it into exit status
128 + the signal's number (130, 143, 129). A signal the user asked to ignore (`nohup`) stays ignored.

Children run in a session of their own (so our Ctrl-C reaches us first and we stop them as a group) and,
on Linux, with PR_SET_PDEATHSIG: if this process is killed outright (SIGKILL), the kernel kills them too.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
GRACE = 1.0
"""Seconds a child gets after SIGTERM before SIGKILL."""
PR_SET_PDEATHSIG = 1


class Stopped(KeyboardInterrupt):
    """A stop signal raised as an exception (a KeyboardInterrupt, so asyncio and Textual let it through)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_status(self) -> int:
        """128 + the signal's number, as a shell reports a process a signal ended."""
        return 128 + self.signum


@contextmanager
def stop_signals_raise() -> Iterator[None]:
    """Inside the block, SIGINT, SIGTERM and SIGHUP raise Stopped, once: a second signal arriving during
    the cleanup is ignored, so the cleanup finishes. Signals set to be ignored stay so."""
    if threading.current_thread() is not threading.main_thread():  # only the main thread may set handlers
        yield
        return
    fired = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal fired
        if fired:
            return
        fired = True
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            raise Stopped(signum) from None
        global _requested
        _requested = signum
        if _safe_points:  # a loop that checks `stop_requested` between its steps stops there, cleanly
            return
        # In an event loop (the headless app drawing screens) raising here would end whichever task runs
        # now, and only that task; a callback's KeyboardInterrupt instead stops the loop itself, and
        # asyncio.run cancels the rest before the exception goes on up.
        loop.call_soon_threadsafe(_raise_stopped, signum)

    global _requested
    _requested = None
    previous = {}
    for sig in STOP_SIGNALS:
        if signal.getsignal(sig) is not signal.SIG_IGN:
            previous[sig] = signal.signal(sig, stop)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _raise_stopped(signum: int) -> None:
    raise Stopped(signum)


_requested: int | None = None
"""The stop signal received inside `stop_signals_raise`, if any."""
_safe_points = 0
"""How many loops now stop at their own safe points (`stop_at_safe_points`)."""


@contextmanager
def stop_at_safe_points() -> Iterator[None]:
    """Inside the block a stop signal only sets `stop_requested()`, for a loop that checks it between
    steps: cancelling a headless app in the middle of a redraw would spill Textual's tracebacks."""
    global _safe_points
    _safe_points += 1
    try:
        yield
    finally:
        _safe_points -= 1


def stop_requested() -> int | None:
    """The stop signal received, for a loop inside `stop_at_safe_points` to raise `Stopped` with."""
    return _requested


def _prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl
    except (OSError, AttributeError):
        return None


_PRCTL = _prctl()


def die_with_parent() -> Callable[[], None] | None:
    """A preexec_fn making the child get SIGKILL when this process dies (Linux); None elsewhere.

    Resolved before the fork, so the child only makes the system call. If we died before it ran, the
    child's parent is already someone else: it exits at once.
    """
    if _PRCTL is None:
        return None
    prctl, parent = _PRCTL, os.getpid()

    def setup() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:
            os._exit(1)

    return setup


def stop_group(child: subprocess.Popen[bytes], grace: float = GRACE) -> None:
    """End a child started in its own session, with its process group: SIGTERM, a grace, then SIGKILL.

    The group is signalled only while the child is not yet reaped, so its id cannot belong to anyone else.
    """
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if child.poll() is not None or not kill_group(child.pid, sig):
            return
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=grace)


async def stop_group_async(process: asyncio.subprocess.Process, grace: float = GRACE) -> None:
    """stop_group for an asyncio child (textual-serve's apps)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if process.returncode is not None or not kill_group(process.pid, sig):
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(process.wait(), grace)


def kill_group(pgid: int, sig: int) -> bool:
    """Signal the process group `pgid`; False if it no longer exists."""
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        return False
    except PermissionError:  # the group id was reused by someone else's processes: not ours to signal
        return False
    return True
