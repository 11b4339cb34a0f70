"""Verbs of the VFS part: namei walks, the name cache (namecache(9)) and the vnode life cycle."""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.errors import OpError
from model.events import Event
from model.fs import DEFAULT_TREE, DIR, REG, validate_tree
from model.namecache import CREATE, DELETE, MISS, RENAME
from model.namei import NameiResult, namei
from model.ops import COUNT, NAME, PATH, ArgKind, Param, choice_kind, command, id_kind
from model.parts import ConfigKey, Mechanism, at_most, one_of, positive_int, power_of_two, register
from model.vfs import FREEBSD4, FREEBSD5, FSTYPES, Vfs
from model.vnode import ACTIVE, DEAD, RECLAIMED, VDIR, Vnode

if TYPE_CHECKING:
    from model.system import System

MAX_BUCKETS = 1 << 16
"""The largest hash tables a scenario may ask for: they are allocated whole when the machine is built."""

register(
    Mechanism(
        "vfs",
        lambda config: Vfs(config),
        order=10,
        config=(
            ConfigKey("nchash", 16, at_most(MAX_BUCKETS, power_of_two), "buckets in nchashtbl (a power of two)"),
            ConfigKey(
                "ncvhash",
                8,
                at_most(MAX_BUCKETS, power_of_two),
                "buckets in ncvhashtbl, for reverse lookups (a power of two)",
            ),
            ConfigKey("namecache_max", 32, positive_int, "name-cache entries before the LRU head is reused"),
            ConfigKey("desiredvnodes", 16, positive_int, "vnodes before getnewvnode recycles the free-list head"),
            ConfigKey(
                "vnode_protocol",
                FREEBSD4,
                one_of(FREEBSD4, FREEBSD5),
                "VOP_INACTIVE lock protocol: freebsd4 (the man page: the fs unlocks) or freebsd5",
            ),
            ConfigKey("tree", DEFAULT_TREE, validate_tree, "the root file system's paths; directories end in /"),
            ConfigKey("page_size", 4096, power_of_two, "page size of the page cache, in bytes"),
        ),
    )
)

GETCWD_MAX = 1024 * 4
"""MAXPATHLEN * 4: NetBSD's getcwd uses a buffer at most this long, whatever size the caller gives."""

VNODE = id_kind("vp", "a vnode")
MOUNT = id_kind("mnt", "a mount")


def _target(text: str) -> str | None:
    if text == "-":
        return None
    return VNODE.convert(text)


TARGET = ArgKind("VPN|-", _target, lambda v: "-" if v is None else v)
FSTYPE = choice_kind("FSTYPE", FSTYPES)


def _vfs(system: System) -> Vfs:
    return system.part("vfs")


def file_result(verb: str, path: str, errno: str | None, text: str, refs: tuple[str, ...] = ()) -> Event:
    """The closing event of a path verb: its return value and errno, as the syscall would give them."""
    if errno:
        return Event(f"vfs.{verb}", f"{verb} {path}: {errno}", refs=refs, func=verb, ret=-1, errno=errno)
    return Event(f"vfs.{verb}", f"{verb} {path}: {text}", refs=refs, func=verb, ret=0)


def release(vfs: Vfs, *vnodes: Vnode | None) -> list[Event]:
    events: list[Event] = []
    for vp in vnodes:
        if vp is not None:
            events += vfs.vrele(vp, quiet=True)
    return events


def _usable(vfs: Vfs, ref: str) -> Vnode:
    vp = vfs.vnode(ref)
    if vp.state in (RECLAIMED, DEAD) or vp.ino is None:
        raise OpError(f"{vp.id} is {vp.state}: it stands for no file", refs=(vp.id,))
    return vp


# -- path walks --------------------------------------------------------------------------------------


@command(
    "lookup",
    Param("path", PATH),
    summary="namei walk of PATH through the name cache, then release",
    part="vfs",
    example="lookup /usr/bin/cc",
)
def lookup(system: System, path: str) -> list[Event]:
    vfs = _vfs(system)
    r = namei(vfs, path)
    events = r.events
    if r.vp is not None:
        events.append(file_result("lookup", path, None, f"{r.vp.id}", (r.vp.id,)))
        events += release(vfs, r.vp)
        return events
    events.append(file_result("lookup", path, r.errno, ""))
    return events


