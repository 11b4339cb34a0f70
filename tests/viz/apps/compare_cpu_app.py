"""The compare view with three columns: cacheflush on legacy, Linux/MIPS and the man page's kernels."""

from model.scenario import load_builtin
from viz.compare.app import CompareApp

app = CompareApp(load_builtin("cacheflush-legacy-vs-linux-vs-spec"))
app.animation_level = "none"

if __name__ == "__main__":
    app.run()
