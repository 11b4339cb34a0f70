"""The app on the proc-namespaces scenario, for snapshot tests."""

from model.scenario import load_builtin
from viz.app import CacheScopeApp

app = CacheScopeApp(load_builtin("proc-namespaces"))

if __name__ == "__main__":
    app.run()
