"""Model tests for docs/kernel-rules.md §2, the vnode life cycle (FreeBSD VOP_INACTIVE(9), VOP_RECLAIM(9), vfs_subr.c).

One test per rule (several where a rule has several parts), named after the rule and citing it. The
lock protocol of the man pages is checked by the model: a violation must be an error event.
"""

from __future__ import annotations

import pytest

from model.events import Event
from model.ops import parse
from model.system import System
from model.vfs.fs import FileSystem
from model.vfs.namecache import NameCache
from model.vfs.namecache_entry import children_of, names_of
from model.vfs.vfs import Vfs
from model.vfs.vnode import ACTIVE, DEAD, INACTIVE, RECLAIMED, VBAD, VDIR, VREG, Vnode

# -- helpers -----------------------------------------------------------------------------------------


def run(system: System, line: str) -> list[Event]:
    """Apply one command line; refused operations (kind "error") are not expected here, while lock
    protocol violations ("error.vnode_lock") are returned for the test to look at."""
    events = system.apply(parse(line))
    assert not [e for e in events if e.kind == "error"], (line, events)
    return events


def of(events: list[Event], kind: str) -> list[Event]:
    return [e for e in events if e.kind == kind]


def violations(events: list[Event]) -> list[Event]:
    return of(events, "error.vnode_lock")


def vfs_of(system: System) -> Vfs:
    return system.part("vfs")


def vp_at(system: System, path: str, mount: str = "mnt0") -> Vnode:
    """The vnode standing for PATH on MOUNT, found from the disk and the identity index (no lookup)."""
    vfs = vfs_of(system)
    fs = vfs.mounts[mount].fs
    ino = fs.ROOT_INO
    for part in [p for p in path.split("/") if p]:
        ino = fs.inodes[ino].entries[part]
    vnode = vfs.vnodes.by_identity.get((mount, ino))
    assert vnode is not None, f"{path} has no vnode"
    return vnode


def opened(system: System, path: str) -> Vnode:
    """`open PATH` and the vnode its events name."""
    events = run(system, f"open {path}")
    result = of(events, "vfs.open")[-1]
    assert result.ret == 0, events
    return vfs_of(system).vnode(result.refs[0])


def freelist(system: System) -> list[Vnode]:
    return list(vfs_of(system).vnodes.freelist.values())


def funcs(events: list[Event], vp: Vnode) -> list[str]:
    """The kernel functions the events name for one vnode struct, any generation of it, in order."""
    ids = {f"vp{vp.num}", *(f"vp{vp.num}#{g}" for g in range(2, vp.gen + 1))}
    return [e.func for e in events if ids & set(e.refs) and e.func]


# -- §2.1 counts, lock, free list ---------------------------------------------------------------------------


def test_2_1_use_count_counts_open_files_cwd_and_lookups_in_progress(monkeypatch):
    """§2.1: the use count counts active references: each open file, the cwd, and a name lookup in progress
    (the directory being searched is referenced while cache_lookup runs in it)."""
    system = System()
    passwd = opened(system, "/etc/passwd")
    assert passwd.usecount == 1 and passwd.state == ACTIVE
    assert opened(system, "/etc/passwd") is passwd and passwd.usecount == 2
    run(system, f"close {passwd.id}")
    assert passwd.usecount == 1
    run(system, "cd /usr")
    usr = vp_at(system, "/usr")
    assert usr.usecount == 1 and usr.state == ACTIVE and usr.num not in vfs_of(system).vnodes.freelist

    etc = vp_at(system, "/etc")
    assert etc.usecount == 0 and etc.state == INACTIVE  # nothing uses /etc between walks
    seen: list[tuple[str, int]] = []
    original = NameCache.cache_lookup

    def spy(self, dvp, name, *args, **kwargs):  # namei passes nameiop, makeentry, islastcn positionally
        seen.append((dvp.id, dvp.usecount))
        return original(self, dvp, name, *args, **kwargs)

    monkeypatch.setattr(NameCache, "cache_lookup", spy)
    run(system, "lookup /etc/passwd")
    assert (etc.id, 1) in seen  # referenced while it was being searched
    assert etc.usecount == 0 and etc.state == INACTIVE  # and released afterwards
    assert system.check() == []


