"""The boundary sweep (issue 20): every numeric rule the model implements, at its value, one below and one
above, each citing the kernel source line it follows (docs/kernel-rules.md names the files; the quoted
line is the one at the release the model follows: NetBSD 4.0/5.0, FreeBSD 4.11, Linux v4.19).

The expectations come from the quoted line, worked out by hand in each docstring, not from the model.
"""

from __future__ import annotations

import pytest

from model.events import Event
from model.limits import NAME_MAX, PATH_MAX, USER_LIMIT
from model.ops import parse
from model.procfs.tasks import PID_MAX_LIMIT, RESERVED_PIDS, next_free_nr
from model.system import System
from model.vfs.nchash import NCHNAMLEN

PAGE = 4096


def run(system: System, *lines: str) -> list[Event]:
    events: list[Event] = []
    for line in lines:
        events = system.apply(parse(line))
        assert system.check() == [], (line, system.check())
    return events


def last(events: list[Event], kind: str) -> Event:
    return [e for e in events if e.kind == kind][-1]


# -- §1.1 NCHNAMLEN ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("length", "cached"), [(NCHNAMLEN - 1, True), (NCHNAMLEN, True), (NCHNAMLEN + 1, False)])
def test_1_1_nchnamlen_31_bytes_cached_32_never(length, cached):
    """§1.1, NetBSD 4.0 sys/sys/namei.h ``#define NCHNAMLEN 31`` and sys/kern/vfs_cache.c cache_lookup
    ``if (cnp->cn_namelen > NCHNAMLEN) { nchstats.ncs_long++; ...}``: 30 and 31 bytes are entered and then
    hit; 32 is never entered, and each lookup of it counts ncs_long."""
    system = System()
    name = "n" * length
    run(system, f"create /tmp/{name}", f"lookup /tmp/{name}")  # the first lookup misses and enters it
    before = system.part("vfs").namecache.stats["ncs_long"]
    events = run(system, f"lookup /tmp/{name}")
    kinds = [e.kind for e in events if e.func == "cache_lookup"]
    assert kinds[-1] == ("namecache.hit" if cached else "namecache.long")
    assert system.part("vfs").namecache.stats["ncs_long"] - before == (0 if cached else 1)


# -- §1.6 getcwd's buffer ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/usr", "/usr/bin"])
@pytest.mark.parametrize(("extra", "fits"), [(0, False), (1, True), (2, True)])
def test_1_6_getcwd_needs_strlen_plus_one_bytes(path, extra, fits):
    """§1.6, NetBSD 4.0 sys/kern/vfs_getcwd.c sys___getcwd ``bp = &path[len]; *(--bp) = '\\0';``, then
    vfs_cache.c cache_revlookup ``bp -= ncp->nc_nlen; if (bp <= bufp) return (ERANGE);`` and getcwd_common
    ``*(--bp) = '/';`` with no check: a name may end at path[1], its '/' goes into path[0]. So strlen + 1
    bytes hold the path ("/usr" in 5, "/usr/bin" in 9) and strlen bytes are ERANGE (8 for "/usr/bin")."""
    system = System()
    run(system, f"cd {path}", f"lookup {path}/..")  # the names of every level are cached
    vp = system.part("vfs").cwd.id
    bufsize = len(path) + extra
    result = last(run(system, f"revlookup {vp} {bufsize}"), "namecache.getcwd")
    if fits:
        assert (result.ret, result.errno, result.data["path"]) == (0, None, path)
    else:
        assert (result.ret, result.errno) == (-1, "ERANGE")


@pytest.mark.parametrize(("bufsize", "errno"), [(1, "ERANGE"), (2, None), (3, None)])
def test_1_6_getcwd_refuses_a_length_under_2(bufsize, errno):
    """§1.6, NetBSD 4.0 sys/kern/vfs_getcwd.c sys___getcwd ``else if (len < 2) return ERANGE;``: "/" needs
    its byte and the NUL, so 2 is the shortest length and 1 is ERANGE before anything is looked up."""
    system = System()
    result = last(run(system, f"revlookup {system.part('vfs').rootvnode.id} {bufsize}"), "namecache.getcwd")
    assert result.errno == errno
    assert result.data["path"] == (None if errno else "/")


