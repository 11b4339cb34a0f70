"""The vnode life cycle (FreeBSD VOP_INACTIVE(9), VOP_RECLAIM(9), sys/kern/vfs_subr.c; §2).

`vrele`/`vput` drop a use reference; at zero, `vinactive` calls VOP_INACTIVE with the vnode locked and
the vnode goes to the tail of the free list, keeping its identity and name-cache entries. `getnewvnode`
recycles the free-list head when the table is full: VOP_RECLAIM, which calls `cache_purge`. The lock
protocol of each step is checked, not assumed: a broken one is an `error.vnode_lock` event.

`VnodeLifeCycle` is a mixin of `model.vfs.vfs.Vfs`, which owns the vnode table, the name cache, the
page cache and the mounts these steps touch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.errors import OpError
from model.events import Event
from model.journal import Journaled
from model.vfs.fs import DIR
from model.vfs.vnode import ACTIVE, DEAD, INACTIVE, RECLAIMED, VBAD, VDIR, VREG, Vnode
from model.vfs.vnode_events import BindEvent, InactiveEvent, NewVnodeEvent, VgetEvent

QUIET = True
"""The `quiet` argument of vref, vrele, vput, vn_lock and vop_unlock, passed positionally by the walk:
its own references and locks make no events."""

if TYPE_CHECKING:
    from model.vfs.mount import Mount
    from model.vfs.namecache import NameCache
    from model.vfs.pagecache import PageCache
    from model.vfs.vnode import VnodeTable

FREEBSD4, FREEBSD5 = "freebsd4", "freebsd5"
"""Lock protocols of VOP_INACTIVE: the man page's (the file system unlocks before returning) and the
later one (it returns with the vnode still locked and the caller unlocks)."""


def violation(text: str, vp: Vnode, rule: str) -> Event:
    """An error event for a broken lock protocol (the man page's rules are checked, not assumed)."""
    return Event("error.vnode_lock", f"lock protocol violated: {text}", refs=(vp.id,), explain=rule)


class VnodeLifeCycle(Journaled):
    """The steps of a vnode's life: allocation, references, inactivation, reclaim, locking, vgone."""

    __slots__ = ()
    vnodes: VnodeTable
    namecache: NameCache
    pagecache: PageCache
    protocol: str
    user_refs: dict[str, int]
    mounts: dict[str, Mount]

    # -- vnode allocation and identity ------------------------------------------------------------

    def getnewvnode(self) -> tuple[Vnode, list[Event]]:
        """A vnode for a new identity: a fresh one below desiredvnodes, else the recycled free-list head."""
        table = self.vnodes
        victim = table.free_head()
        if table.numvnodes < table.desiredvnodes or victim is None:
            vnode = table.allocate()
            return vnode, [NewVnodeEvent(vnode.id, table.numvnodes > table.desiredvnodes)]
        events = [
            Event(
                "vnode.recycle",
                f"getnewvnode: table full ({table.desiredvnodes}); recycling free-list head {victim.id}",
                refs=(victim.id,),
                func="getnewvnode",
                changed=(victim.id,),
                explain="The least recently freed vnode is taken for the new file: its old identity "
                "must go first, and with it every name-cache entry that names it.",
            )
        ]
        table.off_free_list(victim)
        if victim.ino is not None:
            events += self.vop_reclaim(victim, why="recycled for another file")
        victim.state = RECLAIMED
        victim.type = VREG
        victim.mountedhere = None
        return victim, events

    def vfs_vget(self, mount: Mount, ino: int) -> tuple[Vnode, list[Event]]:
        """The vnode for an inode, referenced: vget of the existing one, or a new one (VFS_VGET)."""
        existing = self.vnodes.by_identity.get((mount.id, ino))
        events: list[Event] = []
        if existing is not None and not existing.xlock:
            return existing, self.vget(existing)
        if existing is not None:  # vget would sleep until the other CPU's vgone finishes: let it finish
            events += self._vget_xlocked(existing)
        vnode, new_events = self.getnewvnode()
        events += new_events
        vtype = VDIR if mount.fs.inode(ino).type == DIR else VREG
        self.vnodes.bind(vnode, mount.id, ino, vtype)
        vnode.usecount = 1
        vnode.state = ACTIVE
        events.append(BindEvent(vnode.id, ino, mount.id, vtype))
        return vnode, events

    # -- references ------------------------------------------------------------------------------
    # vref, vrele, vput, vn_lock and vop_unlock take no keyword-only parameters and the walk calls them
    # positionally (`vfs.vref(vp, QUIET)`): CPython 3.11 inlines only such calls, and a namei walk makes
    # a dozen of them per component (as model/vfs/namecache.py does for cache_lookup).

    def vget(self, vp: Vnode) -> list[Event]:
        """Take a use reference; a vnode on the free list comes off it (§2.3)."""
        vp.usecount += 1
        if vp.state == INACTIVE:
            self.vnodes.off_free_list(vp)
            vp.state = ACTIVE
            return [VgetEvent(vp.id)]
        return []

    def vref(self, vp: Vnode, quiet: bool = False) -> list[Event]:
        """One more use reference; a vnode on the free list is revived by vget. `quiet` for namei's own refs."""
        if vp.state == INACTIVE:
            return self.vget(vp)
        if vp.state == RECLAIMED:
            raise OpError(f"{vp.id} is reclaimed: it stands for no file", refs=(vp.id,))
        vp.usecount += 1
        if quiet:
            return []
        return [
            Event(
                "vnode.vref",
                f"vref({vp.id}): usecount {vp.usecount}",
                refs=(vp.id,),
                func="vref",
                changed=(vp.id,),
                data={"usecount": vp.usecount},
            )
        ]

    def vrele(self, vp: Vnode, func: str = "vrele", quiet: bool = False) -> list[Event]:
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
                    Event(
                        "vnode.vrele",
                        f"{func}({vp.id}): usecount {vp.usecount}",
                        refs=(vp.id,),
                        func=func,
                        changed=(vp.id,),
                        data={"usecount": vp.usecount},
                    )
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
                    changed=(vp.id,),
                )
            )
            return events
        inactive = self.vinactive(vp, func)
        return events + inactive if events else inactive

    def vinactive(self, vp: Vnode, caller: str) -> list[Event]:
        """vinactive: VOP_INACTIVE with the vnode locked; recycle it at once if unlinked; else the free list (§2.2)."""
        events, unlinked = self.vop_inactive(vp)
        vp.state = INACTIVE
        self.vnodes.to_free_list(vp)
        events.insert(0, InactiveEvent(caller, vp.id))
        if unlinked:
            events += self.vrecycle(vp)
        return events

    def vop_inactive(self, vp: Vnode) -> tuple[list[Event], bool]:
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
                    changed=(vp.id,),
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

    def _vget_xlocked(self, vp: Vnode) -> list[Event]:
        """Complete the reclaim another CPU started on a VXLOCKed vnode; holders are left with a dead one."""
        events = [Event("vnode.vgone", f"{vp.id} is VXLOCKed: wait for its reclaim to finish, then use a new vnode",
                        refs=(vp.id,), func="vget")]  # fmt: skip
        if vp.usecount == 0:
            return events + self.vrecycle(vp)
        events += self.vop_reclaim(vp, why="vgone by another CPU")
        vp.state, vp.type = DEAD, VBAD
        return events

    def vrecycle(self, vp: Vnode) -> list[Event]:
        """Reclaim an unused vnode now rather than when the free list reaches it (vrecycle)."""
        self.vnodes.off_free_list(vp)
        events = self.vop_reclaim(vp, why="vrecycle")
        self.vnodes.to_free_list(vp, head=True)
        return events

    def vop_reclaim(self, vp: Vnode, *, why: str) -> list[Event]:
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
                changed=(vp.id,),
            )
        )
        events += self.pagecache.vclean(vp.id, self.file_of(vp))
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

    def vn_lock(self, vp: Vnode, quiet: bool = False) -> list[Event]:
        """Take the vnode's exclusive lock; `quiet` for namei's own locks (a broken protocol still shows)."""
        if vp.locked:
            return [
                violation(
                    f"vn_lock({vp.id}): already locked (locking against myself)",
                    vp,
                    "An exclusive vnode lock taken twice by one thread deadlocks (or panics).",
                )
            ]
        vp.locked = True
        if quiet:
            return []
        return [Event("vnode.lock", f"vn_lock({vp.id}): locked", refs=(vp.id,), func="vn_lock", changed=(vp.id,))]

    def vop_unlock(self, vp: Vnode, quiet: bool = False) -> list[Event]:
        """Release the vnode's lock; `quiet` for the lookup path's own unlocks."""
        if not vp.locked:
            return [violation(f"VOP_UNLOCK({vp.id}): not locked", vp, "Only the holder of a lock may release it.")]
        vp.locked = False
        if quiet:
            return []
        return [
            Event("vnode.unlock", f"VOP_UNLOCK({vp.id}): unlocked", refs=(vp.id,), func="VOP_UNLOCK", changed=(vp.id,))
        ]

    def vput(self, vp: Vnode, quiet: bool = False) -> list[Event]:
        """vput: unlock and release in one (the vnode must be locked)."""
        if vp.locked:
            vp.locked = False
            return self.vrele(vp, "vput", quiet)  # positional: an inlined call
        events = [
            violation(
                f"vput({vp.id}) on an unlocked vnode",
                vp,
                "vput is vrele for a locked vnode: it unlocks, then releases.",
            )
        ]
        vp.locked = False
        return events + self.vrele(vp, func="vput", quiet=quiet)

    def vgone(self, vp: Vnode) -> list[Event]:
        """vgone of a vnode still in use at a forced unmount (§2.5; vfs_subr.c vgonel): deactivated, then
        reclaimed; its holders keep a dead vnode."""
        events = [
            Event(
                "vnode.deactivate",
                f"vgone({vp.id}): in use (usecount {vp.usecount}) at a forced unmount; "
                f"VOP_INACTIVE({vp.id}) called locked",
                refs=(vp.id,),
                func="VOP_INACTIVE",
                changed=(vp.id,),
                explain="A vnode still in use is deactivated, then reclaimed; its holders keep a dead vnode.",
            )
        ]
        events += self.vop_inactive(vp)[0]
        events += self.vop_reclaim(vp, why="forced unmount: vgone of a vnode in use")
        vp.state, vp.type = DEAD, VBAD
        events.append(
            Event(
                "vnode.dead",
                f"{vp.id} is now a dead vnode: every operation on it fails",
                refs=(vp.id,),
                func="vgone",
                changed=(vp.id,),
                explain="Its holders keep their reference, but the file behind it is gone.",
            )
        )
        return events

    def vgonel(self, vp: Vnode) -> list[Event]:
        """Another CPU's vgonel, caught after it set VXLOCK: vget of the vnode fails until it finishes (§2.4).

        The `xlock` verb stands for that CPU: called again, it clears VXLOCK as if that reclaim were undone.
        """
        held = next((m for m in self.mounts.values() if vp in (m.root, m.covered)), None)
        if held is not None:
            role = "the root" if vp is held.root else "the mount point"
            raise OpError(
                f"{vp.id} is {role} of {held.id}: it is not reclaimed while mounted",
                refs=(vp.id, held.id),
                hint="xlock a vnode that lookups reach through a name, e.g. one 'lookup' returned",
            )
        vp.xlock = not vp.xlock
        state = "set: lookups that hit it are false hits" if vp.xlock else "cleared"
        return [Event("vnode.xlock", f"VXLOCK on {vp.id} {state}", refs=(vp.id,), func="vgonel", changed=(vp.id,))]
