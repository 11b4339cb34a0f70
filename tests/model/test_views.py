"""What a step is about (its view) and what its events changed: the facts the app's panels draw."""

from __future__ import annotations

import pytest

from model.errors import ScenarioError
from model.events import Event
from model.ops import parse
from model.scenario import builtin_names, load_builtin, loads
from model.timeline import Step, Timeline
from model.views import check_view, view_names, view_of


def _steps(*lines: str, config: dict | None = None) -> list[tuple[Step, tuple[Event, ...]]]:
    """Each line applied in turn: (its step, its events)."""
    timeline = Timeline([Step(parse(line)) for line in lines], config)
    out = []
    while (events := timeline.step()) is not None:
        assert timeline.current_step is not None
        out.append((timeline.current_step, events))
    return out


def test_the_views_are_the_core_stats_then_each_mechanisms_in_tab_order():
    assert view_names() == ["stats", "namecache", "vnodes", "pagecache", "proc", "cpu"]


def test_a_write_is_about_the_page_cache_though_most_of_its_events_are_its_walk():
    steps = _steps("mkdir /p", "mount /p fstype=puffs", "create /p/f", "write /p/f 0 8192")
    step, events = steps[-1]
    assert sum(e.kind.startswith("page.") for e in events) < len(events) / 2
    assert view_of(step, events) == "pagecache"


def test_a_lookup_is_about_the_name_cache_and_open_close_about_vnodes():
    (lookup, lookup_events), (opened, open_events), (closed, close_events) = _steps(
        "lookup /usr/bin/cc", "open /etc/passwd", "close vp6"
    )
    assert sum(e.kind.startswith("vnode.") for e in lookup_events) > sum(
        e.kind.startswith("namecache.") for e in lookup_events
    )
    assert view_of(lookup, lookup_events) == "namecache"
    assert view_of(opened, open_events) == "vnodes"
    assert view_of(closed, close_events) == "vnodes"


def test_without_a_verb_view_most_events_decide_and_a_tie_goes_to_the_first():
    step = Step(parse("stats"))  # a core verb with no view of its own
    proc = Event("proc.lookup", "x")
    cpu = Event("cpu.hit", "y")
    assert view_of(step, [cpu, proc, proc]) == "proc"
    assert view_of(step, [cpu, proc]) == "cpu"
    assert view_of(step, [proc, cpu]) == "proc"


def test_say_and_state_steps_keep_the_panel_shown_and_a_scenario_panel_wins():
    (say, say_events), (state, state_events) = _steps("say hello", "state vp1")
    assert view_of(say, say_events) is None and view_of(state, state_events) is None
    assert view_of(None, ()) is None
    chosen = Step(parse("lookup /usr"), panel="vnodes")
    assert view_of(chosen, _steps("lookup /usr")[0][1]) == "vnodes"


def test_a_verb_whose_events_miss_its_view_falls_back_to_its_events():
    """A write with no page-cache event (here, only its walk) is shown where its events are."""
    step, events = _steps("say x", "stats")[1]
    assert view_of(step, events) == "stats"
    step = Step(parse("write /etc/passwd 0 10"))
    walk = [Event("namecache.hit", "h"), Event("vnode.vget", "v")]
    assert view_of(step, walk) == "namecache"  # no page event: the verb's view does not apply


def test_a_scenario_step_may_choose_its_panel_and_a_typo_is_caught_with_a_suggestion():
    scenario = loads('[[step]]\ndo = "lookup /usr"\npanel = "vnodes"\n', "t.toml")
    assert scenario.steps[0].panel == "vnodes"
    with pytest.raises(ScenarioError) as caught:
        loads('[[step]]\ndo = "lookup /usr"\npanel = "vnode"\n', "t.toml")
    assert "step 1" in str(caught.value) and "did you mean 'vnodes'" in str(caught.value)
    with pytest.raises(ValueError, match="one of stats, namecache"):
        check_view("zzz")


@pytest.mark.parametrize("name", builtin_names())
def test_every_step_of_every_builtin_scenario_that_does_something_has_a_view(name):
    timeline = load_builtin(name).timeline()
    while (events := timeline.step()) is not None:
        step = timeline.current_step
        assert step is not None
        if step.op.verb not in ("say", "state"):
            assert view_of(step, events) in view_names(), (name, timeline.position, str(step.op))


# -- what events changed ------------------------------------------------------------------------------


def test_a_miss_names_its_chain_but_changes_nothing_and_an_enter_creates_its_entry():
    _, events = _steps("lookup /usr")[0]
    miss = next(e for e in events if e.kind == "namecache.miss")
    assert any(r.startswith("nchash ") for r in miss.refs) and not miss.touched
    enter = next(e for e in events if e.kind == "namecache.enter")
    assert enter.created == ("nc1",) and not enter.changed and not enter.removed
    assert next(e for e in events if e.kind == "vnode.new").created == ("vp2",)


def test_a_purge_removes_its_entries_and_says_how_many_with_a_label_for_each():
    steps = _steps("lookup /usr/bin/cc", "purge vp3")
    _, events = steps[-1]
    purge = next(e for e in events if e.kind == "namecache.purge")
    removes = [e for e in events if e.kind == "namecache.remove"]
    assert purge.data["entries"] == len(removes) == 2
    assert [r for e in removes for r in e.removed] == ["nc2", "nc3"]
    assert removes[0].data["gone"] == {"nc2": "'bin' vp2→vp3"}
    assert "removed" not in Event("x", "y").to_dict() and removes[0].to_dict()["removed"] == ["nc2"]


def test_an_inval_removes_the_pages_and_the_loss_is_counted_in_bytes():
    steps = _steps("mkdir /p", "mount /p fstype=puffs", "create /p/f", "write /p/f 0 8192", "inval /p/f")
    _, events = steps[-1]
    inval = next(e for e in events if e.kind == "page.inval")
    lost = next(e for e in events if e.kind == "page.lost")
    assert inval.removed == ("page vp4:0", "page vp4:1") and inval.data["versions"] == {0: "A", 1: "A"}
    assert lost.data["bytes"] == 8192


def test_proc_flush_task_counts_what_it_flushed_and_freed_dentries_are_labelled():
    steps = _steps("spawn 1000", "cat /proc/1000/status", "exit 1000")
    _, events = steps[-1]
    flush = next(e for e in events if e.kind == "proc.flush")
    assert flush.data == {"flushed": 1, "freed": 2}
    gone = {ref: label for e in events for ref, label in e.data.get("gone", {}).items()}
    assert gone == {"d3": "/proc/1000/status", "d2": "/proc/1000"}
    assert sorted(r for e in events for r in e.removed) == ["d2", "d3"]


def test_cpu_lines_changed_by_a_store_and_removed_by_an_invalidation_with_their_old_tag():
    steps = _steps("map 0x400000 4096 rwx", "store 0x400000 4 1", "cacheflush 0x400000 4 BCACHE")
    _, store = steps[1]
    assert next(e for e in store if e.kind == "cpu.store").changed == ("D set 0 way 0",)
    _, flush = steps[2]
    invalidate = next(e for e in flush if e.kind == "cpu.invalidate")
    assert invalidate.removed == ("D set 0 way 0",) and invalidate.data["tag"] == 0x8000
    assert next(e for e in flush if e.kind == "cpu.cacheflush").ret == 0
