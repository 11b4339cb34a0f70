"""Hypothesis strategies for command lines of every subsystem, shared by the property and fuzz tests.

Lines are text, as a user types them: the tests parse them, so the parser is exercised too. Pools are
small and overlap on purpose (the same paths, ids and addresses come back), so histories reach
interesting states: full caches, recycled vnodes, stale dentries, dirty pages and lines.
"""

from __future__ import annotations

from hypothesis import strategies as st

CONFIG = {
    "desiredvnodes": 8,
    "namecache_max": 10,
    "nchash": 4,
    "ncvhash": 2,
    "page_size": 1024,
    "icache": {"sets": 2, "ways": 2, "line": 16},
    "dcache": {"sets": 2, "ways": 2, "line": 16},
}
"""A small machine: caches fill, vnodes are recycled and pages are few bytes apart."""

SETUP = (
    "mkdir /puffs",
    "mount /puffs fstype=puffs",
    "create /puffs/f",
    "mkdir /puffs/d",
    "create /puffs/d/g",
    "map 0x400000 4096 rwx",
    "map 0x10000000 8192 rw",
    "spawn 100",
    "unshare-pid 100",
    "spawn 1 parent=100 outer=1000",
)
"""Lines that give every subsystem something to work on (a puffs mount, mappings, a child namespace)."""

CODE, DATA = 0x400000, 0x10000000

PATHS = (
    "/", "/usr", "/usr/bin", "/usr/bin/cc", "/etc/passwd", "/tmp", "/tmp/a", "/tmp/b", "/tmp/d", "/tmp/d/f",
    "/puffs", "/puffs/f", "/puffs/d", "/puffs/d/g", "/puffs/h", "/mnt", "/mnt/a", "tmp/a", ".", "..",
    "../usr", "/usr/../tmp/./a", "/tmp/" + "L" * 32, "/etc/passwd/x", "/nope/x",
)  # fmt: skip
PUFFS_PATHS = ("/puffs/f", "/puffs/f", "/puffs/d/g", "/puffs/h", "/puffs/d", "/puffs", "/tmp/a", "puffs/f")
SIZES = (0, 1, 100, 1023, 1024, 1500, 2048, 4096, 5000, 1 << 20, 1 << 40)
NAMES = ("a", "b", "f", "usr", ".", "..", "L" * 32)
PIDS = (1, 2, 3, 100, 101, 102, 1000, 1001, 1002, 10, 11)
PROC_SHAPES = ("", "/status", "/task", "/task/{tid}", "/task/{tid}/status", "/stat", "/nosuch", "/../cpuinfo")

vnode_ids = st.integers(1, 14).map(lambda n: f"vp{n}")
mount_ids = st.integers(0, 3).map(lambda n: f"mnt{n}")
dentry_ids = st.integers(1, 24).map(lambda n: f"d{n}")
ns_options = st.sampled_from(["", "", " ns=0", " ns=1", " ns=1", " ns=ns2", " ns=7"])
pids = st.sampled_from(PIDS)
sizes = st.sampled_from(SIZES)
addresses = st.one_of(
    st.integers(0, 31).map(lambda i: CODE + 4 * i),
    st.integers(0, 31).map(lambda i: DATA + 4 * i),
    st.sampled_from([0, 0x500000, DATA + 8190, 0x7FFFFFFC, 0xFFFFFFFC]),
)


@st.composite
def vfs_lines(draw: st.DrawFn) -> str:
    """Path walks, the name cache, vnode references and locks, mounts."""
    kind = draw(st.sampled_from(["path", "path", "path", "rename", "vnode", "enter", "revlookup", "mount", "fd"]))
    if kind == "path":
        verb = draw(st.sampled_from(["lookup", "open", "create", "mkdir", "unlink", "cd", "whiteout"]))
        return f"{verb} {draw(st.sampled_from(PATHS))}"
    if kind == "fd":  # descriptors (§1.12): open files held by number, walks that start at one
        fd = draw(st.sampled_from([3, 4, 5]))
        shape = draw(st.sampled_from(["open {p} fd={fd}", "close fd={fd}", "fchdir {fd}", "lookup {r} at={fd}",
                                      "create {r} at={fd}", "unlink {r} at={fd}"]))  # fmt: skip
        relative = draw(st.sampled_from(["a", "b", "f", "d/g", "..", "."]))
        return shape.format(p=draw(st.sampled_from(PATHS)), fd=fd, r=relative)
    if kind == "rename":
        return f"rename {draw(st.sampled_from(PATHS))} {draw(st.sampled_from(PATHS))}"
    if kind == "vnode":
        verbs = ["close", "recycle", "purge", "print", "xlock", "vref", "vrele", "lock", "unlock", "vput"]
        return f"{draw(st.sampled_from(verbs))} {draw(vnode_ids)}"
    if kind == "enter":
        target = draw(st.one_of(st.just("-"), vnode_ids))
        whiteout = draw(st.sampled_from(["", " -w"]))
        return f"enter {draw(vnode_ids)} {draw(st.sampled_from(NAMES[:5]))} {target}{whiteout}"
    if kind == "revlookup":
        bufsize = draw(st.sampled_from(["", " 0", " 2", " 5", " 16", " 64", " 100000", " 1000000000000"]))
        return f"revlookup {draw(vnode_ids)}{bufsize}"
    verb = draw(st.sampled_from(["mount /mnt fstype=tmpfs", "mount /mnt/a", "mount /tmp/d fstype=badfs",
                                 "unmount", "unmount -f", "purgevfs", "purge"]))  # fmt: skip
    if verb.startswith(("unmount", "purgevfs")):
        word, _, flag = verb.partition(" ")
        return f"{word} {draw(mount_ids)} {flag}".strip()
    if verb == "purge":
        return f"purge {draw(vnode_ids)}"
    return verb


