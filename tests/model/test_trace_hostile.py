"""Hostile and odd inputs to the trace readers: counted and reported, capped, read once, never fatal by accident.

The inputs are real strace output the importer once refused (`umask(022) = 022`, a raw byte that is not
UTF-8, a NUL, a 5,000-digit number: tests/data/hostile.strace), lines and streams past the caps, paths
past PATH_MAX, crafted /proc trees, and traces naming more paths than the largest hash table.
"""

from __future__ import annotations

import os
import random
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from model.cpu.cache import Memory
from model.limits import PATH_MAX
from model.ops import parse
from model.parts import resolve_config
from model.system import System
from model.trace import TraceFormatError
from model.trace.strace_disk import ANY, DIR, FILE, Disk, walk
from model.trace.strace_import import StraceImporter
from model.trace.strace_parse import KINDS_MAX, OTHERS, PENDING_MAX, StraceReader, c_string, split_args
from model.trace.strace_report import NOT_MODELLED, UNDECODABLE, UNKNOWN_FD
from model.vfs.fs import validate_tree
from viz.cli.host import proc_snapshot
from viz.cli.host.source import InputError, LineSource, read_regular
from viz.cli.importing import import_din_file, import_strace_file
from viz.cli.spool import StepSpool

DATA = Path(__file__).parent.parent / "data"


def imported(path: Path | str, **options) -> tuple[dict, object, list]:
    with StepSpool() as spool:
        config, report = import_strace_file(str(path), spool, **options)
        return config, report, list(spool.steps())


# -- strace lines that are real output, or garbage: counted, never fatal --------------------------------


def test_the_hostile_trace_imports_and_counts_what_it_cannot_use():
    config, report, steps = imported(DATA / "hostile.strace")
    resolve_config(config)  # the [config] it made is one the model takes
    assert report.parse.calls == 11 and report.parse.unknown == 2  # the 5,000-digit result, the 34-digit pid
    assert [e.split(":")[0] for e in report.parse.unknown_examples] == ["line 7", "line 11"]
    assert report.skipped[NOT_MODELLED]["umask"] == 1  # `umask(022) = 022`: an octal result, read, then not modelled
    assert report.skipped_count(UNDECODABLE) == 2  # the raw \xe9 byte and the NUL in a path
    assert (
        report.too_long == 2 and report.skipped_count(UNKNOWN_FD) == 1
    )  # 1,200 bytes; a 300-byte name; a 34-digit dirfd
    assert report.verification.mismatches == 0 and report.verification.refused == 0
    assert "/etc/hosts" in config["tree"]  # the stat whose st_size has 5,000 digits still proves the file
    too_long = [s for s in steps if "ENAMETOOLONG" in s.say]
    assert len(too_long) == 2 and {s.expect for s in too_long} == {"ENAMETOOLONG", "?"}
    say = "\n".join(s.say for s in steps)
    assert "\x1b" not in say and "\\x1b[31mred" in say  # control characters are written as escapes


@pytest.mark.parametrize(
    ("result", "ret"),
    [("022", 0o22), ("0", 0), ("0x7f00", 0x7F00), ("-1 ENOENT (No such file or directory)", -1), ("?", None)],
)
def test_results_are_read_as_strace_prints_them(result, ret):
    call = StraceReader().feed(f"1 umask(022) = {result}")
    assert call is not None and call.ret == ret


@pytest.mark.parametrize("result", ["9" * 5000, "9" * 21, "0x" + "f" * 17, "09", "1" * 4301])
def test_a_result_no_kernel_returns_makes_the_line_unknown(result):
    reader = StraceReader()
    assert reader.feed(f'1 openat(AT_FDCWD, "/a", O_RDONLY) = {result}') is None
    assert reader.stats.unknown == 1


def test_c_string_refuses_nul_and_bytes_that_are_not_utf8():
    assert c_string('"/tmp/a"') == "/tmp/a" and c_string('"/tmp/\\303\\251"') == "/tmp/é"
    assert c_string('"/tmp/a\x00b"') is None and c_string('"/tmp/a\\0b"') is None
    assert c_string('"/tmp/\udce9"') is None and c_string('"/tmp/\\351"') is None


