"""The documentation holds together: README.md stays short, every relative link and anchor in README.md and
docs/ leads somewhere, every "§N.M" the code cites is a rule in docs/kernel-rules.md, and the generated
command-language page is what scripts/make_docs.py makes from the registries now."""

from __future__ import annotations

import importlib.util
import re
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README = ROOT / "README.md"
README_LIMIT = 10 * 1024
PAGES = sorted(DOCS.glob("*.md"))
MARKDOWN = [README, *PAGES]

_FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.MULTILINE | re.DOTALL)
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1", re.DOTALL)
_INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+\"[^\"]*\")?\s*$", re.MULTILINE)
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$", re.MULTILINE)
_HTML_ID = re.compile(r"<a\s+(?:id|name)=\"([^\"]+)\"", re.IGNORECASE)
_SECTION_CITE = re.compile(r"§ ?(\d+(?:\.\d+)?)")
_EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def prose(text: str) -> str:
    """The text with fenced blocks and code spans blanked out: a link inside code is not a link."""
    text = _FENCE.sub("", text)
    return _CODE_SPAN.sub("", text)


def slug(heading: str) -> str:
    """The anchor a code host (GitHub's rule) gives a heading: markup and punctuation dropped, lower case,
    spaces to hyphens."""
    text = re.sub(r"<[^>]+>", "", heading)  # inline HTML such as an <a id> anchor
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # a link keeps its text
    text = text.replace("`", "").lower()
    return "".join(ch for ch in text if ch.isalnum() or ch in " -_").replace(" ", "-")


@cache
def anchors(path: Path) -> frozenset[str]:
    """Every anchor of a Markdown file: heading slugs (numbered when repeated, as GitHub does) and
    explicit `<a id>` / `<a name>` anchors."""
    text = _FENCE.sub("", path.read_text(encoding="utf-8"))
    found: set[str] = set(_HTML_ID.findall(text))
    seen: dict[str, int] = {}
    for _, heading in _HEADING.findall(text):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return frozenset(found)


def links(path: Path) -> list[str]:
    """Every link target of a Markdown file, inline and reference-style, images included."""
    text = prose(path.read_text(encoding="utf-8"))
    return _INLINE_LINK.findall(text) + _REFERENCE.findall(text)


def broken(path: Path, target: str) -> str | None:
    """Why `target`, linked from `path`, leads nowhere; None when it resolves."""
    if _EXTERNAL.match(target) or target.startswith("//"):
        return None  # a web address: not checked offline
    file_part, _, anchor = target.partition("#")
    dest = (path.parent / file_part).resolve() if file_part else path
    try:
        dest.relative_to(ROOT)
    except ValueError:
        return "points outside the repository"
    if not dest.exists():
        return "no such file"
    if anchor and dest.suffix == ".md" and anchor not in anchors(dest):
        return f"no heading or anchor #{anchor} in {dest.relative_to(ROOT)}"
    return None


def test_readme_is_at_most_10_kib() -> None:
    size = README.stat().st_size
    assert size <= README_LIMIT, f"README.md is {size} bytes; move detail to docs/ (limit {README_LIMIT})"


def test_docs_exist_and_the_readme_links_every_page() -> None:
    assert PAGES, "docs/ holds no pages"
    linked = {(README.parent / target.partition("#")[0]).resolve() for target in links(README)}
    missing = [page.name for page in PAGES if page.resolve() not in linked]
    assert not missing, f"README.md does not link {missing}"


@pytest.mark.parametrize("path", MARKDOWN, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_and_anchor_resolves(path: Path) -> None:
    problems = [f"{target}: {why}" for target in links(path) if (why := broken(path, target))]
    assert not problems, f"{path.relative_to(ROOT)}: " + "; ".join(problems)


def test_the_link_checker_catches_a_missing_file_and_a_missing_anchor(tmp_path: Path) -> None:
    page = DOCS / "kernel-rules.md"
    assert broken(page, "no-such-page.md") == "no such file"
    assert broken(page, "#no-such-heading") is not None
    assert broken(page, "../README.md") is None
    assert broken(page, "https://example.org/x") is None
    assert links_of_text(tmp_path, "see `[x](nowhere.md)` and ```\n[y](nowhere.md)\n```") == []


def links_of_text(tmp_path: Path, text: str) -> list[str]:
    """The links found in `text` written to a scratch file (a link in code is none)."""
    scratch = tmp_path / "scratch.md"
    scratch.write_text(text, encoding="utf-8")
    return links(scratch)


def cited_sections() -> dict[str, list[str]]:
    """Each "§N" or "§N.M" cited in the sources, tests and docs -> the files that cite it."""
    cited: dict[str, list[str]] = {}
    code = ("model", "viz", "themes", "tests", "scripts", "benchmarks")
    sources = [*(path for top in code for path in (ROOT / top).rglob("*.py")), *MARKDOWN]
    for path in sources:
        for number in set(_SECTION_CITE.findall(path.read_text(encoding="utf-8"))):
            cited.setdefault(number, []).append(str(path.relative_to(ROOT)))
    return cited


def test_every_cited_section_is_a_rule_in_kernel_rules() -> None:
    rules = anchors(DOCS / "kernel-rules.md")
    cited = cited_sections()
    assert "1.4" in cited, "the code cites rules such as §1.4: the scan found none"
    missing = {number: files for number, files in cited.items() if f"s{number}" not in rules}
    assert not missing, f'cited but not in docs/kernel-rules.md (as <a name="sN.M">): {missing}'


@cache
def make_docs() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_docs", ROOT / "scripts" / "make_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_command_language_page_is_what_the_script_makes_now() -> None:
    expected = make_docs().render()
    current = (DOCS / "command-language.md").read_text(encoding="utf-8")
    assert current == expected, "docs/command-language.md is out of date: run .venv/bin/python scripts/make_docs.py"


def test_command_language_page_lists_every_verb_and_config_key() -> None:
    from model import ops

    make_docs().load_registries()
    page = (DOCS / "command-language.md").read_text(encoding="utf-8").replace("\\|", "|")
    parts = {spec.part for spec in ops.VERBS.values()}
    assert {"core", "vfs", "procfs", "cpu"} <= parts, f"the verb registry is not loaded: {parts}"
    missing = [spec.verb for spec in ops.VERBS.values() if f"| `{spec.usage()}` |" not in page]
    missing += [key.name for _, key in make_docs().config_keys() if f"| `{key.name}` |" not in page]
    assert not missing, f"docs/command-language.md leaves out {missing}"
