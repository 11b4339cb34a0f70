"""The VFS part: mounts, the vnode table and the name cache, and the vnode life cycle that ties them.

Life cycle (FreeBSD VOP_INACTIVE(9), VOP_RECLAIM(9); SEMANTICS §2): `vrele`/`vput` drop a use
reference; at zero, VOP_INACTIVE runs with the vnode locked and the vnode goes to the tail of the free
list, keeping its identity and name-cache entries. `getnewvnode` recycles the free-list head when the
table is full: VOP_RECLAIM, which calls `cache_purge`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from model.events import Event
from model.fs import DIR, PATH_MAX, FileSystem, build_tree, path_bytes
from model.namecache import NameCache
from model.ops import id_number
from model.pagecache import PageCache
from model.parts import OpError
from model.vnode import ACTIVE, DEAD, INACTIVE, RECLAIMED, VBAD, VDIR, VREG, Vnode, VnodeTable

FREEBSD4, FREEBSD5 = "freebsd4", "freebsd5"
"""Lock protocols of VOP_INACTIVE: the man page's (the file system unlocks before returning) and the
later one (it returns with the vnode still locked and the caller unlocks)."""

FSTYPES = ("ffs", "tmpfs", "puffs", "badfs")
"""File system types; `badfs` has an inactive routine that forgets to unlock (a protocol violation)."""


class Mount:
    """`struct mount`: a mounted file system, the vnode it covers, and its root vnode."""

    __slots__ = ("covered", "fs", "id", "path", "root")

    def __init__(self, mount_id: str, fs: FileSystem, path: str) -> None:
        self.id = mount_id
        self.fs = fs
        self.path = path
        self.covered: Vnode | None = None
        self.root: Vnode | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "fstype": self.fs.fstype,
            "covered": self.covered.id if self.covered else None,
            "root": self.root.id if self.root else None,
            "disk": self.fs.to_dict(),
        }


def violation(text: str, vp: Vnode, rule: str) -> Event:
    """An error event for a broken lock protocol (the man page's rules are checked, not assumed)."""
    return Event("error.vnode_lock", f"lock protocol violated: {text}", refs=(vp.id,), explain=rule)


class Vfs:
    """Everything between a path and a file: mounts, vnodes, the name cache, the root and the cwd."""

    __slots__ = (
        "cwd", "mounts", "namecache", "next_mount", "pagecache", "protocol", "rootvnode", "user_refs", "vnodes",
    )  # fmt: skip

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.vnodes = VnodeTable(config["desiredvnodes"])
        self.namecache = NameCache(config["nchash"], config["ncvhash"], config["namecache_max"])
        self.pagecache = PageCache(config["page_size"])
        self.protocol: str = config["vnode_protocol"]
        self.mounts: dict[str, Mount] = {}
        self.next_mount = 0
        self.user_refs: dict[str, int] = {}  # references the user holds through open and vref, per vnode
        fs = FileSystem("ffs")
        build_tree(fs, config["tree"])
        root_mount = self._add_mount(fs, "/")
        self.rootvnode = self._mount_root(root_mount)
        self.cwd = self.rootvnode
        self.rootvnode.usecount += 1  # the process's cwd reference

    # -- mounts ------------------------------------------------------------------------------------

    def _add_mount(self, fs: FileSystem, path: str) -> Mount:
        mount = Mount(f"mnt{self.next_mount}", fs, path)
        self.next_mount += 1
        self.mounts[mount.id] = mount
        return mount

    def _mount_root(self, mount: Mount) -> Vnode:
        vnode, _ = self.getnewvnode()
        self.vnodes.bind(vnode, mount.id, FileSystem.ROOT_INO, VDIR)
        vnode.usecount = 1  # held while mounted
        vnode.state = ACTIVE
        mount.root = vnode
        return vnode

    def mount(self, covered: Vnode, path: str, fstype: str) -> tuple[Mount, list[Event]]:
        """Mount a new, empty file system on directory vnode `covered` (which stays referenced)."""
        mount = self._add_mount(FileSystem(fstype), path)
        mount.covered = covered
        covered.mountedhere = mount.id
        events: list[Event] = []
        root = self._mount_root(mount)
        events.append(
            Event(
                "vfs.mount",
                f"{mount.id}: {fstype} mounted on {path} (covers {covered.id}, root {root.id})",
                refs=(mount.id, covered.id, root.id),
                func="mount",
                explain="Lookups that reach the covered directory continue at the new file system's root.",
            )
        )
        return mount, events

    def mount_of(self, vnode: Vnode) -> Mount | None:
        return self.mounts.get(vnode.mount) if vnode.mount else None

    def node_at(self, path: str) -> tuple[Mount, int] | None:
        """The (mount, inode) at an absolute path, read off the disks without namei or the name cache.

        This is how a file server names its own nodes (puffs cookies): no lookup, no cache entries. A path
        namei could not walk (PATH_MAX or longer) names no node.
        """
        if path_bytes(path) >= PATH_MAX:
            return None
        mount = self.mounts[self.rootvnode.mount or "mnt0"]
        ino = FileSystem.ROOT_INO
        for name in (c for c in path.split("/") if c):
            inode = mount.fs.inodes.get(ino)
            if inode is None or inode.type != DIR:
                return None
            found, _ = mount.fs.lookup(ino, name)
            if found is None:
                return None
            ino = found
            covering = next((m for m in self.mounts.values() if m.covered is not None
                             and m.covered.mount == mount.id and m.covered.ino == ino), None)  # fmt: skip
            if covering is not None:
                mount, ino = covering, FileSystem.ROOT_INO
        return mount, ino

    def file_of(self, vnode: Vnode) -> tuple[str, int] | None:
        """The (mount, inode) a vnode stands for, if that file still exists."""
        mount = self.mount_of(vnode)
        if mount is None or vnode.ino is None or vnode.ino not in mount.fs.inodes:
            return None
        return (mount.id, vnode.ino)

    def fs_of(self, vnode: Vnode) -> FileSystem:
        mount = self.mount_of(vnode)
        if mount is None or vnode.ino is None:
            raise OpError(f"{vnode.id} is {vnode.state}: it stands for no file", refs=(vnode.id,))
        return mount.fs

    # -- vnode allocation and identity ------------------------------------------------------------

    def getnewvnode(self) -> tuple[Vnode, list[Event]]:
        """A vnode for a new identity: a fresh one below desiredvnodes, else the recycled free-list head."""
        table = self.vnodes
        victim = table.free_head()
        if table.numvnodes < table.desiredvnodes or victim is None:
            vnode = table.allocate()
            grown = "" if table.numvnodes <= table.desiredvnodes else " (nothing free: table grows past desiredvnodes)"
            return vnode, [
                Event("vnode.new", f"getnewvnode: allocated {vnode.id}{grown}", refs=(vnode.id,), func="getnewvnode")
            ]
        events = [
            Event(
                "vnode.recycle",
                f"getnewvnode: table full ({table.desiredvnodes}); recycling free-list head {victim.id}",
                refs=(victim.id,),
                func="getnewvnode",
                explain="The least recently freed vnode is taken for the new file: its old identity "
                "must go first, and with it every name-cache entry that names it.",
            )
        ]
        table.off_free_list(victim)
        if victim.ino is not None:
            events += self.reclaim(victim, why="recycled for another file")
        victim.state = RECLAIMED
        victim.type = VREG
        victim.mountedhere = None
        return victim, events

    def vnode_for(self, mount: Mount, ino: int) -> tuple[Vnode, list[Event]]:
        """The vnode for an inode, referenced: vget of the existing one, or a new one (VFS_VGET)."""
        existing = self.vnodes.by_identity.get((mount.id, ino))
        events: list[Event] = []
        if existing is not None and not existing.xlock:
            return existing, self.vget(existing)
        if existing is not None:  # vget would sleep until the other CPU's vgone finishes: let it finish
            events += self._finish_vgone(existing)
        vnode, new_events = self.getnewvnode()
        events += new_events
        vtype = VDIR if mount.fs.inode(ino).type == DIR else VREG
        self.vnodes.bind(vnode, mount.id, ino, vtype)
        vnode.usecount = 1
        vnode.state = ACTIVE
        events.append(
            Event(
                "vnode.bind",
                f"{vnode.id} now stands for inode {ino} on {mount.id} ({vtype})",
                refs=(vnode.id, mount.id),
                func="VFS_VGET",
            )
        )
        return vnode, events

    # -- references ------------------------------------------------------------------------------

    def vget(self, vp: Vnode) -> list[Event]:
        """Take a use reference; a vnode on the free list comes off it (§2.3)."""
        vp.usecount += 1
        if vp.state == INACTIVE:
            self.vnodes.off_free_list(vp)
            vp.state = ACTIVE
            return [
                Event(
                    "vnode.vget",
                    f"vget({vp.id}): taken off the free list, usecount 1",
                    refs=(vp.id,),
                    func="vget",
                    explain="A vnode on the free list keeps its identity, so a name-cache "
                    "hit can bring it back without reading the disk.",
                )
            ]
        return []

    def vref(self, vp: Vnode, *, quiet: bool = False) -> list[Event]:
        """One more use reference; a vnode on the free list is revived by vget. `quiet` for namei's own refs."""
        if vp.state == INACTIVE:
            return self.vget(vp)
        if vp.state == RECLAIMED:
            raise OpError(f"{vp.id} is reclaimed: it stands for no file", refs=(vp.id,))
        vp.usecount += 1
        if quiet:
            return []
        return [Event("vnode.vref", f"vref({vp.id}): usecount {vp.usecount}", refs=(vp.id,), func="vref")]

    def vrele(self, vp: Vnode, *, func: str = "vrele", quiet: bool = False) -> list[Event]:
        """Drop a use reference (unlocked vnode); at zero, VOP_INACTIVE and the free list (§2.2)."""
        if vp.usecount <= 0:
            raise OpError(f"{func}({vp.id}): usecount is already 0", refs=(vp.id,), hint="nothing holds it")
        events: list[Event] = []
        if func == "vrele" and vp.locked and vp.usecount == 1:
            events.append(
                violation(
                    f"vrele({vp.id}) called with the vnode locked",
                    vp,
                    "vrele must be called unlocked: it locks the vnode itself for VOP_INACTIVE "
                    "(use vput for a locked vnode).",
                )
            )
            vp.locked = False
        vp.usecount -= 1
        if vp.usecount > 0:
            if not quiet:
                events.append(
                    Event("vnode.vrele", f"{func}({vp.id}): usecount {vp.usecount}", refs=(vp.id,), func=func)
                )
            return events
        if vp.state == DEAD:
            vp.state = RECLAIMED
            self.vnodes.to_free_list(vp, head=True)
            events.append(
                Event(
                    "vnode.free",
                    f"{func}({vp.id}): last reference to a dead vnode; free-list head",
                    refs=(vp.id,),
                    func=func,
                )
            )
            return events
        return events + self.inactive(vp, func)

    def inactive(self, vp: Vnode, caller: str) -> list[Event]:
        """VOP_INACTIVE with the vnode locked; reclaim space if unlinked; then the free list (§2.2)."""
        events, unlinked = self._vop_inactive(vp)
        vp.state = INACTIVE
        self.vnodes.to_free_list(vp)
        events.insert(
            0,
            Event(
                "vnode.inactive",
                f"{caller}({vp.id}): last reference gone; VOP_INACTIVE({vp.id}) called locked; "
                f"{vp.id} to the free-list tail",
                refs=(vp.id,),
                func="VOP_INACTIVE",
                explain="An inactive vnode keeps its identity and its name-cache entries until it is recycled.",
            ),
        )
        if unlinked:
            events += self.vrecycle(vp)
        return events

    def _vop_inactive(self, vp: Vnode) -> tuple[list[Event], bool]:
        """VOP_INACTIVE itself: entered locked, frees an unlinked file's space, and follows (or breaks) the
        lock protocol (§2.2). Returns its events and whether the file was unlinked."""
        vp.locked = True
        mount = self.mount_of(vp)
        fs = mount.fs if mount else None
        events: list[Event] = []
        unlinked = fs is not None and vp.ino is not None and fs.inode(vp.ino).nlink <= 0
        if unlinked and fs is not None and vp.ino is not None and vp.mount is not None:
            fs.free(vp.ino)
            self.pagecache.forget_file((vp.mount, vp.ino))
            events.append(
                Event(
                    "vnode.space_freed",
                    f"VOP_INACTIVE({vp.id}): link count 0, the file's space is freed",
                    refs=(vp.id,),
                    func="VOP_INACTIVE",
                    explain="An open-but-deleted file keeps its blocks until the last close; now they go.",
                )
            )
        keeps_lock = fs is not None and fs.fstype == "badfs"
        if self.protocol == FREEBSD4:
            if keeps_lock:
                events.append(
                    violation(
                        f"VOP_INACTIVE({vp.id}) returned with the vnode still locked",
                        vp,
                        "VOP_INACTIVE(9): the vnode is locked on entry and the file system "
                        "must unlock it before returning.",
                    )
                )
            vp.locked = False
        else:
            vp.locked = False  # later FreeBSD: returns locked; vput/vrele unlock it
        return events, unlinked

    def _finish_vgone(self, vp: Vnode) -> list[Event]:
        """Complete the reclaim another CPU started on a VXLOCKed vnode; holders are left with a dead one."""
        events = [Event("vnode.vgone", f"{vp.id} is VXLOCKed: wait for its reclaim to finish, then use a new vnode",
                        refs=(vp.id,), func="vget")]  # fmt: skip
        if vp.usecount == 0:
            return events + self.vrecycle(vp)
        events += self.reclaim(vp, why="vgone by another CPU")
        vp.state, vp.type = DEAD, VBAD
        return events

    def vrecycle(self, vp: Vnode) -> list[Event]:
        """Reclaim an unused vnode now rather than when the free list reaches it (vrecycle)."""
        self.vnodes.off_free_list(vp)
        events = self.reclaim(vp, why="vrecycle")
        self.vnodes.to_free_list(vp, head=True)
        return events

    def reclaim(self, vp: Vnode, *, why: str) -> list[Event]:
        """VOP_RECLAIM (§2.4): unlocked on entry and return; cache_purge; the identity goes."""
        events: list[Event] = []
        if vp.locked:
            events.append(
                violation(
                    f"VOP_RECLAIM({vp.id}) entered with the vnode locked",
                    vp,
                    "VOP_RECLAIM(9): the vnode is unlocked on entry and on return.",
                )
            )
            vp.locked = False
        events.append(
            Event(
                "vnode.reclaim",
                f"VOP_RECLAIM({vp.id}) ({why}): calls cache_purge and frees the file system's data",
                refs=(vp.id,),
                func="VOP_RECLAIM",
            )
        )
        events += self.pagecache.reclaim(vp.id, self.file_of(vp))
        events += self.namecache.cache_purge(vp)
        self.vnodes.unbind(vp)
        vp.state = RECLAIMED
        vp.xlock = False
        return events

    def hold(self, vp: Vnode) -> None:
        """Record a reference the user took (open, vref), so only the user's own can be dropped."""
        self.user_refs[vp.id] = self.user_refs.get(vp.id, 0) + 1

    def unhold(self, vp: Vnode, verb: str) -> None:
        """Give back one of the user's references, or refuse: the kernel's own (cwd, mounts) are not theirs."""
        held = self.user_refs.get(vp.id, 0)
        if held == 0:
            raise OpError(f"{verb} {vp.id}: you hold no reference on it", refs=(vp.id,),
                          hint="only references taken with 'open' or 'vref' can be dropped; "
                               "the cwd's and a mount's belong to the kernel")  # fmt: skip
        if held == 1:
            del self.user_refs[vp.id]
        else:
            self.user_refs[vp.id] = held - 1

    # -- lock --------------------------------------------------------------------------------------

    def vn_lock(self, vp: Vnode) -> list[Event]:
        if vp.locked:
            return [
                violation(
                    f"vn_lock({vp.id}): already locked (locking against myself)",
                    vp,
                    "An exclusive vnode lock taken twice by one thread deadlocks (or panics).",
                )
            ]
        vp.locked = True
        return [Event("vnode.lock", f"vn_lock({vp.id}): locked", refs=(vp.id,), func="vn_lock")]

    def vop_unlock(self, vp: Vnode) -> list[Event]:
        if not vp.locked:
            return [violation(f"VOP_UNLOCK({vp.id}): not locked", vp, "Only the holder of a lock may release it.")]
        vp.locked = False
        return [Event("vnode.unlock", f"VOP_UNLOCK({vp.id}): unlocked", refs=(vp.id,), func="VOP_UNLOCK")]

    def vput(self, vp: Vnode) -> list[Event]:
        """vput: unlock and release in one (the vnode must be locked)."""
        events: list[Event] = []
        if not vp.locked:
            events.append(
                violation(
                    f"vput({vp.id}) on an unlocked vnode",
                    vp,
                    "vput is vrele for a locked vnode: it unlocks, then releases.",
                )
            )
        vp.locked = False
        return events + self.vrele(vp, func="vput")

    # -- unmount -----------------------------------------------------------------------------------

    def unmount(self, mount: Mount, *, force: bool) -> list[Event]:
        """dounmount: cache_purgevfs, then vflush reclaims the mount's vnodes (forced: in-use ones die, §2.5)."""
        if mount.root is self.rootvnode:
            raise OpError("cannot unmount the root file system", refs=(mount.id,))
        if any(m.covered is not None and m.covered.mount == mount.id for m in self.mounts.values()):
            raise OpError(f"{mount.id} has a file system mounted on it", errno="EBUSY", refs=(mount.id,))
        in_use = [
            v
            for v in self.vnodes.vnodes
            if v.mount == mount.id and v.ino is not None and v.usecount > (1 if v is mount.root else 0)
        ]
        if self.cwd.mount == mount.id and self.cwd not in in_use:
            in_use.append(self.cwd)
        if in_use and not force:
            return [
                Event(
                    "vfs.unmount",
                    f"unmount {mount.id}: busy ({', '.join(v.id for v in in_use)} in use)",
                    refs=(mount.id, *(v.id for v in in_use)),
                    func="dounmount",
                    ret=-1,
                    errno="EBUSY",
                    explain="Open files keep a file system busy; 'unmount -f' forces it.",
                )
            ]
        events = [
            Event(
                "vfs.unmount", f"unmount {mount.id}{' (forced)' if force else ''}", refs=(mount.id,), func="dounmount"
            )
        ]
        events += self.namecache.cache_purgevfs(mount.id)
        assert mount.root is not None
        mount.root.usecount -= 1
        for vp in [v for v in self.vnodes.vnodes if v.mount == mount.id and v.ino is not None]:
            if vp.usecount == 0:
                self.vnodes.off_free_list(vp)
                events += self.reclaim(vp, why="vflush at unmount")
                self.vnodes.to_free_list(vp, head=True)
            else:
                # vgone of an active vnode deactivates it before reclaiming it (§2.5; vfs_subr.c vgonel).
                events.append(
                    Event(
                        "vnode.deactivate",
                        f"vgone({vp.id}): in use (usecount {vp.usecount}) at a forced unmount; "
                        f"VOP_INACTIVE({vp.id}) called locked",
                        refs=(vp.id,),
                        func="VOP_INACTIVE",
                        explain="A vnode still in use is deactivated, then reclaimed; its holders keep a dead vnode.",
                    )
                )
                events += self._vop_inactive(vp)[0]
                events += self.reclaim(vp, why="forced unmount: vgone of a vnode in use")
                vp.state, vp.type = DEAD, VBAD
                events.append(
                    Event(
                        "vnode.dead",
                        f"{vp.id} is now a dead vnode: every operation on it fails",
                        refs=(vp.id,),
                        func="vgone",
                        explain="Its holders keep their reference, but the file behind it is gone.",
                    )
                )
        covered = mount.covered
        if covered is not None:
            covered.mountedhere = None
            events += self.vrele(covered, quiet=True)
        del self.mounts[mount.id]
        return events

    # -- inspection -------------------------------------------------------------------------------

    def vnode(self, ref: str) -> Vnode:
        """The vnode named `ref`, or an OpError naming the ids in use."""
        vp = self.vnodes.get(ref)
        if vp is None:
            count = self.vnodes.numvnodes
            raise OpError(f"no vnode {ref}", hint=f"vnodes are vp1..vp{count}" if count else "no vnodes yet")
        return vp

    def mount_by_id(self, ref: str) -> Mount:
        mount = self.mounts.get(ref)
        if mount is None:
            raise OpError(f"no mount {ref}", hint=f"mounted: {', '.join(self.mounts)}")
        return mount

    def path_of(self, vp: Vnode) -> str:
        """The vnode's path (from the disk, for display), or its state when it stands for no file."""
        mount = self.mount_of(vp)
        if mount is None or vp.ino is None:
            return f"({vp.state})"
        if vp.ino not in mount.fs.inodes:
            return "(freed)"
        inner = mount.fs.path_of(vp.ino)
        base = mount.path.rstrip("/")
        return (base + inner) if inner != "/" else (mount.path or "/")

    def describe(self, ref: str) -> str | None:
        if ref.startswith("vp"):
            vp = self.vnodes.get(ref)
            if vp is None:
                return None
            names = self.namecache.namecache_print(vp)
            return "\n".join(
                [
                    f"{vp.id} {vp.type} {vp.state} {self.path_of(vp)}",
                    f"mount {vp.mount}  inode {vp.ino}  usecount {vp.usecount}  holdcount {vp.holdcount}",
                    f"{'locked' if vp.locked else 'unlocked'}{'  VXLOCK' if vp.xlock else ''}  address {hex(vp.addr)}",
                    *names,
                ]
            )
        if (num := id_number(ref, "nc")) is not None:
            entry = self.namecache.entry(num)
            if entry is None:
                return None
            return f"{entry.id}: ({entry.dvp.id}, {entry.name!r}) -> {entry.target_label()}\nchain {entry.bucket}"
        if ref in self.mounts:
            mount = self.mounts[ref]
            return f"{mount.id} {mount.fs.fstype} on {mount.path}\nroot {mount.root.id if mount.root else '-'}"
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "protocol": self.protocol,
            "rootvnode": self.rootvnode.id,
            "cwd": self.cwd.id,
            "user_refs": dict(self.user_refs),
            "mounts": {m.id: m.to_dict() for m in self.mounts.values()},
            "vnodes": self.vnodes.to_dict(),
            "namecache": self.namecache.to_dict(),
            "pagecache": self.pagecache.to_dict(),
        }

    def stats(self) -> dict[str, int]:
        return {
            **self.namecache.stats,
            "numcache": self.namecache.numcache,
            "numvnodes": self.vnodes.numvnodes,
            "freevnodes": len(self.vnodes.freelist),
            **self.pagecache.stats,
            "writes_pending": len(self.pagecache.queue),
        }

    def check(self) -> list[str]:
        problems = self.namecache.check() + self.vnodes.check() + self.pagecache.check()
        for ref, held in self.user_refs.items():
            vp = self.vnodes.get(ref)
            if vp is None or held <= 0 or held > vp.usecount:
                problems.append(f"the user holds {held} references on {ref}, which has usecount "
                                f"{vp.usecount if vp else '-'}")  # fmt: skip
        for vnode in self.pagecache.pages:
            vp = self.vnodes.get(vnode)
            if vp is None or vp.ino is None:
                problems.append(f"{vnode} has cached pages but stands for no file")
        for vp in self.vnodes.vnodes:
            if vp.ino is not None:
                mount = self.mounts.get(vp.mount or "")
                if mount is None or vp.ino not in mount.fs.inodes:
                    problems.append(f"{vp.id} names inode {vp.ino} on {vp.mount}, which does not exist")
            problems += self._check_names_of(vp)
        for mount in self.mounts.values():
            if mount.root is None or mount.root.mount != mount.id or mount.root.usecount < 1:
                problems.append(f"{mount.id}'s root is not a referenced vnode of that mount")
            if mount.covered is not None and mount.covered.mountedhere != mount.id:
                problems.append(f"{mount.id} covers {mount.covered.id}, which does not name it")
        if self.cwd.usecount < 1:
            problems.append(f"the cwd {self.cwd.id} holds no use reference")
        return problems

    def _check_names_of(self, vp: Vnode) -> list[str]:
        """A vnode's two name lists hold exactly the cached entries naming it, and the entries under it (§1.2)."""
        problems = []
        for num, entry in vp.v_nclist.items():
            if self.namecache.entry(num) is not entry or entry.vp is not vp:
                problems.append(f"{vp.id}'s list of names holds nc{num}, which is not a cached name of it")
        for num, entry in vp.v_dnclist.items():
            if self.namecache.entry(num) is not entry or entry.dvp is not vp:
                problems.append(f"{vp.id}'s list of children holds nc{num}, which is not a cached entry under it")
        return problems
