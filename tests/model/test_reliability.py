"""Regression tests for what the fuzzers found (issue 10), and proof that each new invariant can fail.

Each invariant test breaks the state by hand the way a bug would and checks that `System.check()` says
so: an invariant that cannot fail checks nothing.
"""

from __future__ import annotations

import time

import pytest

from model.errors import CommandError
from model.events import Event
from model.ids import id_number
from model.ops import parse, to_text
from model.parts import resolve_config
from model.system import System
from model.timeline import Timeline
from model.vfs.page import QUEUED
from model.vfs.pagecache import MAX_FILE_PAGES
from model.vfs.vnode import Vnode


def run(system: System, line: str) -> list[Event]:
    return system.apply(parse(line))


def puffs_system() -> System:
    system = System()
    for line in ("mkdir /puffs", "mount /puffs fstype=puffs", "create /puffs/f"):
        run(system, line)
    return system


# -- what the fuzzers found -----------------------------------------------------------------------------


@pytest.mark.parametrize("line", ["enter vp1 ghost -", "enter vp1 ghost - -w", "enter vp1 ghost vp2"])
def test_a_negative_enter_is_written_back_with_its_dash(line: str) -> None:
    """to_text dropped the `-` of a negative entry, so `run` printed a line that did not parse."""
    assert to_text(parse(line)) == line
    assert parse(to_text(parse(line))) == parse(line)


@pytest.mark.parametrize("ref", ["vp²", "nc²", "ns²", "d²", "pid²", "pid ²", "d" + "1" * 5000, "I set " + "9" * 5000])
def test_ids_with_digits_int_refuses_are_unknown_ids_not_crashes(ref: str) -> None:
    """'²' is a digit to str.isdigit but not to int(); 5000 digits are past int()'s limit."""
    events = System().apply(parse(f"state {ref!r}"))
    assert [e.kind for e in events] == ["error"] and "no object" in events[0].text


def test_id_numbers_are_ascii_digits_only() -> None:
    assert id_number("vp12", "vp") == 12
    assert [id_number(ref, "vp") for ref in ("vp", "vp²", "vp٣", "vp-1", "vp1x", "x1", "vp" + "9" * 19)] == [None] * 7


def test_a_line_holding_a_lone_surrogate_is_a_command_error() -> None:
    """Names are hashed as bytes: a surrogate that has no byte form used to raise UnicodeEncodeError."""
    with pytest.raises(CommandError, match="not a character"):
        parse("lookup /\ud800")
    assert parse("lookup /\udc80").get("path") == "/\udc80"  # undecodable bytes (surrogateescape) are fine


def test_addresses_past_32_bits_are_refused_at_parse_time() -> None:
    with pytest.raises(CommandError, match="below 0x100000000"):
        parse("store 0x100000000 4 1")
    assert parse("store 0xfffffffc 4 1").get("addr") == 0xFFFFFFFC


def test_huge_writes_and_truncates_give_efbig_at_once() -> None:
    """A write of 2**40 bytes used to create 2**28 page objects (the process hung, then ran out of memory)."""
    system = puffs_system()
    limit = 4096 * MAX_FILE_PAGES
    start = time.perf_counter()
    for line in (f"write /puffs/f 0 {1 << 40}", f"write /puffs/f {limit} 1", f"truncate /puffs/f {limit + 1}"):
        events = run(system, line)
        assert any(e.errno == "EFBIG" for e in events) and not any(e.is_error for e in events), events
    refused = run(system, f"server-write /puffs/f 0 {1 << 40}")
    assert refused[-1].is_error and refused[-1].errno == "EFBIG"
    assert time.perf_counter() - start < 2
    cache = system.part("vfs").pagecache
    assert sum(map(len, cache.pages.values())) == 0 and system.check() == []
    assert not any(e.errno for e in run(system, f"write /puffs/f {limit - 1} 1"))  # the last byte is fine


