"""namei: the path walk, one component at a time through cache_lookup (§1.11).

On a miss the file system's VOP_LOOKUP answers, and its answer is entered (positive, or negative on
ENOENT) when MAKEENTRY is set. Each component is its own event, so the walk can be watched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from model.events import Event
from model.limits import NAME_MAX, PATH_MAX, path_bytes
from model.vfs.lifecycle import QUIET
from model.vfs.nchash import CREATE, DELETE, LOOKUP, MISS, RENAME
from model.vfs.vnode import VDIR, Vnode
from model.vfs.vnops import vop_lookup
from model.vfs.walk_events import NameiStartEvent

if TYPE_CHECKING:
    from model.vfs.vfs import Vfs


@dataclass(slots=True)
class NameiResult:
    """What namei hands back: the vnode (referenced) or None, the parent (referenced if asked), the errno."""

    vp: Vnode | None
    dvp: Vnode | None
    name: str
    errno: str | None
    events: list[Event] = field(default_factory=list)


def wants_entry(nameiop: str, islastcn: bool, wantparent: bool) -> bool:
    """MAKEENTRY: every component but a last one of DELETE/RENAME, or of a wantparent non-CREATE walk."""
    if not islastcn:
        return True
    if nameiop in (DELETE, RENAME):
        return False
    return not (wantparent and nameiop != CREATE)


def namei(
    vfs: Vfs,
    path: str,
    *,
    nameiop: str = LOOKUP,
    wantparent: bool = False,
    atdir: Vnode | None = None,
    lockleaf: bool = True,
    lockparent: bool | None = None,
) -> NameiResult:
    """Walk `path` from the root (absolute), else from `atdir` (ni_atdir: a descriptor's directory, as
    fd_nameiat sets it for the *at calls, §1.12) or the cwd; see the module docstring.

    Locks as NetBSD's lookup() takes them: the directory being searched is locked, each component's vnode
    comes back from cache_lookup or VOP_LOOKUP referenced *and locked* (§1.4), and the directory is
    released with vput before the walk moves on. The result is locked with LOCKLEAF (`lockleaf`, the
    default) and its parent, when wanted, with LOCKPARENT (`lockparent`, by default as `wantparent`):
    the caller releases each with vput, or unlocks what it keeps.
    """
    if lockparent is None:
        lockparent = wantparent
    size = path_bytes(path)
    if size >= PATH_MAX:  # copyinstr fails: nothing is walked
        shown = path if len(path) <= 60 else path[:57] + "..."
        text = f"namei {nameiop} {shown!r}: {size} bytes, MAXPATHLEN is {PATH_MAX} with the NUL"
        return NameiResult(None, None, "", "ENAMETOOLONG", [Event("namei.start", text, func="namei")])
    relative_to = atdir if atdir is not None and not path.startswith("/") else None
    events: list[Event] = [NameiStartEvent(nameiop, path, None if relative_to is None else relative_to.id)]
    if not path:
        return NameiResult(None, None, "", "ENOENT", events)
    components = [c for c in path.split("/") if c]
    dvp = vfs.rootvnode if path.startswith("/") else (relative_to or vfs.cwd)
    events += vfs.vref(dvp, QUIET)
    events += vfs.vn_lock(dvp, QUIET)
    if not components:  # "/" itself
        if wantparent:
            events += vfs.vput(dvp, QUIET)
            return NameiResult(None, None, "", "EISDIR" if nameiop != LOOKUP else "EINVAL", events)
        return _result(vfs, dvp, None, "", events, lockleaf, lockparent)
    last = len(components) - 1
    one_byte_chars = size == len(path)  # then a component's length in bytes is its len(), no encoding
    for index, name in enumerate(components):
        islastcn = index == last
        if (len(name) if one_byte_chars else path_bytes(name)) > NAME_MAX:
            events += vfs.vput(dvp, QUIET)
            return NameiResult(None, None, name, "ENAMETOOLONG", events)
        if dvp.type != VDIR:
            events.append(Event("namei.notdir", f"{dvp.id} is not a directory", refs=(dvp.id,), errno="ENOTDIR"))
            events += vfs.vput(dvp, QUIET)
            return NameiResult(None, None, name, "ENOTDIR", events)
        if name == ".." and dvp is vfs.rootvnode:
            if not islastcn:
                continue  # ".." at the root is the root
            # The last component: the root is the result (vfs_lookup.c: ni_vp = ni_dvp = dp, VREF(dp)).
            if wantparent:
                events += vfs.vref(dvp, QUIET)
                return _result(vfs, dvp, dvp, name, events, lockleaf, lockparent)
            return _result(vfs, dvp, None, name, events, lockleaf, lockparent)
        if name == ".." and dvp.mount is not None and vfs.mounts[dvp.mount].root is dvp:
            covered = vfs.mounts[dvp.mount].covered
            assert covered is not None
            events.append(
                Event(
                    "namei.crossmount",
                    f"'..' at the root of {dvp.mount}: continue from covered {covered.id}",
                    refs=(dvp.id, covered.id),
                    func="lookup",
                )
            )
            events += vfs.vref(covered, QUIET)
            events += vfs.vput(dvp, QUIET)
            events += vfs.vn_lock(covered, QUIET)
            dvp = covered
        vp, errno, step_events = lookup_once(vfs, dvp, name, nameiop, islastcn, wantparent)
        events += step_events
        if errno is not None:
            events += vfs.vput(dvp, QUIET)
            return NameiResult(None, None, name, errno, events)
        if vp is None:  # last component of CREATE/RENAME that does not exist: the parent is returned
            if not lockparent:
                events += vfs.vop_unlock(dvp, QUIET)
            return NameiResult(None, dvp, name, None, events)
        if vp.mountedhere is not None:  # tested here: a walk crosses a mount point rarely, and per component
            vp, cross_events = _cross_mounts(vfs, vp)
            events += cross_events
        if islastcn:
            if wantparent:
                return _result(vfs, vp, dvp, name, events, lockleaf, lockparent)
            events += _put_parent(vfs, dvp, vp)
            return _result(vfs, vp, None, name, events, lockleaf, lockparent)
        events += _put_parent(vfs, dvp, vp)
        dvp = vp
    raise AssertionError("unreachable")  # pragma: no cover


def _put_parent(vfs: Vfs, dvp: Vnode, vp: Vnode) -> list[Event]:
    """Release the directory the walk leaves: vput, or only vrele when it is the vnode found ("."), whose
    lock the walk keeps."""
    return vfs.vrele(dvp, "vrele", QUIET) if vp is dvp else vfs.vput(dvp, QUIET)


def _result(
    vfs: Vfs, vp: Vnode, dvp: Vnode | None, name: str, events: list[Event], lockleaf: bool, lockparent: bool
) -> NameiResult:
    """namei's answer, with the locks its caller asked for: without LOCKLEAF the vnode is unlocked, and a
    parent without LOCKPARENT too (one lock when the two are the same vnode, as '.' makes them)."""
    keep = lockleaf or (dvp is vp and lockparent)
    if not keep:
        events += vfs.vop_unlock(vp, QUIET)
    if dvp is not None and dvp is not vp and not lockparent:
        events += vfs.vop_unlock(dvp, QUIET)
    return NameiResult(vp, dvp, name, None, events)


def lookup_once(
    vfs: Vfs, dvp: Vnode, name: str, nameiop: str, islastcn: bool, wantparent: bool
) -> tuple[Vnode | None, str | None, list[Event]]:
    """One component: cache_lookup, then VOP_LOOKUP (which enters its answer) on a miss. (vp, errno, events)."""
    makeentry = wants_entry(nameiop, islastcn, wantparent)
    cache = vfs.namecache
    ret, entry, events = cache.cache_lookup(dvp, name, nameiop, makeentry, islastcn)  # positional: an inlined call
    if ret == 0 and entry is not None and entry.vp is not None:
        vp = entry.vp  # a good hit: cache_lookup's vget and vn_lock(vp, LK_EXCLUSIVE) ("." keeps dvp's lock)
        events += vfs.vref(vp, QUIET)
        if vp is not dvp:
            events += vfs.vn_lock(vp, QUIET)
        return vp, None, events
    if ret == "ENOENT":
        return None, "ENOENT", events
    if ret != MISS:  # pragma: no cover - cache_lookup returns only these
        raise AssertionError(ret)
    vp, errno, lookup_events = vop_lookup(vfs, dvp, name, nameiop, islastcn, makeentry)  # positional: inlined
    events += lookup_events
    if vp is not None and vp is not dvp:  # VOP_LOOKUP returns *vpp locked too
        events += vfs.vn_lock(vp, QUIET)
    return vp, errno, events


def _cross_mounts(vfs: Vfs, vp: Vnode) -> tuple[Vnode, list[Event]]:
    """A directory with a file system mounted on it continues at that file system's root."""
    events: list[Event] = []
    while vp.mountedhere is not None:
        root = vfs.mounts[vp.mountedhere].root
        assert root is not None
        events.append(
            Event(
                "namei.crossmount",
                f"{vp.id} is covered by {vp.mountedhere}: continue at its root {root.id}",
                refs=(vp.id, root.id, vp.mountedhere),
                func="lookup",
            )
        )
        events += vfs.vref(root, QUIET)
        events += vfs.vput(vp, QUIET)
        events += vfs.vn_lock(root, QUIET)
        vp = root
    return vp, events
