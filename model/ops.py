"""The one command language: parse a line into an `Op`, and write an `Op` back as canonical text.

Scenario steps, the app's command box, `cachescope run` and the trace importers all go through here.
Verbs are not listed in this module: the core's (`model.verbs`) and each mechanism's register
themselves with `command(...)` when `model.parts.ensure_loaded` imports them, and `parse` consults them.
"""

from __future__ import annotations

import difflib
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from model.errors import CommandError
from model.ids import id_pattern
from model.limits import ADDRESS_SPACE
from model.parts import ensure_loaded


@dataclass(frozen=True, slots=True)
class ArgKind:
    """How one argument is read from a word and written back.

    `convert` raises ValueError with a message saying what was expected.
    """

    name: str
    convert: Callable[[str], Any]
    format: Callable[[Any], str] = str


def number(text: str) -> int:
    """A whole number as a command line writes it: decimal, or 0x hex (0o, 0b), underscores allowed."""
    try:
        return int(text.replace("_", ""), 0)
    except ValueError:
        raise ValueError(f"expected a number (decimal, or hex as 0x...), got {text!r}") from None


def _nonneg(text: str) -> int:
    value = number(text)
    if value < 0:
        raise ValueError(f"expected a number >= 0, got {text!r}")
    return value


def _addr(text: str) -> int:
    value = _nonneg(text)
    if value >= ADDRESS_SPACE:
        raise ValueError(f"expected an address below {ADDRESS_SPACE:#x} (the machine is 32-bit), got {text!r}")
    return value


def _path(text: str) -> str:
    if not text:
        raise ValueError("expected a path, got an empty word")
    return text


def _name(text: str) -> str:
    if not text or "/" in text or "\0" in text:
        raise ValueError(f"expected one path component (no '/'), got {text!r}")
    return text


def _quote(text: str) -> str:
    return shlex.quote(text) if text else "''"


def id_kind(prefix: str, what: str, *, generation: bool = False) -> ArgKind:
    """An object id such as ``vp7`` (prefix ``vp``), with `generation` also ``vp7#2``: kept as the id string."""
    pattern = id_pattern(prefix, generation=generation)
    example = f"{prefix}7 or {prefix}7#2" if generation else f"{prefix}7"

    def convert(text: str) -> str:
        if not pattern.fullmatch(text):
            raise ValueError(f"expected {what} id like {example}, got {text!r}")
        return text

    return ArgKind(f"{prefix.upper()}N", convert)


def choice_kind(name: str, choices: tuple[str, ...]) -> ArgKind:
    """One word out of a fixed set (case-insensitive on input, canonical case on output)."""
    by_lower = {c.lower(): c for c in choices}

    def convert(text: str) -> str:
        try:
            return by_lower[text.lower()]
        except KeyError:
            raise ValueError(f"expected one of {', '.join(choices)}, got {text!r}") from None

    return ArgKind(name, convert)


COUNT = ArgKind("N", _nonneg)
ADDR = ArgKind("ADDR", _addr, lambda v: hex(v))
PATH = ArgKind("PATH", _path, _quote)
NAME = ArgKind("NAME", _name, _quote)
TEXT = ArgKind("TEXT", str, _quote)
WORD = ArgKind("WORD", _path, _quote)


@dataclass(frozen=True, slots=True)
class Param:
    """One parameter of a verb.

    Attributes:
        name: the keyword the handler receives.
        kind: how the word is read and written.
        optional: may be left out (trailing positionals only); the handler then gets `default`.
        keyword: written as ``name=value`` anywhere after the verb (e.g. ``ns=1``).
        flag: a switch written as ``-name`` (e.g. ``-f``); the handler gets a bool.
        rest: takes every remaining word, joined by spaces (free text such as narration).
    """

    name: str
    kind: ArgKind = WORD
    optional: bool = False
    default: Any = None
    keyword: bool = False
    flag: bool = False
    rest: bool = False

    def usage(self) -> str:
        if self.flag:
            return f"[-{self.name}]"
        if self.keyword:
            return f"[{self.name}={self.kind.name}]"
        word = f"{self.name.upper()}..." if self.rest else self.name.upper()
        return f"[{word}]" if self.optional else word


Handler = Callable[..., list]


@dataclass(frozen=True, slots=True)
class VerbSpec:
    """A verb of the command language: its parameters, its help line and the handler that applies it."""

    verb: str
    params: tuple[Param, ...]
    summary: str
    part: str
    handler: Handler
    example: str = ""
    view: str = ""
    """The view (panel) the verb is about, when its events alone would not say (model/views.py)."""

    @property
    def positionals(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if not (p.keyword or p.flag))

    def usage(self) -> str:
        return " ".join([self.verb, *(p.usage() for p in self.params)])