def test_getcwd_buffer_is_clamped_as_netbsd_does() -> None:
    """sys___getcwd: `if (len > MAXPATHLEN * 4) len = MAXPATHLEN * 4;` (a 10**12 buffer used to be allocated)."""
    system = System()
    run(system, "cd /usr/bin")
    event = run(system, "revlookup vp3 1000000000000")[-1]
    assert len(event.data["buf"]) == 4096 - 1


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"nchash": 1 << 17}, "at most 65536"),
        ({"ncvhash": 1 << 40}, "at most 65536"),
        ({"icache": {"sets": 1 << 22, "ways": 1, "line": 4}}, "more than 16384 lines"),
    ],
)
def test_tables_too_big_to_build_are_refused_in_the_config(config: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        resolve_config(config)


def test_the_largest_tables_accepted_build_and_copy_quickly() -> None:
    start = time.perf_counter()
    geometry = {"sets": 1 << 12, "ways": 4, "line": 64}
    timeline = Timeline([], {"nchash": 1 << 16, "ncvhash": 1 << 16, "icache": geometry, "dcache": geometry})
    timeline.system.copy()
    assert time.perf_counter() - start < 5


# -- each new invariant can fail --------------------------------------------------------------------------


def broken(system: System, fragment: str) -> None:
    problems = system.check()
    assert any(fragment in p for p in problems), problems


def test_check_catches_lookup_counters_that_do_not_add_up() -> None:
    system = System()
    run(system, "lookup /usr/bin/cc")
    system.part("vfs").namecache.lookups += 1
    broken(system, "six lookup counters sum to")


def test_check_catches_an_entry_on_the_wrong_chain() -> None:
    system = System({"nchash": 4})
    run(system, "lookup /usr")
    cache = system.part("vfs").namecache
    entry = next(iter(cache.lru.values()))
    assert entry.h_prev is None and entry.h_next is None  # alone on its chain: move it to the next one
    cache.nchashtbl.heads[entry.bucket] = None
    entry.bucket = (entry.bucket + 1) % 4
    entry.h_next = cache.nchashtbl.heads[entry.bucket]
    if entry.h_next is not None:
        entry.h_next.h_prev = entry
    cache.nchashtbl.heads[entry.bucket] = entry
    broken(system, "not on the chain its hash picks")


def test_check_catches_a_vnode_list_naming_an_entry_no_longer_cached() -> None:
    system = System()
    run(system, "lookup /usr/bin")
    vfs = system.part("vfs")
    entry = next(iter(vfs.namecache.lru.values()))
    vfs.namecache.remove(entry, reason="test")
    assert entry.vp is not None
    entry.v_next, entry.vp.v_nclist = entry.vp.v_nclist, entry  # a cache_remove that forgot the target's list
    broken(system, "list of names holds")


def test_check_catches_a_queued_page_whose_write_went_missing() -> None:
    system = puffs_system()
    run(system, "write /puffs/f 0 100")
    run(system, "flush /puffs/f")
    cache = system.part("vfs").pagecache
    assert [p.state for pages in cache.pages.values() for p in pages.values()] == [QUEUED]
    cache.queue.clear()
    broken(system, "no pending write carries its data")


def test_check_catches_dcache_disagreements() -> None:
    system = System()
    run(system, "cat /proc/1/status")
    fs = system.part("procfs")
    status = next(d for d in fs.dentries.values() if d.name == "status")
    del fs.dcache[(status.parent, status.name)]
    broken(system, "hashed, but d_lookup cannot find it")
    fs.counters["d_alloc"] += 1
    broken(system, "d_alloc - dentry_kill != nr_dentry")


def test_check_catches_a_child_list_naming_a_freed_dentry() -> None:
    system = System()
    run(system, "cat /proc/1/status")
    fs = system.part("procfs")
    root = fs.dentries[fs.namespaces[0].mount.root]
    root.subdirs[999] = None
    broken(system, "d_subdirs holds d999")


def test_check_catches_a_foreign_vnode_on_the_free_list() -> None:
    system = System()
    system.part("vfs").vnodes.freelist.insert_tail(Vnode(99))
    broken(system, "free list holds a vnode that is not in the table")


def test_check_catches_a_negative_cpu_counter() -> None:
    system = System()
    system.part("cpu").stale_fetches = -1
    broken(system, "CPU counter went negative")


def test_a_page_whose_written_bytes_are_all_truncated_away_is_the_servers_again() -> None:
    """Found by the soak: the page turned clean but kept the write's version, so it showed as differing
    from the server although every byte left in the file was the server's (read in for the partial write)."""
    system = puffs_system()
    run(system, "write /puffs/f 5000 5000")
    run(system, "truncate /puffs/f 5000")
    vfs = system.part("vfs")
    (pages,) = [p for p in vfs.pagecache.pages.values() if p]
    assert sorted(pages) == [1]
    assert (pages[1].state, pages[1].version, pages[1].dirty) == ("clean", "·", ())
    assert vfs.pagecache.server[next(iter(vfs.pagecache.server))].pages.get(1, "·") == pages[1].version
    assert system.check() == []


def test_rename_whose_first_directory_is_reclaimed_by_the_second_walk_fails_as_deadfs_does() -> None:
    """Found by the whole-System machine: the second namei finished the vgone of a VXLOCKed directory the
    first one held, and rename asserted. FreeBSD's dead_rename answers EXDEV."""
    system = System()
    for line in ("create /tmp/a", "cd /tmp", "lookup /tmp"):
        run(system, line)
    cwd = system.part("vfs").cwd.id
    run(system, f"xlock {cwd}")
    events = run(system, "rename a /tmp/b")
    assert any(e.errno == "EXDEV" for e in events)
    assert system.part("vfs").vnodes.get(cwd).state == "dead"
    assert system.check() == []


@pytest.mark.parametrize("ref", ["vp1", "mount-root", "covered"])
def test_a_mounted_root_or_mount_point_cannot_be_xlocked(ref: str) -> None:
    """A mount holds its root and the vnode it covers: another CPU does not reclaim them while mounted (and
    a reclaimed root vnode would leave every absolute path dead)."""
    system = System()
    run(system, "mount /mnt fstype=tmpfs")
    mount = system.part("vfs").mounts["mnt1"]
    vp = {"vp1": "vp1", "mount-root": mount.root.id, "covered": mount.covered.id}[ref]
    events = run(system, f"xlock {vp}")
    assert events[-1].is_error and "not reclaimed while mounted" in events[-1].text
