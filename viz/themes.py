"""Choosing a theme by name: full names, short names (dark, light, contrast, colourblind) or Textual's."""

from __future__ import annotations

from themes import DEFAULT_THEME, SHORT_NAMES, THEMES


def theme_names() -> list[str]:
    """Every name `--theme` accepts."""
    return [*SHORT_NAMES, *(t.name for t in THEMES)]


def resolve_theme(name: str | None) -> str:
    """The full theme name for `name` (None gives the default); ValueError lists the choices."""
    if name is None:
        return DEFAULT_THEME
    full = SHORT_NAMES.get(name, name)
    if full not in {t.name for t in THEMES}:
        raise ValueError(f"unknown theme {name!r}; choose one of {', '.join(theme_names())}")
    return full
