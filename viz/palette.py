"""Semantic colours for the panels, read from the current Textual theme.

Panels ask for a role (`ok`, `warn`, `bad`, `info`, `special`, `muted`) instead of naming colours, so
every theme (dark, light, high contrast, colour-blind safe) recolours them all; glyphs carry the meaning.
`highlight` is the background of the rows a step changed. Every role keeps a contrast of at least 4.5:1
(7:1 in the contrast theme) against the background and the highlight (themes/__init__.py, and the test
that measures the snapshots). `muted` replaces Rich's `dim`, which Textual draws as a blend too faint
for that.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import App

ROLE_VARIABLES = {
    "ok": "success",
    "warn": "warning",
    "bad": "error",
    "info": "accent",
    "special": "secondary",
    "muted": "text-muted",
    "highlight": "cachescope-highlight",
}
FALLBACK = {"ok": "green", "warn": "yellow", "bad": "red", "info": "cyan", "special": "magenta", "muted": "grey62",
            "highlight": "grey23"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Palette:
    """One colour per role, as Rich colour strings."""

    ok: str
    warn: str
    bad: str
    info: str
    special: str
    muted: str
    highlight: str


_CACHE: dict[str, Palette] = {}


def palette(app: App) -> Palette:
    """The palette of the app's current theme (cached per theme)."""
    name = app.theme
    cached = _CACHE.get(name)
    if cached is None:
        cached = _CACHE[name] = _palette_of(app, name)
    return cached


def _palette_of(app: App, name: str) -> Palette:
    """The palette computed from the named theme itself.

    Not from `app.theme_variables`: Textual refreshes those only when it next recomputes the CSS, so
    right after a theme change they still hold the old theme's colours, and caching them under the new
    name kept a dark palette on a light screen (and made snapshot tests depend on their order).
    """
    theme = app.get_theme(name)
    variables = app.theme_variables if theme is None else {**theme.to_color_system().generate(), **theme.variables}
    colours = {role: variables.get(var, FALLBACK[role]) for role, var in ROLE_VARIABLES.items()}
    return Palette(**{role: c if c.startswith("#") else FALLBACK[role] for role, c in colours.items()})