@pytest.mark.parametrize(("bufsize", "used"), [(4095, 4095), (4096, 4096), (4097, 4096)])
def test_1_6_getcwd_clamps_the_length_to_maxpathlen_times_4(bufsize, used):
    """§1.6, NetBSD 4.0 sys/kern/vfs_getcwd.c sys___getcwd ``if (len > MAXPATHLEN * 4) len = MAXPATHLEN * 4;``
    (MAXPATHLEN 1024): a longer buffer is used as 4096 bytes; the NUL is at len - 1 and "/" before it."""
    system = System()
    result = last(run(system, f"revlookup {system.part('vfs').rootvnode.id} {bufsize}"), "namecache.getcwd")
    assert result.data["bp"] == used - 2 and result.data["path"] == "/"


@pytest.mark.parametrize(
    ("path", "bufsize", "got"), [("/a/b", 5, "/a/b"), ("/x/a/b", 5, "/a/b"), ("/x/a/b", 7, "/x/a/b")]
)
def test_1_6_getcwd_common_stops_after_len_over_2_levels(path, bufsize, got):
    """§1.6, NetBSD 4.0 sys/kern/vfs_getcwd.c: sys___getcwd passes ``len/2`` as getcwd_common's limit and the
    walk is ``do { ... limit--; } while ((lvp != rvp) && (limit > 0));`` with error still 0. Two levels of
    one-letter names fill a 5-byte buffer exactly ("/a/b" and the NUL) and use up the limit of 2: at the
    root that is the whole path; one level further down the walk stops below the root and returns the
    path's tail with success. 7 bytes (limit 3) hold "/x/a/b"."""
    system = System()
    run(system, *(f"mkdir {path[:i]}" for i in range(2, len(path) + 1, 2)), f"cd {path}", f"lookup {path}/..")
    events = run(system, f"revlookup {system.part('vfs').cwd.id} {bufsize}")
    result = last(events, "namecache.getcwd")
    assert (result.ret, result.errno, result.data["path"]) == (0, None, got)
    assert bool([e for e in events if e.kind == "namecache.getcwd_limit"]) == (got != path)


# -- §1.11 namei's lengths ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "errno"), [(PATH_MAX - 1, "ENOENT"), (PATH_MAX, "ENAMETOOLONG"), (PATH_MAX + 1, "ENAMETOOLONG")]
)
def test_1_11_a_path_of_maxpathlen_bytes_does_not_fit_with_its_nul(size, errno):
    """§1.11, NetBSD 4.0 sys/kern/vfs_lookup.c namei ``error = copyinstr(ndp->ni_dirp, cnp->cn_pnbuf,
    MAXPATHLEN, &ndp->ni_pathlen);`` (MAXPATHLEN 1024, NUL included): 1023 bytes are walked (and not found
    here), 1024 and 1025 are ENAMETOOLONG."""
    path = "/" + "/".join(["d" * 200] * 5)
    path = (path + "/" + "x" * size)[:size]
    assert len(path) == size
    events = run(System(), f"lookup {path}")
    assert last(events, "vfs.lookup").errno == errno


@pytest.mark.parametrize(
    ("length", "errno"), [(NAME_MAX - 1, "ENOENT"), (NAME_MAX, "ENOENT"), (NAME_MAX + 1, "ENAMETOOLONG")]
)
def test_1_11_a_component_over_name_max_is_enametoolong(length, errno):
    """§1.11, NetBSD 4.0 sys/kern/vfs_lookup.c lookup ``if (cnp->cn_namelen > NAME_MAX) { error =
    ENAMETOOLONG; goto bad; }`` (NAME_MAX 255): 254 and 255 bytes are looked up, 256 is refused."""
    events = run(System(), f"lookup /tmp/{'c' * length}")
    assert last(events, "vfs.lookup").errno == errno


# -- §4.2 the puffs range rule ---------------------------------------------------------------------------------------


def puffs(*lines: str) -> System:
    system = System()
    run(system, "mkdir /puffs", "mount /puffs fstype=puffs", "create /puffs/f", "write /puffs/f 0 16384", *lines)
    return system


@pytest.mark.parametrize(("start", "offlo"), [(PAGE - 1, 0), (PAGE, PAGE), (PAGE + 1, PAGE)])
def test_4_2_start_is_truncated_to_its_page(start, offlo):
    """§4.2, NetBSD 5.0 sys/fs/puffs/puffs_msgif.c puffsop_flush ``offlo = trunc_page(pf->pf_start);``."""
    head = last(run(puffs(), f"flush /puffs/f {start} 12288"), "puffs.flush")
    assert (head.ret, head.data["offlo"]) == (0, offlo)


