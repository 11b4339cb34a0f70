"""System calls on paths: each walks with namei, calls the vnode operations, and releases what it holds.

The result event of each (`vfs.<call>`) carries the call's return value and errno as the syscall would
give them. The page-cache calls (read, write, truncate) go through the vnode's `PageCache`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from model.errors import OpError
from model.events import Event
from model.vfs.fdtable import fd_affix
from model.vfs.lifecycle import QUIET
from model.vfs.namei import NameiResult, namei
from model.vfs.nchash import CREATE, DELETE, RENAME
from model.vfs.vnode import VDIR, VREG, Vnode
from model.vfs.vnops import vop_create, vop_mkdir, vop_remove, vop_rename, vop_rmdir, vop_whiteout
from model.vfs.walk_events import LookupResultEvent

if TYPE_CHECKING:
    from model.vfs.pagecache import PageCache
    from model.vfs.vfs import Vfs


def file_result(
    verb: str, path: str, errno: str | None, text: str, refs: tuple[str, ...] = (), *, changed: tuple[str, ...] = ()
) -> Event:
    """The closing event of a path call: its return value and errno, as the syscall would give them;
    `changed` names what the call itself changed (the vnode `open` keeps a reference on)."""
    if errno:
        return Event(f"vfs.{verb}", f"{verb} {path}: {errno}", refs=refs, func=verb, ret=-1, errno=errno)
    return Event(f"vfs.{verb}", f"{verb} {path}: {text}", refs=refs, func=verb, ret=0, changed=changed)


def release(vfs: Vfs, *vnodes: Vnode | None) -> list[Event]:
    """Release each vnode namei handed back, quietly (the walk's own references): vput while it is still
    locked (LOCKLEAF, LOCKPARENT), vrele once unlocked, so a vnode named twice ('.') is unlocked once."""
    events: list[Event] = []
    for vp in vnodes:
        if vp is not None:
            events += vfs.vput(vp, QUIET) if vp.locked else vfs.vrele(vp, "vrele", QUIET)
    return events


def lookup(vfs: Vfs, path: str, at: Vnode | None = None) -> list[Event]:
    """A namei walk of `path` through the name cache, then release: what every path call starts with.

    `at` is the directory a relative path starts from (a descriptor's, §1.12) instead of the cwd; so for
    every call below."""
    r = namei(vfs, path, atdir=at)
    events = r.events
    if r.vp is not None:
        events.append(LookupResultEvent(path, r.vp.id))  # file_result("lookup", ...), formatted when read
        events += release(vfs, r.vp)
        return events
    events.append(file_result("lookup", path, r.errno, ""))
    return events


def open(vfs: Vfs, path: str, at: Vnode | None = None, fd: int | None = None) -> list[Event]:
    """open(2): namei, and the vnode keeps a use reference: descriptor `fd`'s (§1.12), or else the user's,
    dropped by close."""
    r = namei(vfs, path, atdir=at)
    if r.vp is None:
        return [*r.events, file_result("open", path, r.errno, "")]
    r.events += vfs.vop_unlock(r.vp, quiet=True)  # vn_open returns it locked; sys_open: VOP_UNLOCK(vp, 0)
    if fd is not None:
        fd_affix(vfs, fd, r.vp)
        text = f"{r.vp.id} as fd {fd} (usecount {r.vp.usecount}); close it with 'close fd={fd}'"
        return [*r.events, file_result("open", path, None, text, (r.vp.id,))]
    vfs.hold(r.vp)
    return [
        *r.events,
        file_result(
            "open",
            path,
            None,
            f"{r.vp.id} (usecount {r.vp.usecount}); close it with 'close {r.vp.id}'",
            (r.vp.id,),
            changed=(r.vp.id,),
        ),
    ]


def close(vfs: Vfs, vp: Vnode) -> list[Event]:
    """close(2): drop the user's use reference (vrele); the last one runs VOP_INACTIVE."""
    vfs.unhold(vp, "close")
    return vfs.vrele(vp)


def create(vfs: Vfs, path: str, at: Vnode | None = None, fd: int | None = None) -> list[Event]:
    """creat(2) and close: a new regular file; with `fd`, open(O_CREAT|O_EXCL): the file stays open as
    that descriptor (§1.12)."""
    return _make(vfs, path, "create", vop_create, at, fd)


def mkdir(vfs: Vfs, path: str, at: Vnode | None = None) -> list[Event]:
    """mkdir(2): a new directory."""
    return _make(vfs, path, "mkdir", vop_mkdir, at)


def _make(
    vfs: Vfs,
    path: str,
    verb: str,
    vop: Callable[[Vfs, Vnode, str], tuple[Vnode, list[Event]]],
    at: Vnode | None,
    fd: int | None = None,
) -> list[Event]:
    r = namei(vfs, path, nameiop=CREATE, wantparent=True, atdir=at)
    events = r.events
    if r.errno:
        return [*events, file_result(verb, path, r.errno, "")]
    if r.vp is not None:
        return [*events, *release(vfs, r.vp, r.dvp), file_result(verb, path, "EEXIST", "")]
    dvp = r.dvp
    assert dvp is not None
    vp, made = vop(vfs, dvp, r.name)
    events += made
    if fd is not None:
        fd_affix(vfs, fd, vp)
        events.append(file_result(verb, path, None, f"{vp.id} as fd {fd}", (vp.id,)))
        return events + release(vfs, dvp)
    events.append(file_result(verb, path, None, vp.id, (vp.id,)))
    return events + release(vfs, dvp) + vfs.vrele(vp)  # VOP_CREATE/VOP_MKDIR vput dvp; the new vnode


def unlink(vfs: Vfs, path: str, at: Vnode | None = None) -> list[Event]:
    """unlink(2): remove a name; the file's space goes when its last user lets go."""
    r = namei(vfs, path, nameiop=DELETE, wantparent=True, atdir=at)
    events = r.events
    if r.errno or r.vp is None:
        return [*events, *release(vfs, r.dvp), file_result("unlink", path, r.errno or "ENOENT", "")]
    vp, dvp = r.vp, r.dvp
    assert dvp is not None
    if vp.type == VDIR:
        return [*events, *release(vfs, vp, dvp), file_result("unlink", path, "EPERM", "")]
    events += vop_remove(vfs, dvp, vp, r.name)
    events.append(file_result("unlink", path, None, "removed", (vp.id,)))
    return events + release(vfs, dvp, vp)  # VOP_REMOVE: dvp and vp locked on entry, vput on return


def rmdir(vfs: Vfs, path: str, at: Vnode | None = None) -> list[Event]:
    """rmdir(2): a DELETE lookup, then VOP_RMDIR of an empty directory, which purges its names."""
    last = ([c for c in path.split("/") if c] or ["."])[-1]
    if last in (".", ".."):
        return [file_result("rmdir", path, "EINVAL" if last == "." else "ENOTEMPTY", "")]  # rmdir(2) on Linux
    r = namei(vfs, path, nameiop=DELETE, wantparent=True, atdir=at)
    events = r.events
    if r.errno or r.vp is None:
        return [*events, *release(vfs, r.dvp), file_result("rmdir", path, r.errno or "ENOENT", "")]
    vp, dvp = r.vp, r.dvp
    assert dvp is not None and dvp.ino is not None and vp.ino is not None
    errno = None
    if vp.type != VDIR:
        errno = "ENOTDIR"
    elif vp is vfs.rootvnode or vp.mountedhere is not None or any(m.root is vp for m in vfs.mounts.values()):
        errno = "EBUSY"
    elif vfs.fs_of(vp).inode(vp.ino).entries:
        errno = "ENOTEMPTY"
    if errno:
        return [*events, *release(vfs, vp, dvp), file_result("rmdir", path, errno, "")]
    events += vop_rmdir(vfs, dvp, vp, r.name)
    events.append(file_result("rmdir", path, None, "removed", (vp.id,)))
    return events + release(vfs, dvp, vp)  # VOP_RMDIR: dvp and vp locked on entry, vput on return


def rename(vfs: Vfs, old: str, new: str, at: Vnode | None = None, newat: Vnode | None = None) -> list[Event]:
    """rename(2): OLD becomes NEW (replacing it); VOP_RENAME purges the names of what moved. renameat(2)
    starts OLD at `at` and NEW at `newat`."""
    if any(_last_component(p) in (".", "..") for p in (old, new)):
        return [file_result("rename", f"{old} {new}", "EINVAL", "")]  # rename(2): a last component . or ..
    f = namei(vfs, old, nameiop=DELETE, wantparent=True, atdir=at, lockleaf=False, lockparent=False)  # WANTPARENT
    events = f.events
    if f.errno or f.vp is None:
        return [*events, *release(vfs, f.dvp), file_result("rename", old, f.errno or "ENOENT", "")]
    t = namei(vfs, new, nameiop=RENAME, wantparent=True, atdir=newat)
    events += t.events
    fvp, fdvp, tvp, tdvp = f.vp, f.dvp, t.vp, t.dvp
    errno = t.errno or _rename_errno(vfs, f, t)
    if errno:
        return [*events, *release(vfs, fvp, fdvp, tvp, tdvp), file_result("rename", f"{old} {new}", errno, "")]
    assert fdvp is not None and tdvp is not None
    if tvp is fvp:
        return [*events, *release(vfs, fvp, fdvp, tvp, tdvp), file_result("rename", f"{old} {new}", None, "same file")]
    events += vop_rename(vfs, fdvp, fvp, f.name, tdvp, tvp, t.name)
    events.append(file_result("rename", f"{old} {new}", None, "done", (fvp.id,)))
    return events + release(vfs, fdvp, tdvp, fvp, tvp)


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


def chdir(vfs: Vfs, path: str, at: Vnode | None = None) -> list[Event]:
    """chdir(2): the working directory, where relative paths start, holds a use reference."""
    r = namei(vfs, path, atdir=at)
    if r.vp is None:
        return [*r.events, file_result("chdir", path, r.errno, "")]
    if r.vp.type != VDIR:
        return [*r.events, *release(vfs, r.vp), file_result("chdir", path, "ENOTDIR", "")]
    r.events += vfs.vop_unlock(r.vp, quiet=True)  # change_dir: VOP_UNLOCK, the cwd keeps its reference
    old, vfs.cwd = vfs.cwd, r.vp
    return [*r.events, file_result("chdir", path, None, f"cwd is {r.vp.id}", (r.vp.id,)), *release(vfs, old)]


def whiteout(vfs: Vfs, path: str) -> list[Event]:
    """A whiteout for PATH on disk, as a union mount makes (VOP_WHITEOUT after a CREATE lookup)."""
    r = namei(vfs, path, nameiop=CREATE, wantparent=True)
    if r.errno or r.vp is not None:
        return [*r.events, *release(vfs, r.vp, r.dvp), file_result("whiteout", path, r.errno or "EEXIST", "")]
    dvp = r.dvp
    assert dvp is not None
    return [*r.events, *vop_whiteout(vfs, dvp, r.name), *release(vfs, dvp)]


def mount(vfs: Vfs, path: str, fstype: str) -> list[Event]:
    """mount(2): a new empty file system of `fstype` on directory PATH."""
    r = namei(vfs, path)
    if r.vp is None:
        return [*r.events, file_result("mount", path, r.errno, "")]
    if r.vp.type != VDIR:
        return [*r.events, *release(vfs, r.vp), file_result("mount", path, "ENOTDIR", "")]
    if r.vp is vfs.rootvnode or any(m.root is r.vp for m in vfs.mounts.values()):
        return [*r.events, *release(vfs, r.vp), file_result("mount", path, "EBUSY", "")]
    r.events += vfs.vop_unlock(r.vp, quiet=True)  # the covered vnode keeps its reference, unlocked
    _, events = vfs.mount(r.vp, path, fstype)
    return r.events + events


# -- the page cache, by path ---------------------------------------------------------------------------

PageCall = Callable[["PageCache", str, tuple[str, int]], list[Event]]


def read(vfs: Vfs, path: str, offset: int, length: int) -> list[Event]:
    """read(2): absent pages are filled from the file server; cached pages are used as they are."""
    return _on_open_file(vfs, "read", path, lambda cache, vp, file: cache.vop_read(vp, file, offset, length))


def write(vfs: Vfs, path: str, offset: int, length: int) -> list[Event]:
    """write(2): the pages become dirty with a new version; the server sees nothing yet."""
    return _on_open_file(vfs, "write", path, lambda cache, vp, file: cache.vop_write(vp, file, offset, length))


def truncate(vfs: Vfs, path: str, size: int) -> list[Event]:
    """truncate(2): the server's size is set at once; cached pages past it are freed."""
    return _on_open_file(vfs, "truncate", path, lambda cache, vp, file: cache.vop_setattr(vp, file, size))


def _on_open_file(vfs: Vfs, verb: str, path: str, action: PageCall) -> list[Event]:
    """A system call on a file by path: namei, the page-cache `action` on its vnode, then release."""
    r = namei(vfs, path)
    if r.vp is None:
        return [*r.events, file_result(verb, path, r.errno, "")]
    if r.vp.type != VREG:
        return [*r.events, *release(vfs, r.vp), file_result(verb, path, "EISDIR", "")]
    vp, events = r.vp, r.events
    events += action(vfs.pagecache, vp.id, file_of(vfs, vp))
    return events + release(vfs, vp)


def file_of(vfs: Vfs, vp: Vnode) -> tuple[str, int]:
    """The (mount, inode) a vnode stands for, or OpError when the file is gone."""
    file = vfs.file_of(vp)
    if file is None:
        raise OpError(f"{vp.id} stands for no file", refs=(vp.id,))
    return file
