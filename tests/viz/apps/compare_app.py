"""The compare view on the proc_flush_task comparison (2.6.24 against 4.19), for snapshot tests."""

from model.scenario import load_builtin
from viz.compare.app import CompareApp

app = CompareApp(load_builtin("proc-flush-2.6.24-vs-4.19"))
app.animation_level = "none"

if __name__ == "__main__":
    app.run()
