"""The procfs quiz: its drill (tasks, threads, /proc lookups, holds and exits across a child PID
namespace), the questions it asks, and its phrases for the reverse-quiz summary.

Each builder reads only what applying the op to a copy of the System did (see `model.quiz.draft`).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from model.events import Event
from model.ops import Op, parse
from model.parts import Summary
from model.quiz.draft import Builder, Ctx, Draft, Drill, join, nearby, state_of, weighted
from model.quiz.summary import count_phrase as _n

if TYPE_CHECKING:
    from model.system import System

# -- /proc ---------------------------------------------------------------------------------------------

LOOKUPS = ("a dcache hit: the dentry is there", "a proc lookup that makes a new dentry", "ENOENT: no such entry here")
MAX_SURVIVOR_CHOICES = 6


def _dentry_label(d: dict[str, Any]) -> str:
    return f"{d['ns']}:{d['path']}"


def _subset(chosen: list[dict[str, Any]], everything: list[dict[str, Any]]) -> str:
    if not chosen:
        return "none"
    if len(chosen) == len(everything) > 1:
        return "all of them"
    return ", ".join(_dentry_label(d) for d in chosen)


def pr_survivors(c: Ctx) -> Draft | None:
    """Which of the dentries naming an exiting task survive its exit (§3.3-3.4)."""
    exits = c.all("proc.exit")
    if c.op.verb != "exit" or not exits:
        return None
    before = state_of(c.before)["procfs"]
    ending = {nr for e in exits for ns, nr in e.data.get("numbers", []) if ns == "ns0"}
    serials = {t["serial"] for t in before["tasks"] if t["alive"] and t["numbers"][0][1] in ending}
    named = [d for d in before["dentries"] if d["task"] in serials and d["kind"] != "root"]
    if not named or len(named) > MAX_SURVIVOR_CHOICES:
        return None
    kept = {d["id"] for d in state_of(c.after)["procfs"]["dentries"]}
    survivors = [d for d in named if d["id"] in kept]
    own_ns = [d for d in named if d["ns"] == named[-1]["ns"]]
    wrong = (
        [],
        named,
        [d for d in named if d["ns"] == "ns0"],
        [d for d in named if d["holds"] > 0],
        own_ns,
        [d for d in named if d["kind"] == "file"],
    )
    prompt = f"These dentries name what `{c.op}` ends: {', '.join(map(_dentry_label, named))}. Which survive it?"
    flushed = c.all("proc.d_invalidate")
    explain = next((e.explain for e in flushed if e.explain), "") or join(flushed) or "No dentry was found to flush."
    right = _subset(survivors, named)
    options = tuple(_subset(w, named) for w in wrong)
    return Draft("proc.survivors", prompt, right, options, explain, fact=sorted(d["id"] for d in survivors))


def pr_lookup(c: Ctx) -> Draft | None:
    """What the walk finds for /proc/<n>: a dcache hit, a new dentry, or ENOENT (§3.2)."""
    if c.op.verb not in ("cat", "hold"):
        return None
    e = c.first("proc.lookup", "proc.dentry.new", "proc.revalidate")
    if e is None or e.kind == "proc.revalidate":
        return None
    outcome = 1 if e.kind == "proc.dentry.new" else 2 if e.errno == "ENOENT" else 0 if e.func == "d_lookup" else None
    if outcome is None:
        return None
    first = "/".join(c.op.get("path").rstrip("/").split("/")[:3])
    prompt = f"`{c.op}` looks up {first} first. What does it find?"
    return Draft("proc.lookup", prompt, LOOKUPS[outcome], (), e.explain or e.text, fixed=LOOKUPS, fact=outcome)


def pr_new(c: Ctx) -> Draft | None:
    """How many dentries a /proc walk creates."""
    if c.op.verb not in ("cat", "hold"):
        return None
    new = c.all("proc.dentry.new")
    depth = len([p for p in c.op.get("path").split("/") if p]) - 1
    prompt = f"How many new dentries will `{c.op}` add to the dcache?"
    explain = join(new) or "Every component was already in the dcache, or the walk failed: nothing is added."
    count = len(new)
    return Draft("proc.new", prompt, str(count), nearby(count, high=depth), explain, order="sorted", fact=count)


def pr_number(c: Ctx) -> Draft | None:
    """A new task's number in ns0, given its number in its own namespace (§3.1)."""
    made = c.first("proc.spawn", "proc.thread")
    if made is None or len(made.data.get("numbers", [])) < 2:
        return None
    numbers = dict(made.data["numbers"])
    right, inner = numbers["ns0"], numbers[made.data["numbers"][-1][0]]
    wrong = (inner, right - 1, right + 1, inner + 1000, right + 2)
    prompt = f"`{c.op}` numbers the new task {inner} in its namespace. Which number will it have in ns0?"
    options = tuple(str(w) for w in wrong if w > 0)
    return Draft("proc.number", prompt, str(right), options, made.text, order="sorted", fact=right)


