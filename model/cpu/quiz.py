"""The CPU quiz: its drill (stores, fetches and cacheflush(2) under the man page's rules), the questions
it asks, and its phrases for the reverse-quiz summary.

Each builder reads only what applying the op to a copy of the System did (see `model.quiz.draft`).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from model.events import Event
from model.ops import Op, parse
from model.parts import Summary
from model.quiz.draft import Builder, Ctx, Draft, Drill, join, nearby, state_of, weighted
from model.quiz.summary import count_phrase as _n

if TYPE_CHECKING:
    from model.system import System


FLUSH_RESULTS = ("0", "-1 EFAULT", "-1 EINVAL")
HIT_MISS = ("hit", "miss")


def _word(system: Any, addr: int) -> str:
    memory = state_of(system)["cpu"]["memory"]
    return next((m["word"] for m in memory if m["addr"] == addr), "00000000")


def cpu_fetch(c: Ctx) -> Draft | None:
    """Which word an exec fetches: the newest store, or an older word (§5.4)."""
    fetch = c.first("cpu.exec")
    if fetch is None:
        return None
    addr, fetched = c.op.get("addr"), fetch.data["bytes"]
    stale = c.first("cpu.stale_fetch")
    newest = stale.data["newest"] if stale is not None else fetched
    stores = [f"{op.get('value'):08x}" for op in c.history if op.verb == "store" and op.get("addr") == addr]
    labels: dict[str, str] = {}
    for word, why in [(newest, "the newest store"), (_word(c.before, addr), "what memory holds")]:
        labels.setdefault(word, f"0x{word} ({why})")
    for word in [*reversed(stores), "00000000", fetched]:
        labels.setdefault(word, f"0x{word} (an older value)")
    said = f"The newest value at {addr:#x} is 0x{newest}. " if stores else ""
    prompt = f"{said}Which word will `{c.op}` fetch: the old or the new one?"
    right = labels[fetched]
    explain = stale.text if stale is not None else fetch.text
    wrong = tuple(label for word, label in labels.items() if word != fetched)
    return Draft("cpu.fetch", prompt, right, wrong, explain, fact=fetched)


def _access(c: Ctx) -> Any:
    return c.first("cpu.hit", "cpu.miss") if c.op.verb in ("exec", "load", "store") else None


def cpu_hit(c: Ctx) -> Draft | None:
    """Hit or miss in the I- or D-cache."""
    e = _access(c)
    if e is None:
        return None
    right = "hit" if e.kind == "cpu.hit" else "miss"
    prompt = f"Will `{c.op}` hit or miss in the {e.data['cache']}-cache?"
    return Draft("cpu.hit", prompt, right, (), e.text, fixed=HIT_MISS, fact=right)


def cpu_set(c: Ctx) -> Draft | None:
    """The set an address falls in: (address / line) mod sets."""
    e = _access(c)
    if e is None:
        return None
    cache = e.data["cache"]
    geometry = c.before.config["icache" if cache == "I" else "dcache"]
    sets, line, addr = geometry["sets"], geometry["line"], e.data["addr"]
    if sets > 8:
        return None
    fixed = tuple(f"set {n}" for n in range(sets))
    prompt = f"The {cache}-cache has {sets} sets of {line}-byte lines. Which set does `{c.op}` use?"
    explain = f"set = ({addr:#x} / {line}) mod {sets} = {e.data['set']}. {e.text}"
    return Draft("cpu.set", prompt, f"set {e.data['set']}", (), explain, fixed=fixed, fact=e.data["set"])


def cpu_result(c: Ctx) -> Draft | None:
    """What cacheflush returns under the man page's rules (§5.1)."""
    call = c.first("cpu.cacheflush")
    if call is None:
        return None
    right = "0" if call.ret == 0 else f"-1 {call.errno}"
    if right not in FLUSH_RESULTS:
        return None
    prompt = f"What will `{c.op}` return, under the man page's rules?"
    return Draft("cpu.result", prompt, right, (), call.text, fixed=FLUSH_RESULTS, fact=right)


def cpu_writebacks(c: Ctx) -> Draft | None:
    """How many dirty D-lines a cacheflush writes back (§5.1)."""
    call = c.first("cpu.cacheflush")
    if call is None:
        return None
    written = c.all("cpu.writeback")
    prompt = f"How many dirty D-lines will `{c.op}` write back to memory?"
    explain = join(written) or call.text
    count = len(written)
    return Draft("cpu.writebacks", prompt, str(count), nearby(count), explain, order="sorted", fact=count)


QUESTIONS: tuple[Builder, ...] = (cpu_fetch, cpu_fetch, cpu_hit, cpu_set, cpu_result, cpu_result, cpu_writebacks)
"""The drill's builders; one listed twice is tried first twice as often."""


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

DRILL = Drill(
    "cpu",
    "Stores, fetches and cacheflush(2) (man-page rules) with 4-set, 2-way caches of 16-byte lines.",
    {"icache": SMALL_CACHE, "dcache": SMALL_CACHE, "cacheflush_mode": "spec"},
    ("map 0x400000 4096 rwx",),
    _cpu,
    "cpu",
    QUESTIONS,
)


# -- reverse-quiz summary --------------------------------------------------------------------------------


def _cpu_access(events: list[Event]) -> str:
    outcome = events[0].kind.split(".")[1]
    return ", ".join(f"{e.data['cache']}-cache {outcome} in set {e.data['set']}" for e in events if "cache" in e.data)


def _invalidated(events: list[Event]) -> str:
    by_cache = {c: sum(e.data.get("cache") == c for e in events) for c in ("I", "D")}
    counted = [("a" if n == 1 else str(n), c, "s" if n > 1 else "") for c, n in by_cache.items() if n]
    return ", ".join(f"{n} {c}-line{s} invalidated" for n, c, s in counted)


def _flush_result(events: list[Event]) -> str:
    e = events[0]
    return f"cacheflush returns {e.ret}" + (f" with {e.errno}" if e.errno else "")


SUMMARY = Summary(
    phrases={
        "cpu.hit": _cpu_access,
        "cpu.miss": _cpu_access,
        "cpu.evict": lambda es: _n(es, "a line evicted", "{n} lines evicted"),
        "cpu.store": lambda es: "a D-line made dirty",
        "cpu.load": lambda es: "a word loaded",
        "cpu.exec": lambda es: f"an instruction fetched (0x{es[0].data.get('bytes', '?')})",
        "cpu.stale_fetch": lambda es: "a stale fetch",
        "cpu.writeback": lambda es: _n(es, "a D-line written back", "{n} D-lines written back"),
        "cpu.invalidate": _invalidated,
        "cpu.cacheflush": _flush_result,
    }
)
"""Kind -> phrase for the CPU's events."""
