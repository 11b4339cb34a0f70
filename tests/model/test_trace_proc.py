"""The /proc importer: a live snapshot replays without errors; nested PID namespaces are rebuilt."""

from model.ops import parse
from model.system import System
from model.trace.proc_import import plan
from viz.cli.host.proc_snapshot import take


def replay(steps):
    system = System()
    for op, _ in steps:
        events = system.apply(parse(str(op)))  # through the text, as a scenario file would
        assert not any(e.is_error for e in events), (str(op), [e.text for e in events])
    return system


def fake_proc(root, tasks):
    """A /proc tree: {pid: (ppid, name, nspid, [thread nspids])}."""
    for pid, (ppid, name, nspid, threads) in tasks.items():
        for tid, numbers in [(pid, nspid), *((t[0], t) for t in threads)]:
            directory = root / str(pid) / "task" / str(tid)
            directory.mkdir(parents=True)
            status = f"Name:\t{name}\nTgid:\t{pid}\nPid:\t{tid}\nPPid:\t{ppid}\nNSpid:\t{' '.join(map(str, numbers))}\n"
            (directory / "status").write_text(status)
            if tid == pid:
                (root / str(pid) / "status").write_text(status)
    return str(root)


def test_live_snapshot_replays_without_error_events():
    snap = take()
    assert snap.tasks and any(t.pid == 1 for t in snap.tasks)
    steps, report = plan(snap, limit=200)
    system = replay(steps)
    procfs = system.part("procfs")
    assert report.processes + report.threads <= 200 + 4  # the inits and creators of namespaces may go over
    assert sum(1 for t in procfs.tasks.values() if t.alive) == report.processes + report.threads


def test_nested_namespaces_threads_and_limits(tmp_path):
    proc = fake_proc(
        tmp_path,
        {
            1: (0, "init", (1,), []),
            50: (1, "shell", (50,), [(51,)]),
            60: (50, "cinit", (60, 1), [(61, 2)]),
            62: (60, "app", (62, 5), []),
            70: (60, "inner", (70, 9, 1), []),
            71: (70, "deep", (71, 10, 3), []),
        },
    )
    steps, report = plan(take(proc))
    assert [str(op) for op, _ in steps] == [
        "spawn 50",
        "thread 50 51",
        "unshare-pid 50",
        "spawn 1 ns=1 outer=60",
        "thread 1 2 ns=1 outer=61",
        "spawn 5 ns=1 outer=62",
        "unshare-pid 60",  # cinit forked the inner init
        "spawn 1 ns=2 outer=9,70",
        "spawn 3 ns=2 outer=10,71",
    ]
    assert report.namespaces == 3 and report.processes == 6 and report.threads == 2
    system = replay(steps)
    deep = system.part("procfs").find_task(3, 2)
    assert deep.numbers == ((0, 71), (1, 10), (2, 3))
    only_nested, _ = plan(take(proc), pid_ns_only=True)
    assert "spawn 50" in [str(op) for op, _ in only_nested]  # the maker of ns1 is kept
    limited, small = plan(take(proc), limit=2)
    replay(limited)
    assert small.beyond_limit > 0


def test_tasks_that_vanish_while_reading_are_counted(tmp_path):
    proc = fake_proc(tmp_path, {1: (0, "init", (1,), []), 7: (1, "gone", (7,), [])})
    (tmp_path / "7" / "status").unlink()  # exited between listing /proc and reading its status
    (tmp_path / "8").mkdir()  # listed, then gone entirely
    snap = take(proc)
    assert [t.pid for t in snap.tasks] == [1] and snap.vanished == 2