def pr_invalidated(c: Ctx) -> Draft | None:
    """How many dentries proc_flush_task invalidates (§3.3)."""
    if c.op.verb != "exit":
        return None
    flushed = c.all("proc.d_invalidate")
    explain = join(flushed) or "proc_flush_task found no dentry to invalidate in any mount."
    prompt = f"How many dentries will proc_flush_task d_invalidate for `{c.op}`?"
    count = len(flushed)
    return Draft("proc.invalidated", prompt, str(count), nearby(count), explain, order="sorted", fact=count)


def pr_freed(c: Ctx) -> Draft | None:
    """How many dentries a dput or an exit frees (§3.4)."""
    if c.op.verb not in ("dput", "exit"):
        return None
    freed = c.all("proc.dentry.free")
    ids = [{d["id"] for d in state_of(system)["procfs"]["dentries"]} for system in (c.before, c.after)]
    count = len(ids[0] - ids[1])
    explain = join(freed) or "The dentry is still hashed or still used: nothing is freed."
    prompt = f"How many dentries will `{c.op}` free?"
    return Draft("proc.freed", prompt, str(count), nearby(count), explain, order="sorted", fact=count)


QUESTIONS: tuple[Builder, ...] = (
    pr_survivors,
    pr_survivors,
    pr_survivors,
    pr_lookup,
    pr_new,
    pr_number,
    pr_invalidated,
    pr_freed,
)
"""The drill's builders; one listed twice is tried first twice as often."""


# -- the drill --------------------------------------------------------------------------------------------


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


DRILL = Drill(
    "procfs",
    "Tasks, threads, /proc lookups, holds and exits across a child PID namespace (ns1, init 1 = 1000).",
    {},
    ("spawn 100", "unshare-pid 100", "spawn 1 parent=100 outer=1000", "cat /proc/1000/status"),
    _procfs,
    "proc",
    QUESTIONS,
)


# -- reverse-quiz summary --------------------------------------------------------------------------------


def _proc_lookup(events: list[Event]) -> str:
    hits = [e for e in events if e.func == "d_lookup"]
    failed = [e for e in events if e.errno]
    parts = [_n(hits, "a dcache hit", "{n} dcache hits")] if hits else []
    return ", ".join([*parts, *(f"a lookup fails with {e.errno}" for e in failed[:1])])


def _numbers(events: list[Event], what: str) -> str:
    numbers = events[0].data.get("numbers", [])
    return f"{what} numbered " + ", ".join(f"{nr} in {ns}" for ns, nr in numbers)


SUMMARY = Summary(
    phrases={
        "proc.spawn": lambda es: _numbers(es, "a new process"),
        "proc.thread": lambda es: _numbers(es, "a new thread"),
        "proc.lookup": _proc_lookup,
        "proc.dentry.new": lambda es: _n(es, "a new dentry", "{n} new dentries"),
        "proc.hold": lambda es: "a dentry held",
        "proc.dput": lambda es: "a hold released",
        "proc.exit": lambda es: _n(es, "a task released", "{n} tasks released"),
        "proc.d_invalidate": lambda es: _n(es, "a dentry invalidated", "{n} dentries invalidated"),
        "proc.dentry.free": lambda es: _n(es, "a dentry freed", "{n} dentries freed"),
        "proc.release_mnt": lambda es: "a proc mount released",
    },
    results=frozenset({"proc.open"}),
)
"""Kind -> phrase for procfs's events."""
