"""The puffs page cache and name-cache invalidation, checked rule by rule against docs/kernel-rules.md §4."""

import pytest

from model.ops import parse
from model.system import System

PAGE = 4096


def _system(*lines: str, **config) -> System:
    system = System(config)
    for line in ("mkdir /puffs", "mount /puffs fstype=puffs", "create /puffs/f", *lines):
        events = system.apply(parse(line))
        assert not [e for e in events if e.is_error], (line, events)
    return system


def _run(system: System, line: str) -> list:
    events = system.apply(parse(line))
    assert system.check() == [], system.check()
    return events


def _pages(system: System) -> dict:
    vfs = system.part("vfs")
    vp = vfs.vnodes.by_identity[vfs.node_at("/puffs/f")[0].id, vfs.node_at("/puffs/f")[1]]
    return vfs.pagecache.pages[vp.id]


def _server(system: System) -> dict:
    vfs = system.part("vfs")
    mount, ino = vfs.node_at("/puffs/f")
    return vfs.pagecache.server[(mount.id, ino)].pages


def _head(events, kind):
    return next(e for e in events if e.kind == kind)


def test_4_2_start_truncated_and_end_rounded_up_to_pages():
    """§4.2: start is truncated to a page boundary, end rounded up to the next one."""
    system = _system("write /puffs/f 0 16384")
    head = _head(_run(system, "flush /puffs/f 5000 9000"), "puffs.flush")
    assert (head.data["offlo"], head.data["offhi"]) == (4096, 12288)
    assert head.ret == 0
    assert sorted(i for i, p in _pages(system).items() if p.state == "queued") == [1, 2]


def test_4_2_page_aligned_range_is_not_widened():
    """§4.2: an aligned range is its own rounding."""
    system = _system("write /puffs/f 0 16384")
    head = _head(_run(system, "inval /puffs/f 4096 8192"), "puffs.inval")
    assert (head.data["offlo"], head.data["offhi"]) == (4096, 8192)
    assert sorted(_pages(system)) == [0, 2, 3]


def test_4_2_end_zero_means_to_the_end_of_the_file():
    """§4.2: end == 0 means to the end of the file; the whole-node call is start 0, end 0."""
    system = _system("write /puffs/f 0 16384", "flush /puffs/f", "server-ack 4")
    _run(system, "inval /puffs/f 8192 0")
    assert sorted(_pages(system)) == [0, 1]
    _run(system, "inval /puffs/f")
    assert _pages(system) == {}


def test_4_2_end_past_file_size_is_einval():
    """§4.2: EINVAL if end is past the file size; nothing changes."""
    system = _system("write /puffs/f 0 100")
    head = _head(_run(system, "inval /puffs/f 0 101"), "puffs.inval")
    assert (head.ret, head.errno) == (-1, "EINVAL")
    assert 0 in _pages(system)


def test_4_2_empty_rounded_range_with_nonzero_end_is_einval():
    """§4.2: EINVAL if the rounded range is empty while end is not 0."""
    system = _system("write /puffs/f 0 16384")
    head = _head(_run(system, "flush /puffs/f 8192 8192"), "puffs.flush")
    assert head.errno == "EINVAL"
    assert all(p.state == "dirty" for p in _pages(system).values())


def test_4_2_not_a_regular_file_is_einval():
    """§4.2: EINVAL if the node is not a regular file."""
    system = _system("mkdir /puffs/d", "lookup /puffs/d")
    head = _head(_run(system, "inval /puffs/d"), "puffs.inval")
    assert head.errno == "EINVAL"


def test_4_3_invalidation_loses_dirty_bytes_exactly_and_server_keeps_old_data():
    """§4.3: pages are freed without cleaning; the bytes lost are exactly the unflushed dirty bytes."""
    system = _system("write /puffs/f 0 12288", "flush /puffs/f", "server-ack 3")
    _run(system, "write /puffs/f 4096 100")  # page 1: 100 dirty bytes
    _run(system, "write /puffs/f 8000 300")  # page 1: 192 more, page 2: 108
    _run(system, "write /puffs/f 4096 50")  # overlaps the first write: no new dirty bytes
    events = _run(system, "inval /puffs/f 5000 9000")
    lost = _head(events, "page.lost")
    assert lost.data == {"pages": [1, 2], "bytes": 400}
    assert set(_server(system).values()) == {"A"}  # the server never saw B, C or D
    stats = system.part("vfs").pagecache.stats
    assert (stats["pages_lost"], stats["bytes_lost"]) == (2, 400)
    _run(system, "read /puffs/f 0 12288")
    assert {p.version for p in _pages(system).values()} == {"A"}


