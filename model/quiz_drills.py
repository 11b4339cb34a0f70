"""Quiz drills: per subsystem, a small machine, an unquizzed setup, and a seeded proposer of the next op.

A proposer is a pure function of (random generator, current System, ops so far): it reads the state
through `System.to_dict()` so that the ops it proposes make sense now (close what is open, exit what
lives), and it keeps the working set small so hits, misses, reuse and loss all come up.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from model.ops import Op, parse
from model.system import System

Proposer = Callable[[random.Random, System, Sequence[Op]], Op]


@dataclass(frozen=True, slots=True)
class Drill:
    """One subsystem's quiz: its config, its setup lines (not quizzed), its proposer and its panel."""

    name: str
    about: str
    config: Mapping[str, Any]
    setup: tuple[str, ...]
    propose: Proposer
    panel: str


def weighted(rng: random.Random, choices: Sequence[tuple[str, int]]) -> str:
    """One name out of (name, weight) pairs; weights of 0 are never picked."""
    return rng.choices([name for name, _ in choices], weights=[w for _, w in choices])[0]


# -- name cache ----------------------------------------------------------------------------------------

NAME_PATHS = (
    "/usr/bin/cc",
    "/usr/bin/vi",
    "/usr/bin/ghost",
    "/etc/passwd",
    "/etc/nope",
    "/bin/ls",
    "/home/alice/notes.txt",
    "/usr/lib/libc.so",
)
"""Lookups over a few paths, some missing (negative entries); `LONG_PATH` now and then."""
LONG_PATH = "/tmp/this-name-is-32-bytes-long-abcde"
"""Its last component is 32 bytes, one more than NCHNAMLEN: never cached."""


def _namecache(rng: random.Random, system: System, history: Sequence[Op]) -> Op:
    recent = [op.get("path") for op in history[-4:] if op.verb == "lookup"]
    r = rng.random()
    path = rng.choice(recent) if recent and r < 0.5 else LONG_PATH if r > 0.95 else rng.choice(NAME_PATHS)
    return parse(f"lookup {path}")


# -- vnodes --------------------------------------------------------------------------------------------

VNODE_FILES = ("/etc/passwd", "/etc/rc.conf", "/bin/ls", "/usr/bin/cc", "/tmp/a", "/tmp/b")
SCRATCH = ("/tmp/a", "/tmp/b")


def on_root_fs(state: Mapping[str, Any], path: str) -> bool:
    """Whether `path` names something on the root file system's disk (read from the state dump)."""
    inodes = state["vfs"]["mounts"]["mnt0"]["disk"]["inodes"]
    ino: int | None = 2
    for name in path.strip("/").split("/"):
        entries = inodes.get(str(ino), {}).get("entries", {})
        ino = entries.get(name)
        if ino is None:
            return False
    return True


def _vnodes(rng: random.Random, system: System, history: Sequence[Op]) -> Op:
    state = system.to_dict()
    vfs = state["vfs"]
    opened = sorted(vfs["user_refs"])
    states = {v["id"]: v["state"] for v in vfs["vnodes"]["vnodes"]}
    free = [vp for vp in vfs["vnodes"]["freelist"] if states.get(vp) == "inactive"]
    files = [p for p in VNODE_FILES if on_root_fs(state, p)]
    scratch = [p for p in SCRATCH if on_root_fs(state, p)]
    missing = [p for p in SCRATCH if p not in scratch]
    verb = weighted(
        rng,
        [
            ("open", 3 if len(opened) < 3 else 1),
            ("lookup", 1),
            ("close", (3 if len(opened) > 1 else 2) if opened else 0),
            ("recycle", 1 if free else 0),
            ("unlink", 2 if scratch else 0),
            ("create", 2 if missing else 0),
        ],
    )
    if verb == "close":
        return parse(f"close {rng.choice(opened)}")
    if verb == "recycle":
        return parse(f"recycle {rng.choice(free)}")
    if verb == "unlink":
        return parse(f"unlink {rng.choice(scratch)}")
    if verb == "create":
        return parse(f"create {rng.choice(missing)}")
    return parse(f"{verb} {rng.choice(files)}")


# -- page cache ----------------------------------------------------------------------------------------

PUFFS_FILE = "/puffs/data"
PUFFS_SIZE = 16384