def test_2_1_link_count_is_the_number_of_names_on_disk():
    """§2.1: the link count counts names on disk (directories: their name, "." and each child's "..")."""
    system = System()
    run(system, "create /tmp/f")
    run(system, "mkdir /tmp/d")
    vfs = vfs_of(system)
    tmp, f, d = vp_at(system, "/tmp"), vp_at(system, "/tmp/f"), vp_at(system, "/tmp/d")
    fs = vfs.fs_of(f)
    assert fs.inode(f.ino).nlink == 1
    assert fs.inode(d.ino).nlink == 2
    assert fs.inode(tmp.ino).nlink == 3  # its name, ".", and d's ".."
    held = opened(system, "/tmp/f")
    run(system, "unlink /tmp/f")
    assert fs.inode(held.ino).nlink == 0 and held.usecount == 1  # no name, still in use
    run(system, f"close {held.id}")
    assert system.check() == []


def test_2_1_lock_and_hold_count():
    """§2.1: a vnode has a lock (taken and released by vn_lock / VOP_UNLOCK) and a hold count."""
    system = System()
    vp = opened(system, "/etc/passwd")
    assert not vp.locked and vp.holdcount == 0
    events = run(system, f"lock {vp.id}")
    assert vp.locked and [e.func for e in events] == ["vn_lock"] and not violations(events)
    events = run(system, f"unlock {vp.id}")
    assert not vp.locked and [e.func for e in events] == ["VOP_UNLOCK"] and not violations(events)
    run(system, f"close {vp.id}")
    assert vp.holdcount == 0
    assert system.check() == []


# -- §2.2 vrele / vput and VOP_INACTIVE ------------------------------------------------------------------------


def test_2_2_last_vrele_calls_inactive_and_frees_to_tail():
    """§2.2: when vrele drops the use count to 0, VOP_INACTIVE is called and the vnode goes to the tail of
    the free list, unlocked."""
    system = System()
    vp = opened(system, "/etc/passwd")
    run(system, "lookup /usr/bin/cc")
    assert freelist(system)[-1] is not vp
    events = run(system, f"close {vp.id}")
    assert funcs(events, vp) == ["VOP_INACTIVE"]
    assert not violations(events)
    assert vp.usecount == 0 and vp.state == INACTIVE and not vp.locked
    assert freelist(system)[-1] is vp
    assert system.check() == []


def test_2_2_vrele_above_zero_does_not_call_inactive():
    """§2.2: only the last reference runs VOP_INACTIVE; an earlier vrele just drops the count."""
    system = System()
    vp = opened(system, "/etc/passwd")
    opened(system, "/etc/passwd")
    events = run(system, f"vrele {vp.id}")
    assert [e.func for e in events] == ["vrele"] and vp.usecount == 1
    assert vp.state == ACTIVE and vp.num not in vfs_of(system).vnodes.freelist
    events = run(system, f"vrele {vp.id}")
    assert funcs(events, vp) == ["VOP_INACTIVE"] and vp.state == INACTIVE
    assert system.check() == []


def test_2_2_last_vput_of_a_locked_vnode_calls_inactive_without_violation():
    """§2.2: vput of a locked vnode unlocks it and releases it; at 0, VOP_INACTIVE and the free-list tail."""
    system = System()
    vp = opened(system, "/etc/passwd")
    run(system, f"lock {vp.id}")
    events = run(system, f"vput {vp.id}")
    assert not violations(events)
    assert funcs(events, vp) == ["VOP_INACTIVE"]
    assert vp.state == INACTIVE and not vp.locked and freelist(system)[-1] is vp
    assert system.check() == []


