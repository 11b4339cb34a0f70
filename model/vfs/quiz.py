"""Quiz questions on the name cache, the vnode life cycle and the puffs page cache.

Each builder reads only what applying the op to a copy of the System did (see `model.quiz.draft`):
nothing here knows an answer in advance. The drills that ask them are `model.vfs.drills`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from model.events import Event
from model.quiz.draft import Builder, Ctx, Draft, join, nearby, state_of, why

if TYPE_CHECKING:
    from model.system import System
from model.vfs.page import round_page, runs, trunc_page

# -- name cache ----------------------------------------------------------------------------------------

OUTCOMES = ("hit: a positive entry answers", "negative hit: the cache says ENOENT", "miss: VOP_LOOKUP is asked")
OUTCOME_OF = {
    "namecache.hit": 0,
    "namecache.neghit": 1,
    "namecache.miss": 2,
    "namecache.long": 2,
    "namecache.badhit": 2,
}


def cache_lookups(events: Sequence[Event]) -> list[Event]:
    """The cache_lookup outcome of each component, in walk order."""
    return [e for e in events if e.func == "cache_lookup" and e.kind in OUTCOME_OF and "name" in e.data]


def nc_outcome(c: Ctx) -> Draft | None:
    """Hit, negative hit or miss at one component of a lookup (§1.4)."""
    lookups = cache_lookups(c.events)
    if not lookups:
        return None
    e = c.rng.choices(lookups, weights=[1] * (len(lookups) - 1) + [3])[0]  # the last component most often
    right = OUTCOMES[OUTCOME_OF[e.kind]]
    prompt = f"Will `{c.op}` hit or miss in the name cache at {e.data['name']!r}?"
    return Draft("namecache.outcome", prompt, right, (), why(e), fixed=OUTCOMES, fact=e.kind)


def vnode_addr(system: System, vp: str) -> int:
    """The modelled address of a vnode, as the state dump gives it."""
    vnodes = state_of(system)["vfs"]["vnodes"]["vnodes"]
    struct = vp.partition("#")[0]  # the address is the struct's, whatever generation the event named
    return int(next(v["addr"] for v in vnodes if v["id"].partition("#")[0] == struct), 16)


def nc_bucket(c: Ctx) -> Draft | None:
    """The nchashtbl chain of a component, from its hash and the directory's address (§1.2)."""
    lookups = cache_lookups(c.events)
    if not lookups:
        return None
    e = c.rng.choice(lookups)
    name, bucket, hashed = e.data["name"], e.data["bucket"], e.data["hash"]
    dvp = next(r for r in e.refs if r.startswith("vp"))
    addr = vnode_addr(c.after, dvp)
    size = c.before.config["nchash"]
    mask = size - 1
    wrong = (hashed & mask, (addr >> 3) & mask, (hashed ^ addr) & mask, (hashed + (addr >> 3)) & mask, bucket ^ 1)
    prompt = (
        f"`{c.op}`: which nchashtbl chain does cache_lookup search for {name!r} in {dvp}? "
        f"namei_hash({name!r}) = {hashed:#x}, {dvp} is at {addr:#x}, nchash = {size}."
    )
    explain = f"NCHASH = (hash ^ (address >> 3)) & {mask} = ({hashed:#x} ^ {addr >> 3:#x}) & {mask} = {bucket}."
    return Draft(
        "namecache.bucket",
        prompt,
        f"chain {bucket}",
        tuple(f"chain {b}" for b in wrong),
        explain,
        order="sorted",
        fact=bucket,
    )


