"""A seeded, realistic mix of operations over every subsystem, as command lines (for figures 4 and 7).

Lookups of existing and missing paths, creates and unlinks, reads and writes on a puffs mount with
flushes, invalidations and server acks, tasks spawned, read through /proc and exited, and loads,
stores, fetches and cacheflush calls in a mapped region. The state stays bounded (the caches have
their sizes, tasks exit, files are few), as in a long teaching session.
"""

from __future__ import annotations

import random

CONFIG = {"nchash": 256, "ncvhash": 64, "namecache_max": 512, "desiredvnodes": 256}
SETUP = [
    "mkdir /puffs",
    "mount /puffs fstype=puffs",
    *(f"create /puffs/f{k}" for k in range(8)),
    *(f"write /puffs/f{k} 0 32768" for k in range(8)),
    "map 0x400000 65536 rwx",
]
PATHS = [
    "/usr/bin/cc", "/usr/bin/vi", "/bin/ls", "/bin/sh", "/etc/passwd", "/etc/rc.conf", "/home/alice/notes.txt",
    "/usr/lib/libc.so", "/var/log/messages", "/usr/share", "/usr/bin/ghost", "/etc/nothing", "/home/bob/x",
]  # fmt: skip


def _line(rng: random.Random, alive: set[int]) -> str:
    roll = rng.random()
    if roll < 0.30:
        return f"lookup {rng.choice(PATHS)}"
    if roll < 0.35:
        return f"create /tmp/t{rng.randrange(64)}"
    if roll < 0.40:
        return f"unlink /tmp/t{rng.randrange(64)}"
    if roll < 0.40 + 0.08:
        return f"lookup /tmp/t{rng.randrange(64)}"
    file = f"/puffs/f{rng.randrange(8)}"
    if roll < 0.58:
        return f"read {file} {rng.randrange(8) * 4096} {rng.choice((512, 4096, 8192))}"
    if roll < 0.64:
        return f"write {file} {rng.randrange(32768)} {rng.choice((100, 4096, 6000))}"
    if roll < 0.66:
        return f"flush {file}"
    if roll < 0.67:
        return f"inval {file} 0 {rng.choice((0, 4096, 16384))}"
    if roll < 0.69:
        return "server-ack 4"
    if roll < 0.78:
        pid = 2000 + rng.randrange(32)
        if pid not in alive:
            alive.add(pid)
            return f"spawn {pid}"
        if roll < 0.76:
            return f"cat /proc/{pid}/{rng.choice(('status', 'stat', 'comm'))}"
        alive.discard(pid)
        return f"exit {pid}"
    addr = 0x400000 + 4 * rng.randrange(16384)
    if roll < 0.88:
        return f"load {addr:#x} 4"
    if roll < 0.94:
        return f"store {addr:#x} 4 {rng.randrange(1 << 32):#x}"
    if roll < 0.99:
        return f"exec {addr:#x}"
    return f"cacheflush {addr & ~0xFFF:#x} 4096 BCACHE"


def lines(count: int, seed: int = 7) -> list[str]:
    """`count` command lines: the setup, then the seeded mix."""
    rng = random.Random(seed)
    alive: set[int] = set()
    out = SETUP[:count]
    while len(out) < count:
        out.append(_line(rng, alive))
    return out


def toml_text(ops: list[str]) -> str:
    """A scenario file with these steps (one [[step]] table each)."""
    config = "".join(f"{key} = {value}\n" for key, value in CONFIG.items())
    steps = "".join(f'[[step]]\ndo = "{op}"\n' for op in ops)
    return f'title = "benchmark workload"\n[config]\n{config}{steps}'
