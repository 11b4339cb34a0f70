"""Model tests for docs/kernel-rules.md §1, NetBSD's name lookup cache (namecache(9), vfs_cache.c, vfs_lookup.c).

One test per rule (several where a rule has several parts), named after the rule and citing it.
Expected values are derived from the rule, not read back from the model: hashes are recomputed here
from their definition, buckets from the vnode addresses, and counters from the events.
"""

from __future__ import annotations

import random
from collections import Counter

import pytest

from model.events import Event
from model.ops import parse
from model.system import System
from model.vfs.namecache import NameCache
from model.vfs.namecache_entry import children_of, names_of
from model.vfs.namei import namei, wants_entry
from model.vfs.nchash import CREATE, DELETE, LOOKUP, MISS, NCHNAMLEN, RENAME, namei_hash
from model.vfs.vfs import Vfs
from model.vfs.vnode import VDIR, Vnode

LOOKUP_OUTCOMES = {
    "namecache.hit": "ncs_goodhits",
    "namecache.neghit": "ncs_neghits",
    "namecache.badhit": "ncs_badhits",
    "namecache.miss": "ncs_miss",
    "namecache.long": "ncs_long",
    "namecache.falsehit": "ncs_falsehits",
}
"""The event each cache_lookup outcome emits, and the counter it increments: one call, one event."""

SIX = ("ncs_goodhits", "ncs_neghits", "ncs_badhits", "ncs_falsehits", "ncs_miss", "ncs_long")


# -- helpers -----------------------------------------------------------------------------------------


def run(system: System, line: str) -> list[Event]:
    """Apply one command line; no step of these scenarios is expected to be refused."""
    events = system.apply(parse(line))
    assert not [e for e in events if e.kind == "error"], (line, events)
    return events


def of(events: list[Event], kind: str) -> list[Event]:
    return [e for e in events if e.kind == kind]


def vfs_of(system: System) -> Vfs:
    return system.part("vfs")


def vp_at(system: System, path: str, mount: str = "mnt0") -> Vnode:
    """The vnode standing for PATH on MOUNT, found from the disk and the identity index only, so that
    finding it touches neither the name cache nor its counters."""
    vfs = vfs_of(system)
    fs = vfs.mounts[mount].fs
    ino = fs.ROOT_INO
    for part in [p for p in path.split("/") if p]:
        ino = fs.inodes[ino].entries[part]
    vnode = vfs.vnodes.by_identity.get((mount, ino))
    assert vnode is not None, f"{path} has no vnode"
    return vnode


def ref_hash(name: str) -> int:
    """namei_hash as vfs_lookup.c writes it: hash = hash + (hash << 5) + (u_char)c, return hash + (hash >> 5),
    all in a uint32_t."""
    hash_ = 5381
    for c in name.encode("utf-8", "surrogateescape"):
        hash_ = (hash_ + (hash_ << 5) + c) % 2**32
    return (hash_ + (hash_ >> 5)) % 2**32


def lru_names(system: System) -> list[tuple[str, str]]:
    return [(e.dvp.id, e.name) for e in vfs_of(system).namecache.lru.values()]


def stats(system: System) -> dict[str, int]:
    return dict(vfs_of(system).namecache.stats)


def delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {k: after[k] - before[k] for k in after if after[k] != before[k]}


def lookup_outcomes(events: list[Event]) -> list[str]:
    return [e.kind for e in events if e.func == "cache_lookup" and e.kind in LOOKUP_OUTCOMES]


def probes(events: list[Event]) -> list[tuple[str, str]]:
    """(name, directory) of each cache_lookup: the directory is the ref just before "nchash N"."""
    out = []
    for e in events:
        if e.func == "cache_lookup" and e.kind in LOOKUP_OUTCOMES:
            at = next(i for i, r in enumerate(e.refs) if r.startswith("nchash "))
            out.append((e.data["name"], e.refs[at - 1]))
    return out


# -- §1.1 entries and NCHNAMLEN -------------------------------------------------------------------------


def test_1_1_entry_holds_parent_target_whiteout_flag_and_name():
    """§1.1: an entry holds nc_dvp, nc_vp (none when negative), the ISWHITEOUT flag, and the name."""
    system = System()
    run(system, "lookup /usr/bin/cc")
    run(system, "lookup /usr/bin/ghost")
    run(system, "whiteout /etc/motd")
    run(system, "lookup /etc/motd")
    cache = vfs_of(system).namecache
    usr, bin_, cc, etc = (vp_at(system, p) for p in ("/usr", "/usr/bin", "/usr/bin/cc", "/etc"))

    entry = cache.find(bin_, "cc")
    assert (entry.dvp, entry.vp, entry.name, entry.whiteout) == (bin_, cc, "cc", False)
    assert cache.find(usr, "bin").vp is bin_
    ghost = cache.find(bin_, "ghost")
    assert ghost.vp is None and ghost.negative and not ghost.whiteout
    motd = cache.find(etc, "motd")
    assert motd.vp is None and motd.whiteout  # the whiteout flag of the component is kept
    assert system.check() == []


def test_1_1_nchnamlen_is_31_and_a_31_byte_name_is_cached():
    """§1.1: NCHNAMLEN is 31, so a name of exactly 31 bytes is entered and then hits."""
    assert NCHNAMLEN == 31
    name = "n" * 31
    system = System()
    run(system, f"create /tmp/{name}")
    run(system, f"lookup /tmp/{name}")
    assert vfs_of(system).namecache.find(vp_at(system, "/tmp"), name) is not None
    events = run(system, f"lookup /tmp/{name}")
    assert lookup_outcomes(events) == ["namecache.hit", "namecache.hit"]
    assert system.check() == []


def test_1_1_longer_name_is_never_entered_and_lookup_counts_ncs_long():
    """§1.1: a 32-byte name is never entered; each cache_lookup of it returns "not found" (-1) and counts
    ncs_long, and the file system answers every time."""
    name = "this-name-is-32-bytes-long-abcde"
    assert len(name.encode()) == 32
    system = System()
    run(system, f"create /tmp/{name}")
    tmp = vp_at(system, "/tmp")
    for _ in range(3):
        before = stats(system)
        events = run(system, f"lookup /tmp/{name}")
        long_ = of(events, "namecache.long")
        assert len(long_) == 1 and long_[0].ret == MISS
        assert delta(before, stats(system)) == {"ncs_goodhits": 1, "ncs_long": 1}  # 'tmp' hits, the name is long
        assert [e.refs[:1] for e in of(events, "vfs.vop_lookup")] == [(tmp.id,)]
        assert of(events, "vfs.lookup")[0].ret == 0  # the file exists: the file system found it
        assert vfs_of(system).namecache.find(tmp, name) is None
    assert system.check() == []


def test_1_1_name_length_is_counted_in_bytes_not_characters():
    """§1.1: the name length is cn_namelen, in bytes: 16 two-byte characters (32 bytes) are too long,
    while 15 of them plus one ASCII byte (31 bytes) fit."""
    system = System()
    vfs = vfs_of(system)
    cache, root = vfs.namecache, vfs.rootvnode
    too_long, fits = "é" * 16, "é" * 15 + "a"
    assert len(too_long) == 16 and len(too_long.encode()) == 32 and len(fits.encode()) == 31

    ret, _, _ = cache.cache_lookup(root, too_long)
    assert ret == MISS and cache.stats["ncs_long"] == 1 and cache.stats["ncs_miss"] == 0
    cache.cache_enter(root, None, too_long)
    assert cache.find(root, too_long) is None
    cache.cache_enter(root, None, fits)
    assert cache.find(root, fits) is not None
    assert system.check() == []


