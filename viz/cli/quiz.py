"""`cachescope quiz`: open the app on a seeded quiz, or print it (questions and answers) with --print."""

from __future__ import annotations

import argparse
import random
import sys
from typing import TextIO

from model.quiz.engine import MAX_LENGTH, Quiz, make_quiz, subsystems
from viz.cli.base import EXIT_OK, Parser
from viz.options import add_theme

DEFAULT_LENGTH = 10
MAX_SEED = 2**32 - 1


def _count(text: str) -> int:
    """--length: a whole number of questions, 1 to MAX_LENGTH."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"length {text!r} is not a whole number") from None
    if not 1 <= value <= MAX_LENGTH:
        raise argparse.ArgumentTypeError(f"length {text!r} must be 1 to {MAX_LENGTH}")
    return value


def _seed(text: str) -> int:
    """--seed: a whole number 0 to 2**32 - 1 (the same seed gives the same quiz)."""
    try:
        value = int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"seed {text!r} is not a whole number") from None
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"seed {text!r} must be 0 to {MAX_SEED}")
    return value


def quiz_parser() -> argparse.ArgumentParser:
    """The options of `cachescope quiz`."""
    parser = Parser(
        prog="cachescope quiz",
        description="A quiz on the kernel caches: a seeded random sequence of operations, and before each "
        "step a question on what it will do (n asks, 1-4 answers, enter reveals, enter again steps). "
        "With --reverse the step's effect is shown and the question is which operation caused it.",
    )
    parser.add_argument("--seed", type=_seed, help="the same seed gives the same quiz (default: a random one, shown)")
    parser.add_argument(
        "--subsystem",
        choices=subsystems(),
        default="namecache",
        metavar="NAME",
        help=f"what to ask about: {', '.join(subsystems())} (default: namecache)",
    )
    parser.add_argument(
        "--length", type=_count, default=DEFAULT_LENGTH, metavar="N", help=f"questions (default: {DEFAULT_LENGTH})"
    )
    parser.add_argument("--reverse", action="store_true", help="show what a step does; ask which op did it")
    parser.add_argument("--print", action="store_true", help="print the questions and answers instead of asking")
    add_theme(parser)
    return parser


def quiz_command(args: list[str]) -> int:
    """`cachescope quiz [--seed N] [--subsystem S] [--length N] [--reverse] [--theme T] [--print]`."""
    options = quiz_parser().parse_args(args)
    seed = options.seed if options.seed is not None else random.SystemRandom().randrange(MAX_SEED)
    quiz = make_quiz(seed, options.subsystem, options.length, reverse=options.reverse)
    if options.print:
        return print_quiz(quiz, sys.stdout)
    from viz.quiz import QuizApp  # imported late: --print needs no Textual

    app = QuizApp(quiz, theme=options.theme)
    app.run()
    right, asked = app.score
    print(f"cachescope quiz: {right} of {asked} right; replay with --seed {seed}")
    return EXIT_OK


def print_quiz(quiz: Quiz, out: TextIO) -> int:
    """The quiz as text: its setup, then each question with its options and, after it, the answer."""
    out.write(f"{quiz.title} (replay with --seed {quiz.seed})\n")
    for number, step in enumerate(quiz.steps, start=1):
        question = quiz.questions.get(number)
        if question is None:
            out.write(f"step {number}: {step.op}   (setup)\n")
            continue
        out.write(f"\n{question.text()}\n")
        out.write(f"  answer: {question.answer + 1}. {question.right}\n  why: {question.explain}\n")
    return EXIT_OK
