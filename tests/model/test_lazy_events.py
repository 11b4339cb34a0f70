"""The name cache's lazily formatted events read exactly as the eager ones did, and hold no model objects."""

from __future__ import annotations

import shlex

from hypothesis import given
from hypothesis import strategies as st

from model.events import Event
from model.ops import split_words
from model.vfs.namecache import NameCache
from model.vfs.nchash import MISS, namei_hash
from model.vfs.vnode import VDIR, Vnode


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


def test_a_kept_event_holds_no_model_object() -> None:
    """Events stay in the history: they must not keep a replaced copy of the machine alive."""
    cache, dvp, vp = _cache()
    events = [*cache.cache_lookup(dvp, "x")[2], *cache.cache_enter(dvp, vp, "x"), *cache.cache_lookup(dvp, "x")[2]]
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