# -- §1.2 the lists an entry is on -----------------------------------------------------------------------


def _populated(config: dict | None = None) -> System:
    system = System(config or {"nchash": 64, "ncvhash": 16})
    for line in ("lookup /usr/bin/cc", "lookup /usr/lib/libc.so", "lookup /etc/passwd", "lookup /etc/nothere",
                 "lookup /home/alice/notes.txt", "lookup /var/log/messages"):  # fmt: skip
        run(system, line)
    return system


def test_1_2_entry_is_on_its_hash_chain_the_lru_and_both_vnode_lists():
    """§1.2: every entry is on the nchashtbl chain (namei_hash(name) ^ (addr(nc_dvp) >> 3)) & (size - 1),
    on the LRU list, on its parent's list of children and, when positive, on its target's list."""
    system = _populated()
    cache = vfs_of(system).namecache
    entries = list(cache.lru.values())
    assert len(entries) == 14  # usr bin cc lib libc.so etc passwd nothere home alice notes.txt var log messages
    for entry in entries:
        bucket = (ref_hash(entry.name) ^ (entry.dvp.addr >> 3)) & (64 - 1)
        assert [e for e in cache.nchashtbl[bucket] if e is entry] == [entry], entry.id
        assert sum(chain.count(entry) for chain in cache.nchashtbl) == 1
        assert entry in children_of(entry.dvp)
        if entry.vp is not None:
            assert entry in names_of(entry.vp)
    negative = cache.find(vp_at(system, "/etc"), "nothere")
    assert negative.vp is None
    assert all(negative not in names_of(v) for v in vfs_of(system).vnodes.vnodes)
    assert system.check() == []


def test_1_2_only_directory_targets_are_on_ncvhashtbl_at_their_vnode_bucket():
    """§1.2: an entry whose target is a directory is on ncvhashtbl, at the bucket (addr(nc_vp) >> 3) & (size - 1);
    entries naming regular files, and negative entries, are not."""
    system = _populated()
    cache = vfs_of(system).namecache
    on_v = {e.num for chain in cache.ncvhashtbl for e in chain}
    for entry in cache.lru.values():
        if entry.vp is not None and entry.vp.type == VDIR:
            bucket = (entry.vp.addr >> 3) & (16 - 1)
            assert entry in cache.ncvhashtbl[bucket], entry.id
        else:
            assert entry.num not in on_v, entry.id
    dirs = {"usr", "bin", "lib", "etc", "home", "alice", "var", "log"}
    assert {cache.lru[n].name for n in on_v} == dirs
    assert system.check() == []


def test_1_2_dot_and_dotdot_entries_are_not_on_ncvhashtbl():
    """§1.2: entries named "." or ".." name directories but are not on ncvhashtbl."""
    system = System()
    run(system, "lookup /usr/./bin/..")
    cache = vfs_of(system).namecache
    usr, bin_ = vp_at(system, "/usr"), vp_at(system, "/usr/bin")
    dot, dotdot = cache.find(usr, "."), cache.find(bin_, "..")
    assert dot is not None and dot.vp is usr
    assert dotdot is not None and dotdot.vp is usr
    on_v = [e for chain in cache.ncvhashtbl for e in chain]
    assert dot not in on_v and dotdot not in on_v
    assert cache.find(usr, "bin") in on_v  # the ordinary name of a directory is
    assert system.check() == []


def test_1_2_entry_whose_target_is_its_parent_is_not_on_ncvhashtbl():
    """§1.2: an entry with nc_vp == nc_dvp is not on ncvhashtbl, whatever its name."""
    system = System()
    root = vfs_of(system).rootvnode
    run(system, f"enter {root.id} self {root.id}")
    entry = vfs_of(system).namecache.find(root, "self")
    assert entry is not None and entry.vp is root
    assert all(entry not in chain for chain in vfs_of(system).namecache.ncvhashtbl)
    assert system.check() == []


def test_1_2_vnode_addresses_are_stable_so_buckets_are_reproducible():
    """§1.2: vnode "addresses" are stable integers, so two runs of the same operations hash identically."""
    one, two = _populated(), _populated()
    vn_one, vn_two = vfs_of(one).vnodes.vnodes, vfs_of(two).vnodes.vnodes
    assert [(v.id, v.addr) for v in vn_one] == [(v.id, v.addr) for v in vn_two]
    assert len({v.addr for v in vn_one}) == len(vn_one)  # distinct addresses
    dump_one, dump_two = vfs_of(one).namecache.to_dict(), vfs_of(two).namecache.to_dict()
    assert dump_one["chains"] == dump_two["chains"] and dump_one["vchains"] == dump_two["vchains"]
    assert one.check() == [] and two.check() == []


# -- §1.3 namei_hash --------------------------------------------------------------------------------------


def test_1_3_namei_hash_known_values():
    """§1.3: literal values computed by hand from Bernstein's hash (5381, h*33 + byte) finished as h + (h >> 5).

    "" -> 5381 + 168 = 5549; "a" -> 5381*33 + 97 = 177670, + 5552 = 183222;
    "usr" -> 177690, 5863885, 193508319, + 6047134 = 199555453; "libc.so" wraps past 2**32.
    """
    assert namei_hash("") == 5549
    assert namei_hash("a") == 183222
    assert namei_hash("usr") == 199555453
    assert namei_hash("libc.so") == 2100199908


def test_1_3_namei_hash_matches_the_definition_on_32_bits():
    """§1.3: for many names (long ones that overflow, bytes >= 0x80 added unsigned) the hash is the 32-bit
    Bernstein hash finished as hash + (hash >> 5)."""
    rng = random.Random(3)
    names = ["", ".", "..", "cc", "x" * 31, "y" * 32, "é", "\u00ff\u00fe", "日本語", "z" * 255]
    names += ["".join(chr(rng.randrange(1, 0x250)) for _ in range(rng.randrange(1, 40))) for _ in range(200)]
    for name in names:
        value = namei_hash(name)
        assert value == ref_hash(name), name
        assert 0 <= value < 2**32


def test_1_3_cache_lookup_probes_the_bucket_of_the_component_hash():
    """§1.3 with §1.2: cache_lookup reports the component hash and probes (hash ^ (addr >> 3)) & mask."""
    system = System({"nchash": 32})
    events = run(system, "lookup /usr/bin/cc")
    probes = [e for e in events if e.func == "cache_lookup"]
    root, usr, bin_ = vfs_of(system).rootvnode, vp_at(system, "/usr"), vp_at(system, "/usr/bin")
    for event, (dvp, name) in zip(probes, [(root, "usr"), (usr, "bin"), (bin_, "cc")], strict=True):
        assert event.data["hash"] == ref_hash(name)
        assert event.data["bucket"] == (ref_hash(name) ^ (dvp.addr >> 3)) & 31
    assert system.check() == []


# -- §1.4 cache_lookup --------------------------------------------------------------------------------------


def test_1_4_miss_returns_minus_one_and_counts_ncs_miss():
    """§1.4: no entry -> -1 and ncs_miss; the LRU order of the other entries is unchanged."""
    system = System()
    run(system, "lookup /etc/passwd")
    order = lru_names(system)
    before = stats(system)
    ret, entry, events = vfs_of(system).namecache.cache_lookup(vp_at(system, "/etc"), "group")
    assert (ret, entry) == (MISS, None)
    assert [e.kind for e in events] == ["namecache.miss"] and events[0].ret == MISS
    assert delta(before, stats(system)) == {"ncs_miss": 1}
    assert lru_names(system) == order
    assert system.check() == []