@pytest.mark.parametrize(("end", "offhi"), [(2 * PAGE - 1, 2 * PAGE), (2 * PAGE, 2 * PAGE), (2 * PAGE + 1, 3 * PAGE)])
def test_4_2_end_is_rounded_up_to_the_next_page(end, offhi):
    """§4.2, NetBSD 5.0 sys/fs/puffs/puffs_msgif.c puffsop_flush ``offhi = round_page(pf->pf_end);``."""
    head = last(run(puffs(), f"flush /puffs/f 0 {end}"), "puffs.flush")
    assert (head.ret, head.data["offhi"]) == (0, offhi)


@pytest.mark.parametrize(("end", "errno"), [(16383, None), (16384, None), (16385, "EINVAL")])
def test_4_2_end_may_equal_the_file_size_not_pass_it(end, errno):
    """§4.2, NetBSD 5.0 sys/fs/puffs/puffs_msgif.c puffsop_flush ``if (pf->pf_end > vp->v_size || vp->v_type
    != VREG) { rv = EINVAL; break; }``: with v_size 16384, end 16384 is accepted and 16385 is EINVAL."""
    assert last(run(puffs(), f"inval /puffs/f 0 {end}"), "puffs.inval").errno == errno


@pytest.mark.parametrize(("start", "errno"), [(PAGE - 1, None), (PAGE, "EINVAL"), (PAGE + 1, "EINVAL")])
def test_4_2_an_empty_rounded_range_is_einval(start, errno):
    """§4.2, NetBSD 5.0 sys/fs/puffs/puffs_msgif.c puffsop_flush ``if (offhi != 0 && offlo >= offhi) { rv =
    EINVAL; ...}``: with end 4096 (offhi 4096), start 4095 truncates to 0 (a page), 4096 and 4097 to 4096
    (empty)."""
    assert last(run(puffs(), f"flush /puffs/f {start} {PAGE}"), "puffs.flush").errno == errno


@pytest.mark.parametrize(("offset", "got"), [(16383, 1), (16384, 0), (16385, 0)])
def test_4_read_at_the_end_of_the_file_reads_nothing(offset, got):
    """§4, NetBSD 5.0 sys/fs/puffs/puffs_vnops.c puffs_read: the transfer stops at v_size (ubc reads
    ``MIN(uio->uio_resid, vp->v_size - uio->uio_offset)``): one byte before the end reads 1, at or past it 0."""
    assert last(run(puffs(), f"read /puffs/f {offset} 10"), "page.read").ret == got


# -- §5.2 Linux/MIPS: nbytes 0, access_ok, cache-line spans --------------------------------------------------------


def mips(*lines: str) -> System:
    system = System()
    run(system, "map 0x400000 0x2000 rwx", *lines)
    return system


def flush(events: list[Event]) -> tuple[int | None, str | None]:
    call = last(events, "cpu.cacheflush")
    return call.ret, call.errno


@pytest.mark.parametrize(("end", "errno"), [(USER_LIMIT - 1, None), (USER_LIMIT, "EFAULT"), (USER_LIMIT + 1, "EFAULT")])
def test_5_2_access_ok_fails_a_range_ending_at_the_user_limit(end, errno):
    """§5.2, Linux v4.19 arch/mips/include/asm/uaccess.h __access_ok ``return (get_fs().seg & (addr | (addr +
    size) | __ua_size(size))) == 0;`` with USER_DS 0x80000000 (``__UA_LIMIT``): the end address addr + size
    must not reach the limit, so a range whose last byte is 0x7fffffff is already EFAULT (arch/mips/mm/
    cache.c sys_cacheflush ``if (!access_ok(VERIFY_WRITE, (void __user *) addr, bytes)) return -EFAULT;``)."""
    addr = USER_LIMIT - 16
    assert flush(run(mips(), f"cacheflush {addr:#x} {end - addr} BCACHE")) == (-1 if errno else 0, errno)


@pytest.mark.parametrize(("nbytes", "acts"), [(0, ""), (1, "BCACHE"), (2, "BCACHE")])
def test_5_2_nbytes_zero_returns_at_once(nbytes, acts):
    """§5.2, Linux v4.19 arch/mips/mm/cache.c sys_cacheflush ``if (bytes == 0) return 0;``: nothing is
    checked or flushed for 0 bytes; from 1 byte on the range is flushed as BCACHE."""
    events = run(mips(), f"cacheflush 0x400000 {nbytes} ICACHE")
    assert flush(events) == (0, None) and last(events, "cpu.cacheflush").data["acts_as"] == acts


