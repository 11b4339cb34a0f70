"""/proc dentries per PID namespace and proc_flush_task: one or more tests per rule of docs/kernel-rules.md §3."""

import json

import pytest

from model.events import Event
from model.ops import parse, to_text
from model.procfs.procfs import Procfs
from model.scenario import load_builtin
from model.system import System
from model.timeline import Timeline


def run(system: System, *lines: str) -> list[Event]:
    """Apply each line; fail on a refused op or a broken invariant; return the last line's events."""
    events: list[Event] = []
    for line in lines:
        events = system.apply(parse(line))
        assert not [e for e in events if e.kind == "error"], (line, events)
        assert system.check() == [], (line, system.check())
    return events


def proc(system: System) -> Procfs:
    return system.part("procfs")


def paths(system: System, ns: int) -> set[str]:
    """Every dentry path in namespace `ns`'s proc mount, with its state when not live."""
    fs = proc(system)
    out = set()
    for d in fs.dentries.values():
        if d.mount == ns:
            state = fs.state(d)
            out.add(fs.path(d) + ("" if state == "live" else f" ({state})"))
    return out


def container(system: System) -> None:
    """pid 100 in ns0 unshares ns1; its child is 1 in ns1 and 1000 in ns0."""
    run(system, "spawn 100", "unshare-pid 100", "spawn 1 parent=100 outer=1000")


@pytest.fixture
def system() -> System:
    return System()


@pytest.fixture
def legacy() -> System:
    return System({"proc_kernel": "v2.6.24"})


# §3.1 ---------------------------------------------------------------------------------------------


def test_3_1_task_in_a_child_namespace_has_one_number_per_level(system):
    """§3.1: struct pid has numbers[0..level]; each namespace from the task's own up to ns0 sees its own number."""
    container(system)
    run(system, "unshare-pid 1 ns=1", "spawn 1 parent=1000")  # ns2 inside ns1
    task = proc(system).find_task(1, 2)
    assert [(f"ns{ns}", nr) for ns, nr in task.numbers] == [("ns0", 1001), ("ns1", 2), ("ns2", 1)]
    assert proc(system).find_task(2, 1) is task and proc(system).find_task(1001, 0) is task
    read = run(system, "cat /proc/2/status ns=1")[-1]
    assert read.data == {"tgid": 2, "pid": 2, "nspid": [2, 1]}  # NSpid from the reading namespace down


def test_3_1_each_namespace_gets_its_own_proc_mount_with_its_first_task(system):
    """§3.1: ns->proc_mnt per namespace; pid_ns_prepare_proc runs when the namespace's init (number 1) is made."""
    run(system, "spawn 100", "unshare-pid 100")
    assert proc(system).namespaces[1].mount is None
    events = run(system, "spawn 1 parent=100")
    assert [e.func for e in events] == ["alloc_pid", "pid_ns_prepare_proc"]
    roots = {ns.id: ns.mount.root for ns in proc(system).namespaces.values()}
    assert roots[0] != roots[1]
    run(system, "cat /proc/1/status ns=1")
    assert paths(system, 1) == {"/proc", "/proc/1", "/proc/1/status"}
    assert paths(system, 0) == {"/proc"}  # the lookup went through ns1's mount only


def test_3_1_a_task_is_visible_from_its_own_namespace_up_to_the_initial_one_only(system):
    """§3.1: a namespace sees its own tasks and its descendants', never its parent's or a sibling's."""
    container(system)
    run(system, "spawn 200", "unshare-pid 200", "spawn 1 parent=200 outer=2000")  # a sibling, ns2
    assert run(system, "cat /proc/1000/status")[-1].errno is None  # ns0 sees ns1's init
    for line in ("cat /proc/100/status ns=1", "cat /proc/2000/status ns=1", "cat /proc/2000/status ns=2"):
        assert run(system, line)[-1].errno == "ENOENT", line
    assert "ns1 knows it as 1" in run(system, "cat /proc/1000/status ns=1")[0].explain
    assert "ns1 cannot see pid 2000" in run(system, "cat /proc/2000/status ns=1")[0].explain