def test_4_3_clean_pages_are_freed_without_loss():
    """§4.3: invalidating clean pages loses nothing."""
    system = _system("write /puffs/f 0 8192", "flush /puffs/f", "server-ack 2")
    events = _run(system, "inval /puffs/f")
    assert not [e for e in events if e.kind == "page.lost"]
    assert system.part("vfs").pagecache.stats["bytes_lost"] == 0


def test_4_4_flush_only_queues_and_returns_at_once():
    """§4.4: flush starts write-back and returns; the server has nothing until it serves the writes."""
    system = _system("write /puffs/f 0 8192")
    head = _head(_run(system, "flush /puffs/f"), "puffs.flush")
    assert head.ret == 0
    assert {p.state for p in _pages(system).values()} == {"queued"}
    assert _server(system) == {}
    _run(system, "server-ack")
    assert _server(system) == {0: "A"}
    assert [_pages(system)[i].state for i in (0, 1)] == ["clean", "queued"]
    _run(system, "server-ack")
    assert _server(system) == {0: "A", 1: "A"}


def test_4_4_queued_write_survives_invalidation():
    """§4.4 with §4.3: data already queued is in a write request, so invalidation does not lose it."""
    system = _system("write /puffs/f 0 4096", "flush /puffs/f")
    events = _run(system, "inval /puffs/f")
    assert not [e for e in events if e.kind == "page.lost"]
    _run(system, "server-ack")
    assert _server(system) == {0: "A"}


def test_4_4_write_after_queueing_stays_dirty_when_the_old_write_lands():
    """§4.4: a page rewritten while its write is queued holds newer data; the old write does not clean it."""
    system = _system("write /puffs/f 0 4096", "flush /puffs/f", "write /puffs/f 0 10")
    _run(system, "server-ack")
    page = _pages(system)[0]
    assert (page.state, page.version) == ("dirty", "B")
    assert _server(system) == {0: "A"}


def test_4_4_an_old_write_does_not_clean_a_page_whose_version_letter_came_round_again():
    """§4.4: a page is clean again only when the request carrying its *current* data is served. Requests are
    told apart by their serial (wr1, wr2), not by the version letter, which repeats after 52 writes: here
    wr1 carries version A, 52 writes later wr2 carries version A again, and wr1 landing leaves the page
    queued (puffs_msgif.c: each PUFFS_VN_WRITE is its own message, answered on its own)."""
    system = _system("write /puffs/f 0 4096", "flush /puffs/f")  # wr1: version A
    for _ in range(52):
        _run(system, "write /puffs/f 0 10")
    assert _pages(system)[0].version == "A"  # the letters came round: A..Z, a..z, A
    _run(system, "flush /puffs/f")  # wr2: the newest data, version A again
    queue = system.part("vfs").pagecache.queue
    assert [(r.id, r.version) for r in queue] == [("wr1", "A"), ("wr2", "A")]
    events = _run(system, "server-ack")  # wr1 lands: older data
    assert _pages(system)[0].state == "queued" and "changed or went" in events[-1].text
    _run(system, "server-ack")  # wr2 lands: now the server has the page's data
    assert _pages(system)[0].state == "clean"


def test_4_4_a_write_queued_before_a_truncate_lands_nothing_past_the_end_of_the_file():
    """§4.4: truncating frees the pages past the new end (uvm_vnp_setsize: uvn_put(uobj, pgend, 0, PGO_FREE |
    PGO_SYNCIO)) and the server's file is cut, so a write queued for such a page before the truncate leaves
    no data beyond the end of the file when it is served; a page straddling the end keeps only its bytes
    below it."""
    system = _system("write /puffs/f 0 12288", "flush /puffs/f")  # wr1..wr3: pages 0, 1, 2
    _run(system, "truncate /puffs/f 100")
    vfs = system.part("vfs")
    assert [(r.index, r.truncated, r.bytes) for r in vfs.pagecache.queue] == [(0, False, 100), (1, True, 4096),
                                                                                (2, True, 4096)]  # fmt: skip
    events = _run(system, "server-ack 3")
    assert _server(system) == {0: "A"}
    mount, ino = vfs.node_at("/puffs/f")
    assert vfs.pagecache.server[(mount.id, ino)].size == 100
    assert ["past the end" in e.text for e in events] == [False, True, True]
    assert vfs.pagecache.stats["bytes_written_back"] == 100


def test_4_1_inval_namecache_dir_purges_children_only():
    """§4.1: puffs_inval_namecache_dir purges the entries under the directory, not its own name."""
    system = _system("mkdir /puffs/d", "create /puffs/d/a", "lookup /puffs/d/a", "lookup /puffs/d/ghost")
    vfs = system.part("vfs")
    cache = vfs.namecache
    names = {e.name for e in cache.lru.values()}
    assert {"d", "a", "ghost"} <= names
    _run(system, "inval-names /puffs/d")
    names = {e.name for e in cache.lru.values()}
    assert "d" in names and "a" not in names and "ghost" not in names