@pytest.mark.parametrize(("nbytes", "lines"), [(15, 1), (16, 1), (17, 2)])
def test_5_2_a_range_covers_every_line_it_touches(nbytes, lines):
    """§5.1/§5.2, Linux v4.19 arch/mips/include/asm/r4kcache.h protected_blast_dcache_range (the
    __BUILD_BLAST_USER_CACHE_RANGE macro): ``unsigned long addr = start & ~(lsize - 1); unsigned long aend =
    (end - 1) & ~(lsize - 1);`` and lines from addr to aend: with 16-byte lines, 15 and 16 bytes from a line
    start are one line, 17 bytes two. Each line was dirtied first; the flush writes back exactly those."""
    system = mips("store 0x400000 4 1", "store 0x400010 4 2", "store 0x400020 4 3")
    run(system, f"cacheflush 0x400000 {nbytes} DCACHE")
    dcache = system.part("cpu").dcache
    flushed = [addr for addr in (0x400000, 0x400010, 0x400020) if dcache.find(addr) == -1]
    assert len(flushed) == lines


# -- §5.3 the other ABIs' limits ------------------------------------------------------------------------------------


def m68k() -> System:
    system = System({"cacheflush_abi": "m68k"})
    run(system, "map 0x800000 0x10000 rw")
    return system


@pytest.mark.parametrize(("pages", "delta", "widened"), [(3, -1, False), (3, 0, True), (3, 1, True)])
def test_5_3_m68k_line_becomes_page_at_3_pages(pages, delta, widened):
    """§5.3, Linux v4.19 arch/m68k/kernel/sys_m68k.c sys_cacheflush ``if (len>=3*PAGE_SIZE &&
    scope<FLUSH_SCOPE_PAGE) scope=FLUSH_SCOPE_PAGE;``: 3 pages - 1 byte stays LINE, 3 pages and more is PAGE."""
    events = run(m68k(), f"cacheflush 0x800000 LINE DATA {pages * PAGE + delta:#x}")
    assert flush(events) == (0, None)
    assert ("len >= 3 pages" in last(events, "cpu.cacheflush").explain) == widened


@pytest.mark.parametrize(("delta", "whole"), [(-1, False), (0, True), (1, True)])
def test_5_3_m68k_becomes_all_at_10_pages(delta, whole):
    """§5.3, Linux v4.19 arch/m68k/kernel/sys_m68k.c sys_cacheflush ``if (len>=10*PAGE_SIZE &&
    scope<FLUSH_SCOPE_ALL) scope=FLUSH_SCOPE_ALL;`` (no CAP_SYS_ADMIN check on this path)."""
    events = run(m68k(), f"cacheflush 0x800000 LINE DATA {10 * PAGE + delta:#x}")
    assert flush(events) == (0, None)
    assert ("len >= 10 pages" in last(events, "cpu.cacheflush").explain) == whole


@pytest.mark.parametrize(("delta", "errno"), [(-1, None), (0, None), (1, "EINVAL")])
def test_5_3_m68k_range_may_end_at_the_end_of_its_mapping(delta, errno):
    """§5.3, Linux v4.19 arch/m68k/kernel/sys_m68k.c sys_cacheflush ``if (!vma || addr < vma->vm_start ||
    addr + len > vma->vm_end) goto out_unlock;`` (ret -EINVAL): ending at vm_end is inside, one byte past
    is EINVAL."""
    events = run(m68k(), f"cacheflush 0x80f000 LINE DATA {0x1000 + delta:#x}")
    assert flush(events) == ((-1, errno) if errno else (0, None))


@pytest.mark.parametrize(("op", "errno"), [(0, "EINVAL"), (1, None), (7, None), (8, "EINVAL")])
def test_5_3_sh_op_is_1_to_7(op, errno):
    """§5.3, Linux v4.19 arch/sh/kernel/sys_sh.c sys_cacheflush ``if ((op <= 0) || (op > (CACHEFLUSH_D_PURGE|
    CACHEFLUSH_I))) return -EINVAL;``: 0 and 8 are refused, 1 and 7 accepted (3 | 4 = 7)."""
    system = System({"cacheflush_abi": "sh"})
    run(system, "map 0x400000 0x1000 rwx")
    assert flush(run(system, f"cacheflush 0x400000 16 {op}")) == ((-1, errno) if errno else (0, None))