def test_2_2_free_list_is_kept_in_lru_order_of_release():
    """§2.2: vnodes join the free list at its tail in the order their last references go, whatever order
    they were allocated in."""
    system = System()
    a, b, c = opened(system, "/etc/passwd"), opened(system, "/bin/ls"), opened(system, "/usr/bin/cc")
    assert a.num < b.num < c.num
    for vp in (b, c, a):
        run(system, f"close {vp.id}")
    assert freelist(system)[-3:] == [b, c, a]
    opened(system, "/usr/bin/cc")  # c comes off the list (§2.3) and, closed again, goes to the tail
    run(system, f"close {c.id}")
    assert [v for v in freelist(system) if v in (a, b, c)] == [b, a, c]
    assert freelist(system)[-1] is c
    assert system.check() == []


def test_2_2_inactive_vnode_keeps_its_identity_and_name_cache_entries():
    """§2.2: on the free list a vnode still holds its identity and its name-cache entries."""
    system = System()
    vp = opened(system, "/etc/passwd")
    ino = vp.ino
    cache, etc = vfs_of(system).namecache, vp_at(system, "/etc")
    entry = cache.find(etc, "passwd")
    run(system, f"close {vp.id}")
    assert vp.state == INACTIVE and vp.ino == ino and vp.mount == "mnt0" and vp.type == VREG
    assert vfs_of(system).vnodes.by_identity[("mnt0", ino)] is vp
    assert cache.find(etc, "passwd") is entry and entry.vp is vp and entry in names_of(vp)
    assert etc.state == INACTIVE and entry in children_of(etc)  # the directory too, on the free list
    assert system.check() == []


def test_2_2_inactive_is_called_with_the_vnode_locked(monkeypatch):
    """§2.2: VOP_INACTIVE runs with the vnode locked: the file system's work in it (here freeing an unlinked
    file's space) happens under the lock, and the lock is released before the vnode is free."""
    system = System()
    vfs = vfs_of(system)
    vp = opened(system, "/etc/passwd")
    run(system, "unlink /etc/passwd")
    locked_during_free: list[bool] = []
    original = FileSystem.free

    def spy(self, ino):
        locked_during_free.append(vfs.vnodes.by_identity[("mnt0", ino)].locked)
        return original(self, ino)

    monkeypatch.setattr(FileSystem, "free", spy)
    assert not vp.locked
    run(system, f"close {vp.id}")
    assert locked_during_free == [True]
    assert not vp.locked
    assert system.check() == []


def test_2_2_open_but_deleted_file_keeps_its_space_until_last_close():
    """§2.2: an unlinked file that is still open keeps its space; VOP_INACTIVE at the last close, seeing a
    link count of 0, reclaims it."""
    system = System()
    run(system, "create /tmp/f")
    vp = opened(system, "/tmp/f")
    opened(system, "/tmp/f")
    fs, ino = vfs_of(system).fs_of(vp), vp.ino
    events = run(system, "unlink /tmp/f")
    assert not of(events, "vnode.space_freed")
    assert ino in fs.inodes and fs.inode(ino).nlink == 0 and "f" not in fs.inode(vp_at(system, "/tmp").ino).entries
    events = run(system, f"close {vp.id}")
    assert not of(events, "vnode.space_freed") and ino in fs.inodes  # one user left
    events = run(system, f"close {vp.id}")
    freed = of(events, "vnode.space_freed")
    assert len(freed) == 1 and freed[0].func == "VOP_INACTIVE" and freed[0].refs == (vp.id,)
    assert ino not in fs.inodes
    assert system.check() == []


def test_2_2_unlink_of_a_file_nobody_uses_frees_its_space_at_once():
    """§2.2: with no open file, unlink's own release is the last reference: the space goes at once."""
    system = System()
    run(system, "create /tmp/f")
    vp = vp_at(system, "/tmp/f")
    fs, ino = vfs_of(system).fs_of(vp), vp.ino
    events = run(system, "unlink /tmp/f")
    assert len(of(events, "vnode.space_freed")) == 1 and ino not in fs.inodes
    assert system.check() == []


