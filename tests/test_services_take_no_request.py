"""Services and selectors never see an HttpRequest: they take an actor and an audit.context.AuditContext, so a
task, a command and the admin call the same functions as a view."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("audit", "careplans", "clinic", "measures", "medications", "patients", "portal")


def service_modules() -> list[Path]:
    found = set()
    for app in APPS:
        found.update((ROOT / app).rglob("*services*.py"))
        found.update((ROOT / app).glob("services/*.py"))
        found.update((ROOT / app).rglob("selectors.py"))  # careplans/logs/selectors.py too
        found.update((ROOT / app).glob("selectors/*.py"))
        found.update((ROOT / app).rglob("reminders.py"))  # careplans/logs/reminders.py: the reminder workflows
    return sorted(path for path in found if "migrations" not in path.parts)


def request_references(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("django.http"):
            found.append(f"line {node.lineno}: from {node.module} import ...")
        elif isinstance(node, ast.Import) and any(alias.name.startswith("django.http") for alias in node.names):
            found.append(f"line {node.lineno}: import django.http")
        elif isinstance(node, ast.Name | ast.Attribute) and "HttpRequest" in (
            node.id if isinstance(node, ast.Name) else node.attr
        ):
            found.append(f"line {node.lineno}: HttpRequest")
    return found


def test_the_services_and_selectors_are_all_found():
    names = {str(path.relative_to(ROOT)) for path in service_modules()}
    expected = {
        "audit/services.py",
        "patients/services.py",
        "careplans/selectors.py",
        "careplans/logs/selectors.py",
        "careplans/logs/services.py",
        "careplans/logs/reminders.py",
        "medications/services/lines.py",
    }
    assert expected <= names


@pytest.mark.parametrize("path", service_modules(), ids=lambda path: str(path.relative_to(ROOT)))
def test_a_service_or_selector_module_does_not_know_about_requests(path):
    assert request_references(path) == []
