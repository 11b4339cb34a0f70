"""The app on the puffs-flush-vs-inval scenario, for snapshot tests."""

from model.scenario import load_builtin
from viz.app import CacheScopeApp

app = CacheScopeApp(load_builtin("puffs-flush-vs-inval"))

if __name__ == "__main__":
    app.run()
