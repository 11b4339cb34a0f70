"""The history as the command box edits it: typed lines become steps (remembered, so `u` can take the
newest back), branches are switched and deleted, and jumps are checked against the branch.

No kernel rule lives here: a line is parsed into an op and handed to `Timeline.append`, which applies it
or refuses it (an `error` event, the timeline left exactly as it was). The app and the property tests
drive this same class, so what the tests prove is what the box does.
"""

from __future__ import annotations

from dataclasses import dataclass

from model.events import Event
from model.ops import parse
from model.timeline import Branch, Node, Timeline


@dataclass(frozen=True, slots=True)
class Typed:
    """A step typed in the box: its node, the leaf of the branch shown when it was typed and the position
    then (where `u` goes back to)."""

    node: Node
    back_to: Node
    position: int

    @property
    def forked(self) -> bool:
        """Whether it was typed in the past, starting a branch beside the old future."""
        return self.back_to is not self.node.parent


class BoxHistory:
    """A timeline as the box edits it. Everything here leaves every step reachable on some branch, except
    `delete` (a branch) and `undo` (the newest typed step), which the user asks for by name."""

    def __init__(self, timeline: Timeline) -> None:
        self.timeline = timeline
        self.typed: list[Typed] = []
        """Steps typed in the box, oldest first."""
        self._branches: list[Branch] | None = None

    def type_line(self, line: str) -> Event | None:
        """Apply `line` as a new step after the current one; the event that refused it, if the model did.

        At step k of N (k < N) the step starts a new branch and steps k+1..N stay on theirs. A refused op
        adds no step and no branch. A typed `say` is also that step's narration, as in a scenario.
        CommandError if the line does not parse (nothing applied)."""
        op = parse(line)
        t = self.timeline
        leaf, position = t.node(t.length), t.position
        events = t.append(op, str(op.get("text", "")) if op.verb == "say" else "")
        refused = next((e for e in events if e.is_error), None)
        if refused is None:
            self.typed.append(Typed(t.current_node, leaf, position))
            self._branches = None
        return refused

    def branches(self) -> list[Branch]:
        """The timeline's branches (read again only when the tree or the current branch changed)."""
        if self._branches is None:
            self._branches = self.timeline.branches()
        return self._branches

    @property
    def current_branch(self) -> int:
        """The number of the branch shown."""
        return next(b.number for b in self.branches() if b.current)

    def switch(self, number: int) -> None:
        """Show branch `number` (ValueError naming the branches if there is none)."""
        self.timeline.switch_branch(number)
        self._branches = None

    def delete(self, number: int) -> None:
        """Forget branch `number`'s own steps; ValueError for the branch shown or an unknown number."""
        self.timeline.delete_branch(number)
        self._branches = None

    def goto(self, step: int) -> None:
        """Go to step `step` of the branch shown; ValueError outside 0..length (never clamped)."""
        length = self.timeline.length
        if not 0 <= step <= length:
            raise ValueError(f"no step {step}: this branch has steps 0 to {length}")
        self.timeline.goto(step)

    def undo(self) -> Typed:
        """Take back the newest typed step still in the tree: it is removed, and the branch and step shown
        when it was typed come back. LookupError when nothing typed is left."""
        while self.typed:
            typed = self.typed.pop()
            if not self._in_tree(typed.node):
                continue  # deleted with its branch
            back_to = typed.back_to if self._in_tree(typed.back_to) else self._other_leaf(typed.node)
            depth = self._depth(typed.node)
            t = self.timeline
            if depth <= t.length and t.node(depth) is typed.node and t.position >= depth:
                t.goto(depth - 1)  # its effects are showing: take them back first (discard does not, here)
            self.timeline.discard(typed.node, back_to=back_to, position=typed.position)
            self._branches = None
            return typed
        raise LookupError("nothing typed to undo")

    @staticmethod
    def _other_leaf(node: Node) -> Node:
        """A leaf the history can show once `node` is gone: down its parent's first other child, or the
        parent itself."""
        parent = node.parent
        assert parent is not None  # a typed step always follows a step (or the initial state)
        walk = next((child for child in parent.children if child is not node), parent)
        while walk is not parent and walk.children:
            walk = walk.children[0]
        return walk

    @staticmethod
    def _depth(node: Node) -> int:
        """The step number of `node` on any branch through it."""
        depth = 0
        while node.parent is not None:
            node, depth = node.parent, depth + 1
        return depth

    def _in_tree(self, node: Node) -> bool:
        """Whether `node` is still in the history tree (not deleted with a branch, nor undone)."""
        while node.parent is not None:
            if node not in node.parent.children:
                return False
            node = node.parent
        return node is self.timeline.root
