"""The strace importer: recorded traces replay with the results strace saw; cwd, dirfd, pairing, counts."""

import json
from pathlib import Path

import pytest

from model.events import Event
from model.ops import parse, to_text
from model.scenario import load_file
from model.trace import TraceFormatError
from model.trace.replay import outcome, verify
from model.trace.steps import UNCHECKED, ImportedStep, StepList
from model.trace.strace_disk import FILE, Disk, walk
from model.trace.strace_import import StraceImporter, import_strace
from model.trace.strace_parse import Call, Exited, FdArg, StraceReader, c_string, fd_arg, split_args
from model.trace.strace_report import NOT_MODELLED, ON_FD, guess_cwd
from model.vfs.nchash import NCHNAMLEN
from viz.cli.spool import StepSpool

DATA = Path(__file__).parent.parent / "data"
RECORDED = ["ls.strace", "python.strace", "threads.strace", "python-start.strace", "git-status.strace", "tar.strace"]


def lines_of(name):
    """A recorded trace's lines, as the CLI hands them to the importer (bad bytes kept as surrogates)."""
    return (DATA / name).read_bytes().decode("utf-8", "surrogateescape").splitlines(keepends=True)


def imported(name):
    """(config, report, steps) of a recorded trace, with the replay's final System kept."""
    sink = StepList()
    config, report = import_strace(lines_of(name), sink, check=False)
    steps = list(sink.steps())
    report.verification = verify(steps, config, keep_system=True)
    return config, report, steps


def from_lines(text, cwd="/"):
    """Import strace lines given as text; returns (steps, report, verification)."""
    sink = StepList()
    importer = StraceImporter(sink, cwd=cwd)
    report = importer.run(text.strip().splitlines())
    steps = list(sink.steps())
    check = verify(steps, importer.config(), keep_system=True)
    return steps, report, check


def dos(steps):
    return [str(s.op) for s in steps]


def negative_entry(system, path):
    """The negative name-cache entry a walk of absolute `path` ends in, or None."""
    vfs = system.part("vfs")
    dvp = vfs.rootvnode
    for name in [c for c in path.split("/") if c]:
        entry = vfs.namecache.find(dvp, name)
        if entry is None or entry.negative:
            return entry
        dvp = entry.vp
    return None


@pytest.mark.parametrize("name", RECORDED)
def test_recorded_trace_replays_with_the_results_strace_saw(name):
    _, report, _ = imported(name)
    check = report.verification
    assert report.parse.unknown == 0
    assert check.compared > 20
    assert check.mismatches == 0, check.examples
    assert check.refused == 0


@pytest.mark.parametrize("name", RECORDED)
def test_every_enoent_lookup_ends_in_a_negative_entry(name):
    _, report, steps = imported(name)
    system = report.verification.system
    failed = [s.op.get("path") for s in steps if s.op.verb == "lookup" and s.expect == "ENOENT"]
    failed = [p for p in failed if p.startswith("/")]
    assert failed
    checked = 0
    for path in failed:
        if any(len(c.encode()) > NCHNAMLEN for c in path.split("/")):
            continue  # NCHNAMLEN: such names are never cached (§1.1)
        entry = negative_entry(system, path)
        if system.part("vfs").node_at(walk(path).final) is not None:
            continue  # the trace made it later
        assert entry is not None and entry.negative, path
        checked += 1
    assert checked > 0


def test_ls_trace_facts():
    config, report, steps = imported("ls.strace")
    assert "/etc/ld.so.preload" not in config["tree"]
    assert "/etc/ld.so.cache" in config["tree"]
    assert any(p.startswith("/usr/lib/locale/C.utf8/") for p in config["tree"])  # a directory: names under it
    entry = negative_entry(report.verification.system, "/etc/ld.so.preload")
    assert entry is not None and entry.name == "ld.so.preload"
    assert steps[0].op.verb == "spawn" and steps[-1].op.verb == "exit"
    assert report.skipped[ON_FD]["newfstatat"] > 0  # newfstatat(3, "", ..., AT_EMPTY_PATH) walks no path


def test_threads_trace_has_tree_changes_tasks_and_paired_halves():
    config, report, steps = imported("threads.strace")
    verbs = dos(steps)
    assert any(v.startswith("thread ") for v in verbs)
    for verb in ("mkdir d", "mkdir d/e", "cd d", "create e/f fd=3", "rename e/f e/g", "unlink e/g", "rmdir e", "cd .."):
        assert verb in verbs
    assert "rmdir d" in verbs  # rmdir("d" <unfinished ...> ... <... rmdir resumed>) = 0
    assert report.parse.unfinished == report.parse.resumed_paired == 4
    assert report.parse.never_resumed == report.parse.resumed_unpaired == 0
    spawned = [s for s in steps if s.op.verb == "spawn" and "before its clone returned" in s.say]
    assert len(spawned) == 1  # the vfork child speaks before clone3 resumes
    procfs = report.verification.system.part("procfs")
    assert [t for t in procfs.tasks.values() if t.alive and t.global_nr != 1] == []
    assert not any(p.startswith("/tmp/cachescope-rec/d") for p in config["tree"])


