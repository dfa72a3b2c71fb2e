"""A small street with named personas, shared by every test (healthchecks' alice/bob habit).

    street "示例街道": area A (estates A1 old, A2 new), area B (estate B1 old)
    company X manages A1 and B1; company Y manages A2
    other street "另一街道" with its own area, estate, company and admin

Personas (usernames): admin, leader, secretary_a, secretary_b, member_a, oc_a1, staff_x,
evaluator_b1, owner_a1, outsider, other_admin. Every password is ``PASSWORD``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from gongzhi.core.models import Role, RoleGrant, User
from gongzhi.registry import models as r

PASSWORD = "correct-horse-battery-staple-9"  # noqa: S105 (test-only persona password)
PERSONAS = [
    "admin",
    "leader",
    "secretary_a",
    "secretary_b",
    "member_a",
    "oc_a1",
    "staff_x",
    "evaluator_b1",
    "owner_a1",
    "outsider",
    "other_admin",
]


@dataclass
class World:
    street: r.Street
    area_a: r.Area
    area_b: r.Area
    estate_a1: r.Estate
    estate_a2: r.Estate
    estate_b1: r.Estate
    building_a1: r.Building
    unit_a1: r.Unit
    unit_a1_other: r.Unit
    building_b1: r.Building
    unit_b1: r.Unit
    company_x: r.Company
    company_y: r.Company
    contract_a1: r.Contract
    contract_a2: r.Contract
    contract_b1: r.Contract
    committee_a1: r.OwnersCommittee
    branch_a: r.Branch
    branch_b: r.Branch
    rc_a: r.ResidentsCommittee
    other_street: r.Street
    other_area: r.Area
    other_estate: r.Estate
    other_unit: r.Unit
    other_company: r.Company
    users: dict[str, User]

    def user(self, name: str) -> User:
        return self.users[name]


def _user(username: str, display: str) -> User:
    return User.objects.create_user(username=username, password=PASSWORD, display_name=display)


def _estate_with_units(area, name, year, owner_prefix, street):
    estate = r.Estate.objects.create(area=area, name=name, build_year=year, address=f"{name}路1号")
    building = r.Building.objects.create(estate=estate, number="1号", floors=6)
    units = []
    for i, area_m2 in enumerate([Decimal("68.50"), Decimal("72.30"), Decimal("55.00")], start=1):
        owner = r.Owner.objects.create(
            street=street, ref=f"{owner_prefix}-{i}", name=f"业主{owner_prefix}{i}", phone=f"1380000{i:04d}"
        )
        units.append(r.Unit.objects.create(building=building, number=f"{i}01", area=area_m2, owner=owner))
    return estate, building, units


def build_world() -> World:
    today = timezone.localdate()
    street = r.Street.objects.create(name="示例街道", district="浦东新区")
    area_a = r.Area.objects.create(street=street, name="甲居民区")
    area_b = r.Area.objects.create(street=street, name="乙居民区")
    estate_a1, building_a1, units_a1 = _estate_with_units(area_a, "甲一小区", 1988, "A1", street)
    estate_a2, _b, _u = _estate_with_units(area_a, "甲二小区", 2005, "A2", street)
    estate_b1, building_b1, units_b1 = _estate_with_units(area_b, "乙一小区", 1992, "B1", street)
    company_x = r.Company.objects.create(
        street=street, name="星河物业", ownership="state", credit_code="91310115MA1K000001"
    )
    company_y = r.Company.objects.create(street=street, name="月湾物业")
    term = {"start_date": today - dt.timedelta(days=365), "end_date": today + dt.timedelta(days=365)}
    contract_a1 = r.Contract.objects.create(
        company=company_x,
        estate=estate_a1,
        fee_standard=Decimal("0.80"),
        collection_rate=Decimal("85.00"),
        **term,
    )
    contract_a2 = r.Contract.objects.create(
        company=company_y,
        estate=estate_a2,
        fee_standard=Decimal("1.20"),
        collection_rate=Decimal("96.50"),
        **term,
    )
    contract_b1 = r.Contract.objects.create(
        company=company_x,
        estate=estate_b1,
        fee_standard=Decimal("0.65"),
        collection_rate=Decimal("58.00"),
        **term,
    )
    committee_a1 = r.OwnersCommittee.objects.create(
        estate=estate_a1, term_start=today - dt.timedelta(days=400), term_end=today + dt.timedelta(days=700)
    )
    r.CommitteeMember.objects.create(
        committee=committee_a1, name="王建国", position="director", is_party_member=True, phone="13900001111"
    )
    rc_a = r.ResidentsCommittee.objects.create(area=area_a, name="甲居民区居委会", director_name="李红")
    r.ResidentsCommittee.objects.create(area=area_b, name="乙居民区居委会", director_name="赵敏")
    branch_a = r.Branch.objects.create(
        area=area_a, name="甲居民区物业治理联合党支部", secretary_name="陈书记"
    )
    branch_b = r.Branch.objects.create(
        area=area_b, name="乙居民区物业治理联合党支部", secretary_name="周书记"
    )
    r.BranchMember.objects.create(
        branch=branch_a, name="陈书记", organisation="party", membership="member", position="书记"
    )
    r.BranchMember.objects.create(
        branch=branch_a,
        name="刘经理",
        organisation="company",
        membership="attendee",
        is_party_member=False,
        position="项目经理",
    )

    other_street = r.Street.objects.create(name="另一街道")
    other_area = r.Area.objects.create(street=other_street, name="丙居民区")
    other_estate, _b, other_units = _estate_with_units(other_area, "丙一小区", 1985, "C1", other_street)
    other_company = r.Company.objects.create(street=other_street, name="远方物业")
    r.Contract.objects.create(
        company=other_company, estate=other_estate, fee_standard=Decimal("0.90"), **term
    )

    users = {
        "admin": _user("admin", "街道管理员"),
        "leader": _user("leader", "领导小组"),
        "secretary_a": _user("secretary_a", "甲书记"),
        "secretary_b": _user("secretary_b", "乙书记"),
        "member_a": _user("member_a", "甲支部成员"),
        "oc_a1": _user("oc_a1", "甲一业委会"),
        "staff_x": _user("staff_x", "星河物业员工"),
        "evaluator_b1": _user("evaluator_b1", "测评员"),
        "owner_a1": _user("owner_a1", "甲一业主"),
        "outsider": _user("outsider", "无授权用户"),
        "other_admin": _user("other_admin", "另一街道管理员"),
    }
    grants = [
        ("admin", Role.STREET_ADMIN, {"street": street}),
        ("leader", Role.LEADERSHIP, {"street": street}),
        ("secretary_a", Role.AREA_SECRETARY, {"area": area_a}),
        ("secretary_b", Role.AREA_SECRETARY, {"area": area_b}),
        ("member_a", Role.BRANCH_MEMBER, {"area": area_a}),
        ("oc_a1", Role.OC_MEMBER, {"estate": estate_a1}),
        ("staff_x", Role.COMPANY_STAFF, {"company": company_x}),
        ("evaluator_b1", Role.EVALUATOR, {"estate": estate_b1}),
        ("owner_a1", Role.OWNER, {"unit": units_a1[0]}),
        ("other_admin", Role.STREET_ADMIN, {"street": other_street}),
    ]
    for username, role, target in grants:
        RoleGrant.objects.create(user=users[username], role=role, **target)

    return World(
        street=street,
        area_a=area_a,
        area_b=area_b,
        estate_a1=estate_a1,
        estate_a2=estate_a2,
        estate_b1=estate_b1,
        building_a1=building_a1,
        unit_a1=units_a1[0],
        unit_a1_other=units_a1[1],
        building_b1=building_b1,
        unit_b1=units_b1[0],
        company_x=company_x,
        company_y=company_y,
        contract_a1=contract_a1,
        contract_a2=contract_a2,
        contract_b1=contract_b1,
        committee_a1=committee_a1,
        branch_a=branch_a,
        branch_b=branch_b,
        rc_a=rc_a,
        other_street=other_street,
        other_area=other_area,
        other_estate=other_estate,
        other_unit=other_units[0],
        other_company=other_company,
        users=users,
    )
