"""The app on the purge-and-reclaim scenario, for snapshot tests."""

from model.scenario import load_builtin
from viz.app import CacheScopeApp

app = CacheScopeApp(load_builtin("purge-and-reclaim"))

if __name__ == "__main__":
    app.run()
