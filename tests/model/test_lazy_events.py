"""The lazily formatted events (name cache, namei walk, vnode life cycle) read exactly as the eager ones did,
read the same whenever they are read, and hold no model objects."""

from __future__ import annotations

import shlex
import sys

from hypothesis import given
from hypothesis import strategies as st

from model.events import Event, LazyEvent
from model.ops import parse, split_words
from model.system import System
from model.vfs.namecache import NameCache
from model.vfs.namecache_events import HitEvent
from model.vfs.nchash import MISS, NCHNAMLEN, namei_hash
from model.vfs.syscalls import file_result
from model.vfs.vnode import VDIR, Vnode
from model.vfs.vnode_events import BindEvent, InactiveEvent, NewVnodeEvent, VgetEvent
from model.vfs.walk_events import LookupResultEvent, NameiStartEvent, VopLookupFoundEvent


def _cache() -> tuple[NameCache, Vnode, Vnode]:
    dvp, vp = Vnode(1), Vnode(2)
    dvp.type = vp.type = VDIR
    return NameCache(16, 8, 2), dvp, vp


def test_lookup_events_equal_the_eager_events_they_replace() -> None:
    cache, dvp, vp = _cache()
    bucket = cache.nchash(dvp, "usr")
    data = {"bucket": bucket, "hash": namei_hash("usr"), "name": "usr"}
    ret, _, (miss,) = cache.cache_lookup(dvp, "usr")
    assert ret == MISS
    explain = "On a miss the caller asks the file system (VOP_LOOKUP)."
    eager = Event("namecache.miss", "miss: no entry for (vp1, 'usr')", ("vp1", f"nchash {bucket}"), explain,
                  "cache_lookup", MISS, None, data)  # fmt: skip
    assert miss == eager and eager == miss and hash(miss) == hash(eager) and miss.data == data
    (enter,) = cache.cache_enter(dvp, vp, "usr")
    assert (enter.kind, enter.text, enter.refs, enter.func, enter.data, enter.explain) == (
        "namecache.enter", f"nc1: (vp1, 'usr') -> vp2, chain {bucket}", ("nc1", "vp1", f"nchash {bucket}", "vp2"),
        "cache_enter", {"bucket": bucket, "entry": "nc1"}, "",
    )  # fmt: skip
    _, _, (hit,) = cache.cache_lookup(dvp, "usr")
    assert hit.to_dict() == {
        "kind": "namecache.hit",
        "text": "hit on nc1: 'usr' -> vp2; moved to the LRU tail",
        "refs": ["nc1", "vp1", f"nchash {bucket}", "vp2"],
        "func": "cache_lookup",
        "ret": 0,
        "data": data,
        "changed": ["nc1"],  # moved to the LRU tail
    }
    assert enter.created == ("nc1",) and not miss.touched


def test_negative_reclaim_and_remove_events_read_as_before() -> None:
    cache, dvp, vp = _cache()
    (neg,) = cache.cache_enter(dvp, None, "ghost", whiteout=True)
    assert neg.text.endswith("-> negative (whiteout), chain " + str(cache.nchash(dvp, "ghost")))
    assert neg.explain == "A negative entry remembers that the name does not exist."
    _, _, (neghit,) = cache.cache_lookup(dvp, "ghost")
    assert neghit.errno == "ENOENT" and neghit.ret is None
    assert neghit.text == "negative hit on nc1: 'ghost' does not exist (ISWHITEOUT passed back); moved to the LRU tail"
    cache.cache_enter(dvp, vp, "a")
    reclaim, remove, _ = cache.cache_enter(dvp, vp, "b")  # full at 2: the LRU head goes
    assert reclaim.line() == "cache_enter: cache full (2 entries): reusing the LRU head nc1 (vp1, 'ghost')"
    assert remove.text == "nc1 (vp1, 'ghost') removed by cache_enter (LRU reuse)" and remove.refs == ("nc1",)
    assert remove.removed == ("nc1",) and remove.data["gone"] == {"nc1": "'ghost' vp1→⊘w"}
    assert not reclaim.touched  # the reuse is the removal that follows


