"""The panels' palette follows the theme shown, whatever theme came before."""

from model.scenario import load_builtin
from viz import palette as palettes
from viz.app import CacheScopeApp


async def test_the_first_redraw_after_t_has_the_new_themes_colours():
    """The panels' palette is read from the theme, not from the CSS variables refreshed after a theme
    change: a theme's colours do not depend on which theme was shown before (the theme snapshots rely on it)."""
    palettes._CACHE.clear()
    app = CacheScopeApp(load_builtin("namecache-basics"))
    async with app.run_test(size=(100, 30)) as pilot:
        assert palettes.palette(app).info.lower() == "#56b6c2"
        await pilot.press("t")
        assert app.theme == "cachescope-light"
        assert palettes.palette(app).info.lower() == "#0a6272"