def test_1_4_long_name_returns_minus_one_and_counts_ncs_long():
    """§1.4: a name longer than NCHNAMLEN -> -1 and ncs_long (not ncs_miss)."""
    system = System()
    before = stats(system)
    ret, entry, events = vfs_of(system).namecache.cache_lookup(vfs_of(system).rootvnode, "q" * 40)
    assert (ret, entry) == (MISS, None)
    assert events[0].kind == "namecache.long" and events[0].ret == MISS
    assert delta(before, stats(system)) == {"ncs_long": 1}
    assert system.check() == []


def test_1_4_hit_without_makeentry_removes_entry_and_counts_badhits():
    """§1.4: a hit (positive or negative) when the caller does not set MAKEENTRY removes the entry,
    returns -1 and counts ncs_badhits."""
    system = System()
    run(system, "lookup /etc/passwd")
    run(system, "lookup /etc/nothere")
    cache, etc = vfs_of(system).namecache, vp_at(system, "/etc")
    passwd = cache.find(etc, "passwd")
    for name in ("passwd", "nothere"):
        before = stats(system)
        ret, entry, events = cache.cache_lookup(etc, name, nameiop=DELETE, makeentry=False)
        assert (ret, entry) == (MISS, None)
        assert [e.kind for e in events] == ["namecache.badhit", "namecache.remove"]
        assert events[0].ret == MISS
        assert delta(before, stats(system)) == {"ncs_badhits": 1}
        assert cache.find(etc, name) is None
    assert passwd.num not in cache.lru and passwd not in names_of(vp_at(system, "/etc/passwd"))
    assert system.check() == []


def test_1_4_delete_of_last_component_through_unlink_is_a_badhit():
    """§1.4: the last component of a DELETE (unlink) hits without MAKEENTRY: removed, -1, then the file
    system is asked."""
    system = System()
    run(system, "lookup /etc/passwd")
    before = stats(system)
    events = run(system, "unlink /etc/passwd")
    assert lookup_outcomes(events) == ["namecache.hit", "namecache.badhit"]
    badhit = of(events, "namecache.badhit")[0]
    assert badhit.ret == MISS
    assert events.index(badhit) < events.index(of(events, "vfs.vop_lookup")[0])
    assert delta(before, stats(system)) == {"ncs_goodhits": 1, "ncs_badhits": 1}
    assert vfs_of(system).namecache.find(vp_at(system, "/etc"), "passwd") is None
    assert system.check() == []


def test_1_4_rename_of_cached_names_is_two_badhits():
    """§1.4: rename looks its source up for DELETE and its target for RENAME; both last components are
    hit without MAKEENTRY, so both entries are removed as bad hits."""
    system = System()
    run(system, "create /tmp/a")
    run(system, "create /tmp/b")
    run(system, "lookup /tmp/a")
    run(system, "lookup /tmp/b")
    before = stats(system)
    events = run(system, "rename /tmp/a /tmp/b")
    assert lookup_outcomes(events) == ["namecache.hit", "namecache.badhit", "namecache.hit", "namecache.badhit"]
    assert [e.data["name"] for e in of(events, "namecache.badhit")] == ["a", "b"]
    assert delta(before, stats(system))["ncs_badhits"] == 2
    assert system.check() == []


def test_1_4_negative_hit_returns_enoent_and_moves_to_lru_tail():
    """§1.4: a negative entry answers ENOENT (ncs_neghits) and moves to the LRU tail."""
    system = System()
    run(system, "lookup /etc/nothere")
    run(system, "lookup /usr/bin/cc")
    cache, etc = vfs_of(system).namecache, vp_at(system, "/etc")
    negative = cache.find(etc, "nothere")
    assert list(cache.lru.values())[-1] is not negative
    before = stats(system)
    ret, entry, events = cache.cache_lookup(etc, "nothere")
    assert ret == "ENOENT" and entry is negative
    assert events[0].kind == "namecache.neghit" and events[0].errno == "ENOENT"
    assert delta(before, stats(system)) == {"ncs_neghits": 1}
    assert list(cache.lru.values())[-1] is negative
    # Through namei: the file system is not asked.
    events = run(system, "lookup /etc/nothere")
    assert lookup_outcomes(events) == ["namecache.hit", "namecache.neghit"]
    assert not of(events, "vfs.vop_lookup") and of(events, "vfs.lookup")[0].errno == "ENOENT"
    assert system.check() == []


def test_1_4_negative_hit_passes_back_the_whiteout_flag():
    """§1.4: a negative hit passes ISWHITEOUT back to the caller (only for entries that have it)."""
    system = System()
    run(system, "whiteout /etc/motd")
    run(system, "lookup /etc/motd")  # miss; VOP_LOOKUP finds the whiteout; negative entry with ISWHITEOUT
    run(system, "lookup /etc/nothere")
    cache, etc = vfs_of(system).namecache, vp_at(system, "/etc")
    ret, entry, _ = cache.cache_lookup(etc, "motd")
    assert ret == "ENOENT" and entry.whiteout
    ret, entry, _ = cache.cache_lookup(etc, "nothere")
    assert ret == "ENOENT" and not entry.whiteout
    assert system.check() == []


def test_1_4_create_last_component_negative_hit_is_a_badhit_and_removes_entry():
    """§1.4: for the last component of a CREATE, a negative entry is removed and -1 returned (ncs_badhits)."""
    system = System()
    run(system, "lookup /tmp/new")
    cache, tmp = vfs_of(system).namecache, vp_at(system, "/tmp")
    assert cache.find(tmp, "new").negative
    before = stats(system)
    events = run(system, "create /tmp/new")
    assert lookup_outcomes(events) == ["namecache.hit", "namecache.badhit"]
    assert of(events, "namecache.badhit")[0].ret == MISS
    assert delta(before, stats(system)) == {"ncs_goodhits": 1, "ncs_badhits": 1}
    assert of(events, "vfs.create")[-1].ret == 0  # the create went ahead
    assert cache.find(tmp, "new") is None
    assert system.check() == []


def test_1_4_create_negative_hit_on_a_non_last_component_is_enoent():
    """§1.4: only the last component of a CREATE turns a negative hit into a bad hit; before it, ENOENT."""
    system = System()
    run(system, "lookup /tmp/nodir")
    cache, tmp = vfs_of(system).namecache, vp_at(system, "/tmp")
    ret, entry, _ = cache.cache_lookup(tmp, "nodir", nameiop=CREATE, islastcn=False)
    assert ret == "ENOENT" and entry is cache.find(tmp, "nodir")
    before = stats(system)
    events = run(system, "create /tmp/nodir/file")
    assert lookup_outcomes(events) == ["namecache.hit", "namecache.neghit"]
    assert of(events, "vfs.create")[-1].errno == "ENOENT"
    assert delta(before, stats(system)) == {"ncs_goodhits": 1, "ncs_neghits": 1}
    assert system.check() == []


def test_1_4_good_hit_returns_zero_references_the_vnode_and_moves_to_lru_tail():
    """§1.4: a positive hit returns 0 (ncs_goodhits) with the vnode referenced, and moves the entry to the
    LRU tail; the file system is not asked."""
    system = System()
    run(system, "open /etc/passwd")
    run(system, "lookup /usr/bin/cc")
    cache, etc, passwd = vfs_of(system).namecache, vp_at(system, "/etc"), vp_at(system, "/etc/passwd")
    entry = cache.find(etc, "passwd")
    assert list(cache.lru.values())[-1] is not entry
    usecount = passwd.usecount
    before = stats(system)
    events = run(system, "open /etc/passwd")
    assert lookup_outcomes(events) == ["namecache.hit", "namecache.hit"]
    hit = of(events, "namecache.hit")[1]
    assert hit.ret == 0 and hit.refs[0] == entry.id and passwd.id in hit.refs
    assert not of(events, "vfs.vop_lookup")
    assert passwd.usecount == usecount + 1
    assert delta(before, stats(system)) == {"ncs_goodhits": 2}
    assert list(cache.lru.values())[-1] is entry
    run(system, f"close {passwd.id}")
    run(system, f"close {passwd.id}")
    assert system.check() == []


def test_1_4_good_hit_returns_the_vnode_locked():
    """§1.4: `0` with the vnode referenced and locked for a positive hit. NetBSD sys/kern/vfs_cache.c
    cache_lookup (rev. 1.63): "If the lookup succeeds, the vnode is locked, stored in ni_vp" (vget, then
    vn_lock(vp, LK_EXCLUSIVE)); namei with LOCKLEAF hands it back so, and its caller releases it with vput."""
    system = System()
    run(system, "lookup /etc/passwd")
    vfs = vfs_of(system)
    passwd = vp_at(system, "/etc/passwd")
    usecount = passwd.usecount
    result = namei(vfs, "/etc/passwd")
    assert lookup_outcomes(result.events)[-1] == "namecache.hit"
    assert result.vp is passwd and passwd.locked and passwd.usecount == usecount + 1
    assert not vp_at(system, "/etc").locked  # lock coupling: the directory was vput on the way down
    assert not [e for e in vfs.vput(passwd) if e.is_error]  # vput: locked, as the protocol wants
    assert not passwd.locked and passwd.usecount == usecount
    assert system.check() == []


@pytest.mark.parametrize(
    "line",
    ["lookup /etc/passwd", "open /etc/passwd", "cd /usr", "create /tmp/n", "mkdir /tmp/d", "unlink /etc/motd",
     "rename /etc/motd /etc/motd2", "rename /etc/motd /etc/passwd", "whiteout /tmp/w", "lookup /usr/.",
     "lookup /..", "rmdir /tmp", "mkdir /etc/passwd", "lookup /etc/passwd/x", "mount /mnt fstype=tmpfs"],
)  # fmt: skip
def test_1_4_every_verb_releases_the_locks_namei_took(line):
    """§1.4: whatever a path call does with the locked vnodes namei hands back (vput, or VOP_UNLOCK of what
    it keeps: sys_open, change_dir, mount's covered vnode), no vnode stays locked after it and no lock
    protocol is broken (no error.vnode_lock event)."""
    system = System()
    run(system, "mkdir /mnt")
    run(system, "lookup /usr/bin/cc")  # warm the cache: the walks below take good hits
    events = system.apply(parse(line))
    assert not [e for e in events if e.kind == "error.vnode_lock"], events
    assert [v.id for v in vfs_of(system).vnodes.vnodes if v.locked] == []
    assert system.check() == []


def test_1_4_false_hit_when_the_vnode_is_being_reclaimed():
    """§1.4: a positive hit on a vnode that vget cannot have (VXLOCK) is -1 and ncs_falsehits (not a good
    hit); the entry stays, and the lookup falls back to the file system."""
    system = System()
    run(system, "lookup /etc/passwd")
    cache, etc, passwd = vfs_of(system).namecache, vp_at(system, "/etc"), vp_at(system, "/etc/passwd")
    entry = cache.find(etc, "passwd")
    run(system, f"xlock {passwd.id}")
    assert passwd.xlock

    # cache_lookup itself: its vget(vp, LK_NOWAIT) fails, so the one call has one outcome, a false hit
    # (vfs_cache.c cache_lookup: "this vnode is being cleaned out. nchstats.ncs_falsehits++; goto fail;"),
    # and the entry is still cached afterwards, moved to the LRU tail before the vget.
    before = stats(system)
    ret, hit, events = cache.cache_lookup(etc, "passwd")
    assert ret == MISS and hit is entry
    assert [(e.kind, e.ret) for e in events] == [("namecache.falsehit", MISS)]
    assert delta(before, stats(system)) == {"ncs_falsehits": 1}
    assert cache.find(etc, "passwd") is entry and list(cache.lru)[-1] == entry.num

    # Through namei: one false hit, then VOP_LOOKUP answers.
    before = stats(system)
    events = run(system, "lookup /etc/passwd")
    falsehit = of(events, "namecache.falsehit")
    assert len(falsehit) == 1 and falsehit[0].ret == MISS and entry.id in falsehit[0].refs
    assert events.index(falsehit[0]) < events.index(of(events, "vfs.vop_lookup")[0])
    assert not [e for e in events if e.kind == "namecache.remove" and "cache_lookup" in e.text]
    assert delta(before, stats(system)) == {"ncs_goodhits": 1, "ncs_falsehits": 1}  # 'etc' good, 'passwd' false
    # vget would have slept until the other CPU's reclaim finished: the doomed vnode is reclaimed (its
    # names purged) and a fresh vnode stands for the file, so the next lookup hits twice.
    assert passwd.ino is None and not passwd.xlock
    fresh = vp_at(system, "/etc/passwd")
    assert fresh is not passwd and not fresh.xlock
    events = run(system, "lookup /etc/passwd")
    assert lookup_outcomes(events) == ["namecache.hit", "namecache.hit"] and not of(events, "namecache.falsehit")
    assert system.check() == []


def test_1_4_hits_move_to_lru_tail_misses_do_not_reorder():
    """§1.4: a hit moves its entry to the LRU tail; the order of the others is kept."""
    system = System()
    run(system, "lookup /usr/bin/cc")
    run(system, "lookup /etc/passwd")
    root = vfs_of(system).rootvnode
    usr, bin_, etc = vp_at(system, "/usr"), vp_at(system, "/usr/bin"), vp_at(system, "/etc")
    assert lru_names(system) == [(root.id, "usr"), (usr.id, "bin"), (bin_.id, "cc"), (root.id, "etc"),
                                 (etc.id, "passwd")]  # fmt: skip
    vfs_of(system).namecache.cache_lookup(usr, "bin")
    assert lru_names(system) == [(root.id, "usr"), (bin_.id, "cc"), (root.id, "etc"), (etc.id, "passwd"),
                                 (usr.id, "bin")]  # fmt: skip
    vfs_of(system).namecache.cache_lookup(usr, "nothing-here")
    assert lru_names(system)[-1] == (usr.id, "bin")
    assert system.check() == []


# -- §1.5 cache_enter -----------------------------------------------------------------------------------------


def test_1_5_long_name_is_not_entered_and_no_counter_changes():
    """§1.5: cache_enter of a name longer than NCHNAMLEN makes no entry and changes no counter."""
    system = System()
    cache, root = vfs_of(system).namecache, vfs_of(system).rootvnode
    before_stats, before_lru = stats(system), list(cache.lru)
    for vp in (None, vp_at(system, "/")):
        cache.cache_enter(root, vp, "k" * 32)
    assert stats(system) == before_stats and list(cache.lru) == before_lru
    assert cache.find(root, "k" * 32) is None
    assert sum(map(len, cache.nchashtbl)) == 0
    assert system.check() == []