def test_long_name_events_read_as_before() -> None:
    cache, dvp, vp = _cache()
    name = "a-name-longer-than-nchnamlen-by-a-few-bytes"
    ret, _, (long,) = cache.cache_lookup(dvp, name)
    assert ret == MISS and cache.ncs_long == 1
    explain = "Long names are rare and would waste space in every entry, so the cache refuses them."
    text = f"a-name-longe… is {len(name)} bytes, longer than NCHNAMLEN ({NCHNAMLEN}): never cached"
    eager = cache._lookup_event("namecache.long", dvp, name, None, MISS, text, explain)
    assert long == eager and eager == long and hash(long) == hash(eager) and long.data == eager.data
    (skipped,) = cache.cache_enter(dvp, vp, name)
    assert skipped == Event("namecache.enter_skipped", "a-name-longe… longer than NCHNAMLEN: not entered", ("vp1",),
                            func="cache_enter")  # fmt: skip


VGET_EXPLAIN = (
    "A vnode on the free list keeps its identity, so a name-cache hit can bring it back without reading the disk."
)
INACTIVE_EXPLAIN = "An inactive vnode keeps its identity and its name-cache entries until it is recycled."
WALK_AND_VNODE_EVENTS = [
    (NameiStartEvent("LOOKUP", "/etc/passwd", None), Event("namei.start", "namei LOOKUP '/etc/passwd'", func="namei")),
    (NameiStartEvent("CREATE", "x y", "vp2"),
     Event("namei.start", "namei CREATE 'x y' from vp2", ("vp2",), func="namei")),
    (VopLookupFoundEvent("vp1", "etc", 3, "vp2", False),
     Event("vfs.vop_lookup", "VOP_LOOKUP(vp1, 'etc'): inode 3", ("vp1", "vp2"), func="VOP_LOOKUP", ret=0)),
    (VopLookupFoundEvent("vp1", ".", 2, "vp1", True),
     Event("vfs.vop_lookup", "VOP_LOOKUP(vp1, '.'): inode 2, vp1 already in use", ("vp1", "vp1"), func="VOP_LOOKUP",
           ret=0)),
    (LookupResultEvent("/etc", "vp2#3"), file_result("lookup", "/etc", None, "vp2#3", ("vp2#3",))),
    (VgetEvent("vp4#2"), Event("vnode.vget", "vget(vp4#2): taken off the free list, usecount 1", ("vp4#2",),
                               VGET_EXPLAIN, "vget", changed=("vp4#2",), data={"usecount": 1})),
    (InactiveEvent("vput", "vp3"),
     Event("vnode.inactive", "vput(vp3): last reference gone; VOP_INACTIVE(vp3) called locked; vp3 to the free-list "
           "tail", ("vp3",), INACTIVE_EXPLAIN, "VOP_INACTIVE", changed=("vp3",))),
    (NewVnodeEvent("vp9", False), Event("vnode.new", "getnewvnode: allocated vp9", ("vp9",), func="getnewvnode",
                                        created=("vp9",))),
    (NewVnodeEvent("vp9", True), Event("vnode.new", "getnewvnode: allocated vp9 (nothing free: table grows past "
                                       "desiredvnodes)", ("vp9",), func="getnewvnode", created=("vp9",))),
    (BindEvent("vp9", 17, "mnt1", "VDIR"), Event("vnode.bind", "vp9 now stands for inode 17 on mnt1 (VDIR)",
                                                 ("vp9", "mnt1"), func="VFS_VGET", changed=("vp9",))),
]  # fmt: skip


