"""WCAG 2.1 contrast of what an SVG screenshot draws: each character's fill against the cell behind it.

Rich writes a screenshot as background rects (one per run of cells, `fill=`) and text runs (`<text
class=...>`, the class giving the fill) on a grid of 12.2 x 24.4 px cells. Spaces draw nothing, and
box-drawing and block characters (borders, scroll bars, sparkline bars, the ░▓ of a page cell beside
its version letter) are graphics rather than text, so they are not measured.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass

CELL_W, CELL_H, TOP = 12.2, 24.4, 1.5
_STYLE = re.compile(r"\.(terminal-[\w-]+)\s*\{\s*fill:\s*(#[0-9a-fA-F]{6})")
_RECT = re.compile(r'<rect fill="(#[0-9a-fA-F]{6})" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="[\d.]+" '
                   r'shape-rendering="crispEdges"/>')  # fmt: skip
_TEXT = re.compile(r'<text class="([\w-]+)" x="([\d.]+)" y="([\d.]+)" textLength="[\d.]+"[^>]*>([^<]*)</text>')
GRAPHICS = tuple(range(0x2500, 0x25A0))
"""Box drawing and block elements."""


@dataclass(frozen=True, slots=True)
class Cell:
    """One drawn character: where it is, and its colours."""

    row: int
    column: int
    char: str
    fg: str
    bg: str

    @property
    def ratio(self) -> float:
        return contrast(self.fg, self.bg)


def luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of #rrggbb."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg: str, bg: str) -> float:
    """WCAG 2.1 contrast ratio, 1 to 21."""
    a, b = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def cells(svg: str) -> Iterator[Cell]:
    """Every visible text character of the screenshot with its fill and the fill of the cell behind it."""
    fills = dict(_STYLE.findall(svg))
    backgrounds: dict[tuple[int, int], str] = {}
    for fill, x, y, width in _RECT.findall(svg):
        row = round((float(y) - TOP) / CELL_H)
        first = round(float(x) / CELL_W)
        for column in range(first, first + round(float(width) / CELL_W)):
            backgrounds[(row, column)] = fill.lower()
    for cls, x, y, body in _TEXT.findall(svg):
        fg = fills.get(cls)
        if fg is None:
            continue
        row = round((float(y) - 20) / CELL_H)
        column = round(float(x) / CELL_W)
        for offset, char in enumerate(html.unescape(body).replace("\xa0", " ")):
            if char.isspace() or ord(char) in GRAPHICS:
                continue
            bg = backgrounds.get((row, column + offset))
            if bg is not None:
                yield Cell(row, column + offset, char, fg.lower(), bg)


def worst(svg: str, limit: float) -> list[Cell]:
    """The characters under `limit`, one per (fg, bg) pair, worst first."""
    seen: dict[tuple[str, str], Cell] = {}
    for cell in cells(svg):
        if cell.ratio < limit:
            seen.setdefault((cell.fg, cell.bg), cell)
    return sorted(seen.values(), key=lambda c: c.ratio)
