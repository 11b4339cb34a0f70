"""Small wording helpers for the panels: counts with the right plural."""

from __future__ import annotations

IRREGULAR = {"entry": "entries", "dentry": "dentries", "child": "children", "miss": "misses"}


def plural(count: int, word: str) -> str:
    """`1 name`, `2 names`, `0 entries`, `1 dcache hit`: the count and the word, plural unless the count
    is 1 (the last word of a phrase takes the plural)."""
    if count == 1:
        return f"{count} {word}"
    head, _, last = word.rpartition(" ")
    many = IRREGULAR.get(last, last + "s")
    return f"{count} {head + ' ' if head else ''}{many}"
