"""Timeline: the history of a run as a tree of steps, with stepping, time travel, branches and breakpoints.

Each step applied keeps the undo records of what it changed (`model.journal`), so going back undoes
and going forward again redoes: both cost what changed between the two positions, never a copy of the
state, whatever its size or the length of the history. A far jump forward applies all but its last
`window` new steps without recording them (recording is most of a step's cost); going back past such
a step builds the initial state anew and replays, and that replay records its last `window` steps.
A state left behind by such a restart is not thrown away but parked, with its undo records: a later
jump that lands nearer to it than to the shown state (`End` after `Home`) takes it back at no cost, and
the app advances a parked state toward the end while the user reads (`prefetch`), so `End` finds it there.
An op applied in the past does not drop the old future: it starts a new branch beside it, and every
branch stays until it is deleted explicitly.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from model import journal
from model.events import Event
from model.ops import Op
from model.system import System


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a script: the operation, the narration shown with it (may be empty), and the panel
    the scenario chose to show with it (empty: the one `model.views.view_of` finds)."""

    op: Op
    say: str = ""
    panel: str = ""


FAR_WINDOW = 500
"""A jump forward records only its last FAR_WINDOW steps applied for the first time; the ones before are
applied unrecorded (5-6x faster on real traces), so stepping back over them needs a replay. The first 500
`b` after `End` are undo, and the recording costs an `End` 0.04 s (2,000 cost 0.13-0.16 s)."""

Predicate = Callable[[int, Step, Sequence[Event]], bool]
"""Called as predicate(step_number, step, events_of_that_step)."""

BREAK_ON = ("verb", "kind", "ref", "errno")


@dataclass(slots=True)
class Breakpoint:
    """Stop when a step matches: by op `verb`, event `kind` (glob, e.g. ``namecache.*``),
    object id in an event's `ref`s, or `errno` (a name such as ENOENT, or ``*`` for any error)."""

    on: str
    value: str
    enabled: bool = True

    def __post_init__(self) -> None:
        if self.on not in BREAK_ON:
            raise ValueError(f"breakpoints are on {', '.join(BREAK_ON)}, not {self.on!r}")
        if not self.value:
            raise ValueError("a breakpoint needs a value to match")

    def matches(self, step: Step, events: Sequence[Event]) -> bool:
        if not self.enabled:
            return False
        if self.on == "verb":
            return step.op.verb == self.value
        if self.on == "kind":
            return any(fnmatch.fnmatchcase(e.kind, self.value) for e in events)
        if self.on == "ref":  # a vnode id without a generation (vp6) stops at every generation (vp6#2...)
            prefix = self.value + "#"
            return any(self.value in e.refs or any(r.startswith(prefix) for r in e.refs) for e in events)
        want_any = self.value in ("*", "any")
        return any(e.errno is not None and (want_any or e.errno == self.value) for e in events)

    def __str__(self) -> str:
        return f"{self.on} {self.value}"


class Node:
    """One step of the history tree: its op and narration; once applied, its events and undo records.

    `origin` says who wrote it (``scenario`` or ``user``); `branch` numbers the branch whose leaf it was
    made as (a node appended at the end of a branch keeps that branch's number).
    """

    __slots__ = ("branch", "children", "events", "origin", "parent", "records", "step")

    def __init__(self, step: Step | None, parent: Node | None, branch: int, origin: str = "scenario") -> None:
        self.step = step
        self.parent = parent
        self.children: list[Node] = []
        self.events: tuple[Event, ...] | None = None  # None until the step is first applied
        self.records: list[journal.Record] | None = None
        self.branch = branch
        self.origin = origin


class Parked:
    """A second state of the machine kept beside the shown one: the System, the path of nodes whose steps
    made it (root first, so its position is `len(path) - 1`), and the undo records that move it within
    that path (kept here, not on the nodes, which hold the shown state's)."""

    __slots__ = ("path", "records", "system")

    def __init__(self, system: System, path: list[Node], records: dict[Node, list[journal.Record]]) -> None:
        self.system, self.path, self.records = system, path, records

    @property
    def position(self) -> int:
        return len(self.path) - 1


@dataclass(frozen=True, slots=True)
class Branch:
    """A branch of the history: the path from the initial state to one leaf of the tree.

    Attributes:
        number: the branch's number (1 is the scenario's own; each fork gets the next one).
        fork: the step its own steps follow (0 for the scenario's branch): they are fork + 1 to length.
        length: its number of steps from step 1.
        first: the op text of its first own step.
        shared: how many steps, from step 1, it shares with the current branch (where it leaves it).
        current: whether it is the branch shown now.
    """

    number: int
    fork: int
    length: int
    first: str
    shared: int
    current: bool