VERBS: dict[str, VerbSpec] = {}
"""Every registered verb; read it after `model.parts.ensure_loaded()` (as `parse` and `spec_for` do)."""


def command(
    verb: str, *params: Param, summary: str, part: str, example: str = "", view: str = ""
) -> Callable[[Handler], Handler]:
    """Register `verb` with its parameters; the decorated function applies it to a System.

    The handler is called as ``handler(system, **arguments)`` and returns a list of Events. `view` names
    the panel the verb is about when that is not where most of its events are (`write`: the page cache).
    """

    def register(handler: Handler) -> Handler:
        if verb in VERBS:
            raise RuntimeError(f"verb {verb!r} registered twice")
        VERBS[verb] = VerbSpec(verb, params, summary, part, handler, example, view)
        return handler

    return register


def unregister_verbs(part: str) -> None:
    """Forget every verb registered for `part` (for a test's own toy mechanism)."""
    for verb in [verb for verb, spec in VERBS.items() if spec.part == part]:
        del VERBS[verb]


@dataclass(frozen=True, slots=True)
class Op:
    """One operation: a verb and its converted arguments, in the verb's parameter order."""

    verb: str
    args: tuple[tuple[str, Any], ...] = ()

    @property
    def kwargs(self) -> dict[str, Any]:
        return dict(self.args)

    def get(self, name: str, default: Any = None) -> Any:
        for key, value in self.args:
            if key == name:
                return value
        return default

    def __str__(self) -> str:
        return to_text(self)


def make(verb: str, **arguments: Any) -> Op:
    """Build an Op from Python values (for importers and tests), filling defaults, checking names."""
    spec = spec_for(verb)
    known = {p.name for p in spec.params}
    unknown = set(arguments) - known
    if unknown:
        raise CommandError(f"{verb} has no parameter {sorted(unknown)[0]!r}", hint=spec.usage())
    args = []
    for param in spec.params:
        if param.name in arguments:
            args.append((param.name, arguments[param.name]))
        elif param.flag:
            args.append((param.name, False))
        elif param.optional or param.keyword:
            args.append((param.name, param.default))
        else:
            raise CommandError(f"{verb} needs {param.name.upper()}", hint=spec.usage())
    return Op(verb, tuple(args))


def to_text(op: Op) -> str:
    """The canonical text of an Op; `parse(to_text(op)) == op` for every Op that `parse` produced."""
    spec = VERBS.get(op.verb)
    if spec is None:
        return " ".join([op.verb, *(str(v) for _, v in op.args)])
    values = op.kwargs
    positional: list[tuple[Param, Any]] = []
    extra: list[str] = []
    for param in spec.params:
        value = values.get(param.name, param.default)
        if param.flag:
            if value:
                extra.append(f"-{param.name}")
        elif param.keyword:
            if value is not None and value != param.default:
                extra.append(f"{param.name}={param.kind.format(value)}")
        else:
            positional.append((param, value))
    while positional and positional[-1][0].optional and positional[-1][1] in (None, positional[-1][0].default):
        positional.pop()
    # A required parameter is always written: None has a spelling of its own there (`enter ... -`).
    shown = [(param, value) for param, value in positional if value is not None or not param.optional]
    words = [op.verb, *(param.kind.format(value) for param, value in shown)]
    return " ".join(words + extra)