def test_1_5_negative_entry_keeps_only_the_whiteout_bit():
    """§1.5: a negative entry (vp none) keeps the whiteout bit it is given; a positive one never has it."""
    system = System()
    run(system, "lookup /etc/passwd")
    root, etc, passwd = vfs_of(system).rootvnode, vp_at(system, "/etc"), vp_at(system, "/etc/passwd")
    run(system, f"enter {root.id} white - -w")
    run(system, f"enter {root.id} plain -")
    run(system, f"enter {etc.id} alias {passwd.id} -w")
    cache = vfs_of(system).namecache
    assert cache.find(root, "white").whiteout and cache.find(root, "white").negative
    assert not cache.find(root, "plain").whiteout
    positive = cache.find(etc, "alias")
    assert positive.vp is passwd and not positive.whiteout
    assert system.check() == []


def test_1_5_entering_the_same_name_twice_leaves_one_entry_the_newer():
    """§1.5: entering (dvp, name) twice leaves exactly one entry, the newer, and the older is off every list."""
    system = System()
    run(system, "lookup /etc/passwd")
    run(system, "lookup /usr/bin")
    etc, passwd, bin_ = vp_at(system, "/etc"), vp_at(system, "/etc/passwd"), vp_at(system, "/usr/bin")
    cache = vfs_of(system).namecache
    run(system, f"enter {etc.id} twice {passwd.id}")
    older = cache.find(etc, "twice")
    run(system, f"enter {etc.id} twice {bin_.id}")
    newer = cache.find(etc, "twice")
    assert newer is not older and newer.vp is bin_
    named = [e for e in cache.lru.values() if (e.dvp, e.name) == (etc, "twice")]
    assert named == [newer]
    assert sum(1 for chain in cache.nchashtbl for e in chain if (e.dvp, e.name) == (etc, "twice")) == 1
    assert older not in names_of(passwd) and older not in children_of(etc)
    assert newer in cache.ncvhashtbl[cache.ncvhash(bin_)]  # a directory target now
    run(system, f"enter {etc.id} twice -")  # and a negative replaces a positive
    assert cache.find(etc, "twice").negative and newer not in names_of(bin_)
    assert all(newer not in chain for chain in cache.ncvhashtbl)
    assert system.check() == []


def test_1_5_at_capacity_the_lru_head_is_removed_from_all_lists_and_reused():
    """§1.5: when the cache is full, the LRU head (least recently used, not the oldest entered) is removed
    from its hash chain, the LRU list, its parent's and target's lists and ncvhashtbl, and the new entry
    takes its place."""
    system = System({"namecache_max": 4})
    run(system, "lookup /usr/bin/cc")  # usr, bin, cc
    run(system, "lookup /usr/lib")  # usr hits (to the tail), lib entered: LRU = bin, cc, usr, lib
    cache = vfs_of(system).namecache
    usr, bin_ = vp_at(system, "/usr"), vp_at(system, "/usr/bin")
    victim = cache.find(usr, "bin")
    assert next(iter(cache.lru.values())) is victim and cache.numcache == 4
    assert victim.vbucket is not None  # a directory: on ncvhashtbl too
    events = run(system, "lookup /var")
    reclaim = of(events, "namecache.reclaim")
    assert len(reclaim) == 1 and reclaim[0].refs == (victim.id,)
    assert cache.numcache == 4
    assert victim.num not in cache.lru
    assert all(victim not in chain for chain in cache.nchashtbl)
    assert all(victim not in chain for chain in cache.ncvhashtbl)
    assert victim not in children_of(usr) and victim not in names_of(bin_)
    assert cache.find(usr, "bin") is None
    assert [name for _, name in lru_names(system)] == ["cc", "usr", "lib", "var"]
    assert system.check() == []


def test_1_5_new_entries_go_to_the_lru_tail_and_the_head_of_their_chain():
    """§1.5: a new entry is appended at the LRU tail and inserted at the head of its hash chain."""
    system = System({"nchash": 1})  # one chain: every entry shares it
    cache = vfs_of(system).namecache
    names = ["usr", "bin", "cc"]
    run(system, "lookup /usr/bin/cc")
    assert [e.name for e in cache.lru.values()] == names
    assert [e.name for e in cache.nchashtbl[0]] == list(reversed(names))
    run(system, "lookup /etc")
    assert list(cache.lru.values())[-1].name == "etc" and cache.nchashtbl[0][0].name == "etc"
    assert system.check() == []


def test_1_5_bare_namecache_reuses_the_lru_head_not_the_oldest_entry():
    """§1.5 at the function level: a bare NameCache of capacity 2 reuses its least recently used entry."""
    cache = NameCache(8, 4, 2)
    dirs = []
    for num in (1, 2, 3):
        vnode = Vnode(num)
        vnode.type, vnode.ino, vnode.mount = VDIR, num, "mnt0"
        dirs.append(vnode)
    a, b, c = dirs
    cache.cache_enter(a, b, "b")
    cache.cache_enter(a, None, "nothing")
    assert cache.cache_lookup(a, "b")[0] == 0  # "b" to the tail: "nothing" is now the LRU head
    cache.cache_enter(b, c, "c")
    assert cache.find(a, "nothing") is None and cache.find(a, "b") is not None
    assert cache.cache_lookup(a, "nothing")[0] == MISS
    assert cache.check() == []


# -- §1.6 cache_revlookup --------------------------------------------------------------------------------------


def test_1_6_revlookup_hit_copies_the_name_before_bp_and_returns_the_parent():
    """§1.6: on a hit the name is copied just before bp, dvp is the parent, ncs_revhits counts, 0 returned."""
    system = System()
    run(system, "lookup /usr/bin/cc")
    cache, usr, bin_ = vfs_of(system).namecache, vp_at(system, "/usr"), vp_at(system, "/usr/bin")
    buf = bytearray(b"#" * 16)
    before = stats(system)
    ret, dvp, bp, event = cache.cache_revlookup(bin_, buf, 10)
    assert (ret, dvp, bp) == (0, usr, 7)
    assert bytes(buf) == b"#######bin######"
    assert event.kind == "namecache.revhit" and event.ret == 0
    assert delta(before, stats(system)) == {"ncs_revhits": 1}
    assert system.check() == []


def test_1_6_revlookup_counts_only_the_first_qualifying_entry_on_the_chain():
    """§1.6: only the first qualifying entry of the ncvhashtbl chain answers, and one hit is counted."""
    system = System()
    run(system, "lookup /usr/bin")
    root, usr = vfs_of(system).rootvnode, vp_at(system, "/usr")
    run(system, f"enter {root.id} alias {usr.id}")  # a second name for usr: newest, so first on the chain
    cache = vfs_of(system).namecache
    chain = cache.ncvhashtbl[cache.ncvhash(usr)]
    assert [e.name for e in chain if e.vp is usr] == ["alias", "usr"]
    buf = bytearray(32)
    ret, dvp, bp, _ = cache.cache_revlookup(usr, buf, 32)
    assert (ret, dvp, bytes(buf[bp:])) == (0, root, b"alias")
    assert cache.stats["ncs_revhits"] == 1
    assert system.check() == []