def test_3_1_numbering_rules_of_alloc_pid_and_copy_process(system):
    """§3.1: a namespace's first task is its number 1; numbers are unique per namespace; one unshare per task;
    no thread joins a group after the leader unshared; a namespace whose init exited takes no new task."""
    run(system, "spawn 100", "unshare-pid 100")
    assert system.apply(parse("spawn 5 parent=100"))[0].errno == "EINVAL"
    assert system.apply(parse("spawn 100"))[0].errno == "EEXIST"
    assert system.apply(parse("unshare-pid 100"))[0].errno == "EINVAL"
    assert system.apply(parse("thread 100 101"))[0].errno == "EINVAL"
    refused = system.apply(parse("exit 1"))[0]  # the initial namespace's init: no errno, the kernel has none
    assert refused.is_error and refused.errno is None and "Attempted to kill init!" in refused.text
    run(system, "spawn 1 parent=100", "exit 1 ns=1")
    refused = system.apply(parse("spawn 1 parent=100"))[0]
    assert refused.is_error and refused.errno == "ENOMEM"
    assert system.check() == []


def test_3_1_ancestor_numbers_are_allocated_deterministically_above_the_highest_used(system):
    """§3.1: numbers not given are the next free one above the highest used in that namespace."""
    run(system, "spawn 100", "unshare-pid 100", "spawn 1 parent=100", "thread 1 2 ns=1")
    fs = proc(system)
    assert fs.find_task(1, 1).numbers == ((0, 101), (1, 1))
    assert fs.find_task(2, 1).numbers == ((0, 102), (1, 2))


# §3.2 ---------------------------------------------------------------------------------------------


def test_3_2_dentries_exist_only_once_a_lookup_created_them(system):
    """§3.2: proc_pid_lookup creates /proc/<n> on a miss; the next walk is a dcache hit."""
    run(system, "spawn 42")
    assert paths(system, 0) == {"/proc"}
    first = run(system, "cat /proc/42/status")
    assert [(e.kind, e.func) for e in first[:2]] == [
        ("proc.dentry.new", "proc_pid_lookup"),
        ("proc.dentry.new", "proc_pident_lookup"),
    ]
    second = run(system, "cat /proc/42/status")
    assert [e.func for e in second[:2]] == ["d_lookup", "d_lookup"]
    assert paths(system, 0) == {"/proc", "/proc/42", "/proc/42/status"}


def test_3_2_a_failed_lookup_returns_enoent_and_caches_nothing(system):
    """§3.2: proc's lookups return ERR_PTR(-ENOENT), so no negative dentry is kept (for pids and other names)."""
    run(system, "spawn 42")
    for path in ("/proc/43", "/proc/042", "/proc/nosuch", "/proc/42/nosuch"):
        events = run(system, f"cat {path}")
        assert events[-1].errno == "ENOENT" and events[-1].ret == -1
        failed = [e for e in events if e.errno == "ENOENT" and e.kind == "proc.lookup"]
        assert failed and failed[0].ret == -2
    assert paths(system, 0) == {"/proc", "/proc/42"}  # only the directory the last walk went through


def test_3_2_a_thread_is_found_under_its_group_and_by_number_but_not_under_another_group(system):
    """§3.2: /proc/<tgid>/task/<tid> for each thread; /proc/<tid> is found though not listed;
    proc_task_lookup refuses a tid of another thread group."""
    run(system, "spawn 100", "thread 100 101", "spawn 200")
    assert run(system, "cat /proc/100/task/101/status")[-1].data["pid"] == 101
    hidden = run(system, "cat /proc/101/status")
    assert hidden[0].func == "proc_pid_lookup" and hidden[-1].data == {"tgid": 100, "pid": 101, "nspid": [101]}
    wrong = run(system, "cat /proc/200/task/101/status")
    assert wrong[-1].errno == "ENOENT" and any(e.func == "proc_task_lookup" and e.errno for e in wrong)


