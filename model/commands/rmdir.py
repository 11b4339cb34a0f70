"""The `rmdir` verb: remove an empty directory (NetBSD ufs_rmdir: VOP_RMDIR, then cache_purge of it).

Kept in its own module because the strace importer needs it to replay `rmdir` and
`unlinkat(..., AT_REMOVEDIR)`; it uses the VFS part's helpers and changes nothing else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.commands.vfs import file_result, release
from model.events import Event
from model.namecache import DELETE
from model.namei import namei
from model.ops import PATH, Param, command
from model.vnode import VDIR

if TYPE_CHECKING:
    from model.system import System


@command(
    "rmdir",
    Param("path", PATH),
    summary="remove an empty directory: DELETE lookup, VOP_RMDIR, cache_purge of the directory",
    part="vfs",
    example="rmdir /tmp/d",
)
def rmdir(system: System, path: str) -> list[Event]:
    vfs = system.part("vfs")
    last = ([c for c in path.split("/") if c] or ["."])[-1]
    if last in (".", ".."):
        return [file_result("rmdir", path, "EINVAL" if last == "." else "ENOTEMPTY", "")]  # rmdir(2) on Linux
    r = namei(vfs, path, nameiop=DELETE, wantparent=True)
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
    vfs.fs_of(dvp).unlink(dvp.ino, r.name)
    events.append(
        Event(
            "vfs.remove",
            f"VOP_RMDIR({dvp.id}, {r.name!r}): {vp.id} removed",
            refs=(dvp.id, vp.id),
            func="VOP_RMDIR",
            explain="The directory's own names and the names cached under it (negative ones too) go with it.",
        )
    )
    events += vfs.namecache.cache_purge(vp)
    events.append(file_result("rmdir", path, None, "removed", (vp.id,)))
    return events + release(vfs, dvp) + vfs.vrele(vp, quiet=True)