def test_relative_paths_follow_each_tasks_cwd_and_dirfds():
    steps, report, check = from_lines(
        """
10 openat(AT_FDCWD, "/srv/data", O_RDONLY|O_DIRECTORY) = 3
10 newfstatat(3, "a.txt", {st_mode=S_IFREG|0644, st_size=1, ...}, 0) = 0
10 chdir("/srv") = 0
10 access("data/a.txt", F_OK) = 0
10 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x1) = 11
11 chdir("data") = 0
11 mkdirat(AT_FDCWD, "sub", 0755) = 0
10 openat(AT_FDCWD, "data/sub/new", O_WRONLY|O_CREAT|O_EXCL, 0644) = 4
11 unlinkat(AT_FDCWD, "sub/new", 0) = 0
11 unlinkat(3, "sub", AT_REMOVEDIR) = 0
10 renameat2(3, "a.txt", AT_FDCWD, "b.txt", RENAME_NOREPLACE) = 0
10 readlinkat(3</srv/data>, "b.txt", 0x1, 4096) = -1 ENOENT (No such file or directory)
11 stat("missing/x", 0x1) = -1 ENOENT (No such file or directory)
"""
    )
    assert dos(steps) == [
        "spawn 10",
        "open /srv/data fd=3",  # every open file is a descriptor of the model
        "lookup a.txt at=3",  # the walk starts at dirfd 3's directory, as the kernel's does
        "cd /srv",
        "lookup data/a.txt",  # pid 10's cwd is the model's: the walk starts there
        "spawn 11 parent=10",
        "cd data",  # the model's cwd follows the last chdir: pid 11's
        "mkdir sub",
        "open /srv fd=65536",  # synthetic: a descriptor on pid 10's cwd, which is no longer the model's
        "create data/sub/new at=65536 fd=4",
        "unlink sub/new",
        "rmdir sub at=3",  # pid 11's copy of fd 3 names the same directory
        "rename a.txt b.txt at=3 newat=65536",
        "lookup b.txt at=3",  # strace -y: 3</srv/data>
        "lookup missing/x",
    ]
    assert [s.call for s in steps if s.call is None and s.op.verb != "spawn"] == [None]  # only the held cwd
    assert check.mismatches == 0 and check.refused == 0, check.examples
    assert report.verification is None


def test_unfinished_and_resumed_halves_are_paired_per_pid():
    reader = StraceReader()
    lines = [
        '5 openat(AT_FDCWD, "/a", O_RDONLY <unfinished ...>',
        '6 openat(AT_FDCWD, "/b", O_RDONLY <unfinished ...>',
        "6 <... openat resumed>) = 3",
        "5 <... openat resumed>) = -1 ENOENT (No such file or directory)",
        "7 <... stat resumed>) = 0",
        "8 exit_group(0) <unfinished ...>",
        "8 +++ exited with 0 +++",
        '9 access("/c", F_OK <unfinished ...>',
    ]
    records = list(reader.read(lines))
    calls = [r for r in records if isinstance(r, Call)]
    assert [(c.pid, c.args[1], c.ret, c.errno) for c in calls] == [(6, '"/b"', 3, None), (5, '"/a"', -1, "ENOENT")]
    assert any(isinstance(r, Exited) and r.pid == 8 for r in records)
    stats = reader.stats
    assert (stats.unfinished, stats.resumed_paired, stats.resumed_unpaired, stats.never_resumed) == (4, 2, 1, 2)


def test_unknown_lines_are_counted_never_fatal():
    steps, report, _ = from_lines(
        """
12 strace: Process 12 attached
12 access("/etc/x", F_OK) = -1 ENOENT (No such file or directory)
12 ??? garbage (
12 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED} ---
12 frobnicate("/etc/x") = 0
12 +++ killed by SIGKILL (core dumped) +++
"""
    )
    assert report.parse.unknown == 2 and len(report.parse.unknown_examples) == 2
    assert report.parse.signals == 1 and report.skipped[NOT_MODELLED]["frobnicate"] == 1
    assert dos(steps) == ["spawn 12", "lookup /etc/x", "exit 12"]