def test_3_2_walk_errors_not_a_directory_and_is_a_directory(system):
    """§3.2: a file has no children (ENOTDIR); reading a directory fails with EISDIR, its dentries stay."""
    run(system, "spawn 42")
    assert run(system, "cat /proc/42/status/x")[-1].errno == "ENOTDIR"
    assert run(system, "cat /proc/42/task")[-1].errno == "EISDIR"
    assert "/proc/42/task" in paths(system, 0)
    refused = system.apply(parse("cat /etc/passwd"))[0]
    assert refused.is_error


# §3.3 ---------------------------------------------------------------------------------------------


def test_3_3_flush_invalidates_pid_dir_in_every_namespace(system):
    """§3.3: proc_flush_task calls proc_flush_task_mnt for each level 0..pid->level with that level's numbers."""
    container(system)
    run(system, "unshare-pid 1 ns=1", "spawn 1 parent=1000")  # 1001 in ns0, 2 in ns1, 1 in ns2
    run(system, "cat /proc/1001/status", "cat /proc/2/status ns=1", "cat /proc/1/status ns=2")
    events = run(system, "exit 1 ns=2")
    flushes = [e.data for e in events if e.func == "proc_flush_task_mnt"]
    assert flushes == [
        {"ns": "ns0", "pid": 1001, "tgid": 1001},
        {"ns": "ns1", "pid": 2, "tgid": 2},
        {"ns": "ns2", "pid": 1, "tgid": 1},
    ]
    assert paths(system, 0) == {"/proc"}
    assert paths(system, 1) == {"/proc"}
    assert 2 not in proc(system).namespaces  # its init gone, its mount released


def test_3_3_thread_exit_flushes_tgid_task_tid_in_every_mount(system):
    """§3.3: for a thread (pid != tgid) the flush also looks up /proc/<tgid>/task/<pid> and invalidates it."""
    container(system)
    run(system, "thread 1 2 ns=1")
    run(system, "cat /proc/1/task/2/status ns=1", "cat /proc/1000/task/1001/status", "cat /proc/1/status ns=1")
    events = run(system, "exit 2 ns=1")
    assert [e.data for e in events if e.func == "proc_flush_task_mnt"] == [
        {"ns": "ns0", "pid": 1001, "tgid": 1000},
        {"ns": "ns1", "pid": 2, "tgid": 1},
    ]
    assert paths(system, 0) == {"/proc", "/proc/1000", "/proc/1000/task"}
    assert paths(system, 1) == {"/proc", "/proc/1", "/proc/1/task", "/proc/1/status"}


def test_3_3_flush_looks_up_without_creating(system):
    """§3.3: d_hash_and_lookup never creates: exiting a task nobody looked up adds no dentry."""
    container(system)
    run(system, "thread 1 2 ns=1")
    before = dict(proc(system).counters)
    events = run(system, "exit 2 ns=1")
    assert proc(system).counters["d_alloc"] == before["d_alloc"]
    probes = [e for e in events if e.func == "d_hash_and_lookup"]
    assert probes and all("not cached" in e.text for e in probes)


def test_3_3_namespace_init_exit_kills_the_rest_then_releases_the_proc_mount(system):
    """§3.3: when number 1 of its namespace exits, its namespace's proc mount is released (pid_ns_release_proc);
    zap_pid_ns_processes kills what the namespace sees first, each flushed in every mount."""
    container(system)
    run(system, "spawn 7 ns=1", "cat /proc/7/status ns=1", "cat /proc/1001/status")
    events = run(system, "exit 1 ns=1")
    order = [(e.func, e.refs[0]) for e in events if e.func in ("release_task", "pid_ns_release_proc")]
    assert order == [("release_task", "pid 1001"), ("release_task", "pid 1000"), ("pid_ns_release_proc", "ns1")]
    assert events[0].func == "zap_pid_ns_processes"
    assert 1 not in proc(system).namespaces
    assert paths(system, 0) == {"/proc"}