def spec_for(verb: str) -> VerbSpec:
    """The spec of `verb`, or a CommandError naming the closest known verb."""
    ensure_loaded()
    spec = VERBS.get(verb)
    if spec is None:
        close = difflib.get_close_matches(verb, VERBS, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else "type 'help' for the list of verbs"
        raise CommandError(f"unknown verb {verb!r}", word=0, hint=hint)
    return spec


_SHELL_SPECIAL = re.compile(r"['\"\\#]")
_SHLEX_SPACE = re.compile(r"[ \t\r\n]+")
"""Quotes, the escape and the comment sign; and the whitespace shlex splits at (not all of str.split's)."""


def split_words(line: str) -> list[str]:
    """Split a line into words as a shell would, dropping a trailing ``# comment``."""
    try:
        line.encode("utf-8", "surrogateescape")  # names are hashed as bytes: the line must have a byte form
    except UnicodeEncodeError as exc:
        bad = exc.object[exc.start]
        raise CommandError(f"the line holds {bad!r}, which is not a character", hint="retype the line") from None
    if not _SHELL_SPECIAL.search(line):  # nothing to unquote: shlex would only split, ten times slower
        return [word for word in _SHLEX_SPACE.split(line) if word]
    lexer = shlex.shlex(_strip_comment(line), posix=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        return list(lexer)
    except ValueError as exc:
        raise CommandError(f"cannot split the line into words: {exc}", hint="check the quotes") from None


def _strip_comment(line: str) -> str:
    """The line without its comment: a ``#`` outside quotes that starts a word, as in a shell, so that a
    word holding one (the vnode generation in ``vp6#2``) stays whole."""
    quote = ""
    escaped = False
    word_start = True
    for index, char in enumerate(line):
        if escaped:
            escaped, word_start = False, False
        elif quote:
            if char == quote:
                quote = ""
            elif char == "\\" and quote == '"':
                escaped = True
        elif char == "\\":
            escaped, word_start = True, False
        elif char in "'\"":
            quote, word_start = char, False
        elif char in " \t\r\n":
            word_start = True
        elif char == "#" and word_start:
            return line[:index]
        else:
            word_start = False
    return line


@dataclass(frozen=True, slots=True)
class _Shape:
    """What `parse` needs of a verb's parameters, worked out once per verb rather than once per line (a
    100,000-step file parses tens of thousands of distinct lines)."""

    by_keyword: dict[str, Param]
    by_flag: dict[str, Param]
    takes_rest: bool
    positionals: tuple[Param, ...]
    required: int
    rest_param: Param | None


_SHAPES: dict[str, tuple[VerbSpec, _Shape]] = {}


def _shape(spec: VerbSpec) -> _Shape:
    """The spec's shape, remade if the verb was registered again (tests register verbs of their own)."""
    cached = _SHAPES.get(spec.verb)
    if cached is not None and cached[0] is spec:
        return cached[1]
    positionals = spec.positionals
    shape = _Shape(
        by_keyword={p.name: p for p in spec.params if p.keyword},
        by_flag={f"-{p.name}": p for p in spec.params if p.flag},
        takes_rest=any(p.rest for p in spec.params),
        positionals=positionals,
        required=sum(1 for p in positionals if not p.optional),
        rest_param=positionals[-1] if positionals and positionals[-1].rest else None,
    )
    _SHAPES[spec.verb] = (spec, shape)
    return shape


def parse(line: str) -> Op:
    """Parse one command line into an Op; raise CommandError naming the wrong word and what was expected."""
    words = split_words(line)
    if not words:
        raise CommandError("empty command", hint="type a verb such as 'lookup /etc' or 'help'")
    verb, rest = words[0], words[1:]
    spec = spec_for(verb)
    shape = _shape(spec)
    values: dict[str, Any] = {}
    positionals: list[tuple[int, str]] = []
    by_keyword, by_flag, takes_rest = shape.by_keyword, shape.by_flag, shape.takes_rest
    for index, word in enumerate(rest, start=1):
        if not takes_rest or not positionals:
            key, eq, raw = word.partition("=")
            if eq and key in by_keyword:
                values[key] = _convert(by_keyword[key], raw, index, spec)
                continue
            if word in by_flag:
                values[by_flag[word].name] = True
                continue
        positionals.append((index, word))
    _bind_positionals(spec, shape, positionals, values)
    args = []
    for param in spec.params:
        if param.flag:
            args.append((param.name, values.get(param.name, False)))
        else:
            args.append((param.name, values.get(param.name, param.default)))
    return Op(verb, tuple(args))


def _bind_positionals(spec: VerbSpec, shape: _Shape, words: list[tuple[int, str]], values: dict[str, Any]) -> None:
    params, required, rest_param = shape.positionals, shape.required, shape.rest_param
    if len(words) < required:
        missing = params[len(words)]
        raise CommandError(
            f"{spec.verb} needs {missing.name.upper()}",
            word=len(words) + 1,
            hint=f"usage: {spec.usage()}",
        )
    if rest_param is None and len(words) > len(params):
        index, word = words[len(params)]
        raise CommandError(
            f"{spec.verb} takes {_count(len(params))}, got an extra word {word!r}",
            word=index,
            hint=f"usage: {spec.usage()}",
        )
    for param, (index, word) in zip(params, words, strict=False):
        if param.rest:
            tail = " ".join(w for _, w in words[params.index(param) :])
            values[param.name] = _convert(param, tail, index, spec)
            break
        values[param.name] = _convert(param, word, index, spec)


def _convert(param: Param, word: str, index: int, spec: VerbSpec) -> Any:
    try:
        return param.kind.convert(word)
    except ValueError as exc:
        raise CommandError(
            f"{spec.verb}: {param.name.upper()} {exc}", word=index, hint=f"usage: {spec.usage()}"
        ) from None


def _count(n: int) -> str:
    return "no arguments" if n == 0 else ("1 argument" if n == 1 else f"{n} arguments")
