"""The app on the purge-and-reclaim scenario in the theme named by CACHESCOPE_THEME, for snapshots."""

import os

from model.scenario import load_builtin
from viz.app import CacheScopeApp

app = CacheScopeApp(load_builtin("purge-and-reclaim"), theme=os.environ.get("CACHESCOPE_THEME", "dark"))

if __name__ == "__main__":
    app.run()
