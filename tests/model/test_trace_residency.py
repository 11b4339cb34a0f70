"""Page-cache residency by mincore: the same page counts as util-linux fincore, rebuilt in the page cache."""

import os
import shutil
import subprocess

import pytest

from model.system import System
from model.trace import residency as plans
from viz.cli.host import residency

FINCORE = shutil.which("fincore")


def files(tmp_path):
    """A file just written and read (resident), an empty file, and a bigger one read in part."""
    hot = tmp_path / "hot.bin"
    hot.write_bytes(os.urandom(5 * residency.PAGE_SIZE + 100))
    hot.read_bytes()
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    part = tmp_path / "part.bin"
    part.write_bytes(b"x" * (16 * residency.PAGE_SIZE))
    return [str(hot), str(empty), str(part)]


def fincore_pages(paths):
    out = subprocess.run(
        [FINCORE, "--noheadings", "--raw", "--bytes", "--output", "PAGES,FILE", *paths],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {line.split(" ", 1)[1]: int(line.split(" ", 1)[0]) for line in out.splitlines()}


@pytest.mark.skipif(FINCORE is None, reason="util-linux fincore is not installed, nothing to compare with")
def test_page_counts_equal_fincore(tmp_path):
    paths = [*files(tmp_path), shutil.which("python3") or "/bin/sh"]
    paths = [os.path.realpath(p) for p in paths]
    ours = {p: residency.measure(p).resident for p in paths}
    theirs = fincore_pages(paths)
    again = {p: residency.measure(p).resident for p in paths}
    for path in paths:  # residency can change between the two reads; a file that moved is read again
        assert theirs[path] in (ours[path], again[path]), path


def test_measure_runs_sizes_and_empty_files(tmp_path):
    hot, empty, _ = files(tmp_path)
    measured = residency.measure(hot)
    assert measured.pages == 6 and measured.size == 5 * residency.PAGE_SIZE + 100
    assert measured.runs and all(count > 0 for _, count in measured.runs)
    blank = residency.measure(empty)
    assert (blank.size, blank.pages, blank.runs) == (0, 0, [])


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.mkdir(), "is a directory"),
        (lambda p: None, "no such file"),
        (lambda p: os.symlink("/dev/null", p), "not a regular file"),
    ],
)
def test_bad_inputs_have_clear_messages(tmp_path, make, message):
    path = tmp_path / "x"
    make(path)
    with pytest.raises(residency.ResidencyError, match=message):
        residency.measure(str(path))


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path):
    path = tmp_path / "secret"
    path.write_text("x")
    path.chmod(0)
    with pytest.raises(residency.ResidencyError, match="cannot be read"):
        residency.measure(str(path))


def test_runs_join_across_chunks():
    runs: list[tuple[int, int]] = []
    plans.add_runs(runs, 0, bytes([1, 1, 0, 1]))
    plans.add_runs(runs, 4, bytes([1, 0, 0, 1]))
    assert runs == [(0, 2), (3, 2), (7, 1)]


def test_plan_rebuilds_the_resident_pages_in_the_page_cache(tmp_path):
    measured = [residency.measure(p) for p in files(tmp_path)]
    made_up = str(tmp_path / "made-up")
    measured.append(plans.Residency(made_up, residency.model_path(made_up), 10 * residency.PAGE_SIZE - 1, 10,
                                    [(1, 2), (9, 1)]))  # fmt: skip
    system = System(plans.config(measured, residency.PAGE_SIZE))
    for op, _ in plans.plan(measured, residency.PAGE_SIZE):
        assert not any(e.is_error for e in system.apply(op)), op
    vfs = system.part("vfs")
    for file in measured:
        mount, ino = vfs.node_at(residency.model_path(file.path))
        vp = vfs.vnodes.by_identity.get((mount.id, ino))
        cached = vfs.pagecache.pages.get(vp.id, {}) if vp else {}
        assert len(cached) == file.resident, file.path
        assert sorted(cached) == [p for first, n in file.runs for p in range(first, first + n)]


def rebuilt(measured):
    """The System a plan rebuilds `measured` in, checked step by step; and each file's cached page numbers."""
    system = System(plans.config(measured, residency.PAGE_SIZE))
    for op, _ in plans.plan(measured, residency.PAGE_SIZE):
        assert not any(e.is_error or e.errno for e in system.apply(op)), op
    vfs = system.part("vfs")
    cached = {}
    for file in measured:
        mount, ino = vfs.node_at(residency.model_path(file.path))
        vp = vfs.vnodes.by_identity.get((mount.id, ino))
        cached[file.path] = (sorted(vfs.pagecache.pages.get(vp.id, {})), vfs.pagecache.sizes.get(vp.id))
    return system, cached


def test_a_file_past_the_default_largest_is_rebuilt_with_a_larger_page_cache(tmp_path):
    """A 100 MiB file (25,600 pages, more than the default 16,384) with a few resident pages: the [config]
    makes room for it, and only the resident pages are filled."""
    big = tmp_path / "big.bin"
    with big.open("wb") as f:
        f.truncate(100 << 20)  # sparse
        f.seek(80 << 20)
        f.write(b"x" * 3 * residency.PAGE_SIZE)  # three pages, dirty in the page cache: resident
    measured = residency.measure(str(big))
    assert measured.pages == (100 << 20) // residency.PAGE_SIZE > plans.FILE_PAGES
    assert measured.resident >= 3
    assert plans.config([measured], residency.PAGE_SIZE)["max_file_pages"] == measured.pages
    _, cached = rebuilt([measured])
    pages, size = cached[str(big)]
    assert size == 100 << 20
    assert pages == [p for first, n in measured.runs for p in range(first, first + n)]


def test_files_too_big_to_rebuild_are_refused_with_a_reason():
    huge = plans.Residency("/huge", "/mnt/huge", (plans.FILE_PAGES_MAX + 1) * 4096, plans.FILE_PAGES_MAX + 1)
    assert "more than the largest file the model holds" in plans.too_big([huge])
    hot = plans.Residency("/hot", "/mnt/hot", 1 << 33, 1 << 21, [(0, plans.RESIDENT_MAX + 1)])
    assert "resident pages in all" in plans.too_big([hot])
    assert plans.too_big([plans.Residency("/ok", "/mnt/ok", 4096, 1, [(0, 1)])]) is None