@command(
    "open",
    Param("path", PATH),
    summary="open PATH: namei, and the vnode keeps a use reference",
    part="vfs",
    example="open /etc/passwd",
)
def open_(system: System, path: str) -> list[Event]:
    vfs = _vfs(system)
    r = namei(vfs, path)
    if r.vp is None:
        return [*r.events, file_result("open", path, r.errno, "")]
    vfs.hold(r.vp)
    return [
        *r.events,
        file_result(
            "open", path, None, f"{r.vp.id} (usecount {r.vp.usecount}); close it with 'close {r.vp.id}'", (r.vp.id,)
        ),
    ]


@command(
    "close",
    Param("vp", VNODE),
    summary="close: drop a use reference (vrele); the last one runs VOP_INACTIVE",
    part="vfs",
    example="close vp5",
)
def close(system: System, vp: str) -> list[Event]:
    vfs = _vfs(system)
    vnode = vfs.vnode(vp)
    vfs.unhold(vnode, "close")
    return vfs.vrele(vnode)


def _create(system: System, path: str, itype: str, verb: str, vop: str) -> list[Event]:
    vfs = _vfs(system)
    r = namei(vfs, path, nameiop=CREATE, wantparent=True)
    events = r.events
    if r.errno:
        return [*events, file_result(verb, path, r.errno, "")]
    if r.vp is not None:
        return [*events, *release(vfs, r.vp, r.dvp), file_result(verb, path, "EEXIST", "")]
    dvp = r.dvp
    assert dvp is not None and dvp.mount is not None and dvp.ino is not None
    mount = vfs.mounts[dvp.mount]
    ino = mount.fs.create(dvp.ino, r.name, itype)
    vp, vnode_events = vfs.vnode_for(mount, ino)
    events.append(
        Event(
            "vfs.create",
            f"{vop}({dvp.id}, {r.name!r}): inode {ino} -> {vp.id}",
            refs=(dvp.id, vp.id),
            func=vop,
            explain="No name-cache entry is made for a name just created; the next lookup will miss once and enter it.",
        )
    )
    events += vnode_events
    events.append(file_result(verb, path, None, vp.id, (vp.id,)))
    return events + release(vfs, dvp) + vfs.vrele(vp)


@command(
    "create",
    Param("path", PATH),
    summary="create a regular file (creat + close)",
    part="vfs",
    example="create /tmp/new",
)
def create(system: System, path: str) -> list[Event]:
    return _create(system, path, REG, "create", "VOP_CREATE")


@command("mkdir", Param("path", PATH), summary="create a directory", part="vfs", example="mkdir /tmp/d")
def mkdir(system: System, path: str) -> list[Event]:
    return _create(system, path, DIR, "mkdir", "VOP_MKDIR")


@command(
    "unlink",
    Param("path", PATH),
    summary="remove a name; the file's space goes when its last user lets go",
    part="vfs",
    example="unlink /tmp/new",
)
def unlink(system: System, path: str) -> list[Event]:
    vfs = _vfs(system)
    r = namei(vfs, path, nameiop=DELETE, wantparent=True)
    events = r.events
    if r.errno or r.vp is None:
        return [*events, *release(vfs, r.dvp), file_result("unlink", path, r.errno or "ENOENT", "")]
    vp, dvp = r.vp, r.dvp
    assert dvp is not None and dvp.ino is not None
    if vp.type == VDIR:
        return [*events, *release(vfs, vp, dvp), file_result("unlink", path, "EPERM", "")]
    fs = vfs.fs_of(dvp)
    fs.unlink(dvp.ino, r.name)
    assert vp.ino is not None
    nlink = fs.inode(vp.ino).nlink
    still_open = vp.usecount > 1
    events.append(
        Event(
            "vfs.remove",
            f"VOP_REMOVE({dvp.id}, {r.name!r}): {vp.id} link count {nlink}"
            + (f", still open (usecount {vp.usecount - 1})" if still_open else ""),
            refs=(dvp.id, vp.id),
            func="VOP_REMOVE",
            explain="Open but deleted: the file lives on, nameless, until its last close."
            if still_open and nlink == 0
            else "",
        )
    )
    events.append(file_result("unlink", path, None, "removed", (vp.id,)))
    return events + release(vfs, dvp) + vfs.vrele(vp, quiet=True)