def test_line_formats_pid_prefixes_timestamps_and_decorations():
    reader = StraceReader()
    for line in (
        '[pid  42] 1712345678.123456 openat(AT_FDCWD</w>, "f", O_RDONLY) = 3</w/f> <0.000010>',
        '42 10:00:00 stat("/x\\"y\\\\z", 0x1) = 0',
        'openat(AT_FDCWD, "/a", O_RDONLY) = -1 EACCES (Permission denied)',
    ):
        assert isinstance(reader.feed(line), Call), line
    assert reader.stats.unknown == 0
    assert c_string('"/x\\"y\\\\z"') == '/x"y\\z'
    assert c_string('"\\303\\251t\\xc3\\xa9"') == "été"
    assert c_string('"\\377"') is None and c_string("NULL") is None
    assert split_args('"a,b", {x=[1, 2]}, 3) = 0') == (('"a,b"', "{x=[1, 2]}", "3"), " = 0")


def test_failed_calls_the_model_cannot_fail_become_lookups():
    steps, report, check = from_lines(
        """
3 mkdir("/tmp/x", 0700) = -1 EACCES (Permission denied)
3 rename("/tmp/a", "/proc/b") = -1 EXDEV (Invalid cross-device link)
3 openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = -1 EACCES (Permission denied)
"""
    )
    assert dos(steps)[1:] == ["lookup /tmp/x", "lookup /tmp/a", "lookup /etc/passwd"]
    assert report.unmodelled == {"EACCES": 2, "EXDEV": 1}
    assert check.compared == check.agreed == 0 and check.refused == 0  # nothing compared: the spawn is synthetic
    assert (check.calls, check.synthetic) == (3, 1)


def test_walk_keeps_dotdot_components_as_proof_of_directories():
    w = walk("/a/b/../c")
    assert (w.through, w.parts, w.final, w.must_dir) == (("a", "b", ".."), ("a", "c"), "/a/c", False)
    disk = Disk()
    disk.walked(w.through)
    disk.exists(w.parts, FILE)
    assert disk.tree() == ["/a/b/", "/a/c"]  # /a is implied by what is under it
    assert (walk("/a/.").through, walk("/a/.").final, walk("/a/.").must_dir) == (("a",), "/a", True)
    assert (walk("/").parts, walk("/").final, walk("/").must_dir) == ((), "/", True)


def test_start_cwd_comes_from_the_first_getcwd():
    assert guess_cwd((DATA / "threads.strace").read_text().splitlines()) == "/tmp/cachescope-rec"
    assert guess_cwd(['1 chdir("/x") = 0', '1 getcwd("/x", 4096) = 3']) is None


def test_not_strace_output_is_refused():
    with pytest.raises(TraceFormatError, match="not strace output"):
        import_strace(["hello\n"] * 60, StepList())


def test_written_scenario_loads_and_quotes_odd_paths(tmp_path):
    odd = '/tmp/a b/"q"#x/été\x7f'
    escaped = odd.replace('"', '\\"').replace("\x7f", "\\177")
    with StepSpool() as spool:
        importer = StraceImporter(spool)
        importer.run([f'1 stat("{escaped}", 0x1) = -1 ENOENT (No such file or directory)'])
        out = tmp_path / "odd.toml"
        spool.write(out, "odd", "about", importer.config())
    scenario = load_file(out)
    assert scenario.steps[-1].op.get("path") == odd
    assert not list(tmp_path.glob(".odd.toml.*"))  # the temporary file was renamed into place


@pytest.mark.parametrize(
    ("token", "fd", "path", "kind", "deleted"),
    [
        ("3", 3, None, "", False),
        ("AT_FDCWD", None, None, "", False),
        ("AT_FDCWD</home/u>", None, "/home/u", "", False),
        ("3</tmp/odd\\74d\\76>", 3, "/tmp/odd<d>", "", False),  # strace escapes < and > in a path
        ("6</tmp/new\\nline>(deleted)", 6, "/tmp/new\nline", "", True),  # strace 6: the marker outside
        ("4</tmp/f (deleted)>(deleted)", 4, "/tmp/f (deleted)", "", True),  # a file really named so
        ("4</tmp/f (deleted)>", 4, "/tmp/f", "", True),  # strace 5 and before: the kernel's marker inside
        ("0</dev/null<char 1:3>>", 0, "/dev/null", "", False),  # -yy: a device's numbers
        ("7<TCP:[10.0.0.1:5->10.0.0.2:80]>", 7, None, "TCP", False),  # -yy: a socket's ends
        ("5<pipe:[153902]>", 5, None, "pipe", False),
        ("9<anon_inode:[eventpoll]>", 9, None, "anon_inode", False),
        ("3</a(b,c>", 3, "/a(b,c", "", False),
    ],
)
def test_y_annotations(token, fd, path, kind, deleted):
    """-y and -yy print what an fd is: a path (escaped), a deleted file, a device, a socket, a pipe."""
    assert fd_arg(token) == FdArg(fd, path, kind, deleted)