def test_4_1_inval_namecache_dir_on_a_file_is_einval():
    """§4.1: EINVAL if the node is not a directory."""
    system = _system("lookup /puffs/f")
    head = _head(_run(system, "inval-names /puffs/f"), "puffs.inval_names")
    assert head.errno == "EINVAL"


def test_4_1_cookie_without_a_vnode_is_enoent():
    """§4.1: ENOENT if the cookie names no node the kernel has (no vnode, nothing cached)."""
    system = _system("mkdir /puffs/d")
    system.apply(parse("recycle vp5"))  # /puffs/d's vnode, on the free list after mkdir
    events = _run(system, "inval-names /puffs/d")
    assert events[0].errno == "ENOENT"


@pytest.mark.parametrize("verb", ["inval", "flush"])
def test_4_1_range_op_on_a_node_without_a_vnode_is_enoent_of_its_own_kind(verb):
    """§4.1: an inval (or flush) whose cookie names no vnode is ENOENT, reported as that call, naming no vnode."""
    system = _system("mkdir /puffs/d", "create /puffs/d/g")
    system.apply(parse("recycle vp6"))  # /puffs/d/g's vnode, on the free list after create
    events = _run(system, f"{verb} /puffs/d/g 0 0")
    assert [(e.kind, e.errno, e.refs) for e in events] == [(f"puffs.{verb}", "ENOENT", ())]


def test_4_1_inval_namecache_all_purges_the_mount_only():
    """§4.1: puffs_inval_namecache_all is cache_purgevfs of the puffs mount."""
    system = _system("lookup /puffs/f", "lookup /etc/passwd")
    _run(system, "inval-names-all")
    names = {e.name for e in system.part("vfs").namecache.lru.values()}
    assert "f" not in names
    assert {"etc", "passwd", "puffs"} <= names


def test_read_fills_absent_pages_and_uses_cached_ones_even_when_stale():
    """A read fills absent pages from the server; a cached page is used as it is, stale or not."""
    system = _system("write /puffs/f 0 4096", "flush /puffs/f", "server-ack")
    _run(system, "server-write /puffs/f 0 4096")
    events = _run(system, "read /puffs/f 0 100")
    assert [e.kind for e in events if e.kind.startswith("page.")] == ["page.hit", "page.read"]
    assert _pages(system)[0].version == "A" and _server(system)[0] == "B"
    _run(system, "inval /puffs/f 0 4096")
    _run(system, "read /puffs/f 0 100")
    assert _pages(system)[0].version == "B"


def test_truncate_frees_pages_past_the_new_size():
    """Pages stay within the file's size after truncation (an invariant of the model)."""
    system = _system("write /puffs/f 0 16384")
    _run(system, "truncate /puffs/f 5000")
    assert sorted(_pages(system)) == [0, 1]
    assert system.part("vfs").pagecache.sizes[next(iter(system.part("vfs").pagecache.sizes))] == 5000


def test_flush_outside_puffs_is_refused_with_a_hint():
    """puffs_flush(3) is a puffs server's call: on an ffs file the command is refused, not crashed."""
    system = System()
    events = system.apply(parse("flush /etc/passwd"))
    assert events[0].is_error and "puffs" in events[0].explain


@pytest.mark.parametrize("page_size", [512, 4096, 65536])
def test_4_2_rounding_follows_the_configured_page_size(page_size):
    """§4.2 with any page size: offlo = trunc_page(start), offhi = round_page(end)."""
    system = _system(f"write /puffs/f 0 {4 * page_size}", page_size=page_size)
    head = _head(_run(system, f"flush /puffs/f {page_size + 1} {2 * page_size + 1}"), "puffs.flush")
    assert (head.data["offlo"], head.data["offhi"]) == (page_size, 3 * page_size)


def test_cached_pages_and_queued_writes_are_ids_that_state_describes():
    """Pages and write requests are ids of the vfs mechanism (completion in the box, `state`, watches)."""
    system = _system("write /puffs/f 0 5000", "flush /puffs/f 0 4096")
    vp = next(ref for ref in system.ids() if ref.startswith("page vp")).removeprefix("page ").split(":")[0]
    assert {f"page {vp}:0", f"page {vp}:1", "wr1"} <= set(system.ids())
    assert "wr2" not in system.ids()
    assert system.describe(f"page {vp}:1").startswith(f"page {vp}:1 dirty")
    assert "dirty bytes 0-903" in system.describe(f"page {vp}:1")
    assert system.describe("wr1").startswith(f"wr1: 4096 bytes of page {vp}:0")
    assert system.describe(f"page {vp}:7") is None and system.describe("wr9") is None
    state = _run(system, f"state 'page {vp}:0'")
    assert state[0].kind == "state" and "queued" in state[0].text
