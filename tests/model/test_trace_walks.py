"""The strace replay walks as the kernel walks: per call, the component lookups equal an independent count.

The count (tests/model/namei_count.py) is written from the trace and the rules of namei, sharing no code
with the importer. The traces in tests/data were recorded on this machine with the flags docs/importing.md
recommends (strace -f -tt -y -e trace=%file,%process,fchdir,close,close_range,dup,dup2,dup3,fcntl).
"""

from pathlib import Path

import pytest

from model.trace.replay import verify
from model.trace.steps import UNCHECKED, StepList
from model.trace.strace_import import StraceImporter, import_strace
from model.trace.strace_report import NOT_A_FILE, ON_FD, UNKNOWN_FD
from tests.model.namei_count import kernel_lookups

DATA = Path(__file__).parent.parent / "data"
FRESH = ["mkdir-p.strace", "rm-rf.strace", "find.strace", "tar.strace", "git-status.strace", "python-start.strace"]
OLDER = ["ls.strace", "python.strace", "threads.strace"]  # recorded with -e trace=%file,process only


def lines_of(name):
    return (DATA / name).read_bytes().decode("utf-8", "surrogateescape").splitlines(keepends=True)


def replayed(lines, **options):
    """(steps, report, verification with per-line lookups and the final System) of strace lines."""
    sink = StepList()
    config, report = import_strace(lines, sink, check=False, **options)
    steps = list(sink.steps())
    report.verification = verify(steps, config, keep_system=True, per_line=True)
    return steps, report, report.verification


def texts(steps):
    return [str(s.op) for s in steps]


# -- the independent count itself --------------------------------------------------------------------------


def test_the_count_follows_namei_from_each_calls_start_directory():
    """Counted by hand from the rules: one lookup per component from the start directory; `..` at the root
    is free; an empty path walks nothing; a failed walk stops at the first name not shown to exist."""
    trace = """\
1 getcwd("/home/u", 4096) = 8
1 openat(AT_FDCWD, "/usr/share", O_RDONLY|O_DIRECTORY) = 3
1 newfstatat(3, "doc/x", {st_mode=S_IFREG|0644, ...}, 0) = 0
1 newfstatat(3, "../../..//etc/passwd", {st_mode=S_IFREG|0644, ...}, 0) = 0
1 newfstatat(3, "", {st_mode=S_IFDIR|0755, ...}, AT_EMPTY_PATH) = 0
1 access("notes", F_OK) = 0
1 stat("/usr/share/nope/deeper/x", 0x1) = -1 ENOENT (No such file or directory)
1 fcntl(3, F_DUPFD_CLOEXEC, 10) = 10
1 close(3) = 0
1 mkdirat(10, "new", 0755) = 0
1 rename("/usr/share/doc/x", "./y") = 0
1 fchdir(10) = 0
1 openat(AT_FDCWD, "new/../gone/z", O_RDONLY) = -1 ENOENT (No such file or directory)
"""
    counted = kernel_lookups(trace.splitlines(keepends=True))
    assert counted.per_line == {
        2: 2,  # usr, share
        3: 2,  # doc, x from fd 3's /usr/share
        4: 4,  # .. (to /usr), .. (to /), the third .. is free at the root, etc, passwd
        5: 0,  # AT_EMPTY_PATH
        6: 1,  # notes, from the cwd /home/u
        7: 3,  # usr, share, nope: nope was never shown to exist, the walk stops there
        10: 1,  # new, from fd 10 (a dup of 3, which is closed)
        11: 6,  # usr, share, doc, x; then ., y from /home/u
        13: 3,  # new, .., gone from the cwd /usr/share (fchdir 10)
    }
    assert counted.total == sum(counted.per_line.values())


