"""Quiz questions on /proc dentries across PID namespaces and on the CPU caches under cacheflush(2).

Each builder reads only what applying the op to a copy of the System did (see `model.quiz_draft`).
"""

from __future__ import annotations

from typing import Any

from model.quiz_draft import Builder, Ctx, Draft, join, nearby, state_of

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


# -- CPU caches ----------------------------------------------------------------------------------------

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


QUESTIONS: dict[str, tuple[Builder, ...]] = {
    "procfs": (pr_survivors, pr_survivors, pr_survivors, pr_lookup, pr_new, pr_number, pr_invalidated, pr_freed),
    "cpu": (cpu_fetch, cpu_fetch, cpu_hit, cpu_set, cpu_result, cpu_result, cpu_writebacks),
}
"""Builders per drill; one listed twice is tried first twice as often."""