def test_1_6_revlookup_skips_dot_and_dotdot():
    """§1.6: "." and ".." entries never answer a reverse lookup: a directory known only by them is a revmiss."""
    system = System()
    run(system, "lookup /usr/bin/..")  # enters (root, usr), (usr, bin) and (bin, "..") -> usr
    run(system, "lookup /usr/.")  # (usr, ".") -> usr
    vfs = vfs_of(system)
    usr, bin_ = vp_at(system, "/usr"), vp_at(system, "/usr/bin")
    run(system, f"purge {vfs.rootvnode.id}")  # drop (root, usr): usr is now named only by "." and ".."
    cache = vfs.namecache
    assert {e.name for e in names_of(usr)} == {".", ".."}
    ret, dvp, bp, event = cache.cache_revlookup(usr, bytearray(32), 32)
    assert (ret, dvp, bp) == (MISS, None, 32) and event.kind == "namecache.revmiss"
    assert cache.stats["ncs_revhits"] == 0 and cache.stats["ncs_revmiss"] == 1
    assert cache.cache_revlookup(bin_, bytearray(32), 32)[:2] == (0, usr)  # 'bin' still answers
    assert system.check() == []


def test_1_6_revlookup_erange_when_the_name_does_not_fit_is_counted_as_a_hit():
    """§1.6: if bp - len <= buf the name does not fit: ERANGE, after the hit was counted; dvp none."""
    system = System()
    run(system, "lookup /usr/bin")
    cache, usr, bin_ = vfs_of(system).namecache, vp_at(system, "/usr"), vp_at(system, "/usr/bin")
    # "bin" is 3 bytes: bp = 4 leaves bp - len = 1 > buf (fits); bp = 3 gives bp - len = 0 = buf (ERANGE).
    buf = bytearray(b"-" * 8)
    ret, dvp, bp, _ = cache.cache_revlookup(bin_, buf, 4)
    assert (ret, dvp, bp, bytes(buf)) == (0, usr, 1, b"-bin----")
    buf = bytearray(b"-" * 8)
    ret, dvp, bp, event = cache.cache_revlookup(bin_, buf, 3)
    assert (ret, dvp, bp) == ("ERANGE", None, 3) and event.errno == "ERANGE"
    assert bytes(buf) == b"-" * 8  # nothing copied
    assert cache.stats["ncs_revhits"] == 2 and cache.stats["ncs_revmiss"] == 0
    assert system.check() == []


def test_1_6_revlookup_miss_counts_revmiss_and_returns_no_parent():
    """§1.6: no entry names vp: ncs_revmiss, dvp none, -1."""
    system = System()
    run(system, "lookup /usr/bin/cc")
    cache = vfs_of(system).namecache
    cc = vp_at(system, "/usr/bin/cc")  # a regular file: never on ncvhashtbl
    before = stats(system)
    ret, dvp, bp, event = cache.cache_revlookup(cc, bytearray(8), 8)
    assert (ret, dvp, bp) == (MISS, None, 8) and event.ret == MISS
    assert delta(before, stats(system)) == {"ncs_revmiss": 1}
    assert system.check() == []


def test_1_6_getcwd_builds_the_path_from_the_end_of_the_buffer():
    """§1.6: repeated reverse lookups build "/usr/bin" backwards; an 8-byte buffer is too small for it."""
    system = System()
    run(system, "lookup /usr/bin/cc")
    bin_ = vp_at(system, "/usr/bin")
    events = run(system, f"revlookup {bin_.id}")
    assert [e.kind for e in events] == ["namecache.revhit", "namecache.revhit", "namecache.getcwd"]
    assert events[-1].ret == 0 and events[-1].data["path"] == "/usr/bin"
    events = run(system, f"revlookup {bin_.id} 8")  # "/bin" then "usr" needs bp - 3 > 0 with bp = 3
    assert events[-1].errno == "ERANGE" and events[-2].errno == "ERANGE"
    assert vfs_of(system).namecache.stats["ncs_revhits"] == 4
    assert system.check() == []


# -- §1.7 cache_purge -------------------------------------------------------------------------------------------


def test_1_7_purge_removes_entries_naming_vp_and_entries_under_it():
    """§1.7: cache_purge(vp) removes the entries whose target is vp and those whose parent is vp, only those."""
    system = System()
    run(system, "lookup /usr/bin/cc")
    run(system, "lookup /usr/bin/ghost")
    run(system, "lookup /usr/bin/..")
    run(system, "lookup /usr/lib")
    root = vfs_of(system).rootvnode
    usr, bin_, cc = vp_at(system, "/usr"), vp_at(system, "/usr/bin"), vp_at(system, "/usr/bin/cc")
    run(system, f"enter {root.id} bin2 {bin_.id}")  # a second name of bin elsewhere
    doomed = {(usr.id, "bin"), (root.id, "bin2"), (bin_.id, "cc"), (bin_.id, "ghost"), (bin_.id, "..")}
    kept = set(lru_names(system)) - doomed
    events = run(system, f"purge {bin_.id}")
    assert set(lru_names(system)) == kept == {(root.id, "usr"), (usr.id, "lib")}
    assert len(of(events, "namecache.remove")) == len(doomed)
    assert not bin_.v_nclist and not bin_.v_dnclist and not cc.v_nclist
    assert system.check() == []


def test_1_7_rename_purges_the_moved_vnode():
    """§1.7: rename calls cache_purge on the moved vnode: names under a renamed directory go too."""
    system = System()
    run(system, "lookup /usr/bin/cc")
    run(system, "lookup /usr/bin/vi")
    run(system, "lookup /usr/lib")
    usr, bin_ = vp_at(system, "/usr"), vp_at(system, "/usr/bin")
    events = run(system, "rename /usr/bin /usr/xbin")
    purge = [e for e in events if e.kind == "namecache.purge" and e.refs[0] == bin_.id]
    assert len(purge) == 1
    cache = vfs_of(system).namecache
    assert cache.find(bin_, "cc") is None and cache.find(bin_, "vi") is None
    assert cache.find(usr, "bin") is None
    assert cache.find(usr, "lib") is not None
    events = run(system, "lookup /usr/xbin/cc")  # the moved directory is the same vnode
    assert of(events, "vfs.vop_lookup")[0].refs == (usr.id, bin_.id)
    assert system.check() == []


# -- §1.8 cache_purgevfs -----------------------------------------------------------------------------------------


def test_1_8_purgevfs_removes_only_entries_whose_parent_is_on_the_mount():
    """§1.8: cache_purgevfs(mp) removes every entry whose parent vnode is on mp, and no other; an entry on
    another mount that names one of mp's vnodes stays (its parent is not on mp)."""
    system = System()
    run(system, "mount /mnt fstype=tmpfs")
    run(system, "mkdir /mnt/d")
    run(system, "create /mnt/d/f")
    run(system, "lookup /mnt/d/f")
    run(system, "lookup /mnt/d/nothere")
    run(system, "lookup /usr/bin/cc")
    root, d = vfs_of(system).rootvnode, vp_at(system, "/d", "mnt1")
    run(system, f"enter {root.id} link {d.id}")  # parent on mnt0, target on mnt1
    cache = vfs_of(system).namecache
    on_mnt1 = {e.id for e in cache.lru.values() if e.dvp.mount == "mnt1"}
    assert len(on_mnt1) == 3  # d, f, nothere
    others = [e.id for e in cache.lru.values() if e.id not in on_mnt1]
    events = run(system, "purgevfs mnt1")
    assert set(of(events, "namecache.purgevfs")[0].refs[1:]) == on_mnt1
    assert [e.id for e in cache.lru.values()] == others
    assert cache.find(root, "link").vp is d
    assert system.check() == []