@pytest.mark.parametrize(("protocol", "violated"), [("freebsd4", True), ("freebsd5", False)])
def test_2_2_badfs_inactive_that_keeps_the_lock_violates_only_the_freebsd4_protocol(protocol, violated):
    """§2.2: per VOP_INACTIVE(9) (FreeBSD 4) the file system must unlock before returning; `badfs` does not,
    which is a violation event. Under the later protocol (freebsd5) returning locked is the rule."""
    system = System({"vnode_protocol": protocol})
    run(system, "mount /mnt fstype=badfs")
    run(system, "create /mnt/f")
    vp = opened(system, "/mnt/f")
    events = run(system, f"close {vp.id}")
    assert funcs(events, vp)[0] == "VOP_INACTIVE"
    found = violations(events)
    assert bool(found) == violated
    if violated:
        assert found[0].refs == (vp.id,) and "VOP_INACTIVE" in found[0].text
    assert not vp.locked and vp.state == INACTIVE  # in both, the vnode ends up unlocked on the free list
    # A well-behaved file system violates neither protocol.
    other = System({"vnode_protocol": protocol})
    run(other, "mount /mnt fstype=ffs")
    run(other, "create /mnt/f")
    good = opened(other, "/mnt/f")
    assert not violations(run(other, f"close {good.id}"))
    assert system.check() == [] and other.check() == []


def test_2_2_lock_protocol_vput_of_an_unlocked_vnode_is_a_violation():
    """§2.2 lock protocol: vput is for a locked vnode; on an unlocked one it is an error event."""
    system = System()
    vp = opened(system, "/etc/passwd")
    events = run(system, f"vput {vp.id}")
    found = violations(events)
    assert len(found) == 1 and found[0].refs == (vp.id,) and found[0].is_error
    assert vp.state == INACTIVE  # the reference was still dropped
    assert system.check() == []


def test_2_2_lock_protocol_vrele_of_a_locked_vnode_at_the_last_reference_is_a_violation():
    """§2.2 lock protocol: vrele must be called unlocked (it locks the vnode itself for VOP_INACTIVE)."""
    system = System()
    vp = opened(system, "/etc/passwd")
    run(system, f"lock {vp.id}")
    events = run(system, f"vrele {vp.id}")
    found = violations(events)
    assert len(found) == 1 and found[0].refs == (vp.id,)
    assert events.index(found[0]) < events.index(of(events, "vnode.inactive")[0])
    assert vp.state == INACTIVE and not vp.locked
    assert system.check() == []


def test_2_2_lock_protocol_locking_twice_is_a_violation():
    """§2.2 lock protocol: an exclusive vnode lock taken twice is an error event, and stays held once."""
    system = System()
    vp = opened(system, "/etc/passwd")
    assert not violations(run(system, f"lock {vp.id}"))
    found = violations(run(system, f"lock {vp.id}"))
    assert len(found) == 1 and found[0].refs == (vp.id,)
    assert vp.locked
    assert not violations(run(system, f"vput {vp.id}"))
    assert system.check() == []


def test_2_2_lock_protocol_unlocking_an_unlocked_vnode_is_a_violation():
    """§2.2 lock protocol: releasing a lock that is not held is an error event."""
    system = System()
    vp = opened(system, "/etc/passwd")
    found = violations(run(system, f"unlock {vp.id}"))
    assert len(found) == 1 and found[0].refs == (vp.id,)
    assert not vp.locked
    run(system, f"close {vp.id}")
    assert system.check() == []


# -- §2.3 vget -------------------------------------------------------------------------------------------------