@pytest.mark.parametrize(
    "body",
    ['"\\' * 200_000, "/* " * 200_000, "(" * 200_000, "{" * 100_000 + "}" * 100_000, '"a", ' * 100_000],
    ids=["escaped-quotes", "open-comments", "parentheses", "braces", "strings"],
)
def test_splitting_a_hostile_line_is_linear(body):
    """An unterminated string or comment used to be tried again from each later quote: 40k took 27 s."""
    reader = StraceReader()
    reader.feed(f"1 open({body}) = 0")  # 200k tokens: seconds if quadratic, milliseconds now
    assert split_args('"a\\"b", /* c, d */ 3) = 0') == (('"a\\"b"', "/* c, d */ 3"), " = 0")


def test_made_up_names_and_endless_unfinished_calls_do_not_grow_the_counts_without_bound():
    reader = StraceReader()
    for n in range(KINDS_MAX + 50):
        reader.feed(f"1 made_up_{n}(0) = 0")
    assert len(reader.stats.by_name) == KINDS_MAX + 1 and reader.stats.by_name[OTHERS] == 50
    for pid in range(1, PENDING_MAX + 11):
        reader.feed(f'{pid} openat(AT_FDCWD, "/a" <unfinished ...>')
    assert len(reader.pending) == PENDING_MAX and reader.stats.never_resumed == 10


# -- paths: PATH_MAX and NAME_MAX, and walks linear in their length -------------------------------------


def test_namei_refuses_a_path_of_path_max_bytes_as_copyinstr_does():
    system = System({})
    fits = "/" + "a/" * 511  # 1023 bytes: the longest path namei takes
    assert len(fits) == PATH_MAX - 1
    for line, errno in [
        (f"mkdir {fits[:-1]}", "ENOENT"),
        (f"lookup {fits}x", "ENAMETOOLONG"),
        (f"mkdir /tmp/{'n' * 256}", "ENAMETOOLONG"),
        (f"rename /etc {fits}x", "ENAMETOOLONG"),
    ]:
        events = system.apply(parse(line))
        assert events[-1].errno == errno, (line[:20], events[-1])
        assert system.check() == []


def test_a_config_tree_must_hold_paths_namei_could_walk():
    validate_tree(["/" + "a/" * 511])
    for tree, message in [
        (["/" + "a/" * 20_000], "too long for namei"),
        (["/" + "n" * 256], "NAME_MAX is 255"),
        (["/a", "/a/b"], "'/a' is a file, but '/a/b' puts something under it"),
        (["/a/b/c/", "/a/b"], "'/a/b' is a file, but '/a/b/c/' puts something under it"),
        (["/a/../b"], "name each directory plainly"),
    ]:
        with pytest.raises(ValueError, match=message):
            validate_tree(tree)


def test_a_config_tree_of_many_paths_builds_the_same_disk_as_each_path_walked():
    rng = random.Random(5)
    paths = sorted({"/" + "/".join(f"d{rng.randrange(4)}" for _ in range(rng.randrange(1, 12))) + "/"
                    for _ in range(3000)})  # fmt: skip
    system = System({"tree": paths})
    vfs = system.part("vfs")
    assert all(vfs.node_at(p) is not None for p in paths)


def test_the_disk_facts_follow_dotdot_and_list_only_the_deepest_names():
    disk = Disk()
    w = walk("/a/b/../c/./d")
    assert (w.route, w.through, w.parts, w.must_dir) == (
        ("a", "b", "..", "c", "d"),
        ("a", "b", "..", "c"),
        ("a", "c", "d"),
        False,
    )
    disk.walked(w.through)
    disk.exists(w.parts, FILE)
    disk.absent(("x",))
    assert disk.tree() == ["/a/b/", "/a/c/d"] and disk.names() == 5
    assert disk.state(("a",)) == DIR and disk.state(("a", "c", "d")) == FILE and disk.state(("q",)) is None


