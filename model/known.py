"""What the model knows to exist: verbs, event kinds, errno names and the shapes of object ids.

Input that names one of these (a breakpoint typed in the app's box) is checked here, so a typo is
refused at once with a "did you mean" instead of being kept as something that can never match. Each
check returns the value to keep (an errno name in capitals) or raises ValueError with the suggestion.
"""

from __future__ import annotations

import difflib
import errno
import fnmatch
import re
from collections.abc import Iterable

from model.ops import VERBS
from model.parts import ensure_loaded, event_kinds, id_examples, ref_prefixes

_BSD_ONLY = (
    "EFTYPE EAUTH ENEEDAUTH EPROCLIM EBADRPC ERPCMISMATCH EPROGUNAVAIL EPROGMISMATCH EPROCUNAVAIL ENOATTR EDOOFUS "
    "ENOTCAPABLE ECAPMODE EINTEGRITY"
)
BSD_ERRNOS = tuple(_BSD_ONLY.split())
"""Errno names of the BSD kernels that Linux (and so Python's errno module) does not have."""

ERRNO_NAMES = frozenset(errno.errorcode.values()) | frozenset(BSD_ERRNOS)
"""Every errno name a system call can fail with, on Linux and the BSDs."""

ANY_ERRNO = ("*", "any")
"""The values of `break errno` that stop at any error."""

_REF_NUMBER = re.compile(r"(?:0x[0-9a-fA-F]{1,16}|[0-9]{1,18})(?:#[0-9]{1,9})?(?:(?::| way )[0-9]{1,18})?")
"""What follows a known prefix in an id: a number (decimal or 0x hex), maybe a generation (``#2``), maybe
`:N` (``page vp4:2``) or `` way N`` (``D set 5 way 1``)."""


def _suggest(word: str, candidates: Iterable[str], *, cutoff: float = 0.6) -> str:
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=cutoff)
    return f" (did you mean {close[0]}?)" if close else ""


def known_verb(word: str) -> str:
    """`word` if it is a verb of the command language."""
    ensure_loaded()
    if word in VERBS:
        return word
    hint = _suggest(word, VERBS) or f" (verbs: {', '.join(sorted(VERBS))})"
    raise ValueError(f"no verb {word!r}{hint}")


def family_globs(kinds: Iterable[str]) -> list[str]:
    """``namecache.*``, ``vnode.*``...: one glob per family of kinds (their first dotted word)."""
    return list(dict.fromkeys(f"{kind.split('.')[0]}.*" for kind in kinds if "." in kind))


def known_kind(glob: str) -> str:
    """`glob` if it matches at least one event kind the model declares (`model.parts.event_kinds`)."""
    kinds = event_kinds()
    if any(fnmatch.fnmatchcase(kind, glob) for kind in kinds):
        return glob
    families = family_globs(kinds)
    hint = _suggest(glob, [*kinds, *families]) or f" (kinds start with {', '.join(families)})"
    raise ValueError(f"no event kind matches {glob!r}{hint}")


def known_errno(name: str) -> str:
    """The errno name in capitals (``enoent`` -> ``ENOENT``), or ``*``/``any`` for any error."""
    if name in ANY_ERRNO:
        return name
    upper = name.upper()
    if upper in ERRNO_NAMES:
        return upper
    hint = _suggest(upper, ERRNO_NAMES, cutoff=0.7) or " (an errno name such as ENOENT, or * for any error)"
    raise ValueError(f"no errno {name!r}{hint}")


def has_id_shape(ref: str) -> bool:
    """Whether `ref` is a known prefix followed by a number (``vp999``, ``pid 42``, ``D set 5 way 1``,
    ``page vp4:2``): a name some step can give, even if none has yet."""
    return any(ref.startswith(prefix) and _REF_NUMBER.fullmatch(ref, len(prefix)) for prefix in ref_prefixes())


def known_ref(ref: str, seen: Iterable[str] = (), *, named_only: bool = False) -> str:
    """`ref` if a step can name it: it is in `seen` (ids that exist now or that events named), or it has
    the shape of an id of the registry (`has_id_shape`); with `named_only` (`seen` holds every name the
    steps give), only if it is in `seen`. Otherwise ValueError with the closest name."""
    seen = list(seen)
    if ref in seen or (not named_only and has_id_shape(ref)):
        return ref
    if named_only and has_id_shape(ref):
        hint = _suggest(ref, seen, cutoff=0.5) or " (watch the steps' events for the ids they give)"
        raise ValueError(f"no step names {ref!r}{hint}")
    number = re.search(r"[0-9]+$", ref)
    prefixes = [p for p in ref_prefixes() if p[0] == ref[:1]] or ref_prefixes()  # vnode9: vp9 before d9
    renamed = [prefix + number.group() for prefix in prefixes] if number else []
    hint = _suggest(ref, [*seen, *renamed], cutoff=0.5) or f" (ids look like {id_examples()})"
    raise ValueError(f"no step can name {ref!r}{hint}")