def _range(rng: random.Random) -> str:
    """A flush/inval range: whole file, to the end, an error case, or a range not on page boundaries."""
    r = rng.random()
    if r < 0.2:
        return ""
    if r < 0.3:
        return f" {rng.choice([0, 4096, 6000, 8192])} 0"
    if r < 0.42:
        return rng.choice([" 0 20000", " 4096 4096", " 8192 8192"])
    start = rng.choice([0, 100, 3000, 4096, 5000, 8000, 9000])
    end = min(PUFFS_SIZE, start + rng.choice([100, 1000, 4000, 6000, 9000]))
    return f" {start} {end}"


def _pagecache(rng: random.Random, system: System, history: Sequence[Op]) -> Op:
    queue = system.to_dict()["vfs"]["pagecache"]["queue"]
    verb = weighted(rng, [("write", 4), ("inval", 4), ("flush", 2), ("read", 1), ("server-ack", 2 if queue else 0)])
    if verb == "write":
        offset = rng.choice([0, 100, 4000, 4096, 5000, 8000, 8192, 12000])
        length = min(rng.choice([50, 100, 300, 1000, 4096, 5000]), PUFFS_SIZE - offset)
        return parse(f"write {PUFFS_FILE} {offset} {length}")
    if verb == "read":
        return parse(f"read {PUFFS_FILE} {rng.choice([0, 4096, 8192])} {rng.choice([100, 4096, 8192])}")
    if verb == "server-ack":
        return parse(f"server-ack {rng.randint(1, min(3, len(queue)))}")
    return parse(f"{verb} {PUFFS_FILE}{_range(rng)}")


# -- /proc ---------------------------------------------------------------------------------------------


def _number(task: Mapping[str, Any], ns: str) -> int | None:
    return next((nr for nsid, nr in task["numbers"] if nsid == ns), None)


def _next_free(namespace: Mapping[str, Any]) -> int:
    return max((int(nr) for nr in namespace["pids"]), default=0) + 1


def _proc_path(rng: random.Random, task: Mapping[str, Any], ns: str, leaders: Mapping[int, Any]) -> str:
    """A /proc path naming `task` by its numbers in `ns`: its status, its stat, or its task/ entry."""
    nr = _number(task, ns)
    leader = leaders.get(task["tgid"][0])
    tgid = _number(leader, ns) if leader is not None else None
    if not task["leader"] and tgid is not None and rng.random() < 0.6:
        return f"/proc/{tgid}/task/{nr}/status"
    return f"/proc/{nr}/{rng.choice(['status', 'status', 'stat'])}"


def _procfs(rng: random.Random, system: System, history: Sequence[Op]) -> Op:
    proc = system.to_dict()["procfs"]
    ns1 = next(n for n in proc["namespaces"] if n["id"] == "ns1")
    alive = [t for t in proc["tasks"] if t["alive"] and t["id"] not in ("pid 1", "pid 100")]
    inner = [t for t in alive if _number(t, "ns1") is not None]
    leaders = {t["numbers"][0][1]: t for t in alive if t["leader"]}
    held = [d["id"] for d in proc["dentries"] if d["holds"] > 0]
    exitable = [t for t in alive if t["id"] != ns1["init"]]
    named = {d["task"] for d in proc["dentries"]}
    verb = weighted(
        rng,
        [
            ("spawn", 2 if len(alive) < 5 and ns1["adding"] else 0),
            ("thread", 1 if len(alive) < 5 and inner else 0),
            ("cat", 5),
            ("hold", 1 if len(held) < 2 and alive else 0),
            ("dput", 1 if held else 0),
            ("exit", (5 if any(t["serial"] in named for t in exitable) else 2) if exitable else 0),
        ],
    )
    if verb == "spawn":
        return parse(f"spawn {_next_free(ns1)} ns=1")
    if verb == "thread":
        leader = rng.choice([t for t in inner if t["leader"]])
        return parse(f"thread {_number(leader, 'ns1')} {_next_free(ns1)} ns=1")
    if verb == "dput":
        return parse(f"dput {rng.choice(held)}")
    if verb == "exit":  # tasks with dentries most often: their flush is the interesting part
        task = rng.choices(exitable, weights=[4 if t["serial"] in named else 1 for t in exitable])[0]
        return parse(f"exit {task['numbers'][0][1]}")
    if not alive or rng.random() < 0.12:  # a number nobody has: ENOENT
        return parse(f"cat /proc/{_next_free(ns1) + rng.choice([0, 1000])}/status" + rng.choice(["", " ns=1"]))
    task = rng.choices(alive, weights=[1 if t["id"] == ns1["init"] else 3 for t in alive])[0]
    ns = "ns1" if _number(task, "ns1") is not None and rng.random() < 0.5 else "ns0"
    if ns == "ns1" and rng.random() < 0.15:  # the ns0 number, asked inside the container
        return parse(f"{verb} /proc/{_number(task, 'ns0')}/status ns=1")
    suffix = " ns=1" if ns == "ns1" else ""
    path = _proc_path(rng, task, ns, leaders)
    return parse(f"{verb} {path if verb == 'cat' else path.rsplit('/', 1)[0] + '/status'}{suffix}")