class Timeline:
    """The history tree and the position reached on its current branch.

    Position n means the first n steps of the current branch are applied; 0 is the initial state.
    `steps`, `length`, `goto` and the rest speak of the current branch, root to leaf.
    """

    def __init__(self, steps: Sequence[Step] = (), config: Mapping[str, Any] | None = None) -> None:
        self.config = dict(config or {})
        self.breakpoints: list[Breakpoint] = []
        self.system = System(self.config)
        self.root = Node(None, None, 1)
        self._path: list[Node] = [self.root]  # root, step 1, ..., the current branch's leaf
        for step in steps:
            self._extend(step, "scenario")
        self._scenario_leaf = self._path[-1]  # where steps read later (`add_steps`) go
        self._next_branch = 2
        self.position = 0
        self.applied = 0  # ops applied (not redone) by the last move, for tests and benchmarks
        self.window = FAR_WINDOW  # steps a far jump records at its end (tests make it small)
        self.restarts = 0  # replays from the initial state (a step in the way had no undo records)
        self.parked: Parked | None = None  # a second state, taken back when a jump lands nearer to it
        self.swaps = 0  # times the parked state was taken back, for tests and benchmarks
        self.let_go = 0
        """States and branches let go so far. A model state and a branch are full of reference cycles, so
        only the cyclic collector frees them: a caller that keeps objects out of its passes (the app,
        during long jumps) knows from this when there is something to reclaim."""

    # -- the current branch ---------------------------------------------------------------------------

    @property
    def steps(self) -> list[Step]:
        """The steps of the current branch, in order."""
        return [node.step for node in self._path[1:]]  # type: ignore[misc]

    @property
    def length(self) -> int:
        """Number of steps on the current branch."""
        return len(self._path) - 1

    @property
    def at_end(self) -> bool:
        return self.position >= self.length

    @property
    def current_step(self) -> Step | None:
        """The step whose effects are showing (None at position 0)."""
        return self._path[self.position].step

    @property
    def current_node(self) -> Node:
        """The node of the step whose effects are showing (the root at position 0)."""
        return self._path[self.position]

    @property
    def current_events(self) -> tuple[Event, ...]:
        """The events of the step just applied (empty at position 0)."""
        return self._path[self.position].events or ()

    def node(self, n: int) -> Node:
        """The node of step n (0 is the root) on the current branch."""
        return self._path[n]

    def events_of(self, n: int) -> tuple[Event, ...]:
        """Events of step n (1-based) of the current branch; steps never applied have none yet."""
        return (self._path[n].events or ()) if 0 < n <= self.length else ()

    @property
    def computed(self) -> int:
        """How many steps of the current branch, from step 1, have known events.

        Steps are applied in order along a path, so the steps with events are a prefix of it: a binary
        search finds its end, whatever the length of the history."""
        path = self._path
        lo, hi = 0, len(path) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if path[mid].events is not None:
                lo = mid
            else:
                hi = mid - 1
        return lo

    def common_steps(self, nodes: Sequence[Node]) -> int:
        """How many of `nodes` (the nodes of steps 1, 2, … as a view last saw them) are still steps 1, 2, …
        of the current branch. A node fixes its whole path, so a binary search finds where they part."""
        path = self._path
        lo, hi = 0, min(len(nodes), len(path) - 1)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if nodes[mid - 1] is path[mid]:
                lo = mid
            else:
                hi = mid - 1
        return lo

    # -- moving ---------------------------------------------------------------------------------------

    def _extend(self, step: Step, origin: str) -> Node:
        leaf = self._path[-1]
        node = Node(step, leaf, leaf.branch, origin)
        leaf.children.append(node)
        self._path.append(node)
        return node

    def _forward(self) -> tuple[Event, ...]:
        """Move one step forward: redo it if it was applied before, apply it (recording) if not."""
        node = self._path[self.position + 1]
        if node.records is not None:
            journal.redo(node.records)
        else:
            assert node.step is not None
            records: list[journal.Record] = []
            try:
                with journal.recording(records):
                    events = tuple(self.system.apply(node.step.op))
            except BaseException:
                journal.undo(records)  # a bug in the model: leave the state as it was
                raise
            node.events, node.records = events, journal.compact(records)
            self.applied += 1
        self.position += 1
        return node.events  # type: ignore[return-value]

    def _backward(self) -> None:
        node = self._path[self.position]
        assert node.records is not None
        journal.undo(node.records)
        self.position -= 1

    def step(self) -> tuple[Event, ...] | None:
        """Apply (or redo) the next step; None at the end of the branch."""
        if self.at_end:
            return None
        self.applied = 0
        return self._forward()

    def back(self) -> bool:
        """Undo one step; False at position 0."""
        if self.position == 0:
            return False
        self.goto(self.position - 1)
        return True

    def goto(self, n: int) -> None:
        """Move to position n (clamped to 0..length): undo back, redo or apply forward.

        It starts from the nearest state (`_start_near`): the shown one, the parked one, or the initial
        state built anew (back past a step kept without undo records, a far jump's). Forward, steps more
        than `window` before n that were never applied are applied without recording; the last `window`
        are recorded, so going back over them is undo.
        """
        n = max(0, min(n, self.length))
        self.applied = 0
        if n == self.position:
            return
        self._start_near(n)
        if n < self.position:
            with journal.hooks():  # installed once for the whole move
                while self.position > n:
                    self._backward()
        if n - self.position > self.window:
            self._fast_forward(n - self.window)
        with journal.hooks():
            while self.position < n:
                self._forward()

    def approach(self, target: int, steps: int) -> None:
        """Move toward `target` as `goto(target)` would, applying at most `steps` steps: unrecorded while
        more than `window` steps remain, recorded after. A long jump done a piece at a time; back, it may
        start from the initial state or the parked one (`_start_near`) and go forward from there."""
        target = max(0, min(target, self.length))
        self.applied = 0
        if target == self.position:
            return
        self._start_near(target)
        if target < self.position:  # undo reaches it now: no step is applied
            self.goto(target)
            return
        stop = min(self.position + steps, target)
        if target - stop >= self.window:
            self._fast_forward(stop)
        else:
            if target - self.position > self.window:
                self._fast_forward(target - self.window)
            with journal.hooks():
                while self.position < stop:
                    self._forward()

    def _restart(self, *, park: bool = True) -> None:
        """Back to the initial state, built anew. The old state is parked with its undo records (they name
        its objects), unless it is not fit to keep; the events stay either way (they are values)."""
        records = self._take_records()
        if park:
            self.let_go += self.parked is not None
            self.parked = Parked(self.system, self._path[: self.position + 1], records)
        else:
            self.let_go += 1
        self.system = System(self.config)
        self.position = 0
        self.restarts += 1

    def _take_records(self) -> dict[Node, list[journal.Record]]:
        """Every undo record on the tree's nodes, taken off them (they belong to the shown state)."""
        taken: dict[Node, list[journal.Record]] = {}
        stack = [self.root]
        while stack:
            node = stack.pop()
            if node.records is not None:
                taken[node] = node.records
                node.records = None
            stack.extend(node.children)
        return taken

    def _parked_cost(self, n: int) -> int | None:
        """Steps the parked state needs to reach position n of the current branch, or None if it cannot
        (it stands on another branch, or undo records are missing between it and n)."""
        parked = self.parked
        if parked is None:
            return None
        at = parked.position
        if at > self.length or self._path[at] is not parked.path[-1]:  # a node fixes its whole path
            return None
        if n >= at:
            return n - at
        records = parked.records
        return at - n if all(node in records for node in parked.path[n + 1 :]) else None

    def _shown_cost(self, n: int) -> int | None:
        """Steps the shown state needs to reach position n by undo or forward, or None if undo cannot."""
        if n >= self.position:
            return n - self.position
        path = self._path
        return self.position - n if all(path[k].records is not None for k in range(n + 1, self.position + 1)) else None

    def _nearest(self, n: int) -> str:
        """Which state a move to n starts from: the parked one if it is nearer to n than the shown one;
        if the shown one cannot undo to n, a restart from the initial state unless the parked one is as
        near. One of ``shown``, ``parked``, ``restart``."""
        shown, parked = self._shown_cost(n), self._parked_cost(n)
        if parked is not None and (parked < shown if shown is not None else parked <= n):
            return "parked"
        return "restart" if shown is None else "shown"

    def _start_near(self, n: int) -> None:
        """Before a move to n: start from the nearest state (`_nearest`)."""
        start = self._nearest(n)
        if start == "parked":
            self._swap()
        elif start == "restart":
            self._restart()

    def fresh_steps(self, n: int) -> int:
        """How many steps a move to position n would apply (not undo or redo): what a progress bar counts."""
        n = max(0, min(n, self.length))
        start = self._nearest(n)
        if start == "parked":
            assert self.parked is not None
            at, records = self.parked.position, self.parked.records
            return sum(1 for node in self._path[at + 1 : n + 1] if node not in records)
        if start == "restart":
            return n
        return sum(1 for node in self._path[self.position + 1 : n + 1] if node.records is None)

    def _swap(self) -> None:
        """Make the parked state the shown one, and park the shown one in its place."""
        parked = self.parked
        assert parked is not None
        self.parked = Parked(self.system, self._path[: self.position + 1], self._take_records())
        for node, records in parked.records.items():
            node.records = records
        self.system, self.position = parked.system, parked.position
        self.swaps += 1

    def prefetch(self, steps: int) -> bool:
        """Advance the parked state (a new one if there is none, or it is on another branch) by up to
        `steps` steps toward the end of the current branch, unrecorded, so that a jump to the end later
        takes it back and records only its last `window` steps. Events found on the way are kept.
        Returns whether more remains to do; nothing does when the shown state is as near the end."""
        goal = self.length - self.window
        if goal <= self.position:
            return False
        parked = self.parked
        if parked is None or self._parked_cost(parked.position) is None:
            self.let_go += parked is not None
            parked = self.parked = Parked(System(self.config), [self.root], {})
        if parked.position >= goal:
            return False
        parked.records = {}  # applied unrecorded from here: its old records can no longer be reached
        apply, path = parked.system.apply, self._path
        stop = min(parked.position + steps, goal)
        while parked.position < stop:
            node = path[parked.position + 1]
            assert node.step is not None
            try:
                events = tuple(apply(node.step.op))
            except BaseException:  # a bug in the model: this state is not fit to keep
                self.parked = None
                self.let_go += 1
                raise
            if node.events is None:
                node.events = events
            parked.path.append(node)
        return parked.position < goal

    def _fast_forward(self, stop: int) -> None:
        """Up to position `stop`: redo steps that have records, apply the others without recording."""
        apply = self.system.apply
        while self.position < stop:
            node = self._path[self.position + 1]
            if node.records is not None:
                journal.redo(node.records)
            else:
                assert node.step is not None
                reached = self.position
                try:
                    events = tuple(apply(node.step.op))
                except BaseException:  # a bug in the model: nothing to undo with, so replay to where it was
                    self._restart(park=False)
                    self._fast_forward(reached)
                    raise
                if node.events is None:
                    node.events = events
                self.applied += 1
            self.position += 1

    def run_until(self, predicate: Predicate, *, backward: bool = False) -> int | None:
        """Step (or go back) until a step matches; return its number, or None at either end.

        Going forward, the first matching step after the current one is applied. Going backward, the
        position moves to the latest earlier step that matches (its effects showing).
        """
        self.applied = 0
        if backward:
            for n in range(self.position - 1, 0, -1):
                if predicate(n, self._path[n].step, self._path[n].events or ()):  # type: ignore[arg-type]
                    self.goto(n)
                    return n
            self.goto(0)
            return None
        with journal.hooks():
            while not self.at_end:
                events = self._forward()
                if predicate(self.position, self._path[self.position].step, events):  # type: ignore[arg-type]
                    return self.position
        return None

    def hits_breakpoint(self, n: int, step: Step, events: Sequence[Event]) -> bool:
        """Predicate: does step n match any enabled breakpoint?"""
        return any(bp.matches(step, events) for bp in self.breakpoints)

    def run_to_breakpoint(self, *, backward: bool = False) -> int | None:
        """Run to the next (or previous) step that matches an enabled breakpoint."""
        return self.run_until(self.hits_breakpoint, backward=backward)

    # -- writing history ------------------------------------------------------------------------------

    @property
    def scenario_leaf(self) -> Node:
        """The last step of the scenario's own branch read so far: `add_steps` continues it."""
        return self._scenario_leaf

    def add_steps(self, steps: Sequence[Step]) -> None:
        """Add steps of the scenario read after the timeline was made (a big file is read in chunks while
        its first steps show) at the end of the scenario's branch, shown or not. Refused once a step was
        typed after the scenario's last one: the steps would go on a branch that is not the scenario's."""
        leaf = self._scenario_leaf
        if steps and leaf.children:
            raise ValueError("a step was typed after the scenario's last step read so far")
        extends_path = self._path[-1] is leaf
        for step in steps:
            node = Node(step, leaf, leaf.branch, "scenario")
            leaf.children.append(node)
            if extends_path:
                self._path.append(node)
            leaf = node
        self._scenario_leaf = leaf

    def append(self, op: Op, say: str = "", *, origin: str = "user") -> tuple[Event, ...]:
        """Apply a new step right after the current one and return its events.

        At the end of the branch the branch grows; in the past, the new step starts a new branch and
        the old future stays as a branch of its own. A step the model refuses (an error event) is not
        kept: its changes are undone and the history is exactly as before; its events are returned.
        """
        self.applied = 0
        parent = self._path[self.position]
        step = Step(op, say)
        records: list[journal.Record] = []
        try:
            with journal.recording(records):
                events = tuple(self.system.apply(op))
        except BaseException:
            journal.undo(records)
            raise
        if any(event.is_error for event in events):
            journal.undo(records)
            return events
        if self.at_end:
            branch = parent.branch
        else:
            branch, self._next_branch = self._next_branch, self._next_branch + 1
        node = Node(step, parent, branch, origin)
        node.events, node.records = events, journal.compact(records)
        parent.children.append(node)
        del self._path[self.position + 1 :]
        self._path.append(node)
        self.position += 1
        self.applied = 1
        return events

    # -- branches -------------------------------------------------------------------------------------

    def _leaves(self) -> list[Node]:
        leaves, stack = [], [self.root]
        while stack:
            node = stack.pop()
            if node.children:
                stack.extend(reversed(node.children))
            else:
                leaves.append(node)
        return leaves

    @staticmethod
    def _path_to(node: Node) -> list[Node]:
        path = []
        walk: Node | None = node
        while walk is not None:
            path.append(walk)
            walk = walk.parent
        path.reverse()
        return path

    def branches(self) -> list[Branch]:
        """Every branch (one per leaf of the tree), by number."""
        out = []
        current = self._path[-1]
        for leaf in self._leaves():
            path = self._path_to(leaf)
            own = next(depth for depth, node in enumerate(path) if node.branch == leaf.branch)
            fork = max(own - 1, 0)
            first = str(path[fork + 1].step.op) if fork + 1 < len(path) else ""  # type: ignore[union-attr]
            shared = self._shared(path) - 1
            out.append(Branch(leaf.branch, fork, len(path) - 1, first, shared, leaf is current))
        return sorted(out, key=lambda b: b.number)

    def _shared(self, path: list[Node]) -> int:
        """How many nodes, from the root, `path` shares with the current branch."""
        n = 0
        for mine, theirs in zip(self._path, path, strict=False):
            if mine is not theirs:
                break
            n += 1
        return n

    def _leaf(self, number: int) -> Node:
        for leaf in self._leaves():
            if leaf.branch == number:
                return leaf
        known = ", ".join(str(b.number) for b in self.branches())
        raise ValueError(f"no branch {number} (branches: {known})")

    def switch_branch(self, number: int) -> None:
        """Make branch `number` the current one, at the step where it leaves the current branch (or
        where the position is, if that is earlier)."""
        path = self._path_to(self._leaf(number))
        shared = self._shared(path) - 1
        self.goto(min(self.position, shared))
        self._path = path

    def delete_branch(self, number: int) -> None:
        """Forget branch `number`'s own steps (not the current branch: switch first)."""
        leaf = self._leaf(number)
        if leaf is self._path[-1]:
            raise ValueError(f"branch {number} is the current branch: switch to another one first")
        node = leaf
        while node.parent is not None and len(node.parent.children) == 1 and node.parent not in self._path:
            node = node.parent
        assert node.parent is not None
        node.parent.children.remove(node)
        self.let_go += 1

    def discard(self, node: Node, *, back_to: Node, position: int) -> None:
        """Take back a step typed by the user (`u`): `node` must be a leaf; the current branch becomes the
        one ending at `back_to` again, at `position`."""
        if node.children:
            raise ValueError("steps were added after it")
        path = self._path_to(node)
        if path[-1] is not node or node.parent is None:
            raise ValueError("not a step of this history")
        self.goto(min(self.position, self._shared(path) - 1, len(path) - 2))  # off the node before it goes
        if node in self._path:
            self._path = self._path[: self._path.index(node)]
        node.parent.children.remove(node)
        target = back_to if back_to is not node else node.parent
        self._path = self._path_to(target)
        self.goto(min(position, self.length))