# -- recorded traces ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", FRESH + OLDER)
def test_each_calls_component_lookups_equal_the_kernels(name):
    lines = lines_of(name)
    steps, _, check = replayed(lines)
    kernel = kernel_lookups(lines)
    assert kernel.total > 100
    differ = {
        line: (kernel.per_line.get(line, 0), check.per_line.get(line, 0))
        for line in set(kernel.per_line) | set(check.per_line)
        if kernel.per_line.get(line, 0) != check.per_line.get(line, 0)
    }
    assert differ == {}, {line: (lines[line - 1][:120], counts) for line, counts in list(differ.items())[:5]}
    assert check.lookups == kernel.total
    assert check.mismatches == 0 and check.refused == 0, check.examples
    assert check.calls + check.synthetic == len(steps) and check.synthetic < 40


@pytest.mark.parametrize("name", FRESH)
def test_fresh_traces_need_no_fd_they_cannot_know(name):
    _, report, _ = replayed(lines_of(name))
    assert report.skipped_count(UNKNOWN_FD) == 0
    assert report.unseen_closes == 0  # close is traced: every descriptor's end is seen
    assert report.parse.unknown == 0


def test_mkdir_p_goes_down_with_fchdir():
    """`mkdir -p a/b/c`: mkdir, open, fchdir, close, three times: each mkdir is relative to the new cwd."""
    steps, _, check = replayed(lines_of("mkdir-p.strace"))
    made = [t for t in texts(steps) if t.startswith(("mkdir", "fchdir"))]
    assert made == ["mkdir a", "fchdir 3", "mkdir b", "fchdir 3", "mkdir c"]
    vfs = check.system.part("vfs")
    assert vfs.node_at("/tmp/cachescope-rec/a/b/c") is not None
    assert vfs.path_of(vfs.cwd) == "/tmp/cachescope-rec/a/b"


def test_rm_rf_removes_everything_through_dup_descriptors():
    """`rm -rf`: fts reaches each directory with F_DUPFD_CLOEXEC copies; every unlinkat is replayed from its
    dirfd, and the last rmdir succeeds because the directory is empty in the model too."""
    lines = lines_of("rm-rf.strace")
    steps, report, check = replayed(lines)
    unlinkats = sum(1 for line in lines if " unlinkat(" in line and line.rstrip().endswith("= 0"))
    removals = [s for s in steps if s.op.verb in ("unlink", "rmdir")]
    assert len(removals) == unlinkats > 600
    assert all(s.op.get("at") is not None for s in removals[:-1])  # every one but the top is from a dirfd
    assert removals[-1].op.verb == "rmdir" and removals[-1].expect is None
    assert check.system.part("vfs").node_at("/tmp/cachescope-rec/victim") is None
    assert report.followed["fcntl"] > 50


def test_find_walks_from_its_dirfds():
    steps, report, _ = replayed(lines_of("find.strace"))
    from_fds = [s for s in steps if s.op.verb in ("open", "lookup") and s.op.get("at") is not None]
    assert len(from_fds) > 50
    assert "fchdir" in [s.op.verb for s in steps]  # back to where it started
    assert report.followed["fcntl"] > 100


def test_tar_and_its_gzip_child_share_nothing_they_should_not():
    """tar forks sh, which vforks gzip: each child has a copy of the table, and execve closes the
    close-on-exec descriptors (synthetic steps, made by no system call of the trace)."""
    steps, report, check = replayed(lines_of("tar.strace"))
    verbs = [s.op.verb for s in steps]
    assert verbs.count("spawn") == 3  # tar itself, sh, gzip
    assert report.skipped[NOT_A_FILE]["close"] > 0  # pipes the trace opened with pipe2, not by path
    assert check.system.part("vfs").fds == {}  # every descriptor closed by the end


def test_synthetic_steps_are_counted_apart():
    steps, report, check = replayed(lines_of("ls.strace"))
    synthetic = [s for s in steps if s.call is None]
    assert {s.op.verb for s in synthetic} <= {"spawn", "exit", "cd", "close", "open"}
    assert all(s.expect == UNCHECKED for s in synthetic)
    assert check.synthetic == len(synthetic) and check.calls == len(steps) - len(synthetic)
    assert report.calls == len({s.line for s in steps if s.call is not None})
    assert any("synthetic" in line for line in report.summary())


# -- descriptors -------------------------------------------------------------------------------------------