# -- CPU caches ----------------------------------------------------------------------------------------

CODE_ADDRS = (0x400000, 0x400004, 0x400010, 0x400040, 0x400080)
"""A few words of one code page; with 4 sets of 16-byte lines, 0x400000, 0x400040 and 0x400080 share set 0."""
CACHE_ARGS = ("ICACHE", "DCACHE", "BCACHE", "BCACHE")


def _cpu(rng: random.Random, system: System, history: Sequence[Op]) -> Op:
    stored = sorted({op.get("addr") for op in history if op.verb == "store"})
    verb = weighted(rng, [("store", 3), ("exec", 3 if stored else 1), ("cacheflush", 3), ("load", 1)])
    if verb == "store":
        value = 0x24020000 + sum(op.verb == "store" for op in history) + 1  # li v0, N: each store a new word
        return parse(f"store {rng.choice(CODE_ADDRS):#x} 4 {value:#x}")
    if verb in ("exec", "load"):
        pool = stored if stored and rng.random() < 0.75 else list(CODE_ADDRS)
        return parse(f"{verb} {rng.choice(pool):#x}")
    r = rng.random()
    if r < 0.12:
        where = "0x500000 4096"  # not mapped
    elif r < 0.2:
        where = "0x400ff0 0x20"  # runs off the end of the page
    else:
        where = f"{rng.choice(stored or list(CODE_ADDRS)):#x} {rng.choice([4, 16, 64, 128])}"
    cache = rng.choice(["0", "4"]) if rng.random() < 0.12 else rng.choice(CACHE_ARGS)
    return parse(f"cacheflush {where} {cache}")


SMALL_CACHE = {"sets": 4, "ways": 2, "line": 16}

DRILLS: dict[str, Drill] = {
    "namecache": Drill(
        "namecache",
        "Lookups through a name cache of 6 entries on 8 chains: hits, misses, negative entries, LRU reuse.",
        {"nchash": 8, "namecache_max": 6},
        (),
        _namecache,
        "namecache",
    ),
    "vnodes": Drill(
        "vnodes",
        "Open, close, unlink and recycle with a vnode table of 6 (desiredvnodes): the free list at work.",
        {"desiredvnodes": 6, "nchash": 8},
        ("create /tmp/a", "create /tmp/b"),
        _vnodes,
        "vnodes",
    ),
    "pagecache": Drill(
        "pagecache",
        "Writes, flushes, invalidations and server acks on a 4-page file of a puffs mount.",
        {},
        (
            "mkdir /puffs",
            "mount /puffs fstype=puffs",
            f"create {PUFFS_FILE}",
            f"write {PUFFS_FILE} 0 {PUFFS_SIZE}",
            f"flush {PUFFS_FILE}",
            "server-ack 4",
        ),
        _pagecache,
        "pagecache",
    ),
    "procfs": Drill(
        "procfs",
        "Tasks, threads, /proc lookups, holds and exits across a child PID namespace (ns1, init 1 = 1000).",
        {},
        ("spawn 100", "unshare-pid 100", "spawn 1 parent=100 outer=1000", "cat /proc/1000/status"),
        _procfs,
        "proc",
    ),
    "cpu": Drill(
        "cpu",
        "Stores, fetches and cacheflush(2) (man-page rules) with 4-set, 2-way caches of 16-byte lines.",
        {"icache": SMALL_CACHE, "dcache": SMALL_CACHE, "cacheflush_mode": "spec"},
        ("map 0x400000 4096 rwx",),
        _cpu,
        "cpu",
    ),
}