@command(
    "rename",
    Param("old", PATH),
    Param("new", PATH),
    summary="rename OLD to NEW; cache_purge on the moved vnode",
    part="vfs",
    example="rename /tmp/a /tmp/b",
)
def rename(system: System, old: str, new: str) -> list[Event]:
    vfs = _vfs(system)
    if any(_last_component(p) in (".", "..") for p in (old, new)):
        return [file_result("rename", f"{old} {new}", "EINVAL", "")]  # rename(2): a last component . or ..
    f = namei(vfs, old, nameiop=DELETE, wantparent=True)
    events = f.events
    if f.errno or f.vp is None:
        return [*events, *release(vfs, f.dvp), file_result("rename", old, f.errno or "ENOENT", "")]
    t = namei(vfs, new, nameiop=RENAME, wantparent=True)
    events += t.events
    fvp, fdvp, tvp, tdvp = f.vp, f.dvp, t.vp, t.dvp
    errno = t.errno or _rename_errno(vfs, f, t)
    if errno:
        return [*events, *release(vfs, fvp, fdvp, tvp, tdvp), file_result("rename", f"{old} {new}", errno, "")]
    assert fdvp is not None and tdvp is not None and fdvp.ino is not None and tdvp.ino is not None
    fs = vfs.fs_of(fdvp)
    if tvp is fvp:
        return [*events, *release(vfs, fvp, fdvp, tvp, tdvp), file_result("rename", f"{old} {new}", None, "same file")]
    if tvp is not None:
        fs.unlink(tdvp.ino, t.name)
        events += vfs.namecache.cache_purge(tvp)
    fs.rename(fdvp.ino, f.name, tdvp.ino, t.name)
    events.append(
        Event(
            "vfs.rename",
            f"VOP_RENAME: {fvp.id} is now {t.name!r} in {tdvp.id}",
            refs=(fvp.id, fdvp.id, tdvp.id),
            func="VOP_RENAME",
            explain="Names that led to the moved vnode, and names under it, may now be wrong: "
            "cache_purge drops them all.",
        )
    )
    events += vfs.namecache.cache_purge(fvp)
    events.append(file_result("rename", f"{old} {new}", None, "done", (fvp.id,)))
    return events + release(vfs, fdvp, tdvp, fvp) + (vfs.vrele(tvp, quiet=True) if tvp is not None else [])


def _last_component(path: str) -> str:
    parts = [c for c in path.split("/") if c]
    return parts[-1] if parts else "."


def _rename_errno(vfs: Vfs, f: NameiResult, t: NameiResult) -> str | None:
    fvp, tvp, tdvp = f.vp, t.vp, t.dvp
    assert fvp is not None and tdvp is not None
    if any(v is not None and v.ino is None for v in (fvp, f.dvp, tvp, tdvp)):
        return "EXDEV"  # one was reclaimed by the second walk (a VXLOCKed vnode's vgone): deadfs's dead_rename
    if fvp.mount != tdvp.mount:
        return "EXDEV"
    if tvp is not None and tvp is not fvp:
        if (fvp.type == VDIR) != (tvp.type == VDIR):
            return "EISDIR" if tvp.type == VDIR else "ENOTDIR"
        if tvp.type == VDIR and tvp.ino is not None and vfs.fs_of(tvp).inode(tvp.ino).entries:
            return "ENOTEMPTY"
    moves_into_itself = fvp.type == VDIR and fvp.ino is not None and tdvp.ino is not None
    if moves_into_itself and vfs.fs_of(fvp).is_ancestor(fvp.ino, tdvp.ino):  # type: ignore[arg-type]
        return "EINVAL"
    return None


@command(
    "cd",
    Param("path", PATH),
    summary="change the working directory (relative paths start there)",
    part="vfs",
    example="cd /usr",
)
def cd(system: System, path: str) -> list[Event]:
    vfs = _vfs(system)
    r = namei(vfs, path)
    if r.vp is None:
        return [*r.events, file_result("chdir", path, r.errno, "")]
    if r.vp.type != VDIR:
        return [*r.events, *release(vfs, r.vp), file_result("chdir", path, "ENOTDIR", "")]
    old, vfs.cwd = vfs.cwd, r.vp
    return [*r.events, file_result("chdir", path, None, f"cwd is {r.vp.id}", (r.vp.id,)), *release(vfs, old)]


