"""`cachescope quiz`: --print writes the same quiz for the same seed; bad input exits 2 with a clear message."""

import pytest

from viz.cli import main


def test_print_writes_questions_and_answers(capsys):
    assert main(["quiz", "--seed", "7", "--subsystem", "pagecache", "--length", "3", "--print"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("quiz: pagecache, seed 7 (replay with --seed 7)")
    assert "(setup)" in out and out.count("  answer: ") == 3 and out.count("  why: ") == 3


def test_the_same_seed_prints_the_same_quiz(capsys):
    args = ["quiz", "--seed", "11", "--subsystem", "all", "--length", "4", "--reverse", "--print"]
    main(args)
    first = capsys.readouterr().out
    main(args)
    assert capsys.readouterr().out == first and "Which op will do this" in first


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--subsystem", "dcache"], "invalid choice: 'dcache'"),
        (["--length", "0"], "length '0' must be 1 to 200"),
        (["--length", "ten"], "length 'ten' is not a whole number"),
        (["--seed", "-3"], "seed '-3' must be 0 to"),
        (["--theme", "sepia"], "invalid choice: 'sepia'"),
    ],
)
def test_bad_input_exits_2_naming_the_option(args, message, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["quiz", *args, "--print"])
    assert exc.value.code == 2
    assert message in capsys.readouterr().err
