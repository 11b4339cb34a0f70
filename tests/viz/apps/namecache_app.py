"""The app on the namecache-basics scenario, for snapshot tests."""

from model.scenario import load_builtin
from viz.app import CacheScopeApp

app = CacheScopeApp(load_builtin("namecache-basics"))

if __name__ == "__main__":
    app.run()
