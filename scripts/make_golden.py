"""Regenerate tests/data/golden/: what `cachescope run` and `cachescope quiz --print` print today, gzipped.

The goldens prove that a refactoring changed no behaviour: tests/cli/test_golden.py compares today's
output with them byte for byte. `run-NAME.jsonl.gz` is `cachescope run NAME --json --state` for every
built-in scenario (one JSON line per step, then the final state); `quiz-S[-reverse].txt.gz` is
`cachescope quiz --print --seed 7 --subsystem S [--reverse]` for every subsystem. Regenerate only when a
change of behaviour is meant, and say so in the commit. Usage: python scripts/make_golden.py
"""

from __future__ import annotations

import gzip
import io
import sys
from contextlib import redirect_stdout
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from model.quiz.engine import subsystems  # noqa: E402
from model.scenario import builtin_names  # noqa: E402
from viz.cli import main  # noqa: E402

GOLDEN = ROOT / "tests" / "data" / "golden"
QUIZ_SEED = "7"


def cases() -> dict[str, list[str]]:
    """Golden file name -> the cachescope arguments whose output it holds."""
    runs = {f"run-{name}.jsonl.gz": ["run", name, "--json", "--state"] for name in builtin_names()}
    quizzes = {
        f"quiz-{sub}{'-reverse' if reverse else ''}.txt.gz": [
            "quiz", "--print", "--seed", QUIZ_SEED, "--subsystem", sub, *(["--reverse"] if reverse else [])
        ]
        for sub in subsystems()
        for reverse in (False, True)
    }  # fmt: skip
    return runs | quizzes


def output_of(args: list[str]) -> bytes:
    """What `cachescope ARGS` prints on stdout; SystemExit unless it exits 0."""
    out = io.StringIO()
    with redirect_stdout(out):
        status = main(args)
    if status != 0:
        raise SystemExit(f"cachescope {' '.join(args)} exited {status}")
    return out.getvalue().encode("utf-8")


def write_golden(path: Path, data: bytes) -> None:
    """Gzip `data` to `path` with mtime 0 and no file name: the same output always gives the same bytes."""
    with open(path, "wb") as raw, gzip.GzipFile("", "wb", 9, raw, mtime=0) as f:
        f.write(data)


def make() -> None:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for old in GOLDEN.glob("*.gz"):
        old.unlink()
    for name, args in cases().items():
        write_golden(GOLDEN / name, output_of(args))
        print(f"{name}: {(GOLDEN / name).stat().st_size} bytes")


if __name__ == "__main__":
    make()
