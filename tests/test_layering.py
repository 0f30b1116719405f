"""Dependencies point one way: notifications → cases → workflow (DESIGN §9, house rule 4)."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

FORBIDDEN = {"workflow": {"cases", "notifications"}, "cases": {"notifications"}}


def imported_apps(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_an_app_never_imports_the_layers_above_it(app):
    offenders = {
        str(path.relative_to(settings.BASE_DIR)): sorted(imported_apps(path) & FORBIDDEN[app])
        for path in (Path(settings.BASE_DIR) / app).rglob("*.py")
        if imported_apps(path) & FORBIDDEN[app]
    }
    assert offenders == {}