@command(
    "whiteout",
    Param("path", PATH),
    summary="put a whiteout for PATH on disk (as a union mount does)",
    part="vfs",
    example="whiteout /etc/motd",
)
def whiteout(system: System, path: str) -> list[Event]:
    vfs = _vfs(system)
    r = namei(vfs, path, nameiop=CREATE, wantparent=True)
    if r.errno or r.vp is not None:
        return [*r.events, *release(vfs, r.vp, r.dvp), file_result("whiteout", path, r.errno or "EEXIST", "")]
    dvp = r.dvp
    assert dvp is not None and dvp.ino is not None
    vfs.fs_of(dvp).inode(dvp.ino).whiteouts.add(r.name)
    return [
        *r.events,
        Event(
            "vfs.whiteout", f"VOP_WHITEOUT({dvp.id}, {r.name!r}): whiteout made", refs=(dvp.id,), func="VOP_WHITEOUT"
        ),
        *release(vfs, dvp),
    ]


# -- the name cache directly ---------------------------------------------------------------------------


@command(
    "enter",
    Param("dvp", VNODE),
    Param("name", NAME),
    Param("vp", TARGET),
    Param("w", flag=True),
    summary="cache_enter (DVP, NAME) -> VP, or - for a negative entry (-w: whiteout)",
    part="vfs",
    example="enter vp1 ghost -",
)
def enter(system: System, dvp: str, name: str, vp: str | None, w: bool) -> list[Event]:
    vfs = _vfs(system)
    directory = _usable(vfs, dvp)
    if directory.type != VDIR:
        raise OpError(f"{dvp} is not a directory", refs=(dvp,))
    target = _usable(vfs, vp) if vp is not None else None
    return vfs.namecache.cache_enter(directory, target, name, whiteout=w)


@command(
    "revlookup",
    Param("vp", VNODE),
    Param("bufsize", COUNT, optional=True, default=64),
    summary="getcwd by cache_revlookup: build VP's path backwards in a BUFSIZE buffer",
    part="vfs",
    example="revlookup vp4 16",
)
def revlookup(system: System, vp: str, bufsize: int) -> list[Event]:
    vfs = _vfs(system)
    vnode = _usable(vfs, vp)
    if bufsize < 2:
        raise OpError("BUFSIZE must be at least 2 (a '/' and the NUL)")
    bufsize = min(bufsize, GETCWD_MAX)  # sys___getcwd: if (len > MAXPATHLEN * 4) len = MAXPATHLEN * 4;
    buf = bytearray(b"." * bufsize)
    bp = bufsize - 1
    buf[bp] = 0
    events: list[Event] = []
    for _ in range(256):
        if vnode is vfs.rootvnode:
            break
        mount = vfs.mount_of(vnode)
        if mount is not None and mount.root is vnode and mount.covered is not None:
            vnode = mount.covered
            continue
        ret, parent, bp, event = vfs.namecache.cache_revlookup(vnode, buf, bp)
        events.append(event)
        if ret == "ERANGE":
            return [*events, _getcwd_event(vp, buf, bp, -1, "ERANGE")]
        if ret == MISS or parent is None:
            return [*events, _getcwd_event(vp, buf, bp, -1, None)]
        bp -= 1
        if bp <= 0:
            return [*events, _getcwd_event(vp, buf, bp + 1, -1, "ERANGE")]
        buf[bp] = ord("/")
        vnode = parent
    if bp == bufsize - 1:
        bp -= 1
        buf[bp] = ord("/")
    return [*events, _getcwd_event(vp, buf, bp, 0, None)]


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


@command(
    "purge",
    Param("vp", VNODE),
    summary="cache_purge: drop every name of VP and every name under it",
    part="vfs",
    example="purge vp3",
)
def purge(system: System, vp: str) -> list[Event]:
    vfs = _vfs(system)
    return vfs.namecache.cache_purge(vfs.vnode(vp))


@command(
    "purgevfs",
    Param("mnt", MOUNT),
    summary="cache_purgevfs: drop every entry whose directory is on MNT",
    part="vfs",
    example="purgevfs mnt1",
)
def purgevfs(system: System, mnt: str) -> list[Event]:
    vfs = _vfs(system)
    return vfs.namecache.cache_purgevfs(vfs.mount_by_id(mnt).id)


@command(
    "print",
    Param("vp", VNODE),
    summary="namecache_print: the names of VP, then of its parent (DDB format)",
    part="vfs",
    example="print vp5",
)
def print_(system: System, vp: str) -> list[Event]:
    vfs = _vfs(system)
    vnode = vfs.vnode(vp)
    return [
        Event("namecache.print", line, refs=(vnode.id,), func="namecache_print")
        for line in vfs.namecache.namecache_print(vnode)
    ]