def test_the_disk_keeps_what_the_trace_made_apart_and_moves_it_with_a_rename():
    disk = Disk()
    disk.exists(("old",), DIR)
    disk.make(("old", "made"), DIR)
    disk.make(("old", "made", "f"), FILE)
    disk.move(("old",), ("new",))
    assert disk.state(("new", "made", "f")) == FILE and disk.state(("old", "made", "f")) == "absent"
    assert disk.state(("old",)) == "absent" and disk.tree() == ["/old/"]  # the disk before the trace
    disk.remove(("new",))
    assert disk.state(("new", "made")) == "absent"


def test_a_deep_route_is_walked_once():
    """A 512-component walk used to cost a string per prefix per prefix (cubic): it is one pass now."""
    disk = Disk()
    route = ("a",) * 511
    disk.walked(route)
    disk.exists((*route, "f"), ANY)
    assert disk.tree() == ["/" + "a/" * 511 + "f"] and disk.names() == 512


# -- sizing from the data -------------------------------------------------------------------------------


def test_a_trace_naming_more_paths_than_the_largest_hash_table_gets_the_largest():
    """Traces naming more than ~131k paths were refused: nchash was sized past its limit of 65,536."""
    with StepSpool() as spool:
        importer = StraceImporter(spool)
        for n in range(140_000):
            importer.disk.absent(("d", f"f{n}"))
        config = importer.config()
    resolved = resolve_config(config)
    assert resolved["nchash"] == 65536 and resolved["ncvhash"] <= 65536 and resolved["namecache_max"] > 140_000
    System(config)  # and the model is built from it


# -- reading: caps, streams read once --------------------------------------------------------------------


def test_a_line_past_the_cap_is_refused_with_its_number(tmp_path):
    path = tmp_path / "t"
    path.write_bytes(b"short\n" * 3 + b"x" * 5000 + b"\nnever read\n")
    with LineSource(str(path), "din", max_line=4096) as source:
        lines = source.lines()
        assert [next(lines) for _ in range(3)] == ["short\n"] * 3
        with pytest.raises(InputError, match=r"^din line 4: longer than 4 KiB"):
            next(lines)


@pytest.fixture
def fifo(tmp_path) -> Iterator[tuple[str, list[bytes]]]:
    """A FIFO and the chunks a writer thread feeds it (set them before opening); the writer stops when read
    no more."""
    path = tmp_path / "fifo"
    os.mkfifo(path)
    chunks: list[bytes] = []

    def write() -> None:
        try:
            with open(path, "wb") as f:
                for chunk in chunks:
                    f.write(chunk)
        except BrokenPipeError:
            pass

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    yield str(path), chunks
    writer.join(timeout=10)


def test_a_stream_is_read_once_and_copied_for_the_second_pass(fifo):
    path, chunks = fifo
    chunks += [b"one\n", b"two\n", b"three"]
    with LineSource(path, "strace", max_line=64) as source:
        assert not source.regular
        first = source.lines()
        assert next(first) == "one\n"  # a pass that stops early, as the cwd guess does
        first.close()
        assert list(source.lines()) == ["one\n", "two\n", "three"]
        assert list(source.lines()) == ["one\n", "two\n", "three"]


def test_an_endless_stream_stops_at_the_stream_cap(fifo):
    path, chunks = fifo
    chunks += [b"y\n" * 1000] * 100  # far more than the cap below
    with (
        LineSource(path, "strace", max_line=64, max_stream=10_000) as source,
        pytest.raises(InputError, match=r"^strace line 5001: more than 10,000 bytes from a stream"),
    ):
        list(source.lines())


def test_a_strace_stream_imports_as_the_file_does(fifo):
    path, chunks = fifo
    chunks.append((DATA / "threads.strace").read_bytes())
    config, _, steps = imported(path)
    config2, _, steps2 = imported(DATA / "threads.strace")
    assert config == config2 and [str(s.op) for s in steps] == [str(s.op) for s in steps2]


def test_a_din_stream_is_read_once_and_stops_at_the_limit(fifo):
    path, chunks = fifo
    chunks += [b"0 1000\n"] * 5000  # more than the reader takes: it stops at --limit
    with StepSpool() as spool:
        report = import_din_file(path, spool, limit=100)
        assert report.stopped and report.truncated == 1 and spool.count == 101  # a map, then 100 loads


