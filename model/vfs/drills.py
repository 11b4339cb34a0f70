"""The VFS's quiz drills: the name cache, the vnode life cycle and the puffs page cache.

Each proposer reads the state through `System.to_dict()` so that the ops it proposes make sense now
(close what is open, unlink what exists), and keeps the working set small so hits, misses, reuse and
loss all come up.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from model.ops import Op, parse
from model.quiz.draft import Drill, weighted
from model.vfs.quiz import NAMECACHE_QUESTIONS, PAGECACHE_QUESTIONS, VNODE_QUESTIONS

if TYPE_CHECKING:
    from model.system import System

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


DRILLS = (
    Drill(
        "namecache",
        "Lookups through a name cache of 6 entries on 8 chains: hits, misses, negative entries, LRU reuse.",
        {"nchash": 8, "namecache_max": 6},
        (),
        _namecache,
        "namecache",
        NAMECACHE_QUESTIONS,
    ),
    Drill(
        "vnodes",
        "Open, close, unlink and recycle with a vnode table of 6 (desiredvnodes): the free list at work.",
        {"desiredvnodes": 6, "nchash": 8},
        ("create /tmp/a", "create /tmp/b"),
        _vnodes,
        "vnodes",
        VNODE_QUESTIONS,
    ),
    Drill(
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
        PAGECACHE_QUESTIONS,
    ),
)
"""The VFS's drills, in the order "all" runs them."""
