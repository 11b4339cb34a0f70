"""cachescope's themes: Textual Theme objects. Imports nothing of ours.

Every state is also drawn with a glyph, so each theme only has to keep the roles apart:
success (clean, live, active), warning (dirty, inactive), error (lost, stale, errors),
accent (ids, highlights) and secondary (ranges, holds); text-muted is the colour of secondary text, and
cachescope-highlight the background of the rows a step changed.

Every text colour keeps a WCAG 2.1 contrast ratio of at least 4.5:1 against the background, the
surface, the panel colour and the highlight (7:1 in the high-contrast theme, for projectors):
tests/viz/test_contrast.py measures it on the rendered screens.
"""

from __future__ import annotations

from textual.theme import Theme


def _variables(muted: str, highlight: str) -> dict[str, str]:
    """The variables every theme sets: secondary text (Textual's own widgets use it too) and the highlight."""
    return {"text-muted": muted, "text-disabled": muted, "cachescope-highlight": highlight}


DARK = Theme(
    name="cachescope-dark",
    primary="#0178D4",
    secondary="#D290E6",
    accent="#56B6C2",
    foreground="#E0E0E0",
    background="#121212",
    surface="#1E1E1E",
    panel="#24292F",
    success="#98C379",
    warning="#E5C07B",
    error="#F08A90",
    dark=True,
    variables=_variables("#A8A8A8", "#26303C"),
)

LIGHT = Theme(
    name="cachescope-light",
    primary="#1F5FAD",
    secondary="#7E3296",
    accent="#0A6272",
    foreground="#1A1A1A",
    background="#FFFFFF",
    surface="#F3F3F3",
    panel="#E4E8EE",
    success="#2B6A0B",
    warning="#805600",
    error="#B0222A",
    dark=False,
    variables=_variables("#555555", "#DCE8F7"),
)

HIGH_CONTRAST = Theme(
    name="cachescope-contrast",
    primary="#FFFFFF",
    secondary="#FF80FF",
    accent="#00FFFF",
    foreground="#FFFFFF",
    background="#000000",
    surface="#000000",
    panel="#000000",
    success="#00FF00",
    warning="#FFFF00",
    error="#FF8A8A",
    dark=True,
    variables=_variables("#C8C8C8", "#1C1C3A"),
)

COLOUR_BLIND = Theme(
    name="cachescope-colourblind",
    primary="#0072B2",
    secondary="#DC8FBA",
    accent="#56B4E9",
    foreground="#F0F0F0",
    background="#101418",
    surface="#1A2028",
    panel="#222A33",
    success="#3CC8A0",
    warning="#E69F00",
    error="#F07A3A",
    dark=True,
    variables=_variables("#A9B0B8", "#223040"),
)
"""After Okabe and Ito's palette: bluish green, orange and vermilion stay distinct in every common
colour-vision type (lightened to read on the dark background)."""

THEMES: tuple[Theme, ...] = (DARK, LIGHT, HIGH_CONTRAST, COLOUR_BLIND)
DEFAULT_THEME = DARK.name
SHORT_NAMES = {"dark": DARK.name, "light": LIGHT.name, "contrast": HIGH_CONTRAST.name, "colourblind": COLOUR_BLIND.name}
"""What `--theme` accepts besides the full names."""