def test_walk_and_vnode_events_equal_the_eager_events_they_replace() -> None:
    for lazy, eager in WALK_AND_VNODE_EVENTS:
        assert lazy == eager and eager == lazy and hash(lazy) == hash(eager), (lazy, eager)
        assert (lazy != eager) is False and lazy.data == eager.data and lazy.to_dict() == eager.to_dict()
        assert lazy.line() == eager.line() and lazy.touched == eager.touched and not lazy.is_error
    assert InactiveEvent("vput", "vp3") != InactiveEvent("vrele", "vp3")


def test_a_lazy_event_is_an_event_without_the_dataclass_storage() -> None:
    """isinstance says Event (tests and panels rely on it), yet a lazy event carries only its own slots: a
    far jump keeps hundreds of thousands, and the garbage collector walks each one on every full pass."""
    event = InactiveEvent("vput", "vp3")
    assert isinstance(event, Event) and issubclass(HitEvent, Event) and isinstance(event, LazyEvent)
    assert not isinstance(Event("x", "y"), LazyEvent)
    assert sys.getsizeof(event) < sys.getsizeof(Event("x", "y")) / 2
    assert repr(event).startswith("InactiveEvent(kind='vnode.inactive', text='vput(vp3): last reference gone;")


def _walks(read: bool = False) -> tuple[list[list[Event]], list[list[dict[str, object]]]]:
    """A machine too small for its files (desiredvnodes 3, 4 name-cache entries), walked until vnodes are
    recycled (their ids gain generations) and entries reused: what a lazy event read later must survive.
    Returns each step's events, and with `read` each step's events as read the moment the step ended."""
    system = System({"tree": ["/a/x", "/a/y", "/b/z", "/b/" + "w" * 40], "desiredvnodes": 3, "namecache_max": 4})
    lines = ["lookup /a/x", "lookup /a/x", "open /b/z fd=3", "lookup /a/y", "lookup /b/" + "w" * 40, "lookup z at=3",
             "lookup /a/n1", "lookup /a/n2", "lookup /a/n3", "lookup /a/n4", "lookup /a/n5", "close fd=3",
             "lookup /a/x", "lookup /b/z", "lookup /a/y", "lookup /nothing"]  # fmt: skip
    steps, read_then = [], []
    for line in lines:
        steps.append(system.apply(parse(line)))
        if read:
            read_then.append([e.to_dict() for e in steps[-1]])
    return steps, read_then


def test_events_read_later_read_as_they_did_when_made() -> None:
    steps, _ = _walks()
    _, read_then = _walks(read=True)  # the same run, each step's events read as it ended
    assert [[e.to_dict() for e in events] for events in steps] == read_then
    kinds = {e.kind for events in steps for e in events}
    assert {"vnode.recycle", "vnode.inactive", "vnode.vget", "namecache.long", "namecache.reclaim"} <= kinds
    assert any("#2" in ref for events in steps for e in events for ref in e.refs)  # a vnode struct was reused


def test_a_kept_event_holds_no_model_object() -> None:
    """Events stay in the history: they must not keep a replaced copy of the machine alive."""
    cache, dvp, vp = _cache()
    events = [*cache.cache_lookup(dvp, "x")[2], *cache.cache_enter(dvp, vp, "x"), *cache.cache_lookup(dvp, "x")[2]]
    events += [e for step in _walks()[0] for e in step]
    for event in events:
        slots = [name for cls in type(event).__mro__ for name in getattr(cls, "__slots__", ())]
        values = [getattr(event, name) for name in slots if hasattr(event, name)]
        assert all(v is None or isinstance(v, str | int | bool | tuple | dict) for v in values), event


@given(st.text(alphabet="ab /\t\n\r\x0b\x0c\xa0\u2003\x1c\x85é.-=", max_size=16))
def test_the_fast_split_is_shlex_for_lines_with_nothing_to_unquote(line: str) -> None:
    lexer = shlex.shlex(line, posix=True)
    lexer.whitespace_split = True
    lexer.commenters = "#"
    assert split_words(line) == list(lexer)
