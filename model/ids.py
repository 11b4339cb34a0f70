"""Object ids: ``vp7``, ``nc12``, ``ns1``, ``d5``: a prefix and a number, read the same way everywhere."""

from __future__ import annotations

import re

_ID_NUMBER = re.compile(r"[0-9]{1,18}")


def id_number(ref: str, prefix: str) -> int | None:
    """The number of an id such as ``vp7`` (prefix ``vp``), or None if `ref` is not one."""
    if not ref.startswith(prefix) or not _ID_NUMBER.fullmatch(ref, len(prefix)):
        return None
    return int(ref[len(prefix) :])


def id_pattern(prefix: str) -> re.Pattern[str]:
    """A pattern that fully matches the ids with this prefix (``vp`` and 1 to 18 digits)."""
    return re.compile(rf"{re.escape(prefix)}[0-9]{{1,18}}")
