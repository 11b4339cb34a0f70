"""The vnode operations of the model's file systems (ufs_vnops.c): VOP_LOOKUP, VOP_CREATE, VOP_MKDIR,
VOP_REMOVE, VOP_RMDIR, VOP_RENAME, VOP_WHITEOUT. Each changes the disk (`model.vfs.fs`) and says what it
did; the name-cache calls they make are the ones their NetBSD counterparts make (§1.11).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.events import Event
from model.vfs.fs import DIR, REG
from model.vfs.nchash import CREATE, RENAME
from model.vfs.vnode import Vnode
from model.vfs.walk_events import VopLookupFoundEvent

if TYPE_CHECKING:
    from model.vfs.vfs import Vfs


def vop_lookup(
    vfs: Vfs, dvp: Vnode, name: str, nameiop: str, islastcn: bool, makeentry: bool
) -> tuple[Vnode | None, str | None, list[Event]]:
    """VOP_LOOKUP after a cache miss: ask the disk, and cache_enter the answer (negative on ENOENT) when
    MAKEENTRY is set. Returns (the vnode referenced, or None; the errno; events)."""
    cache = vfs.namecache
    events: list[Event] = []
    fs = vfs.fs_of(dvp)
    assert dvp.ino is not None and dvp.mount is not None
    ino, whiteout = fs.lookup(dvp.ino, name)
    mount = vfs.mounts[dvp.mount]
    if ino is None:
        creating = islastcn and nameiop in (CREATE, RENAME)
        flag = " (a whiteout)" if whiteout else ""
        events.append(
            Event(
                "vfs.vop_lookup",
                f"VOP_LOOKUP({dvp.id}, {name!r}): not on disk{flag}",
                refs=(dvp.id,),
                func="VOP_LOOKUP",
                errno=None if creating else "ENOENT",
            )
        )
        if makeentry and not (islastcn and nameiop == CREATE):
            events += cache.cache_enter(dvp, None, name, whiteout=whiteout)
        return None, None if creating else "ENOENT", events
    vp, vnode_events = vfs.vfs_vget(mount, ino) if ino != dvp.ino else (dvp, vfs.vref(dvp, quiet=True))
    events.append(VopLookupFoundEvent(dvp.id, name, ino, vp.id, not vnode_events))
    events += vnode_events
    if makeentry:
        events += cache.cache_enter(dvp, vp, name)
    return vp, None, events


def vop_create(vfs: Vfs, dvp: Vnode, name: str) -> tuple[Vnode, list[Event]]:
    """VOP_CREATE: a new regular file `name` in directory `dvp`; its vnode comes back referenced."""
    return _make(vfs, dvp, name, REG, "VOP_CREATE")


def vop_mkdir(vfs: Vfs, dvp: Vnode, name: str) -> tuple[Vnode, list[Event]]:
    """VOP_MKDIR: a new directory `name` in directory `dvp`; its vnode comes back referenced."""
    return _make(vfs, dvp, name, DIR, "VOP_MKDIR")


def _make(vfs: Vfs, dvp: Vnode, name: str, itype: str, vop: str) -> tuple[Vnode, list[Event]]:
    assert dvp.mount is not None and dvp.ino is not None
    mount = vfs.mounts[dvp.mount]
    ino = mount.fs.create(dvp.ino, name, itype)
    vp, vnode_events = vfs.vfs_vget(mount, ino)
    event = Event(
        "vfs.create",
        f"{vop}({dvp.id}, {name!r}): inode {ino} -> {vp.id}",
        refs=(dvp.id, vp.id),
        func=vop,
        changed=(dvp.id,),
        explain="No name-cache entry is made for a name just created; the next lookup will miss once and enter it.",
    )
    return vp, [event, *vnode_events]


def vop_remove(vfs: Vfs, dvp: Vnode, vp: Vnode, name: str) -> list[Event]:
    """VOP_REMOVE: the name goes from the directory; the file lives on while it is open (link count 0)."""
    assert dvp.ino is not None and vp.ino is not None
    fs = vfs.fs_of(dvp)
    fs.unlink(dvp.ino, name)
    nlink = fs.inode(vp.ino).nlink
    still_open = vp.usecount > 1
    return [
        Event(
            "vfs.remove",
            f"VOP_REMOVE({dvp.id}, {name!r}): {vp.id} link count {nlink}"
            + (f", still open (usecount {vp.usecount - 1})" if still_open else ""),
            refs=(dvp.id, vp.id),
            func="VOP_REMOVE",
            changed=(dvp.id, vp.id),
            data={"vnode": vp.id, "nlink": nlink, "usecount": vp.usecount - 1},
            explain="Open but deleted: the file lives on, nameless, until its last close."
            if still_open and nlink == 0
            else "",
        )
    ]


def vop_rmdir(vfs: Vfs, dvp: Vnode, vp: Vnode, name: str) -> list[Event]:
    """VOP_RMDIR: an empty directory goes, and with it every name cached for it or under it (cache_purge)."""
    assert dvp.ino is not None
    vfs.fs_of(dvp).unlink(dvp.ino, name)
    event = Event(
        "vfs.remove",
        f"VOP_RMDIR({dvp.id}, {name!r}): {vp.id} removed",
        refs=(dvp.id, vp.id),
        func="VOP_RMDIR",
        changed=(dvp.id, vp.id),
        explain="The directory's own names and the names cached under it (negative ones too) go with it.",
    )
    return [event, *vfs.namecache.cache_purge(vp)]


def vop_rename(
    vfs: Vfs, fdvp: Vnode, fvp: Vnode, fname: str, tdvp: Vnode, tvp: Vnode | None, tname: str
) -> list[Event]:
    """VOP_RENAME: `fname` in `fdvp` becomes `tname` in `tdvp`, replacing `tvp`; both vnodes are cache_purged."""
    assert fdvp.ino is not None and tdvp.ino is not None
    fs = vfs.fs_of(fdvp)
    events: list[Event] = []
    if tvp is not None:
        fs.unlink(tdvp.ino, tname)
        events += vfs.namecache.cache_purge(tvp)
    fs.rename(fdvp.ino, fname, tdvp.ino, tname)
    events.append(
        Event(
            "vfs.rename",
            f"VOP_RENAME: {fvp.id} is now {tname!r} in {tdvp.id}",
            refs=(fvp.id, fdvp.id, tdvp.id),
            func="VOP_RENAME",
            changed=(fvp.id, fdvp.id, tdvp.id),
            explain="Names that led to the moved vnode, and names under it, may now be wrong: "
            "cache_purge drops them all.",
        )
    )
    return events + vfs.namecache.cache_purge(fvp)


def vop_whiteout(vfs: Vfs, dvp: Vnode, name: str) -> list[Event]:
    """VOP_WHITEOUT(CREATE): a whiteout for `name` in `dvp`, as a union mount makes to hide a lower file."""
    assert dvp.ino is not None
    vfs.fs_of(dvp).inode(dvp.ino).whiteouts.add(name)
    return [
        Event(
            "vfs.whiteout",
            f"VOP_WHITEOUT({dvp.id}, {name!r}): whiteout made",
            refs=(dvp.id,),
            func="VOP_WHITEOUT",
            changed=(dvp.id,),
        )
    ]
