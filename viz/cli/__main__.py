"""`python -m viz.cli`: the cachescope command."""

from viz.cli import main

raise SystemExit(main())
