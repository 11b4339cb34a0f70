"""The model stays pure: nothing under model/ imports Textual, Rich or our UI packages."""

import ast
from pathlib import Path

import model

FORBIDDEN = {"textual", "rich", "viz", "themes"}


def test_model_imports_no_ui_code():
    root = Path(model.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []
