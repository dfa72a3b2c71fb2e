"""数据体检 — the data-health report: cross-app invariants that hold for any well-kept street.

Each domain app lists its invariants in a ``health.py`` plug-in (``INVARIANTS``, read through
``core/plugins.py`` ``app_modules("health")``); this module runs them for one street and collects
their findings. An invariant is a read-only function ``check(street, today)`` yielding ``Finding``s:
a severity, a plain-Chinese message naming the object, and a link to the page where it is fixed.

Used by ``gongzhi check`` (``core/management/commands/datacheck.py``: Chinese text or ``--json``,
exit code 1 when any finding is an error) and by the street admin's page ``/data-health/``
(``core/views.py``), which runs the same report for the admin's own street.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.plugins import app_modules

ERROR = "error"  # the records contradict each other or the law: someone must correct them
WARNING = "warning"  # unusual, possibly legitimate: someone should look
SEVERITIES = {ERROR: _("错误"), WARNING: _("提醒")}


@dataclass(frozen=True)
class Finding:
    severity: str
    message: str
    link: str = ""


@dataclass(frozen=True)
class Invariant:
    """One cross-app invariant. ``code`` is stable (``<app>.<name>``): tests and the demo plan cite it."""

    code: str
    title: Any  # a lazy translatable string
    check: Callable[[Any, dt.date], Iterable[Finding]]
    basis: Any = ""  # why it must hold (a rule, a law), one sentence


@dataclass
class InvariantResult:
    invariant: Invariant
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == WARNING)


@dataclass
class Report:
    street: Any
    today: dt.date
    results: list[InvariantResult]

    @property
    def errors(self) -> int:
        return sum(r.errors for r in self.results)

    @property
    def warnings(self) -> int:
        return sum(r.warnings for r in self.results)

    @property
    def findings(self) -> int:
        return self.errors + self.warnings

    def codes(self) -> dict[str, int]:
        """Findings per invariant code (only invariants with findings)."""
        return {r.invariant.code: len(r.findings) for r in self.results if r.findings}

    def as_json(self, base_url: str = "") -> dict[str, Any]:
        return {
            "street": {"id": self.street.pk, "name": self.street.name},
            "today": self.today.isoformat(),
            "errors": self.errors,
            "warnings": self.warnings,
            "invariants": [
                {
                    "code": r.invariant.code,
                    "title": str(r.invariant.title),
                    "errors": r.errors,
                    "warnings": r.warnings,
                    "findings": [
                        {
                            "severity": f.severity,
                            "message": f.message,
                            "link": (base_url + f.link) if f.link else "",
                        }
                        for f in r.findings
                    ],
                }
                for r in self.results
            ],
        }


def invariants() -> list[Invariant]:
    """Every invariant of every domain app, in ``DOMAIN_APPS`` order."""
    return [invariant for module in app_modules("health") for invariant in module.INVARIANTS]


def run_health(*, street, today: dt.date | None = None, only: Iterable[str] | None = None) -> Report:
    """Run the invariants (all, or the codes in ``only``) for one street; reads only."""
    today = today or timezone.localdate()
    wanted = set(only) if only is not None else None
    results = []
    for invariant in invariants():
        if wanted is not None and invariant.code not in wanted:
            continue
        findings = sorted(invariant.check(street, today), key=lambda f: (f.severity != ERROR, f.message))
        results.append(InvariantResult(invariant, findings))
    return Report(street=street, today=today, results=results)


# ---- helpers the plug-ins share ---------------------------------------------------------------------


def staff_companies(street) -> dict[int, set[int]]:
    """{user id: ids of the street's companies the user works for (company-staff grants)}."""
    from gongzhi.core.models import Role
    from gongzhi.core.scopes import holders_of
    from gongzhi.registry.models import Company

    companies: dict[int, set[int]] = {}
    for company_id in Company.objects.filter(street=street).values_list("pk", flat=True):
        for user_id in holders_of(Role.COMPANY_STAFF, company_id=company_id).values_list("pk", flat=True):
            companies.setdefault(user_id, set()).add(company_id)
    return companies


def managing_companies(street) -> dict[int, list[tuple[int, dt.date, dt.date]]]:
    """{estate id: [(company id, contract start, contract end), …]} from the registry's contracts."""
    from gongzhi.registry.models import Contract

    contracts: dict[int, list[tuple[int, dt.date, dt.date]]] = {}
    for estate_id, company_id, start, end in Contract.objects.filter(estate__area__street=street).values_list(
        "estate_id", "company_id", "start_date", "end_date"
    ):
        contracts.setdefault(estate_id, []).append((company_id, start, end))
    return contracts


def manages_on(contracts: list[tuple[int, dt.date, dt.date]], company_ids: set[int], day: dt.date) -> bool:
    """One of ``company_ids`` manages the estate on ``day`` (a contract covering it, both ends included)."""
    return any(company in company_ids and start <= day <= end for company, start, end in contracts)
