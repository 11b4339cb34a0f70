"""Behaviour is unchanged: `cachescope run --json --state` and `quiz --print` print what the goldens hold.

The goldens (tests/data/golden/, made by scripts/make_golden.py) were generated before the layout of
issue 15 moved any code; any change of output, byte for byte, fails here with the first line that differs.
"""

import gzip
import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "make_golden.py"
_spec = importlib.util.spec_from_file_location("make_golden", SCRIPT)
make_golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_golden)

CASES = make_golden.cases()


def test_every_case_has_a_golden_and_every_golden_a_case():
    assert sorted(p.name for p in make_golden.GOLDEN.glob("*.gz")) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_output_is_byte_identical_to_the_golden(name):
    want = gzip.decompress((make_golden.GOLDEN / name).read_bytes())
    got = make_golden.output_of(CASES[name])
    if got != want:
        got_lines, want_lines = got.splitlines(), want.splitlines()
        first = next(
            (i for i, (a, b) in enumerate(zip(got_lines, want_lines, strict=False)) if a != b),
            min(map(len, (got_lines, want_lines))),
        )
        pytest.fail(
            f"cachescope {' '.join(CASES[name])}: line {first + 1} differs\n"
            f"  golden: {want_lines[first][:300] if first < len(want_lines) else '(end)'!r}\n"
            f"  now:    {got_lines[first][:300] if first < len(got_lines) else '(end)'!r}"
        )