def test_1_8_unmount_calls_purgevfs_for_the_mount():
    """§1.8: cache_purgevfs is called at unmount; the names on the root file system survive it."""
    system = System()
    run(system, "mount /mnt fstype=tmpfs")
    run(system, "mkdir /mnt/d")
    run(system, "lookup /mnt/d")
    run(system, "lookup /etc/passwd")
    cache = vfs_of(system).namecache
    assert any(e.dvp.mount == "mnt1" for e in cache.lru.values())
    events = run(system, "unmount mnt1")
    assert [e.func for e in events if e.kind == "namecache.purgevfs"] == ["cache_purgevfs"]
    assert all(e.dvp.mount == "mnt0" for e in cache.lru.values())
    assert cache.find(vp_at(system, "/etc"), "passwd") is not None
    assert system.check() == []


# -- §1.9 namecache_print ---------------------------------------------------------------------------------------


def test_1_9_print_gives_the_names_of_vp_then_of_its_parent():
    """§1.9: namecache_print prints "name X" for each entry naming vp, then "parent Y" for the parent's names."""
    system = System()
    run(system, "lookup /usr/bin/cc")
    root, usr, bin_ = vfs_of(system).rootvnode, vp_at(system, "/usr"), vp_at(system, "/usr/bin")
    cc = vp_at(system, "/usr/bin/cc")
    run(system, f"enter {root.id} bin-alias {bin_.id}")  # bin has two names now
    cache = vfs_of(system).namecache
    assert cache.namecache_print(cc) == ["name cc", "parent bin", "parent bin-alias"]
    events = run(system, f"print {usr.id}")
    assert [e.text for e in events] == ["name usr"]  # root has no name
    assert all(e.func == "namecache_print" for e in events)
    assert system.check() == []


def test_1_9_print_says_name_not_found_for_an_unnamed_vnode():
    """§1.9: "name not found" when no entry names vp (negative entries name nothing)."""
    system = System()
    run(system, "lookup /etc/passwd")
    vfs = vfs_of(system)
    assert vfs.namecache.namecache_print(vfs.rootvnode) == ["name not found"]
    run(system, f"purge {vp_at(system, '/etc/passwd').id}")
    events = run(system, f"print {vp_at(system, '/etc/passwd').id}")
    assert [e.text for e in events] == ["name not found"]
    assert system.check() == []


# -- §1.10 nchstats ------------------------------------------------------------------------------------------------


def test_1_10_nchstats_counters_have_the_kernel_names():
    """§1.10: the counters are struct nchstats's, under the kernel's names; ncs_pass2/ncs_2passes stay 0."""
    system = System()
    run(system, "lookup /usr/bin/cc")
    run(system, "lookup /usr/bin/cc")
    dumped = system.to_dict()["vfs"]["namecache"]["nchstats"]
    assert set(dumped) == {*SIX, "ncs_pass2", "ncs_2passes", "ncs_revhits", "ncs_revmiss"}
    assert dumped["ncs_miss"] == 3 and dumped["ncs_goodhits"] == 3
    assert dumped["ncs_pass2"] == 0 and dumped["ncs_2passes"] == 0
    assert system.stats()["vfs"]["ncs_goodhits"] == 3
    assert system.check() == []


def test_1_10_every_cache_lookup_increments_exactly_one_of_the_six_counters():
    """§1.10: over a long random mix of walks, creates, unlinks, renames, opens and VXLOCKs, the six lookup
    counters always sum to the number of cache_lookup calls, and each matches its own outcome events."""
    system = System({"namecache_max": 8, "nchash": 4, "desiredvnodes": 12})
    rng = random.Random(1010)
    paths = ["/usr/bin/cc", "/usr/bin/vi", "/usr/bin/ghost", "/etc/passwd", "/etc/nope", "/tmp/x", "/tmp/y",
             "/tmp/" + "L" * 32, "/usr/lib/../bin/./cc", "/var/log/messages", "/home/alice/notes.txt",
             "/nodir/x", "/tmp/d/f", "tmp/x", "/"]  # fmt: skip
    seen: Counter[str] = Counter()
    lookups = 0
    for _ in range(400):
        roll = rng.random()
        path = rng.choice(paths)
        if roll < 0.45:
            line = f"lookup {path}"
        elif roll < 0.55:
            line = f"create {rng.choice(['/tmp/x', '/tmp/y', '/tmp/d/f'])}"
        elif roll < 0.62:
            line = f"unlink {rng.choice(['/tmp/x', '/tmp/y', '/tmp/d/f'])}"
        elif roll < 0.67:
            line = "rename /tmp/x /tmp/y" if rng.random() < 0.5 else "rename /tmp/y /tmp/x"
        elif roll < 0.72:
            line = "mkdir /tmp/d"
        elif roll < 0.82:
            line = f"open {path}"
        elif roll < 0.9:
            held = [v for v in vfs_of(system).vnodes.vnodes if v.state == "active" and v.usecount > 0
                    and v is not vfs_of(system).rootvnode]  # fmt: skip
            if not held:
                continue
            line = f"close {rng.choice(held).id}"
        else:
            usable = [v for v in vfs_of(system).vnodes.vnodes if v.ino is not None]
            line = f"xlock {rng.choice(usable).id}"
        before = stats(system)
        events = system.apply(parse(line))
        after = stats(system)
        outcomes = lookup_outcomes(events)
        changed = sum(after[k] - before[k] for k in SIX)
        assert changed == len(outcomes), (line, events)
        for kind in LOOKUP_OUTCOMES:
            seen[kind] += outcomes.count(kind)
        lookups += len(outcomes)
        assert system.check() == [], line
    final = stats(system)
    assert sum(final[k] for k in SIX) == lookups
    assert final["ncs_goodhits"] == seen["namecache.hit"]
    assert final["ncs_falsehits"] == seen["namecache.falsehit"]
    for kind, counter in LOOKUP_OUTCOMES.items():
        if counter != "ncs_goodhits":
            assert final[counter] == seen[kind], counter
    # The mix really exercised every outcome.
    assert all(final[k] > 0 for k in SIX), final


def test_1_10_enter_purge_and_revlookup_leave_the_six_counters_alone():
    """§1.10: only cache_lookup moves the six lookup counters; reverse lookups have their own two."""
    system = System()
    run(system, "lookup /usr/bin/cc")
    before = stats(system)
    bin_ = vp_at(system, "/usr/bin")
    run(system, f"enter {bin_.id} extra -")
    run(system, f"revlookup {bin_.id}")
    run(system, f"revlookup {vp_at(system, '/usr/bin/cc').id}")
    run(system, f"purge {bin_.id}")
    run(system, "purgevfs mnt0")
    assert delta(before, stats(system)) == {"ncs_revhits": 2, "ncs_revmiss": 1}
    assert system.check() == []


# -- §1.11 namei ----------------------------------------------------------------------------------------------------


def test_1_11_namei_looks_each_component_up_in_the_current_directory():
    """§1.11: one cache_lookup per component, in the directory the previous one found; from the root for
    an absolute path, from the cwd for a relative one."""
    system = System()
    root = vfs_of(system).rootvnode
    events = run(system, "lookup /usr/bin/cc")
    usr, bin_ = vp_at(system, "/usr"), vp_at(system, "/usr/bin")
    assert probes(events) == [("usr", root.id), ("bin", usr.id), ("cc", bin_.id)]
    run(system, "cd /usr")
    events = run(system, "lookup bin/vi")
    assert probes(events) == [("bin", usr.id), ("vi", bin_.id)]
    assert system.check() == []