# -- vnode life cycle -----------------------------------------------------------------------------------


@command(
    "recycle",
    Param("vp", VNODE),
    summary="recycle an unused vnode now: VOP_RECLAIM, which calls cache_purge",
    part="vfs",
    example="recycle vp6",
)
def recycle(system: System, vp: str) -> list[Event]:
    vfs = _vfs(system)
    vnode = vfs.vnode(vp)
    if vnode.state == ACTIVE or vnode.state == DEAD:
        raise OpError(
            f"{vp} is in use (usecount {vnode.usecount})",
            refs=(vp,),
            hint="only a vnode on the free list can be recycled; close it first",
        )
    if vnode.state == RECLAIMED:
        raise OpError(f"{vp} is already reclaimed", refs=(vp,))
    return vfs.vrecycle(vnode)


def _vnode_verb(name: str, summary: str, method: str) -> None:
    @command(name, Param("vp", VNODE), summary=summary, part="vfs", example=f"{name} vp3")
    def handler(system: System, vp: str) -> list[Event]:
        vfs = _vfs(system)
        vnode = vfs.vnode(vp)
        if vnode.state == RECLAIMED:
            raise OpError(f"{vp} is reclaimed: it stands for no file", refs=(vp,))
        if method in ("vrele", "vput"):
            vfs.unhold(vnode, name)
        events = getattr(vfs, method)(vnode)
        if method == "vref":
            vfs.hold(vnode)
        return events


_vnode_verb("vref", "vref: take a use reference", "vref")
_vnode_verb("vrele", "vrele: drop a use reference (vnode unlocked)", "vrele")
_vnode_verb("vput", "vput: unlock and drop a use reference (vnode locked)", "vput")
_vnode_verb("lock", "vn_lock: lock the vnode exclusively", "vn_lock")
_vnode_verb("unlock", "VOP_UNLOCK: unlock the vnode", "vop_unlock")


@command(
    "xlock",
    Param("vp", VNODE),
    summary="mark VP as being reclaimed (VXLOCK), as another CPU would: vget fails",
    part="vfs",
    example="xlock vp4",
)
def xlock(system: System, vp: str) -> list[Event]:
    vfs = _vfs(system)
    vnode = _usable(vfs, vp)
    held = next((m for m in vfs.mounts.values() if vnode in (m.root, m.covered)), None)
    if held is not None:
        role = "the root" if vnode is held.root else "the mount point"
        raise OpError(f"{vp} is {role} of {held.id}: it is not reclaimed while mounted", refs=(vp, held.id),
                      hint="xlock a vnode that lookups reach through a name, e.g. one 'lookup' returned")  # fmt: skip
    vnode.xlock = not vnode.xlock
    state = "set: lookups that hit it are false hits" if vnode.xlock else "cleared"
    return [Event("vnode.xlock", f"VXLOCK on {vp} {state}", refs=(vp,), func="vgonel")]


# -- mounts --------------------------------------------------------------------------------------------


@command(
    "mount",
    Param("path", PATH),
    Param("fstype", FSTYPE, keyword=True, default="ffs"),
    summary="mount a new empty file system on directory PATH (fstype=ffs|tmpfs|puffs|badfs)",
    part="vfs",
    example="mount /mnt fstype=tmpfs",
)
def mount(system: System, path: str, fstype: str) -> list[Event]:
    vfs = _vfs(system)
    r = namei(vfs, path)
    if r.vp is None:
        return [*r.events, file_result("mount", path, r.errno, "")]
    if r.vp.type != VDIR:
        return [*r.events, *release(vfs, r.vp), file_result("mount", path, "ENOTDIR", "")]
    if r.vp is vfs.rootvnode or any(m.root is r.vp for m in vfs.mounts.values()):
        return [*r.events, *release(vfs, r.vp), file_result("mount", path, "EBUSY", "")]
    _, events = vfs.mount(r.vp, path, fstype)
    return r.events + events


@command(
    "unmount",
    Param("mnt", MOUNT),
    Param("f", flag=True),
    summary="unmount MNT: cache_purgevfs and reclaim its vnodes (-f: even those in use)",
    part="vfs",
    example="unmount mnt1 -f",
)
def unmount(system: System, mnt: str, f: bool) -> list[Event]:
    vfs = _vfs(system)
    return vfs.unmount(vfs.mount_by_id(mnt), force=f)