@st.composite
def page_lines(draw: st.DrawFn) -> str:
    """read/write/truncate, puffs flushes and invalidations, the file server's side."""
    path = draw(st.sampled_from(PUFFS_PATHS))
    kind = draw(st.sampled_from(["io", "io", "io", "truncate", "range", "range", "ack", "server", "names"]))
    if kind == "io":
        verb = draw(st.sampled_from(["read", "write", "write", "server-write"]))
        return f"{verb} {path} {draw(sizes)} {draw(sizes)}"
    if kind == "truncate":
        return f"truncate {path} {draw(sizes)}"
    if kind == "range":
        verb = draw(st.sampled_from(["flush", "inval"]))
        if draw(st.booleans()):
            return f"{verb} {path}"
        return f"{verb} {path} {draw(sizes)} {draw(sizes)}"
    if kind == "ack":
        return f"server-ack {draw(st.sampled_from(['', '0', '1', '3', '1000000000000']))}".strip()
    if kind == "server":
        return f"server-show {path}"
    if draw(st.booleans()):
        return f"inval-names {path}"
    return f"inval-names-all {draw(st.sampled_from(['', 'mnt0', 'mnt1', 'mnt2']))}".strip()


@st.composite
def proc_lines(draw: st.DrawFn) -> str:
    """Tasks, PID namespaces, /proc walks, holds, releases and exits."""
    kind = draw(st.sampled_from(["spawn", "thread", "unshare", "exit", "walk", "walk", "walk", "dput"]))
    ns = draw(ns_options)
    if kind == "spawn":
        parent = draw(st.sampled_from(["", " parent=100", " parent=1", " parent=101", " parent=9"]))
        outer = draw(st.sampled_from(["", "", " outer=1003", " outer=5,6"]))
        nr = draw(st.one_of(pids, st.integers(2, 40)))
        return f"spawn {nr}{ns if not parent else ''}{parent}{outer}"
    if kind == "thread":
        return f"thread {draw(pids)} {draw(st.one_of(pids, st.integers(12, 60)))}{ns}"
    if kind == "unshare":
        return f"unshare-pid {draw(pids)}{ns}"
    if kind == "exit":
        return f"exit {draw(pids)}{ns}"
    if kind == "dput":
        return f"dput {draw(dentry_ids)}"
    verb = draw(st.sampled_from(["cat", "hold"]))
    shape = draw(st.sampled_from(PROC_SHAPES)).format(tid=draw(pids))
    return f"{verb} /proc/{draw(pids)}{shape}{ns}"


@st.composite
def cpu_lines(draw: st.DrawFn) -> str:
    """Stores, loads, fetches, cacheflush in every ABI and mode, __builtin___clear_cache, mappings."""
    kind = draw(st.sampled_from(["store", "store", "load", "exec", "exec", "flush", "flush", "clear", "abi", "map"]))
    addr = draw(addresses)
    if kind == "store":
        nbytes = draw(st.sampled_from([1, 2, 4, 4, 8]))
        return f"store {addr:#x} {nbytes} {draw(st.integers(0, (1 << (8 * nbytes)) - 1)):#x}"
    if kind == "load":
        return f"load {addr:#x}{draw(st.sampled_from(['', ' 1', ' 4', ' 8']))}"
    if kind == "exec":
        return f"exec {addr:#x}"
    if kind == "clear":
        end = min(addr + draw(st.sampled_from([0, 4, 16, 64, 8192])), 0xFFFFFFFF)
        return f"clear-cache {addr:#x} {end:#x}"
    if kind == "abi":
        modes, abis = ["spec", "linux", "legacy"], ["mips", "m68k", "sh", "nds32"]
        return f"abi {draw(st.sampled_from(modes + abis + [f'{m}-{a}' for m in modes for a in abis]))}"
    if kind == "map":
        return f"map {draw(st.sampled_from([0x600000, 0x10000000, 0x7FFFF000, 0x601000]))} 4096 rwx"
    args = draw(st.lists(st.sampled_from(["0", "1", "2", "3", "4", "7", "64", "4096", "-1", "BCACHE", "ICACHE",
                                          "D_WB|I", "ALL", "LINE", "0x10000010"]), min_size=2, max_size=3))  # fmt: skip
    return f"cacheflush {addr:#x} {' '.join(args)}"


@st.composite
def core_lines(draw: st.DrawFn) -> str:
    """Narration, statistics, and descriptions of objects of every kind."""
    kind = draw(st.sampled_from(["say", "stats", "state"]))
    if kind == "say":
        return "say " + draw(st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=20))
    if kind == "stats":
        return "stats"
    ref = draw(st.one_of(vnode_ids, mount_ids, dentry_ids, st.sampled_from(
        ["", "nc1", "nc3", "ns0", "ns1", "'pid 100'", "pid1000", "'D set 1 way 0'", "'I set 0'", "0x400000",
         "'vma 0x400000'", "'mem 0x10000000'", "'page vp3:0'"])))  # fmt: skip
    return f"state {ref}".strip()


any_line = st.one_of(vfs_lines(), page_lines(), proc_lines(), cpu_lines(), core_lines())
"""One command line of any subsystem (it parses; the model may refuse it with an error event)."""