def from_text(text, **options):
    sink = StepList()
    importer = StraceImporter(sink, **options)
    report = importer.run(text.strip().splitlines())
    steps = list(sink.steps())
    return steps, report, verify(steps, importer.config(), keep_system=True)


def test_dup_close_and_dup2_follow_the_open_file():
    """Two names for one open file: closing one makes no step; closing the last closes the model's
    descriptor; dup2 onto a descriptor closes what it named."""
    steps, report, check = from_text(
        """
1 openat(AT_FDCWD, "/a", O_RDONLY|O_DIRECTORY) = 3
1 dup(3) = 4
1 close(3) = 0
1 newfstatat(4, "x", 0x1, 0) = -1 ENOENT (No such file or directory)
1 openat(AT_FDCWD, "/b", O_RDONLY|O_DIRECTORY) = 5
1 dup2(5, 4) = 4
1 newfstatat(4, "y", 0x1, 0) = -1 ENOENT (No such file or directory)
1 close(4) = 0
1 close(5) = 0
"""
    )
    assert texts(steps) == [  # pid 1 is the model's init: no spawn
        "open /a fd=3",
        "lookup x at=3",  # fd 4 is a dup of 3: the same open file, the model's descriptor 3
        "open /b fd=5",
        "close fd=3",  # dup2 replaced fd 4, the last name of /a
        "lookup y at=5",
        "close fd=5",  # the last of fd 4 and fd 5
    ]
    assert [s.call for s in steps][3:] == ["dup2", "newfstatat", "close"]
    assert report.followed["close"] == 2 and report.followed["dup"] == 1 and report.followed["dup2"] == 1
    assert check.mismatches == 0 and check.system.part("vfs").fds == {}


def test_execve_closes_close_on_exec_descriptors_and_fork_copies_the_table():
    steps, _, check = from_text(
        """
1 openat(AT_FDCWD, "/keep", O_RDONLY|O_DIRECTORY) = 3
1 openat(AT_FDCWD, "/drop", O_RDONLY|O_CLOEXEC|O_DIRECTORY) = 4
1 openat(AT_FDCWD, "/late", O_RDONLY|O_DIRECTORY) = 5
1 fcntl(5, F_SETFD, FD_CLOEXEC) = 0
1 clone(child_stack=NULL, flags=SIGCHLD) = 2
2 execve("/bin/true", ["true"], 0x1 /* 1 var */) = 0
2 newfstatat(3, "x", 0x1, 0) = -1 ENOENT (No such file or directory)
2 close(3) = 0
1 newfstatat(4, "x", 0x1, 0) = -1 ENOENT (No such file or directory)
2 +++ exited with 0 +++
1 close_range(3, 4294967295, 0) = 0
"""
    )
    assert texts(steps)[3:] == [
        "spawn 2 parent=1",
        "lookup /bin/true",
        "lookup x at=3",  # the child's copy of fd 3 survived execve
        "lookup x at=4",  # the child's close of its copy closed nothing of the parent's
        "exit 2",
        "close fd=3",  # close_range: the parent's last names of the three files
        "close fd=4",
        "close fd=5",
    ]
    assert check.mismatches == 0 and check.system.part("vfs").fds == {}


def test_threads_share_the_table_with_clone_files():
    steps, report, _ = from_text(
        """
1 openat(AT_FDCWD, "/d", O_RDONLY|O_DIRECTORY) = 3
1 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM, exit_signal=0}, 88) = 2
2 close(3) = 0
1 newfstatat(3, "x", 0x1, 0) = -1 EBADF (Bad file descriptor)
"""
    )
    assert texts(steps)[-2:] == ["thread 1 2", "close fd=3"]  # the thread's close was the process's
    assert report.skipped[UNKNOWN_FD] == {"newfstatat": 1}  # fd 3 is gone for the leader too


