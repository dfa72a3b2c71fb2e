"""Demo mode and the demo street's public logins — read-only, for the login page and ``gongzhi serve``.

Demo mode: the invented demo street "春江街道" (loaded by ``gongzhi demo``, gongzhi/demo/) is there and
no real street exists; only then may a public page print the demo logins and their shared password.
This half lives in core so that no production module imports the demo package, which writes and
deletes (``tests/test_layers.py``); the generator imports it from here.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core.models import Role, RoleGrant
from gongzhi.registry import models as r

STREET_NAME = "春江街道"

# Printed on the console and in the README on purpose: it opens only the invented demo street.
DEMO_PASSWORD = "gongzhi-demo-2026"  # noqa: S105


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    sees: Any  # lazy Chinese text: what this login can see

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label)


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("demo_admin", Role.STREET_ADMIN, gettext_lazy("全街道数据；维护台账、排名、审核、大屏")),
    DemoLogin("demo_leader", Role.LEADERSHIP, gettext_lazy("全街道数据（只读）；审批人选与淘汰")),
    DemoLogin(
        "demo_secretary", Role.AREA_SECRETARY, gettext_lazy("本居民区全部小区；巡查、会议、验收、考核")
    ),
    DemoLogin("demo_branch", Role.BRANCH_MEMBER, gettext_lazy("本居民区全部小区；日巡、例会")),
    DemoLogin("demo_oc", Role.OC_MEMBER, gettext_lazy("本小区台账、公示与业主表决")),
    DemoLogin("demo_company", Role.COMPANY_STAFF, gettext_lazy("本公司在管小区；答复问题、公开服务与收支")),
    DemoLogin("demo_evaluator", Role.EVALUATOR, gettext_lazy("受托测评的小区，不含住户信息")),
    DemoLogin("demo_owner", Role.OWNER, gettext_lazy("本人房屋及小区公开信息；报事、测评、表决")),
    DemoLogin(
        "demo_district_office",
        Role.DISTRICT_OFFICE,
        gettext_lazy("本区各街道数据（只读，住户信息隐去）；区级排行"),
    ),
    DemoLogin(
        "demo_district_admin",
        Role.DISTRICT_ADMIN,
        gettext_lazy("本区各街道数据（只读，住户信息隐去）；区级排行，发起区级测评"),
    ),
)
DEMO_USERNAMES = tuple(login.username for login in DEMO_LOGINS)


def find_demo_street() -> r.Street | None:
    """The demo street if it is loaded (a real street that bears its name is not it)."""
    return r.Street.objects.filter(name=STREET_NAME, is_demo=True).first()


def demo_mode() -> bool:
    """Demo mode: the demo street is loaded and no real (non-demo) street exists. Only then may public
    pages print the demo logins and their shared password."""
    return (
        r.Street.objects.filter(is_demo=True).exists() and not r.Street.objects.filter(is_demo=False).exists()
    )


def grants_in_street(street_id: int) -> Q:
    # A district grant belongs to each street of its district (the demo street's district logins).
    return (
        Q(district__streets__pk=street_id)
        | Q(street_id=street_id)
        | Q(area__street_id=street_id)
        | Q(estate__area__street_id=street_id)
        | Q(company__street_id=street_id)
        | Q(unit__building__estate__area__street_id=street_id)
    )


@dataclass(frozen=True)
class LoginRow:
    role_label: str
    username: str
    password: str
    sees: str


def _target_label(grant: RoleGrant) -> str:
    if grant.district_id:
        return grant.district.name
    if grant.street_id:
        return grant.street.name
    if grant.area_id:
        return grant.area.name
    if grant.estate_id:
        return grant.estate.name
    if grant.company_id:
        return grant.company.name
    unit = grant.unit
    return f"{unit.building.estate.name} {unit.building.number} {unit.number}室"


def demo_logins(street: r.Street | None = None) -> list[LoginRow]:
    """The demo logins and what each sees; named from the loaded demo street when there is one.

    Reused by ``gongzhi serve`` and the README, so it stays cheap: three small queries.
    """
    if street is None:
        street = find_demo_street()
    targets: dict[str, list[str]] = defaultdict(list)
    if street is not None:
        grants = (
            RoleGrant.objects.filter(user__username__in=DEMO_USERNAMES)
            .filter(grants_in_street(street.pk))
            .select_related(
                "user", "district", "street", "area", "estate", "company", "unit__building__estate"
            )
            .order_by("pk")
        )
        for grant in grants:
            targets[grant.user.username].append(_target_label(grant))
    company_estates = 0
    if targets.get("demo_company"):
        company_estates = (
            r.Contract.objects.active()
            .filter(company__street=street, company__name=targets["demo_company"][0])
            .aggregate(n=Count("estate", distinct=True))["n"]
        )
    rows = []
    for login in DEMO_LOGINS:
        sees = str(login.sees)
        where = "、".join(targets.get(login.username, []))
        if login.username == "demo_company" and where:
            where = _("%(company)s（%(n)d 个小区）") % {"company": where, "n": company_estates}
        rows.append(
            LoginRow(login.role_label, login.username, DEMO_PASSWORD, f"{where}：{sees}" if where else sees)
        )
    return rows


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def logins_table(rows: list[LoginRow]) -> str:
    """The logins as a plain-text table that lines up in a terminal (Chinese is double width)."""
    header = LoginRow(_("角色"), _("用户名"), _("密码"), _("可见范围"))
    table = [header, *rows]
    widths = [max(_width(getattr(row, f)) for row in table) for f in ("role_label", "username", "password")]
    lines = []
    for i, row in enumerate(table):
        cells = [
            _pad(row.role_label, widths[0]),
            _pad(row.username, widths[1]),
            _pad(row.password, widths[2]),
        ]
        lines.append("  ".join([*cells, row.sees]).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in [*widths, _width(row.sees)]))
    return "\n".join(lines)