def test_3_3_v2_6_24_mode_never_flushes_a_threads_task_tid(legacy):
    """§3.3: in v2.6.24 the tgid was passed for group leaders only, so a non-leader's task/<tid> stays hashed;
    invalidation was shrink_dcache_parent + d_drop, and pid_ns_release_proc ran inside proc_flush_task."""
    container(legacy)
    run(legacy, "thread 1 2 ns=1", "cat /proc/1/task/2/status ns=1", "cat /proc/2/status ns=1")
    events = run(legacy, "exit 2 ns=1")
    assert [e.data["tgid"] for e in events if e.func == "proc_flush_task_mnt"] == [0, 0]
    assert {e.func for e in events} >= {"shrink_dcache_parent", "d_drop"}
    assert "d_invalidate" not in {e.func for e in events}
    assert paths(legacy, 1) == {
        "/proc",
        "/proc/1",
        "/proc/1/task",
        "/proc/1/task/2 (dead)",
        "/proc/1/task/2/status (dead)",
    }
    events = run(legacy, "exit 1 ns=1")
    funcs = [e.func for e in events]
    assert funcs.index("pid_ns_release_proc") < funcs.index("free_pid")


def test_3_3_default_mode_releases_the_mount_after_free_pid(system):
    """§3.3: in the v3.18-v5.6 form the proc mount goes once the namespace's last pid is freed."""
    container(system)
    funcs = [e.func for e in run(system, "exit 1 ns=1")]
    assert funcs.index("free_pid") < funcs.index("pid_ns_release_proc")


# §3.4 ---------------------------------------------------------------------------------------------


def test_3_4_invalidation_frees_unused_dentries_and_keeps_those_in_use_stale(system):
    """§3.4: d_invalidate unhashes the dentry and frees the unused ones below; one in use stays until dput."""
    container(system)
    run(system, "cat /proc/1000/stat", "hold /proc/1000/status")
    events = run(system, "exit 1 ns=1")
    invalidate = next(e for e in events if e.func == "d_invalidate" and "/proc/1000" in e.text)
    assert len(invalidate.data["freed"]) == 1 and len(invalidate.data["kept"]) == 1
    assert "still in use" in invalidate.explain
    assert paths(system, 0) == {"/proc", "/proc/1000 (stale)", "/proc/1000/status (stale)"}
    status = next(d for d in proc(system).dentries.values() if d.name == "status")
    assert (status.count, status.holds) == (1, 1)
    assert proc(system).describe("pid 1000").startswith("pid 1000: thread-group leader, exited")


def test_3_4_a_stale_dentry_is_never_found_again_and_goes_with_its_last_dput(system):
    """§3.4: a new lookup does not find the unhashed dentry; the last reference frees it and its parents."""
    container(system)
    held = run(system, "hold /proc/1000/status")[-1].refs[0]
    run(system, "exit 1 ns=1")
    assert run(system, "cat /proc/1000/status")[-1].errno == "ENOENT"
    run(system, "spawn 1000")  # the number is reused: a new dentry beside the stale one
    run(system, "cat /proc/1000/status")
    assert paths(system, 0) == {
        "/proc",
        "/proc/1000",
        "/proc/1000/status",
        "/proc/1000 (stale)",
        "/proc/1000/status (stale)",
    }
    events = run(system, f"dput {held}")
    assert [e.kind for e in events] == ["proc.dput", "proc.dentry.free", "proc.dentry.free"]
    assert paths(system, 0) == {"/proc", "/proc/1000", "/proc/1000/status"}
    assert system.apply(parse(f"dput {held}"))[0].is_error


