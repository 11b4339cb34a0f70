"""Where each kernel function the model names comes from: `Source` and the links to public source browsers.

Each mechanism keeps its own table (`model/vfs/sources.py`, ...), func -> `Source`, and registers it
through its `Mechanism` spec (`sources=`). A func may have several sources, one per mode (`when`): the
first whose conditions the event's data or the machine's config meet is the one shown. Links are at a
fixed release: Linux functions through Bootlin's Elixir identifier search at that version (one click to
the definition), BSD files in the projects' own repositories at a release tag, manual pages at a release.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

NETBSD4, NETBSD5 = "netbsd-4-0-RELEASE", "netbsd-5-0-RELEASE"
"""NetBSD release tags: 4.0 for the name cache, namei and getcwd; 5.0 for puffs_flush(3)."""
FREEBSD4, FREEBSD5 = "release/4.11.0", "release/5.0.0"
"""FreeBSD release tags: 4.11 for the vnode life cycle the man pages describe; 5.0 where the code moved."""


@dataclass(frozen=True, slots=True)
class Source:
    """A kernel function as a release has it: who (`kernel`), the file, the function, and a link.

    `when` holds (key, value) conditions on the event's data or the machine's config, e.g.
    (("abi", "m68k"),): the source applies only then. An empty `when` always applies.
    """

    kernel: str
    file: str
    function: str
    url: str
    when: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, str]:
        """JSON-ready, for `run --json`: kernel, file, function, url."""
        return {"kernel": self.kernel, "file": self.file, "function": self.function, "url": self.url}

    def applies(self, data: Mapping[str, Any], config: Mapping[str, Any]) -> bool:
        """True when every condition holds in the event's data (first) or the config."""
        return all(str(data.get(key, config.get(key))) == value for key, value in self.when)


def linux(version: str, file: str, function: str, **when: str) -> Source:
    """A Linux function at `version` (e.g. v4.19), linked to its definition through Elixir."""
    url = f"https://elixir.bootlin.com/linux/{version}/A/ident/{function}"
    return Source(f"Linux {version}", file, function, url, tuple(when.items()))


def netbsd(tag: str, file: str, function: str, **when: str) -> Source:
    """A NetBSD function in `file` at a release tag, linked to the file in NetBSD's repository at that tag."""
    release = tag.removeprefix("netbsd-").removesuffix("-RELEASE").replace("-", ".")
    url = f"https://github.com/NetBSD/src/blob/{tag}/{file}"
    return Source(f"NetBSD {release}", file, function, url, tuple(when.items()))


def freebsd(tag: str, file: str, function: str, **when: str) -> Source:
    """A FreeBSD function in `file` (under sys/ or share/) at a release tag, linked at that tag."""
    release = tag.removeprefix("release/").removesuffix(".0") if tag.count(".") > 1 else tag
    url = f"https://github.com/freebsd/freebsd-src/blob/{tag}/{file}"
    return Source(f"FreeBSD {release}", file, function, url, tuple(when.items()))


def freebsd_man(page: str, section: int, release: str, function: str) -> Source:
    """A FreeBSD manual page at a release (e.g. 4.11), where the man page is the rule the model follows."""
    query = f"query={page}&sektion={section}&manpath=FreeBSD+{release}-RELEASE"
    url = f"https://man.freebsd.org/cgi/man.cgi?{query}"
    return Source(f"FreeBSD {release}", f"share/man/man{section}/{page}.{section}", function, url)


def netbsd_man(page: str, section: int, release: str, function: str) -> Source:
    """A NetBSD manual page at a release (e.g. 5.0)."""
    url = f"https://man.netbsd.org/NetBSD-{release}/{page}.{section}"
    return Source(f"NetBSD {release}", f"share/man/man{section}/{page}.{section}", function, url)


def linux_man(page: str, section: int, function: str, anchor: str = "", **when: str) -> Source:
    """A Linux man-pages page (its current text: man-pages documents every kernel version in one page)."""
    url = f"https://man7.org/linux/man-pages/man{section}/{page}.{section}.html" + (f"#{anchor}" if anchor else "")
    return Source("Linux man-pages", f"man{section}/{page}.{section}", function, url, tuple(when.items()))