def test_1_11_a_miss_asks_vop_lookup_and_enters_its_answer():
    """§1.11: on -1 the file system's VOP_LOOKUP answers, and the answer is entered: positive, or negative
    on ENOENT."""
    system = System()
    events = run(system, "lookup /etc/passwd")
    kinds = [e.kind for e in events if e.kind.startswith(("namecache.", "vfs.vop"))]
    assert kinds == ["namecache.miss", "vfs.vop_lookup", "namecache.enter"] * 2
    etc = vp_at(system, "/etc")
    assert vfs_of(system).namecache.find(etc, "passwd").vp is vp_at(system, "/etc/passwd")
    events = run(system, "lookup /etc/nothere")
    assert of(events, "vfs.vop_lookup")[-1].errno == "ENOENT"
    assert vfs_of(system).namecache.find(etc, "nothere").negative
    assert system.check() == []


def test_1_11_makeentry_rules():
    """§1.11: MAKEENTRY is set for every component but the last of DELETE and RENAME, and the last of a
    walk that wants the parent unless it is a CREATE."""
    for op in (LOOKUP, CREATE, DELETE, RENAME):
        for wantparent in (False, True):
            assert wants_entry(op, False, wantparent)
    assert wants_entry(LOOKUP, True, False) and wants_entry(CREATE, True, False)
    assert wants_entry(CREATE, True, True)
    assert not wants_entry(LOOKUP, True, True)
    for op in (DELETE, RENAME):
        for wantparent in (False, True):
            assert not wants_entry(op, True, wantparent)


def test_1_11_delete_and_rename_do_not_cache_the_last_component():
    """§1.11: the last component of a DELETE or RENAME is not entered, positive or negative; the components
    before it are."""
    system = System()
    run(system, "create /tmp/a")
    run(system, "unlink /etc/nothere")  # DELETE of a missing name: ENOENT, no negative entry
    cache = vfs_of(system).namecache
    etc, tmp = vp_at(system, "/etc"), vp_at(system, "/tmp")
    assert cache.find(etc, "nothere") is None and cache.find(vfs_of(system).rootvnode, "etc") is not None
    run(system, "create /tmp/gone")
    run(system, "unlink /tmp/gone")
    assert cache.find(tmp, "gone") is None
    run(system, "rename /tmp/a /tmp/b")  # source for DELETE, target (missing) for RENAME
    assert cache.find(tmp, "a") is None and cache.find(tmp, "b") is None
    assert system.check() == []


def test_1_11_a_wantparent_lookup_does_not_cache_the_last_component():
    """§1.11: a non-CREATE walk that wants the parent does not enter its last component (and a cached one is
    a bad hit), while a CREATE that finds its name does enter it."""
    system = System()
    vfs = vfs_of(system)
    result = namei(vfs, "/etc/passwd", nameiop=LOOKUP, wantparent=True)
    etc, passwd = vp_at(system, "/etc"), vp_at(system, "/etc/passwd")
    assert (result.vp, result.dvp) == (passwd, etc)
    assert vfs.namecache.find(etc, "passwd") is None
    assert vfs.namecache.find(vfs.rootvnode, "etc") is not None
    vfs.vrele(result.vp)
    vfs.vrele(result.dvp)
    events = run(system, "create /etc/passwd")  # CREATE with the parent: EEXIST, and the name is entered
    assert of(events, "vfs.create")[-1].errno == "EEXIST"
    assert vfs.namecache.find(etc, "passwd").vp is passwd
    result = namei(vfs, "/etc/passwd", nameiop=LOOKUP, wantparent=True)
    assert lookup_outcomes(result.events) == ["namecache.hit", "namecache.badhit"]
    assert vfs.namecache.find(etc, "passwd") is None
    vfs.vrele(result.vp)
    vfs.vrele(result.dvp)
    assert system.check() == []


def test_1_11_no_negative_entry_for_the_last_component_of_a_create():
    """§1.11: a CREATE whose last component is missing enters no negative entry (and creating enters
    nothing); a missing component before the last does get one."""
    system = System()
    events = run(system, "create /tmp/fresh")
    cache, tmp = vfs_of(system).namecache, vp_at(system, "/tmp")
    assert of(events, "vfs.vop_lookup")[-1].errno is None  # "not found" is what CREATE wants
    assert cache.find(tmp, "fresh") is None
    assert not [e for e in events if e.kind == "namecache.enter" and "fresh" in e.text]
    events = run(system, "create /tmp/nodir/file")
    assert of(events, "vfs.create")[-1].errno == "ENOENT"
    assert cache.find(tmp, "nodir").negative
    assert system.check() == []


def test_1_11_dot_is_the_directory_itself():
    """§1.11: "." is the directory itself."""
    system = System()
    events = run(system, "lookup /usr/./bin/./.")
    bin_ = vp_at(system, "/usr/bin")
    assert of(events, "vfs.lookup")[0].refs == (bin_.id,)
    assert vfs_of(system).namecache.find(bin_, ".").vp is bin_
    events = run(system, "lookup /usr/./bin/./.")
    assert set(lookup_outcomes(events)) == {"namecache.hit"}  # the "." entries hit the second time
    assert system.check() == []


def test_1_11_dotdot_is_the_parent_and_the_root_is_its_own_parent():
    """§1.11: ".." is the parent directory; at the root it is the root."""
    system = System()
    root = vfs_of(system).rootvnode
    events = run(system, "lookup /usr/bin/..")
    usr = vp_at(system, "/usr")
    assert of(events, "vfs.lookup")[0].refs == (usr.id,)
    assert vfs_of(system).namecache.find(vp_at(system, "/usr/bin"), "..").vp is usr
    events = run(system, "lookup /../..")
    assert of(events, "vfs.lookup")[0].refs == (root.id,)
    events = run(system, "lookup /usr/../etc/../usr/bin/../../etc/passwd")
    assert of(events, "vfs.lookup")[0].refs == (vp_at(system, "/etc/passwd").id,)
    assert system.check() == []


def test_1_11_walks_cross_mount_points_down_and_dotdot_back_up():
    """§1.11: a walk reaching a covered directory continues at the mounted root; ".." at a mounted root
    continues from the covered directory, so it reaches the covered directory's parent."""
    system = System()
    run(system, "mount /mnt fstype=tmpfs")
    run(system, "mkdir /mnt/d")
    root, mnt_root = vfs_of(system).rootvnode, vfs_of(system).mounts["mnt1"].root
    covered = vfs_of(system).mounts["mnt1"].covered
    events = run(system, "lookup /mnt")
    assert of(events, "vfs.lookup")[0].refs == (mnt_root.id,)
    assert of(events, "namei.crossmount")
    events = run(system, "lookup /mnt/d")
    d = vp_at(system, "/d", "mnt1")
    assert of(events, "vfs.lookup")[0].refs == (d.id,) and d.mount == "mnt1"
    assert vfs_of(system).namecache.find(mnt_root, "d").vp is d
    events = run(system, "lookup /mnt/d/../..")
    assert of(events, "vfs.lookup")[0].refs == (root.id,)
    assert vfs_of(system).namecache.find(covered, "..").vp is root
    assert vfs_of(system).namecache.find(mnt_root, "..") is None
    assert system.check() == []
