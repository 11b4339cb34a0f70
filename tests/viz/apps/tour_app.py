"""The app on the default scenario, for snapshot tests."""

from model.scenario import resolve
from viz.app import CacheScopeApp

app = CacheScopeApp(resolve(None))

if __name__ == "__main__":
    app.run()
