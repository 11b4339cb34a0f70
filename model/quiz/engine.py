"""The quiz engine: a seeded sequence of ops for one subsystem (or all), with a question before each step.

The drills (a setup, a proposer of ops, question builders) come from the mechanisms through the
registry (`Mechanism.drills`). Every question comes from the model itself: the op is applied to a copy
of the System and the answer is read off the events and the state it left. In reverse mode the step's
effect is shown (`model.quiz.summary`) and the question is which op caused it; each wrong option is an
op that was applied too, and kept only if its events and its summary differ. The same seed gives the
same quiz: all randomness comes from one `random.Random(seed)`.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from model.events import Event
from model.ops import Op, parse
from model.parts import drills
from model.quiz.draft import Ctx, Draft, Drill
from model.quiz.summary import summarise
from model.scenario import Scenario
from model.system import System
from model.timeline import Step

ALL = "all"
"""The subsystem choice that runs every drill, in mechanism order."""
MAX_OPTIONS = 4
MAX_LENGTH = 200
REVERSE_TRIES = 16
"""Ops proposed, at most, to find the wrong options of a reverse question."""
QUIET = frozenset({"namei.start", "vnode.inactive", "vnode.vget", "vnode.bind"})
"""Kinds too common to explain a step with."""


@dataclass(frozen=True, slots=True)
class Question:
    """A multiple-choice question asked before step `step` (1-based) is applied.

    Attributes:
        step: the step it is about; it is asked while the timeline stands at `step - 1`.
        op: the op of that step, as canonical text (the app checks it still is that step's op).
        kind: what is asked (``namecache.outcome``, ``page.lost``, ``reverse``...), for tests and stats.
        prompt: the question.
        options: 2 to 4 distinct answers; `answer` indexes the right one.
        explain: one line from the events that says why.
        fact: the raw answer the right option spells (a bucket, a byte count, an event kind).
    """

    step: int
    op: str
    kind: str
    prompt: str
    options: tuple[str, ...]
    answer: int
    explain: str
    fact: Any = None

    @property
    def right(self) -> str:
        """The right option's text."""
        return self.options[self.answer]

    def is_right(self, choice: int | None) -> bool:
        """Whether option `choice` (0-based) is the right one."""
        return choice == self.answer

    def text(self) -> str:
        """The question as plain text, options numbered from 1."""
        lines = [f"step {self.step}: {self.prompt}"]
        lines += [f"  {n}. {option}" for n, option in enumerate(self.options, start=1)]
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class Quiz:
    """A generated quiz: the steps (setup first), and a question for every step after the setup."""

    seed: int
    subsystem: str
    reverse: bool
    config: Mapping[str, Any]
    steps: tuple[Step, ...]
    setup: int
    questions: Mapping[int, Question] = field(default_factory=dict)
    panel: str = "stats"

    @property
    def title(self) -> str:
        """The heading the app and --print show: subsystem, seed, direction."""
        return f"quiz: {self.subsystem}, seed {self.seed}" + (", reverse" if self.reverse else "")

    def question_for(self, step: int, op: Op | str) -> Question | None:
        """The question asked before `step`, if that step still is the quiz's op (the command box may change it)."""
        question = self.questions.get(step)
        return question if question is not None and question.op == str(op) else None

    def scenario(self) -> Scenario:
        """The quiz as a scenario the app and `cachescope run` can step through."""
        about = "; ".join(drill.about for drill in drills_for(self.subsystem))
        about += f" The first {self.setup} steps set the machine up; then each step asks a question first."
        return Scenario(self.title, about, dict(self.config), list(self.steps), f"quiz:{self.subsystem}:{self.seed}",
                        dict(self.config))  # fmt: skip


def subsystems() -> list[str]:
    """Every subsystem a quiz can be on: each registered drill's name, then "all"."""
    return [drill.name for drill in drills()] + [ALL]


def drills_for(subsystem: str) -> list[Drill]:
    """The drills a subsystem choice covers ("all" is every one)."""
    every = drills()
    if subsystem == ALL:
        return every
    chosen = [drill for drill in every if drill.name == subsystem]
    if not chosen:
        raise ValueError(f"unknown subsystem {subsystem!r}; choose one of {', '.join(subsystems())}")
    return chosen


def make_quiz(seed: int, subsystem: str = "namecache", length: int = 10, *, reverse: bool = False) -> Quiz:
    """Generate a quiz of `length` questions; the same arguments always give the same quiz."""
    if not 1 <= length <= MAX_LENGTH:
        raise ValueError(f"length must be 1 to {MAX_LENGTH}, got {length}")
    chosen = drills_for(subsystem)
    config: dict[str, Any] = {}
    for drill in chosen:
        config.update(drill.config)
    rng = random.Random(seed)
    system = System(config)
    history: list[Op] = []
    steps: list[Step] = []
    for drill in chosen:
        for line in drill.setup:
            op = parse(line)
            system.apply(op)
            history.append(op)
            steps.append(Step(op))
    setup = len(steps)
    questions: dict[int, Question] = {}
    for _ in range(length * 5):
        if len(questions) == length:
            break
        drill = rng.choice(chosen)
        op = drill.propose(rng, system, history)
        after = system.copy()
        events = after.apply(op)
        if any(e.is_error for e in events):
            continue
        ctx = Ctx(rng, system, op, events, after, tuple(history))
        number = len(steps) + 1
        question = reverse_question(ctx, drill, number) if reverse else forward_question(ctx, drill, number)
        if question is None:
            continue
        steps.append(Step(op, say=narration(question)))
        questions[number] = question
        history.append(op)
        system = after
    panel = chosen[0].panel if len(chosen) == 1 else "stats"
    return Quiz(seed, subsystem, reverse, config, tuple(steps), setup, questions, panel)


def narration(question: Question) -> str:
    """What the narration shows once the step is applied: the question, its answer and why."""
    return f"Quiz: {question.prompt} Answer: {question.right}. {question.explain}"


def forward_question(ctx: Ctx, drill: Drill, step: int) -> Question | None:
    """A question about what the op will do, from the first builder (in seeded order) that has one."""
    builders = list(drill.questions)
    ctx.rng.shuffle(builders)
    for builder in builders:
        draft = builder(ctx)
        if draft is not None:
            question = finish(ctx.rng, draft, step, str(ctx.op))
            if question is not None:
                return question
    return None


def finish(rng: random.Random, draft: Draft, step: int, op: str) -> Question | None:
    """Draw the options of a draft: fixed ones as given, else the right one and up to 3 distinct wrong ones."""
    if draft.fixed:
        options = list(draft.fixed)
    else:
        wrong = list(dict.fromkeys(w for w in draft.wrong if w != draft.right))
        options = [draft.right, *rng.sample(wrong, min(len(wrong), MAX_OPTIONS - 1))]
        if draft.order == "sorted":
            options.sort(key=_natural)
        else:
            rng.shuffle(options)
    if len(options) < 2 or len(set(options)) != len(options) or draft.right not in options:
        return None
    return Question(step, op, draft.kind, draft.prompt, tuple(options), options.index(draft.right), draft.explain,
                    draft.fact)  # fmt: skip


def _natural(text: str) -> tuple[int, str]:
    digits = "".join(ch for ch in text.split(" (")[0] if ch.isdigit())
    return (int(digits) if digits else -1, text)


def reverse_question(ctx: Ctx, drill: Drill, step: int) -> Question | None:
    """Show what the step will do and ask which op did it; wrong options are ops checked to do otherwise.

    Ops of the same verb as the real one are preferred: they make the student read the effect closely.
    """
    shown = summarise(ctx.events)
    seen = {str(ctx.op)}
    wrong: list[Op] = []
    for _ in range(REVERSE_TRIES):
        if sum(w.verb == ctx.op.verb for w in wrong) >= MAX_OPTIONS - 1:
            break
        other = drill.propose(ctx.rng, ctx.before, ctx.history)
        if str(other) not in seen:
            seen.add(str(other))
            if differs(ctx.before, other, ctx.events, shown):
                wrong.append(other)
    wrong.sort(key=lambda w: w.verb != ctx.op.verb)
    told = [e for e in ctx.events if e.kind not in QUIET]
    key = next((e.explain for e in told if e.explain), told[-1].text if told else "")
    explain = f"It was `{ctx.op}`." + (f" {key.rstrip('.')}." if key else "")
    chosen = tuple(str(w) for w in wrong[: MAX_OPTIONS - 1])
    draft = Draft("reverse", f"Which op will do this: {shown}?", str(ctx.op), chosen, explain, fact=str(ctx.op))
    return finish(ctx.rng, draft, step, str(ctx.op)) if wrong else None


def differs(before: System, op: Op, events: Sequence[Event], shown: str) -> bool:
    """Whether `op`, applied to a copy of `before`, is refused by no one and does something else than `events`."""
    other = before.copy().apply(op)
    if any(e.is_error for e in other):
        return False
    return tuple(other) != tuple(events) and summarise(other) != shown