@pytest.mark.parametrize(("delta", "whole"), [(-16, False), (0, False), (1, True)])
def test_5_3_nds32_more_than_8_pages_flushes_everything(delta, whole):
    """§5.3, Linux v4.19 arch/nds32/mm/proc.c cpu_cache_wbinval_range_check ``start = start & (~(line_size -
    1)); end = (end + line_size - 1) & (~(line_size - 1)); if ((end - start) > (8 * PAGE_SIZE)) {
    cpu_dcache_wbinval_all(); ...}``: exactly 8 pages is a range flush, one byte more rounds up to a line
    more and flushes the whole caches."""
    system = System({"cacheflush_abi": "nds32"})
    run(system, "map 0x800000 0x10000 rw")
    events = run(system, f"cacheflush 0x800000 {0x800000 + 8 * PAGE + delta:#x} DCACHE")
    assert flush(events) == (0, None)
    assert ("More than 8 pages" in last(events, "cpu.cacheflush").explain) == whole


@pytest.mark.parametrize(("cache", "errno"), [(2, None), (3, "EINVAL"), (-1, "EINVAL")])
def test_5_3_nds32_cache_is_0_to_2(cache, errno):
    """§5.3, Linux v4.19 arch/nds32/kernel/sys_nds32.c: ``switch (cache) { case ICACHE: ... case DCACHE: ...
    case BCACHE: break; default: return -EINVAL; }`` with BCACHE 2: 2 is the largest value, 3 is EINVAL."""
    system = System({"cacheflush_abi": "nds32"})
    run(system, "map 0x800000 0x1000 rw")
    assert flush(run(system, f"cacheflush 0x800000 0x800010 {cache}")) == ((-1, errno) if errno else (0, None))


# -- §3.1 PID namespaces and numbers ---------------------------------------------------------------------------


def nest(system: System, depth: int) -> None:
    """Namespaces down to level `depth`: the init of each (number 100 + level in ns0) unshares for the next."""
    run(system, "spawn 100")
    for level in range(1, depth + 1):
        run(system, "unshare-pid 100" if level == 1 else f"unshare-pid 1 ns={level - 1}")
        run(system, f"spawn 1 parent={100 + level - 1}")


@pytest.mark.parametrize(("level", "errno"), [(31, None), (32, None), (33, "ENOSPC")])
def test_3_1_pid_namespaces_nest_32_deep(level, errno):
    """§3.1, Linux v4.19 kernel/pid_namespace.c create_pid_namespace ``unsigned int level =
    parent_pid_ns->level + 1; ... err = -ENOSPC; if (level > MAX_PID_NS_LEVEL) goto out;`` with
    include/linux/pid_namespace.h ``#define MAX_PID_NS_LEVEL 32``: levels 31 and 32 are made, 33 is ENOSPC."""
    system = System()
    nest(system, level - 1)
    events = system.apply(parse("unshare-pid 100" if level == 1 else f"unshare-pid 1 ns={level - 1}"))
    assert events[0].errno == errno
    assert system.check() == []


@pytest.mark.parametrize(
    ("nr", "errno"), [(PID_MAX_LIMIT - 2, None), (PID_MAX_LIMIT - 1, None), (PID_MAX_LIMIT, "EINVAL")]
)
def test_3_1_pid_numbers_are_below_pid_max(nr, errno):
    """§3.1, Linux v4.19 kernel/pid.c alloc_pid ``nr = idr_alloc_cyclic(&tmp->idr, NULL, pid_min, pid_max,
    GFP_ATOMIC);`` allocates below pid_max; the model's pid_max is PID_MAX_LIMIT (include/linux/threads.h,
    ``4 * 1024 * 1024`` on 64-bit, what systemd sets), so its last number is PID_MAX_LIMIT - 1."""
    events = System().apply(parse(f"spawn {nr}"))
    assert events[0].errno == errno


@pytest.mark.parametrize(("taken", "expected"), [((), RESERVED_PIDS), ((RESERVED_PIDS,), RESERVED_PIDS + 1)])
def test_3_1_pid_allocation_wraps_to_reserved_pids(taken, expected):
    """§3.1, Linux v4.19 kernel/pid.c alloc_pid ``if (idr_get_cursor(&tmp->idr) > RESERVED_PIDS) pid_min =
    RESERVED_PIDS;`` (RESERVED_PIDS 300): after the last number below pid_max the cursor wraps to 300, or to
    the next free number above it; 299 and below stay for the boot's daemons."""
    system = System()
    run(system, f"spawn {PID_MAX_LIMIT - 1}", *(f"spawn {nr}" for nr in taken))
    ns0 = system.part("procfs").namespaces[0]
    ns0.last_pid = PID_MAX_LIMIT - 1  # the cursor has just handed out the last number
    assert next_free_nr(ns0) == expected
    ns0.last_pid = PID_MAX_LIMIT - 2  # one below: the last number is still free... or taken
    assert next_free_nr(ns0) == expected  # PID_MAX_LIMIT - 1 is taken here, so the cursor wraps as well