def test_annotated_lines_split_and_read_their_results():
    """An annotation is one token (a bracket or comma in it splits nothing), also after the result; a decoded
    result such as fcntl's ``(flags ...)`` is read."""
    reader = StraceReader()
    lines = [
        '1 openat(3</a(b,c>, "f", O_RDONLY) = 4</a(b,c/f>',
        "1 close(6</tmp/x\\nline>(deleted)) = 0",
        '1 openat(AT_FDCWD</w>, "/dev/null", O_RDONLY|O_CLOEXEC) = 5</dev/null<char 1:3>>',
        "1 socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 7<TCP:[10.0.0.1:5->10.0.0.2:80]>",
        "1 fcntl(3</x>, F_GETFL) = 0x38800 (flags O_RDONLY|O_NONBLOCK|O_LARGEFILE|O_NOFOLLOW|O_DIRECTORY)",
    ]
    calls = [reader.feed(line) for line in lines]
    assert reader.stats.unknown == 0
    assert [c.args[0] for c in calls[:2]] == ["3</a(b,c>", "6</tmp/x\\nline>(deleted)"]
    assert [c.ret for c in calls] == [4, 0, 5, 7, 0x38800]


def test_a_deleted_directory_puts_nothing_on_the_disk():
    """A dirfd -y marks deleted is not opened from its path: the name is gone, so no phantom directory."""
    sink = StepList()
    importer = StraceImporter(sink)
    report = importer.run(
        [
            '1 openat(4</tmp/d (deleted)>, "x", O_RDONLY) = -1 ENOENT (No such file or directory)',
            '1 openat(5</tmp/e>(deleted), "x", O_RDONLY) = -1 ENOENT (No such file or directory)',
        ]
    )
    assert importer.config()["tree"] == [] and report.skipped_count() == 2


_SAME_SAY_OR_TEXT = [("lookup /a", "x"), ("lookup /b", "x"), ("lookup /a", "y"), ("close fd=3", ""), ("lookup /b", "")]
"""Steps whose texts repeat under other narrations and whose narrations repeat under other texts."""


@pytest.mark.parametrize("memo", [1, 3, 65_536])
def test_spool_gives_back_the_steps_it_was_given_whatever_its_parse_memo(monkeypatch, memo):
    """A spool's steps read back equal the importer's, text, call and line, with the memo of parsed texts
    cleared every `memo` distinct texts (a trace repeats `close fd=3`); and each line is the JSON that
    `json.dumps` writes, which the size cap counts."""
    monkeypatch.setattr("viz.cli.spool.PARSE_MEMO", memo)
    sink = StepList()
    import_strace(lines_of("threads.strace"), sink, check=False)
    made = list(sink.steps())
    made += [ImportedStep(parse(text), say, UNCHECKED) for text, say in _SAME_SAY_OR_TEXT]
    with StepSpool() as spool:
        for step in made:
            spool.add(step.op, step.say, step.expect, step.call, step.line)
        back = list(spool.steps())
        spool._file.seek(0)
        lines = [json.loads(line) for line in spool._file]
    assert back == made
    assert len({step.op for step in made}) < len(made)  # texts repeat: the memo is exercised
    assert [line[:3] for line in lines] == [[to_text(s.op), s.say, s.expect] for s in made]


def test_outcome_is_the_first_refusal_else_the_last_result():
    """The check's reading of a step's events: refused at the first error event (its errno, or 'refused'),
    else the errno of the last path syscall's result (None for success)."""
    ok = Event("vfs.lookup", "lookup /a: vp3", func="lookup", ret=0)
    missing = Event("vfs.lookup", "lookup /b: ENOENT", func="lookup", ret=-1, errno="ENOENT")
    bad = Event("error.vnode_lock", "lock protocol violated")
    assert outcome([ok]) == (False, None)
    assert outcome([ok, missing]) == (False, "ENOENT")
    assert outcome([missing, ok]) == (False, None)
    assert outcome([missing, bad, ok]) == (True, "refused")
    assert outcome([Event("error", "no such fd", errno="EBADF"), ok]) == (True, "EBADF")
    assert outcome([Event("namei.start", "walk", func="namei", ret=0)]) == (False, None)  # not a result
