"""A scenario header's long arrays of strings read by json must mean what tomllib reads (model/toml_header.py)."""

from __future__ import annotations

import json
import tomllib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import model.toml_header as toml_header
from model.toml_header import loads_header


def tomllib_says(header: str) -> object:
    """What tomllib makes of the header: its dict, or its error's type and message."""
    try:
        return tomllib.loads(header)
    except tomllib.TOMLDecodeError as exc:
        return ("TOMLDecodeError", str(exc))


def fast_says(header: str) -> object:
    """The same for `loads_header`, with every one-line array taking the fast path."""
    try:
        return loads_header(header, long_line=0)
    except tomllib.TOMLDecodeError as exc:
        return ("TOMLDecodeError", str(exc))


# Characters that JSON and TOML escape or refuse differently, among ordinary ones.
tricky = st.sampled_from(["a", "/", "é", "日", "\U0001f600", '"', "\\", "\t", "\x7f", "\r", "\x00", "\n", "\ud800"])
texts = st.lists(tricky, max_size=6).map("".join)


@st.composite
def arrays(draw: st.DrawFn) -> str:
    """An array written as JSON would (one way or another), then maybe spoiled for TOML or for JSON."""
    values = draw(st.lists(st.one_of(texts, texts, texts, st.integers(0, 9)), max_size=5))
    ascii_only = draw(st.booleans())
    form = draw(st.sampled_from(["one line", "a string a line", "a string a line, trailing comma"]))
    text = json.dumps(values, ensure_ascii=ascii_only, indent=None if form == "one line" else 4)
    if form.endswith("trailing comma") and values:
        text = text.removesuffix("\n]") + ",\n]"
    spoils = ["", "", "trailing comma", "comment", "\\/", "nested", "raw DEL", "CR", "null", "object"]
    spoil = draw(st.sampled_from(spoils))
    if spoil == "trailing comma" and text != "[]":
        text = text[:-1] + ",]"
    elif spoil == "comment":
        text += "  # the end"
    elif spoil == "\\/":
        text = text.replace("/", "\\/")
    elif spoil == "nested":
        text = f"[{text}]"
    elif spoil == "raw DEL":
        text = text.replace("a", "\x7f")
    elif spoil == "CR":
        text = text.replace(", ", ",\r")
    elif spoil == "null":
        text = text.replace("[", "[null, ", 1)
    elif spoil == "object":
        text = text.replace("[", '[{"k": "v"}, ', 1)
    return text


keys = st.sampled_from(["tree", "names", "title", "x-y", "a.b", '"q"'])
lines = st.one_of(
    st.builds(lambda key, array: f"{key} = {array}", keys, arrays()),
    st.sampled_from(
        [
            "[config]",
            "  [config]",
            "[other]",
            "[[more]]",
            "[a.b]",
            "# [config]",
            "",
            'title = "t"',
            'about = """',
            '"""',
        ]
    ),
    st.builds(lambda key, array: f"  {key} = {array}", keys, arrays()),
)


@given(st.lists(lines, max_size=8))
def test_a_header_reads_as_tomllib_reads_it(header_lines):
    """Any header: the same dict, or the same error word for word, as tomllib gives."""
    header = "\n".join(header_lines)
    assert fast_says(header) == tomllib_says(header)


@settings(max_examples=400)
@given(st.lists(st.tuples(st.sampled_from(["tree", "names", "paths"]), arrays()), min_size=1, max_size=3),
       st.sampled_from(["[config]", "  [config]", ""]))  # fmt: skip
def test_arrays_in_an_otherwise_valid_header_read_as_tomllib_reads_them(arrays_by_key, table):
    """Headers whose other lines are all valid, so that any difference comes from the arrays themselves."""
    body = "\n".join(f"{key} = {array}" for key, array in dict(arrays_by_key).items())
    header = f'title = "t"\n{table}\n{body}\n'
    assert fast_says(header) == tomllib_says(header)


@settings(max_examples=200)
@given(arrays(), st.booleans())
def test_a_line_in_a_multi_line_string_stays_text(array, closed):
    """A line inside a multi-line string that looks like an array is part of the string."""
    end = '"""' if closed else ""
    header = f'about = """\ntree = {array}\n{end}\n'
    assert fast_says(header) == tomllib_says(header)


@pytest.mark.parametrize(
    "header",
    [
        'tree = []\n  [config]\ntree = ["/a", "/b"]',  # an indented table header still moves the array
        '[config]\ntree = ["/a"]\ntree = ["/b"]',  # a key twice: tomllib's error
        'about = """\ntree = ["/a"]\n"""',  # a line inside a multi-line string is no array
        'tree = []\nabout = """\ntree = ["/a"]\n"""',  # ...even beside a real one of that name
        '[config]\ntree = ["/\\u00e9", "/a"]',  # \\u: left to tomllib
        '[config]\ntree = ["/a"]\n[config]',  # a table twice
        'tree = ["x",\r"y"]',  # CR between strings: JSON's whitespace, not TOML's
        'tree = ["\x7f"]',  # a raw DEL: TOML refuses it
        'tree = ["\\ud83d\\ude00"]',  # a surrogate pair: one character to JSON, an error to TOML
        'tree = ["a\\/b"]',  # \\/: JSON's escape only
    ],
)
def test_headers_that_would_fool_a_careless_reader(header):
    assert fast_says(header) == tomllib_says(header)


def test_a_long_array_of_paths_skips_tomllib(monkeypatch):
    """The reason for all this: tomllib never reads the long line itself, only `tree = []`."""
    seen: list[str] = []
    real = tomllib.loads
    monkeypatch.setattr(toml_header.tomllib, "loads", lambda text: seen.append(text) or real(text))
    paths = [f"/usr/share/doc/package-{n}/README" for n in range(500)]
    header = f'title = "t"\n\n[config]\ntree = {json.dumps(paths)}\ndesiredvnodes = 64\n'
    data = loads_header(header)
    assert data == real(header)
    assert data["config"]["tree"] == paths
    assert seen == ['title = "t"\n\n[config]\ntree = []\ndesiredvnodes = 64\n']


def test_an_imported_tree_one_path_a_line_skips_tomllib_too(monkeypatch):
    """`cachescope import` writes `tree` one path a line with a trailing comma: read the fast way as well,
    the array's lines left blank for tomllib so that line numbers stay."""
    seen: list[str] = []
    real = tomllib.loads
    monkeypatch.setattr(toml_header.tomllib, "loads", lambda text: seen.append(text) or real(text))
    paths = [f"/usr/share/doc/package-{n}/README" for n in range(500)]
    body = "".join(f"    {json.dumps(path)},\n" for path in paths)
    header = f'title = "t"\n\n[config]\ntree = [\n{body}]\ndesiredvnodes = 64\n'
    data = loads_header(header)
    assert data == real(header)
    assert data["config"]["tree"] == paths
    assert seen == ['title = "t"\n\n[config]\ntree = []\n' + "\n" * 501 + "desiredvnodes = 64\n"]
