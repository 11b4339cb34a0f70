"""`--root DIR`: what the real tree under a directory says a path is, for the strace importer's disk."""

from __future__ import annotations

import os
import stat

from model.trace.strace_disk import ABSENT, ANY, DIR, FILE, Probe


def disk_probe(root: str) -> Probe:
    """A read-only probe of the real tree under `root` (symlinks followed, as a lookup follows them)."""

    def probe(path: str) -> str:
        try:
            st = os.stat(os.path.join(root, path.lstrip("/")))
        except (FileNotFoundError, NotADirectoryError):
            return ABSENT
        except (OSError, ValueError):
            return ANY
        return DIR if stat.S_ISDIR(st.st_mode) else FILE

    return probe
