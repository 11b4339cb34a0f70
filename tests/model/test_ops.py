"""The command language: parsing, canonical text, and errors that name the word and what was expected."""

import pytest

from model.errors import CommandError
from model.ops import VERBS, make, parse, split_words, to_text
from model.parts import ensure_loaded


def test_parse_round_trips_through_canonical_text():
    for line in ["say hello world", "stats", "state", "state vp3", "say 'quoted   spaces'"]:
        op = parse(line)
        assert parse(to_text(op)) == op


def test_comment_is_dropped_and_blank_line_is_an_error():
    assert parse("stats   # counters") == parse("stats")
    with pytest.raises(CommandError, match="empty command"):
        parse("   # only a comment")


def test_unknown_verb_suggests_the_closest():
    with pytest.raises(CommandError) as info:
        parse("stast")
    assert info.value.word == 0
    assert "'stats'" in info.value.hint


def test_extra_word_is_named_with_its_position():
    with pytest.raises(CommandError) as info:
        parse("stats now")
    assert info.value.word == 1
    assert "'now'" in info.value.message
    assert "usage: stats" in info.value.hint


def test_unbalanced_quote_is_a_command_error():
    with pytest.raises(CommandError, match="quotes"):
        parse("say 'unterminated")


def test_rest_parameter_keeps_every_word():
    assert parse("say a b  c").get("text") == "a b c"
    assert split_words("say 'a  b' c") == ["say", "a  b", "c"]


def test_make_fills_defaults_and_rejects_unknown_names():
    assert make("state") == parse("state")
    with pytest.raises(CommandError):
        make("state", nope=1)


def test_every_registered_verb_has_summary_and_usage():
    ensure_loaded()
    assert VERBS, "no verbs registered"
    for spec in VERBS.values():
        assert spec.summary, spec.verb
        assert spec.usage().startswith(spec.verb)