def test_2_3_cache_hit_vgets_a_vnode_off_the_free_list():
    """§2.3: a name-cache hit on a vnode on the free list revives it with vget: off the list, active, same
    identity, and no disk lookup or new vnode."""
    system = System()
    vp = opened(system, "/etc/passwd")
    run(system, f"close {vp.id}")
    assert vp.num in vfs_of(system).vnodes.freelist
    numvnodes = vfs_of(system).vnodes.numvnodes
    events = run(system, "open /etc/passwd")
    hit = [e for e in events if e.kind == "namecache.hit" and vp.id in e.refs]
    vget = [e for e in events if e.kind == "vnode.vget" and e.refs == (vp.id,)]
    assert len(hit) == 1 and len(vget) == 1 and events.index(hit[0]) < events.index(vget[0])
    assert vget[0].func == "vget"
    assert not of(events, "vfs.vop_lookup") and not of(events, "vnode.new") and not of(events, "vnode.recycle")
    assert of(events, "vfs.open")[-1].refs == (vp.id,)
    assert vp.state == ACTIVE and vp.usecount == 1 and vp.num not in vfs_of(system).vnodes.freelist
    assert vfs_of(system).vnodes.numvnodes == numvnodes
    assert system.check() == []


def test_2_3_vget_of_a_vnode_in_use_only_adds_a_reference():
    """§2.3: only a vnode on the free list is taken off it; a hit on an active vnode just references it."""
    system = System()
    vp = opened(system, "/etc/passwd")
    events = run(system, "open /etc/passwd")
    assert not [e for e in events if e.kind == "vnode.vget" and vp.id in e.refs]
    assert vp.usecount == 2 and vp.state == ACTIVE
    assert system.check() == []


def test_2_3_file_system_lookup_of_a_freed_vnode_also_revives_it():
    """§2.3: after its names are purged, VOP_LOOKUP finds the inode's vnode still on the free list with its
    identity, and vget revives that same vnode (no new vnode)."""
    system = System()
    vp = opened(system, "/etc/passwd")
    run(system, f"close {vp.id}")
    run(system, f"purge {vp.id}")
    events = run(system, "open /etc/passwd")
    assert of(events, "vfs.vop_lookup")[-1].refs == (vp_at(system, "/etc").id, vp.id)
    assert [e.refs for e in of(events, "vnode.vget")][-1] == (vp.id,)
    assert not of(events, "vnode.new") and vp.state == ACTIVE
    assert system.check() == []


# -- §2.4 recycling and VOP_RECLAIM --------------------------------------------------------------------------


def test_2_4_below_desiredvnodes_a_new_vnode_is_allocated_even_with_free_vnodes():
    """§2.4: recycling happens only when the table is full; below desiredvnodes getnewvnode allocates."""
    system = System({"desiredvnodes": 16})
    run(system, "lookup /etc/passwd")
    assert freelist(system)
    events = run(system, "lookup /bin/ls")
    assert len(of(events, "vnode.new")) == 2 and not of(events, "vnode.recycle") and not of(events, "vnode.reclaim")
    assert system.check() == []


def test_2_4_full_table_recycles_the_free_list_head_reclaim_then_cache_purge():
    """§2.4: with the table at desiredvnodes, a new vnode is the free-list head (least recently freed),
    recycled: VOP_RECLAIM is called, which calls cache_purge on it; then it stands for the new file."""
    system = System({"desiredvnodes": 4})
    run(system, "lookup /etc/passwd")  # vp2 /etc, vp3 /etc/passwd; free list: etc, passwd
    run(system, "lookup /etc")  # /etc revived and freed again: free list: passwd, etc
    etc, passwd = vp_at(system, "/etc"), vp_at(system, "/etc/passwd")
    assert freelist(system) == [passwd, etc]
    cache = vfs_of(system).namecache
    doomed = cache.find(etc, "passwd")
    old_id = passwd.id
    events = run(system, "lookup /bin/ls")  # "bin" gets the 4th vnode; "ls" needs a recycled one
    assert [e.refs for e in of(events, "vnode.recycle")] == [(old_id,)]
    steps = [f for f in funcs(events, passwd) if f in ("getnewvnode", "VOP_RECLAIM", "cache_purge", "VFS_VGET")]
    assert steps == ["getnewvnode", "VOP_RECLAIM", "cache_purge", "VFS_VGET"]  # recycle, reclaim, purge, rebind
    assert passwd.id == f"{old_id}#2"  # the struct's second identity: its second generation
    purge = [e for e in events if e.func == "cache_purge" and e.refs[0] == old_id]
    assert doomed.id in purge[0].refs
    assert cache.find(etc, "passwd") is None and doomed not in children_of(etc)
    assert etc.state == INACTIVE and cache.find(vfs_of(system).rootvnode, "etc").vp is etc  # etc untouched
    assert vfs_of(system).vnodes.numvnodes == 4
    assert system.check() == []