def test_an_fd_opened_before_the_trace_is_opened_from_its_y_path_or_skipped():
    steps, report, check = from_text(
        """
1 newfstatat(7</srv/www>, "index.html", {st_mode=S_IFREG|0644, ...}, 0) = 0
1 newfstatat(8, "x", 0x1, 0) = 0
1 openat(9</gone>(deleted), "x", O_RDONLY) = -1 ENOENT (No such file or directory)
1 fchdir(7</srv/www>) = 0
"""
    )
    assert texts(steps) == ["open /srv/www fd=7", "lookup index.html at=7", "fchdir 7"]
    assert steps[0].call is None and steps[1].call == "newfstatat"
    assert report.skipped[UNKNOWN_FD] == {"newfstatat": 1, "openat": 1}
    assert check.mismatches == 0


def test_a_cwd_that_is_not_the_models_is_held_as_a_descriptor():
    """Two processes in different directories: each relative walk starts at its own cwd."""
    steps, _, check = from_text(
        """
1 clone(child_stack=NULL, flags=SIGCHLD) = 2
2 chdir("/usr") = 0
1 chdir("/etc") = 0
2 newfstatat(AT_FDCWD, "lib", {st_mode=S_IFDIR|0755, ...}, 0) = 0
1 newfstatat(AT_FDCWD, "passwd", {st_mode=S_IFREG|0644, ...}, 0) = 0
"""
    )
    assert texts(steps) == [
        "spawn 2 parent=1",
        "cd /usr",
        "cd /etc",  # the model's cwd follows the last chdir
        "open /usr fd=65536",  # pid 2's cwd is not the model's: a descriptor on it (synthetic)
        "lookup lib at=65536",
        "lookup passwd",
    ]
    assert steps[3].call is None
    assert check.mismatches == 0


# -- the check is honest -----------------------------------------------------------------------------------


NOT_A_DIR = """
1 openat(AT_FDCWD, "/etc/passwd/x", O_RDONLY) = -1 ENOTDIR (Not a directory)
1 access("/etc/hosts", R_OK) = -1 EACCES (Permission denied)
1 newfstatat(AT_FDCWD, "/etc/hosts", 0x1, 0) = 0
"""


def test_the_strict_disk_holds_only_what_the_trace_proves():
    """By default ENOTDIR makes /etc/passwd a file, so the replay agrees by construction; on a strict disk
    nothing proves /etc/passwd exists, and the model's ENOENT is reported as the mismatch it is."""
    _, _, check = from_text(NOT_A_DIR)
    assert check.mismatches == 0
    _, _, strict = from_text(NOT_A_DIR, strict=True)
    assert strict.mismatches == 1 and "model ENOENT, recorded ENOTDIR" in strict.examples[0]
    sink = StepList()
    importer = StraceImporter(sink, strict=True)
    importer.run(NOT_A_DIR.strip().splitlines())
    assert importer.config()["tree"] == ["/etc/hosts"]  # the success proves it; EACCES alone would not


def test_the_input_is_read_once_and_the_cwd_found_later():
    """The lines are a one-pass iterator: those before the first that tells the cwd are held back."""
    text = [
        '5 newfstatat(AT_FDCWD, "a", 0x1, 0) = -1 ENOENT (No such file or directory)\n',
        '5 getcwd("/work/here", 4096) = 11\n',
        '5 newfstatat(AT_FDCWD, "a", 0x1, 0) = -1 ENOENT (No such file or directory)\n',
    ]
    once = iter(text)
    sink = StepList()
    _, report = import_strace(once, sink)
    assert next(once, None) is None
    assert texts(sink.steps())[:3] == ["cd /work/here", "spawn 5", "lookup a"]
    assert report.verification.mismatches == 0


def test_skipped_calls_are_listed_by_name():
    _, report, _ = from_text(
        """
1 newfstatat(3, "", {st_mode=S_IFREG|0644, ...}, AT_EMPTY_PATH) = 0
1 close(0) = 0
1 ioctl(1, TCGETS, 0x1) = 0
"""
    )
    assert report.skipped[ON_FD] == {"newfstatat": 1} and report.skipped[NOT_A_FILE] == {"close": 1}
    line = next(line for line in report.summary() if line.startswith("skipped"))
    assert "1 newfstatat" in line and "1 close" in line and "1 ioctl" in line
