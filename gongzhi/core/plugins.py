"""How the domain apps plug into the shared machinery — declared, not discovered.

Each capability app may provide any of these small modules:

- ``scoping.py``    how its rows hang on the street (read by the one door, ``core/scopes.py``);
- ``navigation.py`` its menu group (read by ``core/context_processors.py``);
- ``demo_data.py``  its part of the demo street (read by ``demo/generator.py``);
- ``today.py``      its items of the user's "today" list (read by ``core/today.py``);
- ``health.py``     its invariants of the data-health report (read by ``core/health.py``);
- ``jobs.py``       its background tasks and their schedule, as plain data (read by ``jobs/registry.py``).

``DOMAIN_APPS`` lists the apps in the order their plug-ins run (the demo builds the registry
before the problems that hang on it, the menu follows the same order). An app is plugged in by
adding it here, the way healthchecks lists its ``CHANNEL_KINDS``: nothing is found by name
scanning, so a typo fails loudly at start-up instead of silently dropping a menu or a scope.
"""

from __future__ import annotations

import functools
from importlib import import_module
from importlib.util import find_spec
from types import ModuleType

DOMAIN_APPS: tuple[str, ...] = (
    "gongzhi.registry",
    "gongzhi.problems",
    "gongzhi.finance",
    "gongzhi.fees",
    "gongzhi.disclosure",
    "gongzhi.voting",
    "gongzhi.evaluation",
    "gongzhi.branchwork",
    "gongzhi.elections",
    "gongzhi.training",
    "gongzhi.portal",
    "gongzhi.wall",  # last: its demo builds the kept aggregates from everything before it
)

PLUGIN_KINDS = ("scoping", "navigation", "demo_data", "today", "health", "jobs")


@functools.cache
def app_modules(kind: str) -> tuple[ModuleType, ...]:
    """The ``<app>.<kind>`` modules of the domain apps that provide one, in ``DOMAIN_APPS`` order."""
    if kind not in PLUGIN_KINDS:
        raise ValueError(f"unknown plug-in kind {kind!r}; one of {PLUGIN_KINDS}")
    return tuple(
        import_module(f"{app}.{kind}") for app in DOMAIN_APPS if find_spec(f"{app}.{kind}") is not None
    )
