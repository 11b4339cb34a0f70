"""getcwd(2) by the name cache: a directory's path built backwards in a buffer (vfs_getcwd.c; §1.6)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.events import Event
from model.vfs.nchash import MISS

if TYPE_CHECKING:
    from model.vfs.vfs import Vfs
    from model.vfs.vnode import Vnode

GETCWD_MAX = 1024 * 4
"""MAXPATHLEN * 4: NetBSD's getcwd uses a buffer at most this long, whatever size the caller gives."""


def getcwd(vfs: Vfs, vnode: Vnode, bufsize: int) -> list[Event]:
    """sys___getcwd for the directory `vnode`: a BUFSIZE buffer, filled from its end by getcwd_common.

    As vfs_getcwd.c does: a length over MAXPATHLEN * 4 is clamped, one under 2 is ERANGE; the NUL goes
    in the last byte and getcwd_common may walk up len / 2 directories (its `limit`).
    """
    if bufsize > GETCWD_MAX:
        bufsize = GETCWD_MAX  # sys___getcwd: if (len > MAXPATHLEN * 4) len = MAXPATHLEN * 4;
    elif bufsize < 2:  # else if (len < 2) return ERANGE;
        return [
            Event(
                "namecache.getcwd",
                f"path of {vnode.id}: ERANGE, a buffer of {bufsize} byte(s) holds no path",
                refs=(vnode.id,),
                func="getcwd",
                ret=-1,
                errno="ERANGE",
                explain="sys___getcwd refuses a length under 2 at once: the shortest answer, '/', needs a byte "
                "for the '/' and one for the NUL.",
                data={"path": None, "bp": bufsize, "buf": ""},
            )
        ]
    buf = bytearray(b"." * bufsize)
    bp = bufsize - 1
    buf[bp] = 0
    events, bp, ret, errno = getcwd_common(vfs, vnode, buf, bp, bufsize // 2)
    return [*events, _getcwd_event(vnode.id, buf, bp, ret, errno)]


def getcwd_common(
    vfs: Vfs, vnode: Vnode, buf: bytearray, bp: int, limit: int
) -> tuple[list[Event], int, int, str | None]:
    """Walk up from `vnode` to the root, copying each name before `bp` (cache_revlookup, then a '/').

    Returns (events, bp, ret, errno): ret 0 with the path in buf[bp:-1]; -1 with ERANGE when a name does
    not fit, or with no errno when the cache cannot name a directory (the kernel would then read '..').
    `limit` is the kernel's: at most that many directories are walked up, and when it runs out the walk
    stops with success wherever it is (vfs_getcwd.c: ``} while ((lvp != rvp) && (limit > 0));``).
    """
    events: list[Event] = []
    end = len(buf) - 1
    while True:
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
        # cache_revlookup left bp > buf (it refuses a name when bp - len <= buf), so the '/' always fits:
        # at worst it is written into buf[0]. No check here, as in getcwd_common: *(--bp) = '/';
        bp -= 1
        buf[bp] = ord("/")
        vnode = parent
        limit -= 1
        if limit <= 0 and vnode is not vfs.rootvnode:
            events.append(
                Event(
                    "namecache.getcwd_limit",
                    f"getcwd_common walked up its limit of directories; it stops at {vnode.id} with success",
                    refs=(vnode.id,),
                    func="getcwd_common",
                    explain="sys___getcwd lets getcwd_common walk up len / 2 directories, counting 2 bytes a "
                    "level, but the NUL takes one more: a buffer that fills exactly ends the walk below the root, "
                    "and the path returned lacks its first components.",
                )
            )
            break
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
