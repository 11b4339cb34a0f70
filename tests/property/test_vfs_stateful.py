"""Any sequence of VFS, name-cache and page-cache operations keeps every invariant (System.check)."""

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from model.ops import parse
from model.system import System
from model.vfs.namecache import NCHSTATS

NAMES = ["a", "b", "usr", "bin", "x" * 32, ".", ".."]
DIRS = ["/", "/usr", "/usr/bin", "/tmp", "/puffs", "/puffs/d", "/mnt"]
PATHS = [f"{d.rstrip('/')}/{n}" for d in DIRS for n in NAMES] + DIRS
FDS = st.integers(3, 6)
OFFSETS = st.sampled_from([0, 1, 100, 4095, 4096, 5000, 8192, 12288, 20000])


class VfsMachine(RuleBasedStateMachine):
    """Drives one System through the command language, as a user would."""

    def __init__(self) -> None:
        super().__init__()
        self.system = System({"desiredvnodes": 6, "namecache_max": 8, "nchash": 4, "ncvhash": 2, "page_size": 4096})
        for line in ("mkdir /puffs", "mount /puffs fstype=puffs", "mkdir /puffs/d"):
            self.system.apply(parse(line))

    def apply(self, line: str) -> None:
        for event in self.system.apply(parse(line)):
            assert event.kind != "error" or event.text, event

    def vnode(self, data) -> str:
        count = self.system.part("vfs").vnodes.numvnodes
        return f"vp{data.draw(st.integers(1, max(count, 1)))}"

    @rule(path=st.sampled_from(PATHS), verb=st.sampled_from(["lookup", "open", "create", "mkdir", "unlink", "cd"]))
    def path_op(self, path: str, verb: str) -> None:
        self.apply(f"{verb} {path}")

    @rule(old=st.sampled_from(PATHS), new=st.sampled_from(PATHS))
    def rename(self, old: str, new: str) -> None:
        self.apply(f"rename {old} {new}")

    @rule(path=st.sampled_from(PATHS + NAMES), fd=FDS, at=st.none() | FDS, create=st.booleans())
    def open_fd(self, path: str, fd: int, at: int | None, create: bool) -> None:
        """§1.12: descriptors, opened from the cwd or from another descriptor (fd numbers may be in use)."""
        self.apply(f"{'create' if create else 'open'} {path} fd={fd}" + (f" at={at}" if at is not None else ""))

    @rule(
        name=st.sampled_from(NAMES),
        at=FDS,
        verb=st.sampled_from(["lookup", "mkdir", "unlink", "rmdir", "cd", "open"]),
    )
    def path_at(self, name: str, at: int, verb: str) -> None:
        self.apply(f"{verb} {name} at={at}")

    @rule(fd=FDS, verb=st.sampled_from(["close fd={}", "fchdir {}"]))
    def fd_op(self, fd: int, verb: str) -> None:
        self.apply(verb.format(fd))

    @rule(
        data=st.data(),
        verb=st.sampled_from(
            ["close", "recycle", "purge", "print", "revlookup", "xlock", "vref", "vrele", "lock", "unlock", "vput"]
        ),
    )
    def vnode_op(self, data, verb: str) -> None:
        self.apply(f"{verb} {self.vnode(data)}")

    @rule(data=st.data(), name=st.sampled_from(NAMES[:4]), negative=st.booleans())
    def enter(self, data, name: str, negative: bool) -> None:
        target = "-" if negative else self.vnode(data)
        self.apply(f"enter {self.vnode(data)} {name} {target}")

    @rule(force=st.booleans())
    def mount_cycle(self, force: bool) -> None:
        self.apply("mount /mnt fstype=tmpfs")
        self.apply("mkdir /mnt/a")
        self.apply(f"unmount mnt{self.system.part('vfs').next_mount - 1}{' -f' if force else ''}")

    @rule(verb=st.sampled_from(["read", "write"]), off=OFFSETS, length=OFFSETS)
    def io(self, verb: str, off: int, length: int) -> None:
        self.apply(f"{verb} /puffs/f {off} {length}")

    @rule(verb=st.sampled_from(["flush", "inval"]), start=OFFSETS, end=OFFSETS, whole=st.booleans())
    def puffs_range(self, verb: str, start: int, end: int, whole: bool) -> None:
        self.apply(f"{verb} /puffs/f" if whole else f"{verb} /puffs/f {start} {end}")

    @rule(count=st.integers(0, 3))
    def server(self, count: int) -> None:
        self.apply(f"server-ack {count}")

    @rule(size=OFFSETS)
    def truncate(self, size: int) -> None:
        self.apply(f"truncate /puffs/f {size}")

    @rule()
    def create_puffs_file(self) -> None:
        self.apply("create /puffs/f")

    @rule(verb=st.sampled_from(["inval-names /puffs/d", "inval-names-all", "server-write /puffs/f 0 5000"]))
    def puffs_names(self, verb: str) -> None:
        self.apply(verb)

    @invariant()
    def consistent(self) -> None:
        assert self.system.check() == []

    @invariant()
    def lookups_add_up(self) -> None:
        """§1.10: the six lookup outcomes sum to the number of cache_lookup calls."""
        cache = self.system.part("vfs").namecache
        assert all(value >= 0 for value in cache.stats.values())
        assert sum(cache.stats[name] for name in NCHSTATS[:6]) == cache.lookups


VfsMachine.TestCase.settings = settings(stateful_step_count=30)  # examples: the profile (tests/conftest.py)
TestVfsMachine = VfsMachine.TestCase