def test_an_import_stops_where_the_scenario_would_pass_its_cap():
    with (
        StepSpool(limit=3000) as spool,
        pytest.raises(InputError, match=r"^strace line [0-9]+: the scenario would pass"),
    ):
        import_strace_file(str(DATA / "threads.strace"), spool, check=False)


# -- /proc snapshots of crafted trees ---------------------------------------------------------------------


def proc_tree(tmp_path: Path, status: dict[str, str]) -> Path:
    """A proc tree with init (pid 1) and the status files given (pid -> text)."""
    root = tmp_path / "proc"
    for pid, text in {"1": "Name:\tinit\nPid:\t1\nPPid:\t0\nTgid:\t1\nNSpid:\t1\n", **status}.items():
        (root / pid).mkdir(parents=True)
        (root / pid / "status").write_text(text)
    return root


def test_a_fifo_or_a_device_in_a_proc_tree_is_named_not_read(tmp_path):
    root = proc_tree(tmp_path, {})
    (root / "7").mkdir()
    os.mkfifo(root / "7" / "status")  # opened without O_NONBLOCK, this hung the import
    with pytest.raises(InputError, match=f"^{root}/7/status: not a regular file$"):
        proc_snapshot.take(str(root))
    os.remove(root / "7" / "status")
    os.symlink("/dev/zero", root / "7" / "status")  # read whole, this ended in MemoryError
    with pytest.raises(InputError, match=f"^{root}/7/status: not a regular file$"):
        proc_snapshot.take(str(root))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Name:\tx\nPid:\t" + "9" * 5000 + "\n", "Pid: expected a number"),
        ("Name:\tx\nPid:\t7\nNSpid:\t7 " + "1 " * 40 + "\n", "NSpid: expected up to 33 numbers"),
        ("Name:\tx\nPid:\t7\nTgid:\tseven\n", "Tgid: expected a number"),
        ("x" * (proc_snapshot.STATUS_MAX + 1), "larger than 64 KiB"),
    ],
    ids=["huge-pid", "deep-nspid", "word-tgid", "huge-file"],
)
def test_a_status_file_that_is_not_procs_is_named(tmp_path, text, message):
    root = proc_tree(tmp_path, {"7": text})
    with pytest.raises(TraceFormatError, match=f"^{root}/7/status: {message}"):
        proc_snapshot.take(str(root))


def test_names_that_are_not_task_numbers_are_not_tasks(tmp_path):
    root = proc_tree(tmp_path, {"9" * 200: "Pid:\t5\n", "007": "Pid:\t7\n", "²": "Pid:\t2\n"})
    assert [t.pid for t in proc_snapshot.take(str(root)).tasks] == [1]


def test_read_regular_refuses_what_is_not_a_small_regular_file(tmp_path):
    (tmp_path / "f").write_bytes(b"12345")
    assert read_regular(str(tmp_path / "f"), 5) == b"12345"
    with pytest.raises(InputError, match="larger than 4 bytes"):
        read_regular(str(tmp_path / "f"), 4)
    with pytest.raises(InputError, match="not a regular file"):
        read_regular("/dev/null", 5)


# -- mappings ----------------------------------------------------------------------------------------------


def test_mappings_found_by_binary_search_agree_with_a_scan():
    """The mapping list is searched by bisection (a scan made 20k scattered pages take 33 s)."""
    rng = random.Random(3)
    memory, naive = Memory(), []
    for _ in range(400):
        start = rng.randrange(0, 1 << 20) * 16
        end = start + rng.randrange(1, 64) * 16
        clash = next((m for m in naive if m[0] < end and start < m[1]), None)
        assert memory.add_map(start, end, "rw") == clash
        if clash is None:
            naive.append((start, end, "rw"))
    naive.sort()
    assert memory.maps == naive
    for _ in range(2000):
        addr = rng.randrange(0, 1 << 24)
        assert memory.vma(addr) == next((m for m in naive if m[0] <= addr < m[1]), None)
        assert memory.vma_from(addr) == next((m for m in naive if addr < m[1]), None)