def test_3_4_revalidation_drops_a_dentry_the_flush_missed(legacy):
    """§3.4: the flush is an optimization; pid_revalidate drops a dentry of a dead task at the next lookup."""
    run(legacy, "spawn 100", "thread 100 101", "cat /proc/100/task/101/status", "exit 101")
    events = run(legacy, "cat /proc/100/task/101/status")
    assert [e.func for e in events][2:4] == ["pid_revalidate", "shrink_dcache_parent"]
    assert events[-1].errno == "ENOENT"
    assert paths(legacy, 0) == {"/proc", "/proc/100", "/proc/100/task"}


def test_3_4_a_held_dentry_keeps_a_released_proc_mount_until_its_last_dput(system):
    """§3.4: dentries in use outlive pid_ns_release_proc; the superblock goes with the last of them."""
    container(system)
    held = run(system, "hold /proc/1/status ns=1")[-1].refs[0]
    events = run(system, "exit 1 ns=1")
    release = next(e for e in events if e.func == "pid_ns_release_proc")
    assert release.data["kept"] and proc(system).namespaces[1].mount.released
    assert paths(system, 1) == {"/proc (stale)", "/proc/1 (stale)", "/proc/1/status (stale)"}
    assert system.apply(parse("cat /proc/1/status ns=1"))[0].is_error  # no mount to walk
    events = run(system, f"dput {held}")
    assert events[-1].func == "proc_kill_sb"
    assert 1 not in proc(system).namespaces


# §3.5 ---------------------------------------------------------------------------------------------


def test_3_5_events_name_the_v2_6_to_v5_6_functions(system):
    """§3.5: the model names proc_flush_task / proc_flush_task_mnt, not v5.7's proc_flush_pid."""
    container(system)
    funcs = {e.func for e in run(system, "exit 1 ns=1")}
    assert {"release_task", "proc_flush_task", "proc_flush_task_mnt", "d_hash_and_lookup"} <= funcs
    assert "proc_flush_pid" not in funcs


# The part protocol, the command language and time travel ------------------------------------------


def test_verbs_round_trip_through_their_canonical_text():
    for line in ("spawn 1 ns=1 outer=1000,5", "spawn 7 parent=100", "thread 1 2 ns=1", "exit 3", "dput d7"):
        op = parse(line)
        assert to_text(op) == line and parse(to_text(op)) == op
    assert parse("cat /proc/1/status ns=ns2") == parse("cat /proc/1/status ns=2")


def test_describe_to_dict_and_stats(system):
    container(system)
    run(system, "cat /proc/1/status ns=1")
    fs = proc(system)
    assert system.describe("ns1").startswith("ns1: PID namespace, level 1, parent ns0")
    assert system.describe("pid1000") == system.describe("pid 1000")
    assert "/proc/1/status in ns1's proc mount, live" in system.describe("d4")
    assert fs.describe("vp1") is None
    state = json.loads(json.dumps(system.to_dict()["procfs"]))
    assert [d["path"] for d in state["dentries"] if d["ns"] == "ns1"] == ["/proc", "/proc/1", "/proc/1/status"]
    assert state["tasks"][-1]["numbers"] == [["ns0", 1000], ["ns1", 1]]
    assert fs.stats()["nr_dentry"] == 4 and fs.stats()["nr_unused"] == 1


def test_check_reports_a_broken_count():
    system = System()
    run(system, "spawn 5", "cat /proc/5/status")
    next(d for d in proc(system).dentries.values() if d.name == "5").count += 1
    assert any("d_count" in problem for problem in system.check())


@pytest.mark.parametrize("kernel", ["v4.19", "v2.6.24"])
def test_scenario_keeps_invariants_and_time_travel_replays_exactly(kernel):
    timeline = Timeline(load_builtin("proc-namespaces").steps, {"proc_kernel": kernel})
    states = [json.dumps(timeline.system.to_dict()["procfs"])]
    while (events := timeline.step()) is not None:
        assert not [e for e in events if e.is_error] and timeline.system.check() == []
        states.append(json.dumps(timeline.system.to_dict()["procfs"]))
    for n in (7, 2, 15, 0, 12):
        timeline.goto(n)
        assert json.dumps(timeline.system.to_dict()["procfs"]) == states[n]
