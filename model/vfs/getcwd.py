"""getcwd(2) by the name cache: a directory's path built backwards in a buffer (vfs_getcwd.c; §1.6)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.errors import OpError
from model.events import Event
from model.vfs.nchash import MISS

if TYPE_CHECKING:
    from model.vfs.vfs import Vfs
    from model.vfs.vnode import Vnode

GETCWD_MAX = 1024 * 4
"""MAXPATHLEN * 4: NetBSD's getcwd uses a buffer at most this long, whatever size the caller gives."""

MAX_DEPTH = 256
"""Directories walked up at most (a guard: the name cache holds no loops, but the walk never trusts it)."""


def getcwd(vfs: Vfs, vnode: Vnode, bufsize: int) -> list[Event]:
    """sys___getcwd for the directory `vnode`: a BUFSIZE buffer, filled from its end by getcwd_common."""
    if bufsize < 2:
        raise OpError("BUFSIZE must be at least 2 (a '/' and the NUL)")
    bufsize = min(bufsize, GETCWD_MAX)  # sys___getcwd: if (len > MAXPATHLEN * 4) len = MAXPATHLEN * 4;
    buf = bytearray(b"." * bufsize)
    bp = bufsize - 1
    buf[bp] = 0
    events, bp, ret, errno = getcwd_common(vfs, vnode, buf, bp)
    return [*events, _getcwd_event(vnode.id, buf, bp, ret, errno)]


def getcwd_common(vfs: Vfs, vnode: Vnode, buf: bytearray, bp: int) -> tuple[list[Event], int, int, str | None]:
    """Walk up from `vnode` to the root, copying each name before `bp` (cache_revlookup, then a '/').

    Returns (events, bp, ret, errno): ret 0 with the path in buf[bp:-1]; -1 with ERANGE when a name does
    not fit, or with no errno when the cache cannot name a directory (the kernel would then read '..').
    """
    events: list[Event] = []
    end = len(buf) - 1
    for _ in range(MAX_DEPTH):
        if vnode is vfs.rootvnode:
            break
        mount = vfs.mount_of(vnode)
        if mount is not None and mount.root is vnode and mount.covered is not None:
            vnode = mount.covered
            continue
        ret, parent, bp, event = vfs.namecache.cache_revlookup(vnode, buf, bp)
        events.append(event)
        if ret == "ERANGE":
            return events, bp, -1, "ERANGE"
        if ret == MISS or parent is None:
            return events, bp, -1, None
        bp -= 1
        if bp <= 0:
            return events, bp + 1, -1, "ERANGE"
        buf[bp] = ord("/")
        vnode = parent
    if bp == end:
        bp -= 1
        buf[bp] = ord("/")
    return events, bp, 0, None


def _getcwd_event(vp: str, buf: bytearray, bp: int, ret: int, errno: str | None) -> Event:
    path = bytes(buf[bp:-1]).decode("utf-8", "replace")
    picture = bytes(buf[:-1]).decode("utf-8", "replace").replace("\0", "·")
    status = "ERANGE: the name does not fit" if errno else ("the cache could not name every directory" if ret else path)
    return Event(
        "namecache.getcwd",
        f"path of {vp}: {status}   buf=[{picture}] bp={bp}",
        refs=(vp,),
        func="getcwd",
        ret=ret,
        errno=errno,
        data={"path": path if ret == 0 else None, "bp": bp, "buf": picture},
    )
