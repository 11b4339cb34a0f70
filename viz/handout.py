"""An SVG screenshot of every step, and an index.html handout showing them in order with the narration.

The screens come from the real app run headless (Textual's `run_test`), so the handout shows exactly
what the class sees. Files are named `step-000.svg` (the initial state) to `step-NNN.svg`. Every handout
carries a marker file, `.cachescope-handout`, whose first line names the format: `record --svg-dir`
replaces a directory only when it holds that marker and nothing but a handout's files.
"""

from __future__ import annotations

import asyncio
import re
from html import escape
from pathlib import Path

from model import __version__
from model.scenario import Scenario
from viz.options import step_label
from viz.signals import Stopped, stop_at_safe_points, stop_requested

INDEX = "index.html"
MARKER = ".cachescope-handout"
MARKER_LINE = "cachescope handout, format 1"
"""The marker's first line; a later format changes the number, and any number is recognised."""
_MARKER_LINE = re.compile(r"cachescope handout, format \d+")
_OURS = re.compile(r"step-\d{3,}\.svg|index\.html|\.cachescope-handout")


def svg_name(position: int, length: int) -> str:
    """`step-007.svg`: zero-padded to three digits, or more for longer scenarios, so names sort."""
    return f"step-{position:0{max(3, len(str(length)))}d}.svg"


def is_handout(directory: Path) -> bool:
    """True if replacing `directory` loses nothing of the user's: it is empty, or an earlier handout."""
    return not_a_handout(directory) is None


def not_a_handout(directory: Path) -> str | None:
    """Why `directory` is not an earlier handout (or empty), in words for an error message; None if it is.

    A handout has the marker (a regular file whose first line is `cachescope handout, format N`) and
    nothing but a handout's files: step-NNN.svg, index.html.
    """
    try:
        entries = list(directory.iterdir())
        if not entries:
            return None
        marker = directory / MARKER
        if marker.is_symlink() or not marker.is_file():
            return f"it has no {MARKER} marker, so it is not a handout cachescope wrote"
        with marker.open(encoding="utf-8", errors="replace") as f:
            first = f.readline(200).rstrip("\n")
        if not _MARKER_LINE.fullmatch(first):
            return f"its {MARKER} is not cachescope's marker"
    except OSError as exc:  # unreadable: not provably ours
        return f"it cannot be read ({exc.strerror or exc})"
    foreign = sorted(e.name for e in entries if e.is_symlink() or not (e.is_file() and _OURS.fullmatch(e.name)))
    if foreign:
        shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        return f"it holds files a handout does not have ({shown})"
    return None


def write_handout(scenario: Scenario, directory: Path, *, size: tuple[int, int], theme: str | None) -> int:
    """Write every step's SVG, then index.html, into `directory`; return the number of SVGs."""
    note = f"{MARKER_LINE}\nwritten by cachescope {__version__}; record --svg-dir may replace this directory\n"
    (directory / MARKER).write_text(note, encoding="utf-8")
    count = asyncio.run(_screenshots(scenario, directory, size, theme))
    (directory / INDEX).write_text(render_index(scenario), encoding="utf-8")
    return count


async def _screenshots(scenario: Scenario, directory: Path, size: tuple[int, int], theme: str | None) -> int:
    from viz.compare.launch import app_for  # late: checking a directory with is_handout needs no Textual

    app = app_for(scenario, theme=theme)
    app.animation_level = "none"
    length = app.timeline.length
    with stop_at_safe_points():
        async with app.run_test(size=size) as pilot:
            for position in range(length + 1):
                if stop_requested() is not None:
                    break  # leave the app cleanly, then stop
                if position:
                    app.timeline.step()
                    app.refresh_view()
                await pilot.pause()
                await pilot.pause()  # a second round: scroll bars and marks that follow the new layout
                svg = app.export_screenshot(title=f"{scenario.title} — step {position} / {length}")
                (directory / svg_name(position, length)).write_text(svg, encoding="utf-8")
    signum = stop_requested()
    if signum is not None:
        raise Stopped(signum)
    return length + 1


def render_index(scenario: Scenario) -> str:
    """The handout page: title, about, then each step's heading, narration and screenshot."""
    timeline = scenario.timeline()
    length = timeline.length
    sections = [_section(0, length, "Start", ["Before the first step."], [])]
    while (events := timeline.step()) is not None:
        step = timeline.current_step
        assert step is not None
        heading = step_label(timeline.position, step) if step.op.verb != "say" else f"step {timeline.position}"
        explains = list(dict.fromkeys(e.explain for e in events if e.explain))
        sections.append(_section(timeline.position, length, heading, [step.say] if step.say else [], explains))
    title = escape(scenario.title)
    return _PAGE.format(
        title=title,
        about=escape(scenario.about),
        length=length,
        source=escape(scenario.source),
        version=escape(__version__),
        sections="\n".join(sections),
    )


def _section(position: int, length: int, heading: str, says: list[str], explains: list[str]) -> str:
    name = svg_name(position, length)
    anchor = name.removesuffix(".svg")
    paragraphs = "".join(f"<p class='say'>{escape(text)}</p>" for text in says)
    notes = "".join(f"<li>{escape(text)}</li>" for text in explains)
    return (
        f"<section id='{anchor}'><h2><a href='#{anchor}'>{escape(heading)}</a>"
        f" <span class='of'>({position} / {length})</span></h2>{paragraphs}"
        + (f"<ul class='explain'>{notes}</ul>" if notes else "")
        + f"<img src='{name}' alt='{escape(heading, quote=True)}: the cachescope screen' loading='lazy'></section>"
    )


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="cachescope {version}">
<title>{title} — cachescope handout</title>
<style>
body {{ font: 16px/1.5 system-ui, sans-serif; max-width: 72rem; margin: 2rem auto; padding: 0 1rem; color: #1a1a1a; }}
h1 {{ margin-bottom: 0.2rem; }}
.meta, .of {{ color: #666; font-size: 0.9rem; font-weight: normal; }}
section {{ border-top: 1px solid #ccc; padding: 1rem 0; break-inside: avoid; }}
h2 {{ font-size: 1.1rem; font-family: ui-monospace, monospace; }}
h2 a {{ color: inherit; text-decoration: none; }}
.explain {{ font-style: italic; color: #333; }}
img {{ width: 100%; height: auto; border: 1px solid #999; }}
</style>
</head>
<body>
<header>
<h1>{title}</h1>
<p>{about}</p>
<p class="meta">{length} steps, from {source}; screens drawn by cachescope {version}.</p>
</header>
{sections}
</body>
</html>
"""
