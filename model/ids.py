"""Object ids: ``vp7``, ``nc12``, ``ns1``, ``d5``: a prefix and a number, read the same way everywhere."""

from __future__ import annotations

import re

_ID_NUMBER = re.compile(r"[0-9]{1,18}")
_GENERATION = re.compile(r"#([0-9]{1,9})\Z")


def id_number(ref: str, prefix: str) -> int | None:
    """The number of an id such as ``vp7`` (prefix ``vp``), or None if `ref` is not one."""
    if not ref.startswith(prefix) or not _ID_NUMBER.fullmatch(ref, len(prefix)):
        return None
    return int(ref[len(prefix) :])


def id_pattern(prefix: str, *, generation: bool = False) -> re.Pattern[str]:
    """A pattern that fully matches the ids with this prefix (``vp`` and 1 to 18 digits), and with
    `generation` an optional ``#G`` after them (``vp6#2``)."""
    tail = r"(?:#[0-9]{1,9})?" if generation else ""
    return re.compile(rf"{re.escape(prefix)}[0-9]{{1,18}}{tail}")


def generation_id(prefix: str, num: int, generation: int) -> str:
    """The id of one generation of a reused object: ``vp6`` for the first, ``vp6#2`` from the second on."""
    return f"{prefix}{num}" if generation <= 1 else f"{prefix}{num}#{generation}"


def split_generation(ref: str) -> tuple[str, int | None]:
    """``vp6#2`` -> (``vp6``, 2); an id without a generation -> (the id, None)."""
    match = _GENERATION.search(ref)
    if match is None:
        return ref, None
    return ref[: match.start()], int(match.group(1))
