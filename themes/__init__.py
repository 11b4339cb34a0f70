"""cachescope's themes: Textual Theme objects. Imports nothing of ours.

Every state is also drawn with a glyph, so each theme only has to keep the roles apart:
success (clean, live, active), warning (dirty, inactive), error (lost, stale, errors),
accent (ids, highlights) and secondary (ranges, holds).
"""

from __future__ import annotations

from textual.theme import Theme

DARK = Theme(
    name="cachescope-dark",
    primary="#0178D4",
    secondary="#C678DD",
    accent="#56B6C2",
    foreground="#E0E0E0",
    background="#121212",
    surface="#1E1E1E",
    panel="#24292F",
    success="#98C379",
    warning="#E5C07B",
    error="#E06C75",
    dark=True,
)

LIGHT = Theme(
    name="cachescope-light",
    primary="#1F5FAD",
    secondary="#8E3BA8",
    accent="#0B7285",
    foreground="#1A1A1A",
    background="#FFFFFF",
    surface="#F3F3F3",
    panel="#E4E8EE",
    success="#2B7A0B",
    warning="#9A6700",
    error="#C0262D",
    dark=False,
)

HIGH_CONTRAST = Theme(
    name="cachescope-contrast",
    primary="#FFFFFF",
    secondary="#FF66FF",
    accent="#00FFFF",
    foreground="#FFFFFF",
    background="#000000",
    surface="#000000",
    panel="#1A1A1A",
    success="#00FF00",
    warning="#FFFF00",
    error="#FF3030",
    dark=True,
)

COLOUR_BLIND = Theme(
    name="cachescope-colourblind",
    primary="#0072B2",
    secondary="#CC79A7",
    accent="#56B4E9",
    foreground="#F0F0F0",
    background="#101418",
    surface="#1A2028",
    panel="#222A33",
    success="#0072B2",
    warning="#E69F00",
    error="#D55E00",
    dark=True,
)
"""Okabe and Ito's palette: blue, orange and vermilion stay distinct in every common colour-vision type."""

THEMES: tuple[Theme, ...] = (DARK, LIGHT, HIGH_CONTRAST, COLOUR_BLIND)
DEFAULT_THEME = DARK.name
SHORT_NAMES = {"dark": DARK.name, "light": LIGHT.name, "contrast": HIGH_CONTRAST.name, "colourblind": COLOUR_BLIND.name}
"""What `--theme` accepts besides the full names."""
