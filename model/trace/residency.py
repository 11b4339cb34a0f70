"""Page-cache residency of real files, as mincore(2) measured it, into steps that rebuild it in the model.

The files are rebuilt on a puffs mount: created, given their size (truncate), and for each run of resident
pages that run's data put on the file server and `read`, so the page-cache tab shows the same strips. Only
the resident pages cost memory, so a file of any size up to the model's largest (`[config]
max_file_pages`, set from the data) rebuilds. The measuring (mmap and mincore, as util-linux `fincore`
does) is the CLI's: viz/cli/host/residency.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from model.limits import FILE_PAGES, FILE_PAGES_MAX
from model.ops import Op, make

MOUNT = "/mnt"
"""Where the real files are rebuilt: a puffs mount standing for the real disk."""
RESIDENT_MAX = 1 << 20
"""Most resident pages an import rebuilds, in all its files (4 GiB in 4 KiB pages): each is an object of the
model's page cache."""


@dataclass(slots=True)
class Residency:
    """One file: its real path, its path in the model, its size, its page count and the runs of resident
    pages (first page, count)."""

    path: str
    where: str
    size: int
    pages: int
    runs: list[tuple[int, int]] = field(default_factory=list)

    @property
    def resident(self) -> int:
        return sum(count for _, count in self.runs)


def on_mount(real_path: str) -> str:
    """Where a real file lives in the model: under the puffs mount, at its real absolute path."""
    return MOUNT + real_path


def add_runs(runs: list[tuple[int, int]], first: int, vec: bytes) -> None:
    """Append the runs of resident pages in mincore's vector `vec` (page `first` onwards, bit 0 of each byte:
    resident), joining a run across chunks."""
    index, n = 0, len(vec)
    while index < n:
        if not vec[index] & 1:
            index += 1
            continue
        start = index
        while index < n and vec[index] & 1:
            index += 1
        page = first + start
        if runs and runs[-1][0] + runs[-1][1] == page:
            runs[-1] = (runs[-1][0], runs[-1][1] + index - start)
        else:
            runs.append((page, index - start))


def plan(files: list[Residency], page_size: int) -> Iterator[tuple[Op, str]]:
    """Steps that rebuild the files on a puffs mount and read their resident pages into the page cache."""
    yield (
        make("mount", path=MOUNT, fstype="puffs"),
        f"A puffs mount stands for the real disk; pages are {page_size} bytes.",
    )
    made: set[str] = set()
    for file in files:
        where = file.where
        parts = where.split("/")[2:-1]
        for depth in range(1, len(parts) + 1):
            directory = MOUNT + "/" + "/".join(parts[:depth])
            if directory not in made:
                made.add(directory)
                yield make("mkdir", path=directory), ""
        yield make("create", path=where), f"{file.path}: {file.size} bytes, {file.pages} pages"
        if file.size:
            yield make("truncate", path=where, size=file.size), "its size, on the file server"
        for page, count in file.runs:
            offset = page * page_size
            length = min(count * page_size, file.size - offset)
            yield make("server-write", path=where, offset=offset, length=length), "the data of a resident run"
            yield make("read", path=where, offset=offset, length=length), f"pages {page}..{page + count - 1} resident"
        yield make("say", text=summary(file)), ""


def summary(file: Residency) -> str:
    """One line per file, in fincore's terms."""
    percent = f" ({100 * file.resident / file.pages:.0f}%)" if file.pages else ""
    return f"{file.path}: {file.resident} of {file.pages} pages resident{percent}, {file.size} bytes"


def too_big(files: list[Residency]) -> str | None:
    """Why the files cannot be rebuilt (a file past the model's largest, or too many resident pages), or None."""
    for file in files:
        if file.pages > FILE_PAGES_MAX:
            return (
                f"{file.path}: {file.pages:,} pages, more than the largest file the model holds "
                f"({FILE_PAGES_MAX:,} pages)"
            )
    resident = sum(file.resident for file in files)
    if resident > RESIDENT_MAX:
        return f"{resident:,} resident pages in all, more than an import rebuilds ({RESIDENT_MAX:,}): give fewer files"
    return None


def config(files: list[Residency], page_size: int) -> dict[str, object]:
    """The page size measured with, an otherwise empty root, room for every file's vnode, and a largest file
    the biggest one fits in."""
    names = sum(len(f.where.split("/")) for f in files) + 16
    largest = max((file.pages for file in files), default=0)
    out: dict[str, object] = {"tree": [MOUNT + "/"], "page_size": page_size, "desiredvnodes": names}
    out["namecache_max"] = names
    if largest > FILE_PAGES:
        out["max_file_pages"] = largest
    return out
