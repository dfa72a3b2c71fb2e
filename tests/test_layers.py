"""The import layers (issue 12, docs/ARCHITECTURE.md), read from the source with ``ast`` — imports
inside functions count too:

- ``gongzhi.core`` imports no app but the registry (its ``RoleGrant`` targets streets, areas,
  estates, companies and units: intrinsic); ``core/plugins.py`` names the apps as strings only;
- no production module imports ``gongzhi.demo`` (the generator writes and deletes): only the demo
  package itself, the apps' ``demo_data.py`` plug-ins, tests and the ``demo`` command may;
- the domain apps import nothing from the resident portal, the API or the home page;
- the queue (``gongzhi.jobs``) imports core only: it reads the apps' tasks through the "jobs" plug-in.

Tests sit on top of everything and are not checked (a test of core may build problems).
"""

from __future__ import annotations

import ast
from pathlib import Path

import gongzhi
from gongzhi.core.plugins import DOMAIN_APPS

ROOT = Path(gongzhi.__file__).parent
# Every capability app but the resident portal, which sits on top of them like the API.
DOMAINS = tuple(app.removeprefix("gongzhi.") for app in DOMAIN_APPS if app != "gongzhi.portal")
UPPER = ("gongzhi.portal", "gongzhi.api", "gongzhi.home")

# Findings that are intrinsic, each with its reason: {(file, imported module prefix): reason}.
ALLOWED: dict[tuple[str, str], str] = {}


def _imports(path: Path, rel: Path):
    """(line, module) for every import in the file at ``gongzhi/<rel>``; ``from a import b`` yields
    ``a`` and ``a.b``; relative imports are resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = ["gongzhi", *rel.parent.parts]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            yield node.lineno, module
            for alias in node.names:
                yield node.lineno, f"{module}.{alias.name}"


def _is_test(rel: Path) -> bool:
    return "tests" in rel.parts or rel.name == "conftest.py"


def _production_files():
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if not _is_test(rel) and "migrations" not in rel.parts:
            yield path, rel


def _under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def _findings(files, forbidden) -> list[str]:
    found = []
    for path, rel in files:
        for line, module in _imports(path, rel):
            for prefix in forbidden:
                key = (str(rel), prefix)
                if _under(module, prefix) and key not in ALLOWED:
                    found.append(f"gongzhi/{rel}:{line} imports {module}")
    return sorted(set(found))


def _packages() -> set[str]:
    return {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()}


def test_the_layer_rules_cover_every_app():
    # Every package under gongzhi/ is a plugged-in domain app or one of the named layers: a new app
    # that is neither would escape the rules below.
    assert _packages() == {*DOMAINS, "core", "jobs", "demo", "portal", "api", "home"}


def test_the_queue_imports_no_domain_app():
    # gongzhi.jobs sits just above core: the domain apps enqueue their work through it, and it finds their
    # tasks through the "jobs" plug-in (plain data in <app>/jobs.py), never by importing them.
    jobs = [(path, rel) for path, rel in _production_files() if rel.parts[0] == "jobs"]
    assert jobs
    assert _findings(jobs, [f"gongzhi.{app}" for app in sorted(_packages() - {"core", "jobs"})]) == []


def test_core_imports_no_app_but_the_registry():
    apps = _packages() - {"core", "registry"}
    core = [(path, rel) for path, rel in _production_files() if rel.parts[0] == "core"]
    assert core
    assert _findings(core, [f"gongzhi.{app}" for app in sorted(apps)]) == []


def test_core_plugins_names_the_apps_as_strings_only():
    path = ROOT / "core" / "plugins.py"
    imported = [
        module for _line, module in _imports(path, Path("core/plugins.py")) if module.startswith("gongzhi")
    ]
    assert imported == []
    assert "gongzhi.problems" in path.read_text(encoding="utf-8")  # as a string, in DOMAIN_APPS


def test_no_production_module_imports_the_demo_package():
    def may_use_the_demo(rel: Path) -> bool:
        return (
            rel.parts[0] == "demo"
            or rel.name == "demo_data.py"
            or ("commands" in rel.parts and rel.stem.startswith("demo"))
        )

    files = [(path, rel) for path, rel in _production_files() if not may_use_the_demo(rel)]
    assert _findings(files, ["gongzhi.demo"]) == []


def test_domain_apps_import_nothing_from_the_portal_the_api_or_home():
    files = [(path, rel) for path, rel in _production_files() if rel.parts[0] in DOMAINS]
    assert files
    assert _findings(files, UPPER) == []


def test_the_import_reader_sees_function_level_and_relative_imports(tmp_path):
    # The rules above are only as good as the reader: it must see the imports they look for.
    sample = tmp_path / "views.py"
    sample.write_text(
        "import gongzhi.api.urls\n"
        "def page():\n"
        "    from gongzhi.demo import generator\n"
        "    from ..portal import permissions\n"
        "    from . import rules\n",
        encoding="utf-8",
    )
    found = list(_imports(sample, Path("voting/views.py")))
    assert (1, "gongzhi.api.urls") in found
    assert (3, "gongzhi.demo.generator") in found
    assert (4, "gongzhi.portal.permissions") in found
    assert (5, "gongzhi.voting.rules") in found
    assert _findings([(sample, Path("voting/views.py"))], UPPER) == [
        "gongzhi/voting/views.py:1 imports gongzhi.api.urls",
        "gongzhi/voting/views.py:4 imports gongzhi.portal",
        "gongzhi/voting/views.py:4 imports gongzhi.portal.permissions",
    ]
    assert _under("gongzhi.demo.generator", "gongzhi.demo") and not _under("gongzhi.demos", "gongzhi.demo")
