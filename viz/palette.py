"""Semantic colours for the panels, read from the current Textual theme.

Panels ask for a role (`ok`, `warn`, `bad`, `info`, `special`) instead of naming colours, so every
theme (dark, light, high contrast, colour-blind safe) recolours them all; glyphs carry the meaning.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import App

ROLE_VARIABLES = {"ok": "success", "warn": "warning", "bad": "error", "info": "accent", "special": "secondary"}
FALLBACK = {"ok": "green", "warn": "yellow", "bad": "red", "info": "cyan", "special": "magenta"}


@dataclass(frozen=True, slots=True)
class Palette:
    """One colour per role, as Rich colour strings."""

    ok: str
    warn: str
    bad: str
    info: str
    special: str


_CACHE: dict[str, Palette] = {}


def palette(app: App) -> Palette:
    """The palette of the app's current theme (cached per theme).

    Read from the theme itself, not from `app.theme_variables`: those are refreshed with the CSS, after
    a theme change, so a palette taken from them in between (as the first redraw after `t` does) would
    hold the previous theme's colours, and the cache would keep them.
    """
    name = app.theme
    cached = _CACHE.get(name)
    if cached is None:
        theme = app.current_theme
        variables = {**theme.to_color_system().generate(), **theme.variables}
        cached = Palette(**{role: variables.get(var, FALLBACK[role]) for role, var in ROLE_VARIABLES.items()})
        _CACHE[name] = cached
    return cached
