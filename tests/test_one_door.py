"""No side entrances: pages, selectors and the API ask the one door (``core/scopes.py``) questions.

A view, selector or API module that reads role grants (``RoleGrant``) or a raw id set of the
user's scope (``scope.estate_ids``, ``scope.admin_street_ids`` …) builds its own permission filter
beside the door; this test names each such line. The door itself, the apps' ``permissions.py``
(who may do what) and ``scoping.py`` (how rows hang on the street) are where those reads belong.
Ask a named question instead: ``scope_for(user).is_street_admin(street_id)``,
``estates_in_full(user)``, ``admin_street(user)``, ``holders_of(role, …)`` (docs/ARCHITECTURE.md).
"""

from __future__ import annotations

import ast
from pathlib import Path

import gongzhi

ROOT = Path(gongzhi.__file__).resolve().parent

# The raw fields of ``core.scopes.Scope``: sets of ids and the set of roles.
RAW_SCOPE_FIELDS = frozenset(
    {
        "roles",
        "street_ids",
        "admin_street_ids",
        "leadership_street_ids",
        "area_ids",
        "secretary_area_ids",
        "estate_ids",
        "estate_ids_beyond_streets",
        "admin_estate_ids",
        "read_street_estate_ids",
        "area_estate_ids",
        "all_estate_ids",
        "company_ids",
        "oc_estate_ids",
        "evaluator_estate_ids",
        "unit_ids",
        "home_estate_ids",
        "personal_data_estate_ids",
        "district_ids",
        "admin_district_ids",
        "district_street_ids",
        "read_street_ids",
    }
)
GRANTS = "RoleGrant"


def _is_checked(path: Path) -> bool:
    """Views (``views/*.py``, ``views*.py``), selectors (``selectors*.py``) and the API (``api/``)."""
    relative = path.relative_to(ROOT)
    parts = relative.parts
    if "tests" in parts or "migrations" in parts:
        return False
    if path.name in {"permissions.py", "scoping.py"} or relative.as_posix() == "core/scopes.py":
        return False
    return (
        "views" in parts[:-1]
        or path.name.startswith("views")
        or path.name.startswith("selectors")
        or parts[0] == "api"
    )


def side_entrances(source: str, filename: str = "<source>") -> list[str]:
    """``file:line: what`` for each read of role grants or of a raw scope id set in ``source``.

    A call such as ``permissions.secretary_area_ids(user)`` is a question, not a read: only
    attribute reads (``scope.area_ids``) and any mention of ``RoleGrant`` count."""
    tree = ast.parse(source, filename)
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == GRANTS:
            found.append((node.lineno, f"reads {GRANTS}"))
        elif isinstance(node, ast.alias) and node.name.split(".")[-1] == GRANTS:
            found.append((node.lineno, f"imports {GRANTS}"))
        elif isinstance(node, ast.Attribute) and id(node) not in called:
            if node.attr == GRANTS:
                found.append((node.lineno, f"reads {GRANTS}"))
            elif node.attr in RAW_SCOPE_FIELDS:
                found.append((node.lineno, f"reads the raw scope field .{node.attr}"))
    return [f"{filename}:{line}: {what}" for line, what in sorted(set(found))]


def test_the_scan_finds_a_side_entrance():
    source = (
        "from gongzhi.core.models import RoleGrant\n"
        "def page(request):\n"
        "    ids = scope_for(request.user).admin_street_ids\n"
        "    return RoleGrant.objects.filter(street_id__in=ids)\n"
        "def fine(request):\n"
        "    return scope_for(request.user).is_street_admin(), permissions.secretary_area_ids(request.user)\n"
    )
    assert side_entrances(source, "x.py") == [
        "x.py:1: imports RoleGrant",
        "x.py:3: reads the raw scope field .admin_street_ids",
        "x.py:4: reads RoleGrant",
    ]


def test_the_scan_covers_views_selectors_and_api():
    checked = {p.relative_to(ROOT).as_posix() for p in ROOT.rglob("*.py") if _is_checked(p)}
    assert "api/urls.py" in checked
    assert any(name.startswith("problems/views/") for name in checked)
    assert any(name.endswith("/selectors.py") for name in checked)
    assert not any(name.endswith(("/permissions.py", "/scoping.py")) for name in checked)


def test_no_view_selector_or_api_module_filters_by_role_on_its_own():
    problems = []
    for path in sorted(ROOT.rglob("*.py")):
        if _is_checked(path):
            problems += side_entrances(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT.parent)))
    assert not problems, (
        "These lines read role grants or raw scope id sets outside the one door; ask a named question "
        "of gongzhi/core/scopes.py (or the app's permissions.py) instead:\n  " + "\n  ".join(problems)
    )