def nc_victim(c: Ctx) -> Draft | None:
    """The entry cache_enter reuses when the cache is full: the LRU head at that moment (§1.5)."""
    reclaim = c.first("namecache.reclaim")
    if reclaim is None:
        return None
    cache = state_of(c.before)["vfs"]["namecache"]
    entries = {e["id"]: e for e in cache["entries"]}
    lru, victim = cache["lru"], reclaim.refs[0]
    if victim not in entries:
        return None

    def label(ref: str) -> str:
        """An entry as the options show it: id, directory and name."""
        return f"{ref} ({entries[ref]['dvp']}, {entries[ref]['name']!r})"

    wrong = tuple(label(ref) for ref in (lru[0], lru[-1], lru[1], lru[len(lru) // 2], lru[-2]) if ref in entries)
    prompt = f"`{c.op}` will find the name cache full ({cache['capacity']} entries). Which entry is reused first?"
    return Draft("namecache.victim", prompt, label(victim), wrong, why(reclaim), fact=victim)


def nc_misses(c: Ctx) -> Draft | None:
    """How many of a walk's cache_lookup calls miss."""
    lookups = cache_lookups(c.events)
    if len(lookups) < 2:
        return None
    misses = sum(OUTCOME_OF[e.kind] == 2 for e in lookups)
    prompt = f"`{c.op}` makes {len(lookups)} cache_lookup calls. How many of them miss?"
    explain = "; ".join(f"{e.data['name']!r}: {e.kind.split('.')[1]}" for e in lookups)
    wrong = nearby(misses, high=len(lookups))
    return Draft("namecache.misses", prompt, str(misses), wrong, explain, order="sorted", fact=misses)


# -- vnodes --------------------------------------------------------------------------------------------

VNODE_STATES = ("active: still in use", "inactive: on the free list", "reclaimed: its identity is gone")
CLOSING = {"open": "vfs.open", "lookup": "vfs.lookup", "create": "vfs.create", "unlink": "vfs.unlink"}


def vnode_table(system: System) -> dict[str, dict[str, Any]]:
    """Vnodes by id, from the state dump."""
    return {v["id"]: v for v in state_of(system)["vfs"]["vnodes"]["vnodes"]}


def target_vnode(c: Ctx) -> str | None:
    """The vnode the op is about: its argument, or the one its closing event names."""
    if c.op.verb == "close":
        return c.op.get("vp")
    kind = CLOSING.get(c.op.verb)
    closing = [e for e in c.events if e.kind == kind and e.func == c.op.verb and e.errno is None]
    return closing[-1].refs[0] if closing and closing[-1].refs else None


def vn_recycled(c: Ctx) -> Draft | None:
    """The vnode getnewvnode recycles when the table is full: the free-list head then (§2.4)."""
    recycle = c.first("vnode.recycle")
    if recycle is None:
        return None
    before = state_of(c.before)["vfs"]["vnodes"]
    victim = recycle.refs[0]
    wrong = tuple(before["freelist"][1:4]) + tuple(v["id"] for v in before["vnodes"][-3:])
    prompt = (
        f"`{c.op}` needs a new vnode and the table is full (desiredvnodes {before['desiredvnodes']}). "
        "Which vnode will getnewvnode recycle first?"
    )
    return Draft("vnode.recycled", prompt, victim, wrong, recycle.text, order="sorted", fact=victim)


def vn_state(c: Ctx) -> Draft | None:
    """Active, inactive or reclaimed after the op (§2.2-2.4)."""
    target = target_vnode(c)
    after = vnode_table(c.after).get(target or "")
    if target is None or after is None or after["state"] not in ("active", "inactive", "reclaimed"):
        return None
    right = next(s for s in VNODE_STATES if s.startswith(after["state"]))
    last = [e for e in c.events if target in e.refs and e.kind.startswith("vnode.")]
    explain = last[-1].text if last else f"{target} keeps a use reference (usecount {after['usecount']})"
    prompt = f"After `{c.op}`, what state is {target} in?"
    return Draft("vnode.state", prompt, right, (), explain, fixed=VNODE_STATES, fact=after["state"])


def vn_usecount(c: Ctx) -> Draft | None:
    """A vnode's use count after the op."""
    target = target_vnode(c)
    before, after = vnode_table(c.before).get(target or ""), vnode_table(c.after).get(target or "")
    if target is None or before is None or after is None or before["ino"] != after["ino"]:
        return None
    count = after["usecount"]
    prompt = f"{target} has usecount {before['usecount']} now. What will it be after `{c.op}`?"
    explain = f"{target}: usecount {before['usecount']} -> {count} ({after['state']})"
    return Draft("vnode.usecount", prompt, str(count), nearby(count, spread=2), explain, order="sorted", fact=count)


def vn_purged(c: Ctx) -> Draft | None:
    """How many name-cache entries the op removes (purges, reuse, DELETE lookups)."""
    removed = c.all("namecache.remove")
    if not removed and c.op.verb not in ("recycle", "close", "unlink"):
        return None
    prompt = f"How many name-cache entries will `{c.op}` remove?"
    explain = join(removed) if removed else "No entry named the vnodes this step reclaimed or removed."
    count = len(removed)
    return Draft("vnode.purged", prompt, str(count), nearby(count), explain, order="sorted", fact=count)


# -- page cache ----------------------------------------------------------------------------------------

RESULTS = ("0", "EINVAL", "ENOENT")


def puffs_call(c: Ctx) -> Event | None:
    """The puffs_inval/puffs_flush event of the step, if any."""
    return c.first("puffs.inval", "puffs.flush")


def file_pages(system: System, vnode: str) -> dict[int, dict[str, Any]]:
    """A file's cached pages by index, from the state dump."""
    files = state_of(system)["vfs"]["pagecache"]["files"]
    return {int(i): p for i, p in files.get(vnode, {}).get("pages", {}).items()}


def pc_lost(c: Ctx) -> Draft | None:
    """How many dirty bytes an invalidation drops (§4.3)."""
    call = puffs_call(c)
    if c.op.verb != "inval" or call is None:
        return None
    lost = sum(e.data.get("bytes", 0) for e in c.all("page.lost"))
    size = c.before.config["page_size"]
    pages = file_pages(c.before, call.refs[0]) if call.refs else {}  # ENOENT: the kernel has no vnode
    start, end = c.op.get("start") or 0, c.op.get("end") or 0
    inside = [i for i in pages if i * size >= start and (end == 0 or (i + 1) * size <= end)]
    wrong = (0, sum(p["dirty_bytes"] for p in pages.values()), sum(pages[i]["dirty_bytes"] for i in inside))
    wrong += (len([p for p in pages.values() if p["state"] == "dirty"]) * size,)
    explain = join(c.all("page.lost")) or (call.text if call.errno else "No dirty page in the range: nothing is lost.")
    prompt = f"How many bytes of data not yet written to the server will `{c.op}` lose?"
    return Draft("page.lost", prompt, str(lost), tuple(str(w) for w in wrong), explain, order="sorted", fact=lost)


def _span(lo: int, hi: int) -> str:
    return f"[{lo}, {hi if hi else 'EOF'})"


def pc_range(c: Ctx) -> Draft | None:
    """The byte range a flush or invalidation acts on after rounding (§4.2)."""
    call = puffs_call(c)
    if call is None or call.errno or c.op.get("end") is None:
        return None
    size = c.before.config["page_size"]
    start, end = call.data["start"], call.data["end"]
    right = _span(call.data["offlo"], call.data["offhi"])
    wrong = (
        _span(start, end),
        _span(trunc_page(start, size), trunc_page(end, size)),
        _span(round_page(start, size), round_page(end, size)),
        _span(round_page(start, size), end),
    )
    prompt = f"Pages are {size} bytes. Which byte range will `{c.op}` act on?"
    return Draft("page.range", prompt, right, wrong, why(call), fact=right)


def pc_result(c: Ctx) -> Draft | None:
    """What a flush or invalidation returns: 0, EINVAL or ENOENT (§4.2)."""
    call = puffs_call(c)
    if call is None:
        return None
    right = call.errno or "0"
    if right not in RESULTS:
        return None
    return Draft("page.result", f"What will `{c.op}` return?", right, (), call.text, fixed=RESULTS, fact=right)


def pc_queued(c: Ctx) -> Draft | None:
    """How many pages a flush queues for writing (§4.4)."""
    call = puffs_call(c)
    if c.op.verb != "flush" or call is None or call.errno:
        return None
    queued = c.all("page.queued")
    count = sum(len(e.data.get("pages", [])) for e in queued)
    explain = join(queued) or "No dirty page in the range: nothing to write."
    prompt = f"How many pages will `{c.op}` queue for writing to the server?"
    return Draft("page.queued", prompt, str(count), nearby(count), explain, order="sorted", fact=count)


def _pages(indexes: Sequence[int]) -> str:
    return f"page{'s' if len(indexes) > 1 else ''} {runs(sorted(indexes))}" if indexes else "no page"


def pc_dirty(c: Ctx) -> Draft | None:
    """Which pages a write makes dirty."""
    dirty = c.first("page.dirty")
    if c.op.verb != "write" or dirty is None:
        return None
    size = c.before.config["page_size"]
    pages = dirty.data["pages"]
    first, last = c.op.get("offset") // size, (c.op.get("offset") + c.op.get("length")) // size
    wrong = ([first], [last], list(range(first, last + 1)), [p + 1 for p in pages], list(range(first, last + 2)))
    prompt = f"Pages are {size} bytes. Which pages will `{c.op}` make dirty?"
    return Draft("page.dirty", prompt, _pages(pages), tuple(_pages(w) for w in wrong), dirty.text, fact=pages)


def _stat(system: System, name: str) -> int:
    return state_of(system)["vfs"]["pagecache"]["stats"][name]


def pc_acked(c: Ctx) -> Draft | None:
    """How many dirty bytes the served writes bring to the server."""
    if c.op.verb != "server-ack":
        return None
    written = _stat(c.after, "bytes_written_back") - _stat(c.before, "bytes_written_back")
    queue = state_of(c.before)["vfs"]["pagecache"]["queue"]
    size = c.before.config["page_size"]
    wrong = (0, sum(r["bytes"] for r in queue), c.op.get("count") * size, size)
    prompt = f"How many dirty bytes will reach the file server with `{c.op}`?"
    explain = join(c.all("page.written"))
    return Draft(
        "page.acked", prompt, str(written), tuple(str(w) for w in wrong), explain, order="sorted", fact=written
    )


def pc_filled(c: Ctx) -> Draft | None:
    """How many pages a read fetches from the server."""
    if c.op.verb != "read":
        return None
    fills = c.all("page.fill")
    count = sum(len(e.data.get("pages", [])) for e in fills)
    explain = join(fills) or "Every page asked for was already cached."
    prompt = f"How many pages will `{c.op}` fetch from the file server?"
    return Draft("page.filled", prompt, str(count), nearby(count), explain, order="sorted", fact=count)


NAMECACHE_QUESTIONS: tuple[Builder, ...] = (nc_outcome, nc_bucket, nc_victim, nc_victim, nc_misses)
VNODE_QUESTIONS: tuple[Builder, ...] = (vn_recycled, vn_recycled, vn_state, vn_usecount, vn_purged)
PAGECACHE_QUESTIONS: tuple[Builder, ...] = (
    pc_lost,
    pc_lost,
    pc_range,
    pc_result,
    pc_queued,
    pc_dirty,
    pc_acked,
    pc_filled,
)
"""Builders per drill; one listed twice is tried first twice as often."""
