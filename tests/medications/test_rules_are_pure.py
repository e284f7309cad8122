"""medications/rules/ stays pure: its modules import the standard library and each other, nothing else (no
Django, no ORM, no settings, no other app), so the clinical rules can be read and tested on their own."""

import ast
import sys
from pathlib import Path

import pytest

import medications.rules

RULES = Path(medications.rules.__file__).parent
MODULES = sorted(RULES.glob("*.py"))


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module)
    return names


def test_every_rules_module_is_checked():
    assert {p.stem for p in MODULES} >= {"__init__", "drugs", "mme", "safety", "tapering"}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.stem)
def test_a_rules_module_imports_only_the_standard_library_and_its_neighbours(path):
    for name in imported(path):
        top = name.split(".")[0]
        assert top in sys.stdlib_module_names or name.startswith("medications.rules"), f"{path.name} imports {name}"