def test_2_4_recycled_vnode_is_reused_for_another_file():
    """§2.4: the recycled vnode struct (same id) takes the new file's identity; the old file, looked up
    again, needs a vnode of its own."""
    system = System({"desiredvnodes": 4})
    run(system, "lookup /etc/passwd")
    run(system, "lookup /etc")
    old = vp_at(system, "/etc/passwd")
    old_ino = old.ino
    events = run(system, "lookup /bin/ls")
    assert of(events, "vfs.lookup")[-1].refs == (old.id,)
    assert vp_at(system, "/bin/ls") is old and old.ino != old_ino
    assert ("mnt0", old_ino) not in vfs_of(system).vnodes.by_identity
    assert vfs_of(system).namecache.find(vp_at(system, "/bin"), "ls").vp is old
    events = run(system, "lookup /etc/passwd")
    assert of(events, "vfs.vop_lookup") and of(events, "vfs.lookup")[-1].refs != (old.id,)
    assert system.check() == []


def test_2_4_vnode_in_use_is_never_recycled():
    """§2.4: only free vnodes are recycled: an open file's vnode keeps its identity however full the table."""
    system = System({"desiredvnodes": 3})
    held = opened(system, "/etc/passwd")
    identity = (held.mount, held.ino)
    for path in ("/bin/ls", "/usr/bin/cc", "/var/log/messages", "/home/alice/notes.txt"):
        events = run(system, f"lookup {path}")
        assert held.id not in {r for e in of(events, "vnode.recycle") for r in e.refs}
    assert (held.mount, held.ino) == identity and held.state == ACTIVE
    run(system, f"close {held.id}")
    assert system.check() == []


def test_2_4_reclaim_leaves_the_vnode_unlocked_and_entering_it_locked_is_a_violation():
    """§2.4: VOP_RECLAIM is unlocked on entry and on return; recycling a vnode someone left locked on the
    free list is an error event."""
    system = System({"desiredvnodes": 3})
    run(system, "lookup /etc/passwd")  # table full: vp1 root, vp2 etc, vp3 passwd
    etc, passwd = vp_at(system, "/etc"), vp_at(system, "/etc/passwd")
    assert freelist(system)[0] is etc
    run(system, f"lock {etc.id}")
    etc_id, passwd_id = etc.id, passwd.id
    events = run(system, "lookup /bin")
    found = violations(events)
    assert len(found) == 1 and found[0].refs == (etc_id,) and "VOP_RECLAIM" in found[0].text
    assert events.index(found[0]) < [e.func for e in events].index("VOP_RECLAIM")
    assert not etc.locked
    events = run(system, "lookup /usr")  # next head: passwd, not locked: no violation
    assert [e.refs for e in of(events, "vnode.reclaim")] == [(passwd_id,)]
    assert not violations(events) and not passwd.locked
    assert system.check() == []


def test_2_4_recycle_verb_reclaims_a_free_vnode_and_purges_its_names():
    """§2.4 (vrecycle): reclaiming a free vnode now calls cache_purge; the vnode loses its identity."""
    system = System()
    run(system, "lookup /usr/bin/cc")
    bin_ = vp_at(system, "/usr/bin")
    cache = vfs_of(system).namecache
    events = run(system, f"recycle {bin_.id}")
    assert funcs(events, bin_)[:2] == ["VOP_RECLAIM", "cache_purge"]
    assert not bin_.v_nclist and not bin_.v_dnclist and bin_.ino is None and bin_.state == RECLAIMED
    assert cache.find(vp_at(system, "/usr"), "bin") is None
    assert system.check() == []


# -- §2.5 forced unmount and dead vnodes ----------------------------------------------------------------------


def _mounted_with_open_file(config: dict | None = None) -> tuple[System, Vnode]:
    system = System(config)
    run(system, "mount /mnt fstype=tmpfs")
    run(system, "mkdir /mnt/d")
    run(system, "create /mnt/d/f")
    run(system, "lookup /mnt/d/f")
    return system, opened(system, "/mnt/d/f")


def test_2_5_plain_unmount_with_open_files_is_ebusy_and_changes_nothing():
    """§2.5: without force, open files keep the file system busy: EBUSY, and nothing is purged or reclaimed."""
    system, vp = _mounted_with_open_file()
    before = system.to_dict()
    events = run(system, "unmount mnt1")
    assert len(events) == 1
    assert (events[0].func, events[0].ret, events[0].errno) == ("dounmount", -1, "EBUSY")
    assert vp.id in events[0].refs
    assert system.to_dict() == before
    assert system.check() == []


def test_2_5_forced_unmount_makes_in_use_vnodes_dead():
    """§2.5: a forced unmount reclaims vnodes still in use; they become dead (VBAD) and their holders keep
    their reference."""
    system, vp = _mounted_with_open_file()
    events = run(system, "unmount mnt1 -f")
    dead = of(events, "vnode.dead")
    assert [e.refs for e in dead] == [(vp.id,)]
    assert vp.state == DEAD and vp.type == VBAD and vp.ino is None
    assert vp.usecount == 1  # still held by the open file
    assert "VOP_RECLAIM" in funcs(events, vp)
    assert funcs(events, vp).index("VOP_RECLAIM") < funcs(events, vp).index("vgone")
    assert "mnt1" not in vfs_of(system).mounts
    assert system.check() == []


def test_2_5_forced_unmount_deactivates_in_use_vnodes_before_reclaiming_them():
    """§2.5: "deactivates and reclaims": an in-use vnode goes through VOP_INACTIVE, then VOP_RECLAIM."""
    system, vp = _mounted_with_open_file()
    events = run(system, "unmount mnt1 -f")
    order = funcs(events, vp)
    assert "VOP_INACTIVE" in order
    assert order.index("VOP_INACTIVE") < order.index("VOP_RECLAIM")
    assert not vp.locked
    assert system.check() == []


def test_2_5_forced_unmount_reclaims_unused_vnodes_and_purges_the_mount_names():
    """§2.5 with §1.8: the unused vnodes of the mount are reclaimed too, and no name-cache entry is left
    under the mount or naming one of its vnodes."""
    system, vp = _mounted_with_open_file()
    d, mnt_root = vp_at(system, "/d", "mnt1"), vfs_of(system).mounts["mnt1"].root
    covered = vfs_of(system).mounts["mnt1"].covered
    events = run(system, "unmount mnt1 -f")
    assert {e.refs[0] for e in of(events, "vnode.reclaim")} == {d.id, mnt_root.id, vp.id}
    assert d.state == RECLAIMED and mnt_root.state == RECLAIMED and d.ino is None
    ours = {d, mnt_root, vp}
    assert all(e.dvp not in ours and e.vp not in ours for e in vfs_of(system).namecache.lru.values())
    assert covered.mountedhere is None and covered.usecount == 0 and covered.state == INACTIVE
    assert system.check() == []


