"""The app on jit-stale-icache, for the cpu panel's snapshot test (step 6 is the first stale fetch)."""

from model.scenario import load_builtin
from viz.app import CacheScopeApp

app = CacheScopeApp(load_builtin("jit-stale-icache"))

if __name__ == "__main__":
    app.run()