def test_2_5_dead_vnode_fails_every_operation_and_its_last_release_frees_it():
    """§2.5: a dead vnode stands for no file: operations on it fail; the last release frees the struct."""
    system, vp = _mounted_with_open_file()
    run(system, "unmount mnt1 -f")
    for line in (f"revlookup {vp.id}", f"enter {vp.id} x -", f"xlock {vp.id}", f"recycle {vp.id}"):
        events = system.apply(parse(line))
        assert [e.kind for e in events] == ["error"], line
    events = run(system, "lookup /mnt/d/f")  # /mnt is the root file system's empty directory again
    assert of(events, "vfs.lookup")[-1].errno == "ENOENT"
    events = run(system, f"close {vp.id}")
    assert of(events, "vnode.free") and not of(events, "vnode.inactive")
    assert vp.state == RECLAIMED and vp.usecount == 0 and freelist(system)[0] is vp
    assert system.check() == []


def test_2_5_a_dead_cwd_fails_lookups():
    """§2.5: a process whose cwd was on the forcibly unmounted file system can no longer look anything up
    from it (deadfs's lookup fails with ENOTDIR)."""
    system = System()
    run(system, "mount /mnt fstype=tmpfs")
    run(system, "mkdir /mnt/d")
    run(system, "cd /mnt/d")
    cwd = vfs_of(system).cwd
    assert cwd.type == VDIR
    assert of(run(system, "unmount mnt1"), "vfs.unmount")[0].errno == "EBUSY"
    run(system, "unmount mnt1 -f")
    assert cwd.state == DEAD and cwd.type == VBAD
    events = run(system, "lookup x")
    assert of(events, "vfs.lookup")[-1].errno == "ENOTDIR"
    run(system, "cd /")
    assert cwd.state == RECLAIMED
    assert system.check() == []


def test_2_4_a_recycled_vnode_shows_its_generation_in_ids_events_state_and_breakpoints():
    """§2.4: the struct is reused for another file (getnewvnode), but one id never names two files: the
    second identity is vp3#2, as FreeBSD 4 sys/kern/vfs_cache.c cache_purge gives the purged vnode a new
    capability (``vp->v_id = nextid``) that the name cache compares. vp3 names the struct whatever it
    stands for; vp3#1 is refused once the struct has moved on; a breakpoint on vp3 stops at every generation."""
    from model.timeline import Breakpoint, Step

    system = System({"desiredvnodes": 4})
    run(system, "lookup /etc/passwd")
    run(system, "lookup /etc")
    passwd = vp_at(system, "/etc/passwd")
    assert passwd.id == "vp3"
    events = run(system, "lookup /bin/ls")  # recycles vp3 for /bin/ls
    assert passwd.id == "vp3#2" and vp_at(system, "/bin/ls") is passwd
    assert [e.refs for e in of(events, "vnode.recycle")] == [("vp3",)]  # the old identity is recycled...
    assert "vp3#2" in of(events, "vnode.bind")[-1].refs  # ...and the new one bound
    assert of(events, "vfs.lookup")[-1].refs == ("vp3#2",)
    dumped = system.to_dict()["vfs"]["vnodes"]["vnodes"][2]
    assert (dumped["id"], dumped["generation"]) == ("vp3#2", 2)
    assert "vp3#2" in system.describe("vp3#2") and system.describe("vp3") == system.describe("vp3#2")
    assert system.describe("vp3#1") == "vp3#1 is gone: its struct was reclaimed and reused, and is now vp3#2 /bin/ls"
    refused = system.apply(parse("print vp3#1"))[0]
    assert refused.is_error and "vp3#1 is gone" in refused.text and "vp3#2" in refused.text
    assert not [e for e in system.apply(parse("print vp3")) if e.is_error]
    step = Step(parse("lookup /bin/ls"))
    assert Breakpoint("ref", "vp3").matches(step, events) and Breakpoint("ref", "vp3#2").matches(step, events)
    assert not Breakpoint("ref", "vp3#3").matches(step, events)
    assert system.check() == []
