"""Loading, resetting and describing the demo street "春江街道" (docs/DESIGN.md §8).

``demo_street_ensure`` is what ``gongzhi demo`` calls: it loads the street once (a second run
changes nothing), or with ``reset=True`` deletes the demo street's rows and loads it again. It
never touches a street that is not marked ``is_demo``. The data itself is planned by
``gongzhi.demo.plan`` (pure, seeded); this module only writes it, in big batches inside one
transaction, with one audit row for the whole import instead of one per record. After the
registry and the logins, each app writes its part of the story through its ``demo_data.py``
plug-in (the problem history, two years of ledgers, fees …), in ``core.plugins.DOMAIN_APPS``
order; a reset deletes them in the reverse order. A plug-in module offers
``demo_create(*, street, seed, scale, today, users) -> counts``, ``demo_delete(*, street) -> counts``
and ``demo_fingerprint(street) -> str``, and may offer ``demo_registry`` (same arguments), run for every
plug-in before any ``demo_create``: registry history the other apps' stories read (the elections plug-in
installs this year's elected owners' committees there), and ``demo_finish`` (same arguments), run for every
plug-in after every ``demo_create``: a story that reads other apps' records made later in the order (the fee
intents read the evaluation, the disclosures and the price meetings), with ``demo_finish_delete(*, street)``
run before any ``demo_delete`` on reset; tests and benchmarks may pass their own ``plugins``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections import defaultdict
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import audit_record, audit_suppressed
from gongzhi.core.demo_mode import (
    DEMO_LOGINS,
    DEMO_PASSWORD,
    DEMO_USERNAMES,
    STREET_NAME,
    demo_logins,
    demo_mode,
    find_demo_street,
    grants_in_street,
    logins_table,
)
from gongzhi.core.models import AuditEvent, RoleGrant, User
from gongzhi.core.plugins import app_modules
from gongzhi.core.scopes import street_of
from gongzhi.demo.errors import DemoError
from gongzhi.demo.plan import SEED, SMALL_SCALE, StreetPlan, plan_street
from gongzhi.registry import models as r

__all__ = [
    "DEMO_LOGINS",
    "DEMO_PASSWORD",
    "DEMO_USERNAMES",
    "SEED",
    "SMALL_SCALE",
    "STREET_NAME",
    "DemoError",
    "DemoResult",
    "demo_logins",
    "demo_street_create",
    "demo_street_delete",
    "demo_street_ensure",
    "demo_mode",
    "find_demo_street",
    "logins_table",
    "street_fingerprint",
]


@dataclass
class DemoResult:
    street: r.Street
    created: bool
    counts: dict[str, int]
    deleted: dict[str, int]
    seconds: float


# ---- finding, loading, deleting -----------------------------------------------------------------

Plugins = Iterable[ModuleType] | None


def _plugins(plugins: Plugins) -> tuple[ModuleType, ...]:
    """The apps' ``demo_data`` modules: every one in ``DOMAIN_APPS`` order, or those a test names."""
    return app_modules("demo_data") if plugins is None else tuple(plugins)


def _refuse_real_street() -> None:
    if r.Street.objects.filter(name=STREET_NAME, is_demo=False).exists():
        raise DemoError(_("已有同名的正式街道“%(name)s”，演示数据不会改动它。") % {"name": STREET_NAME})


@transaction.atomic
def demo_street_ensure(
    *,
    seed: int = SEED,
    scale: float = 1.0,
    reset: bool = False,
    today: dt.date | None = None,
    plugins: Plugins = None,
) -> DemoResult:
    """Load the demo street unless it is there already; ``reset`` deletes and reloads it."""
    started = time.perf_counter()
    _refuse_real_street()
    street = find_demo_street()
    deleted: dict[str, int] = {}
    if street is not None and not reset:
        return DemoResult(street, False, {}, {}, time.perf_counter() - started)
    if street is not None:
        deleted = demo_street_delete(street=street)
    elif reset:
        deleted = _delete_demo_users(street=None)
    street, counts = demo_street_create(seed=seed, scale=scale, today=today, plugins=plugins)
    return DemoResult(street, True, counts, deleted, time.perf_counter() - started)


@transaction.atomic
def demo_street_create(
    *, seed: int = SEED, scale: float = 1.0, today: dt.date | None = None, plugins: Plugins = None
) -> tuple[r.Street, dict[str, int]]:
    """Write the planned street, its demo users and one audit row; returns the row counts."""
    existing = sorted(User.objects.filter(username__in=DEMO_USERNAMES).values_list("username", flat=True))
    if existing:
        raise DemoError(
            _("用户名 %(names)s 已被占用；请先删除这些用户，或用 --reset 重建演示数据。")
            % {"names": "、".join(existing)}
        )
    if r.Street.objects.filter(name=STREET_NAME).exists():
        raise DemoError(_("街道“%(name)s”已存在。") % {"name": STREET_NAME})
    plan = plan_street(seed, scale=scale, today=today or timezone.localdate())
    street, counts, targets = _load(plan)
    counts.update(_create_users(plan, street, targets))
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)}
    # The apps write through their services; the whole load is audited once, below. First the registry's own
    # history that other apps' stories read (``demo_registry``: the owners' committees elected this year, built
    # by the elections plug-in through slate → vote → committee), then every app's story.
    with audit_suppressed():
        for module in _plugins(plugins):
            history = getattr(module, "demo_registry", None)
            if history is not None:
                counts.update(history(street=street, seed=seed, scale=scale, today=plan.today, users=users))
        for module in _plugins(plugins):
            counts.update(
                module.demo_create(street=street, seed=seed, scale=scale, today=plan.today, users=users)
            )
        for module in _plugins(plugins):
            finish = getattr(module, "demo_finish", None)
            if finish is not None:
                counts.update(finish(street=street, seed=seed, scale=scale, today=plan.today, users=users))
    audit_record(
        actor=None,
        action=AuditEvent.Action.IMPORT,
        obj=street,
        street_id=street.pk,
        object_label=_("演示街道 %(name)s") % {"name": street.name},
        changes={"seed": seed, "scale": scale, "today": plan.today.isoformat(), "counts": counts},
    )
    return street, counts


def _load(plan: StreetPlan) -> tuple[r.Street, dict[str, int], dict[str, Any]]:
    """Bulk-insert the registry rows; foreign keys come from the primary keys bulk_create sets."""
    district, _created = r.District.objects.get_or_create(name=plan.district, defaults={"is_demo": True})
    street = r.Street.objects.create(name=plan.name, district=district, is_demo=True)
    areas = r.Area.objects.bulk_create(
        [r.Area(street=street, name=a.name, address=a.address) for a in plan.areas]
    )
    r.ResidentsCommittee.objects.bulk_create(
        [
            r.ResidentsCommittee(area=area, name=a.rc_name, director_name=a.rc_director, phone=a.rc_phone)
            for area, a in zip(areas, plan.areas, strict=True)
        ]
    )
    branches = r.Branch.objects.bulk_create(
        [
            r.Branch(
                area=area, name=a.branch_name, secretary_name=a.secretary, founded_on=a.branch_founded_on
            )
            for area, a in zip(areas, plan.areas, strict=True)
        ]
    )
    branch_members = r.BranchMember.objects.bulk_create(
        [
            r.BranchMember(
                branch=branch,
                name=m.name,
                organisation=m.organisation,
                position=m.position,
                membership=m.membership,
                is_party_member=m.is_party_member,
                phone=m.phone,
            )
            for branch, a in zip(branches, plan.areas, strict=True)
            for m in a.branch_members
        ]
    )
    companies = r.Company.objects.bulk_create(
        [
            r.Company(
                street=street,
                name=c.name,
                ownership=c.ownership,
                contact_name=c.contact_name,
                contact_phone=c.contact_phone,
            )
            for c in plan.companies
        ]
    )
    estate_plans = [(area, e) for area, a in zip(areas, plan.areas, strict=True) for e in a.estates]
    estates = r.Estate.objects.bulk_create(
        [
            r.Estate(area=area, name=e.name, address=e.address, build_year=e.build_year)
            for area, e in estate_plans
        ]
    )
    pairs = list(zip(estates, (e for _area, e in estate_plans), strict=True))
    contracts = r.Contract.objects.bulk_create(
        [
            r.Contract(
                estate=estate,
                company=companies[c.company],
                start_date=c.start_date,
                end_date=c.end_date,
                fee_standard=c.fee_standard,
                service_level=c.service_level,
                collection_rate=c.collection_rate,
            )
            for estate, e in pairs
            for c in e.contracts
        ]
    )
    with_committee = [(estate, e) for estate, e in pairs if e.committee]
    committees = r.OwnersCommittee.objects.bulk_create(
        [
            r.OwnersCommittee(estate=estate, term_start=e.committee.term_start, term_end=e.committee.term_end)
            for estate, e in with_committee
        ]
    )
    members = r.CommitteeMember.objects.bulk_create(
        [
            r.CommitteeMember(
                committee=committee,
                name=m.name,
                position=m.position,
                is_party_member=m.is_party_member,
                is_cross_appointed=m.is_cross_appointed,
                phone=m.phone,
            )
            for committee, (_estate, e) in zip(committees, with_committee, strict=True)
            for m in e.committee.members
        ]
    )
    owners = r.Owner.objects.bulk_create(
        [r.Owner(street=street, ref=o.ref, name=o.name, kind=o.kind, phone=o.phone) for o in plan.owners]
    )
    owner_ids = [o.pk for o in owners]
    building_plans = [(estate.pk, b) for estate, e in pairs for b in e.buildings]
    buildings = r.Building.objects.bulk_create(
        [r.Building(estate_id=estate_id, number=b.number, floors=b.floors) for estate_id, b in building_plans]
    )
    target_estate = plan.areas[plan.targets.area].estates[plan.targets.estate]
    target_unit = target_estate.buildings[plan.targets.building].units[plan.targets.unit]
    units = []
    owner_unit_index = -1
    for building, (_estate_id, b) in zip(buildings, building_plans, strict=True):
        for u in b.units:
            if u is target_unit:
                owner_unit_index = len(units)
            units.append(
                r.Unit(
                    building_id=building.pk,
                    number=u.number,
                    area=u.area,
                    area_source=u.area_source,
                    owner_id=owner_ids[u.owner],
                )
            )
    units = r.Unit.objects.bulk_create(units)

    area_estates: dict[int, list[r.Estate]] = defaultdict(list)
    for estate in estates:
        area_estates[estate.area_id].append(estate)
    t = plan.targets
    demo_area = areas[t.area]
    targets = {
        "area": demo_area,
        "estate": area_estates[demo_area.pk][t.estate],
        "company": companies[t.company],
        "evaluated": [area_estates[areas[a].pk][e] for a, e in t.evaluator_estates],
        "unit": units[owner_unit_index],
    }
    counts = {
        "areas": len(areas),
        "estates": len(estates),
        "old_estates": sum(1 for e in estates if e.is_old),
        "buildings": len(buildings),
        "units": len(units),
        "owners": len(owners),
        "companies": len(companies),
        "contracts": len(contracts),
        "owners_committees": len(committees),
        "committee_members": len(members),
        "residents_committees": len(areas),
        "branches": len(branches),
        "branch_members": len(branch_members),
    }
    return street, counts, targets


def _create_users(plan: StreetPlan, street: r.Street, targets: dict[str, Any]) -> dict[str, int]:
    """One user per role, each granted the part of the street its role reaches."""
    t = plan.targets
    area_plan = plan.areas[t.area]
    estate_plan = area_plan.estates[t.estate]
    company = targets["company"]
    unit: r.Unit = targets["unit"]
    owner = plan.owners[estate_plan.buildings[t.building].units[t.unit].owner]
    people = {
        "demo_admin": (f"{t.admin_name}({street.name}管理办)", [{"street": street}]),
        "demo_leader": (f"{t.leader_name}(物业治理领导小组)", [{"street": street}]),
        "demo_secretary": (f"{area_plan.secretary}({area_plan.name}书记)", [{"area": targets["area"]}]),
        "demo_branch": (f"{area_plan.rc_director}({area_plan.name}居委会主任)", [{"area": targets["area"]}]),
        "demo_oc": (
            f"{estate_plan.committee.director.name}({estate_plan.name}业委会主任)",
            [{"estate": targets["estate"]}],
        ),
        "demo_company": (f"{company.contact_name}({company.name})", [{"company": company}]),
        "demo_evaluator": (
            f"{t.evaluator_name}(第三方测评机构)",
            [{"estate": e} for e in targets["evaluated"]],
        ),
        "demo_owner": (f"{owner.name}({estate_plan.name}业主)", [{"unit": unit}]),
        # The district tier: the demo street's district (区房管局 reads, 区管理员 also starts district rounds).
        "demo_district_office": (f"{street.district}房管局", [{"district": street.district}]),
        "demo_district_admin": (f"{street.district}管理员", [{"district": street.district}]),
    }
    # One hash for the one public password: the production hasher (Argon2) costs a third of a
    # second per hash on a small machine, and a per-user salt protects nothing that is printed.
    password = make_password(DEMO_PASSWORD)
    users = User.objects.bulk_create(
        [
            User(username=login.username, password=password, display_name=people[login.username][0])
            for login in DEMO_LOGINS
        ]
    )
    grants = [
        RoleGrant(user=user, role=login.role, note="演示账号", **target)
        for user, login in zip(users, DEMO_LOGINS, strict=True)
        for target in people[login.username][1]
    ]
    RoleGrant.objects.bulk_create(grants)
    return {"users": len(DEMO_LOGINS), "role_grants": len(grants)}


def _refuse_users_elsewhere(street: r.Street | None) -> None:
    """Refuse when a demo login also holds a grant outside the demo street."""
    grants = RoleGrant.objects.filter(user__username__in=DEMO_USERNAMES)
    if street is not None:
        grants = grants.exclude(grants_in_street(street.pk))
    taken = sorted(set(grants.values_list("user__username", flat=True)))
    if taken:
        raise DemoError(
            _("用户 %(names)s 在其他街道有授权，演示数据不会删除它们。") % {"names": "、".join(taken)}
        )


def _delete_demo_users(*, street: r.Street | None) -> dict[str, int]:
    """Delete the demo logins, unless one of them also holds a grant outside the demo street or the
    deletion would cascade to another street's rows (an exam attempt in a real street, say)."""
    _refuse_users_elsewhere(street)
    users = User.objects.filter(username__in=DEMO_USERNAMES)
    if street is None:
        _refuse_cascade_elsewhere(users, None)
        return dict(users.delete()[1])
    return _delete(users, street, check_cascade=True)


def _streets_of(obj: models.Model) -> set[int | None]:
    """The streets a row belongs to: by its model's declared path; a row of a model without one (a
    check signed by a user, a disclosure of an estate …) by the rows its foreign keys point at."""
    try:
        return {street_of(obj)}
    except KeyError:
        pass
    streets: set[int | None] = set()
    for field in obj._meta.concrete_fields:
        if field.many_to_one and getattr(obj, field.attname) is not None:
            with suppress(KeyError):
                streets.add(street_of(getattr(obj, field.name)))
    return streets - {None}


def _refuse_elsewhere(obj: models.Model, street_id: int | None) -> None:
    if _streets_of(obj) - {street_id}:
        raise DemoError(_("“%(label)s”属于其他街道却引用了演示数据，演示数据不会改动它。") % {"label": obj})


def _refuse_cascade_elsewhere(queryset: models.QuerySet, street_id: int | None) -> None:
    """Refuse when deleting these rows would delete, by cascade, a row of another street."""
    collector = Collector(using=queryset.db, origin=queryset)
    collector.collect(queryset)  # raises ProtectedError/RestrictedError as delete() would
    for objs in collector.data.values():
        for obj in objs:
            _refuse_elsewhere(obj, street_id)
    for fast in collector.fast_deletes:
        for obj in fast:
            _refuse_elsewhere(obj, street_id)


def _delete(
    queryset: models.QuerySet, street: r.Street, depth: int = 0, *, check_cascade: bool = False
) -> dict[str, int]:
    """Delete rows of the demo street; rows elsewhere that protect them are deleted first when
    they belong to the demo street too (problems, ledgers … of other apps), refused otherwise.
    ``check_cascade``: also refuse when the deletion would cascade to another street's rows (for
    rows that do not hang on the street themselves: the demo logins)."""
    try:
        if check_cascade:
            _refuse_cascade_elsewhere(queryset, street.pk)
        return dict(queryset.delete()[1])
    except (ProtectedError, RestrictedError) as exc:
        if depth >= 8:
            raise
        blockers = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
        by_model: dict[type[models.Model], list[Any]] = defaultdict(list)
        for obj in blockers:
            try:
                _refuse_elsewhere(obj, street.pk)
            except DemoError as refused:
                raise refused from exc
            by_model[type(obj)].append(obj.pk)
        deleted: dict[str, int] = defaultdict(int)
        for model, pks in by_model.items():
            for label, n in _delete(model._base_manager.filter(pk__in=pks), street, depth + 1).items():
                deleted[label] += n
        for label, n in _delete(queryset, street, depth + 1, check_cascade=check_cascade).items():
            deleted[label] += n
        return dict(deleted)


@transaction.atomic
def demo_street_delete(*, street: r.Street, plugins: Plugins = None) -> dict[str, int]:
    """Delete every row of the demo street and its demo logins; one audit row records it."""
    if not street.is_demo:
        raise DemoError(_("“%(name)s”不是演示街道，不能删除。") % {"name": street.name})
    # First the logins: this refuses (before anything is deleted) if one of them is used elsewhere.
    # Then the apps' demo rows (``<app>/demo_data.py``), in the reverse order of their creation (a
    # branch resolution points at a problem …), before the logins they point at: the ledgers, which
    # the database keeps append-only, would otherwise see ``posted_by`` set to NULL (an UPDATE).
    deleted: dict[str, int] = defaultdict(int)
    _refuse_users_elsewhere(street)
    for module in reversed(_plugins(plugins)):  # the finishing stories first: they point into other apps
        unfinish = getattr(module, "demo_finish_delete", None)
        if unfinish is not None:
            for label, n in unfinish(street=street).items():
                deleted[label] += n
    for module in reversed(_plugins(plugins)):
        for label, n in module.demo_delete(street=street).items():
            deleted[label] += n
    for label, n in _delete_demo_users(street=street).items():
        deleted[label] += n
    # Dependency order: every PROTECT foreign key is cleared before its target goes.
    steps = [
        r.Contract.objects.filter(estate__area__street=street),
        r.OwnersCommittee.objects.filter(estate__area__street=street),
        r.Branch.objects.filter(area__street=street),
        r.ResidentsCommittee.objects.filter(area__street=street),
        r.Unit.objects.filter(building__estate__area__street=street),
        r.Owner.objects.filter(street=street),
        r.Building.objects.filter(estate__area__street=street),
        r.Estate.objects.filter(area__street=street),
        r.Company.objects.filter(street=street),
        r.CompanyGroup.objects.filter(street=street),
        r.Area.objects.filter(street=street),
    ]
    for queryset in steps:
        for label, n in _delete(queryset, street).items():
            deleted[label] += n
    name, street_id = street.name, street.pk
    for label, n in _delete(r.Street.objects.filter(pk=street_id), street).items():
        deleted[label] += n
    audit_record(
        actor=None,
        action=AuditEvent.Action.DELETE,
        object_type="registry.Street",
        object_label=_("演示街道 %(name)s") % {"name": name},
        changes={"street_id": street_id, "deleted": dict(deleted)},
    )
    return dict(deleted)


# ---- fingerprint --------------------------------------------------------------------------------


def street_fingerprint(street: r.Street, plugins: Plugins = None) -> str:
    """SHA-256 over every generated row by natural keys (no ids), sorted in Python so the
    database's collation does not matter: same seed and day → same fingerprint."""
    sid = street.pk
    queries = [
        r.Street.objects.filter(pk=sid).values_list("name", "district__name", "is_demo"),
        r.Area.objects.filter(street_id=sid).values_list("name", "address"),
        r.ResidentsCommittee.objects.filter(area__street_id=sid).values_list(
            "area__name", "name", "director_name", "phone"
        ),
        r.Branch.objects.filter(area__street_id=sid).values_list(
            "area__name", "name", "secretary_name", "founded_on"
        ),
        r.BranchMember.objects.filter(branch__area__street_id=sid).values_list(
            "branch__area__name", "name", "organisation", "position", "membership", "is_party_member", "phone"
        ),
        r.Company.objects.filter(street_id=sid).values_list(
            "name", "ownership", "credit_code", "contact_name", "contact_phone"
        ),
        r.Estate.objects.filter(area__street_id=sid).values_list(
            "area__name", "name", "address", "build_year"
        ),
        r.Contract.objects.filter(estate__area__street_id=sid).values_list(
            "estate__name",
            "company__name",
            "start_date",
            "end_date",
            "fee_standard",
            "service_level",
            "collection_rate",
        ),
        r.OwnersCommittee.objects.filter(estate__area__street_id=sid).values_list(
            "estate__name", "term_start", "term_end"
        ),
        r.CommitteeMember.objects.filter(committee__estate__area__street_id=sid).values_list(
            "committee__estate__name", "name", "position", "is_party_member", "is_cross_appointed", "phone"
        ),
        r.Owner.objects.filter(street_id=sid).values_list("ref", "name", "kind", "phone"),
        r.Building.objects.filter(estate__area__street_id=sid).values_list(
            "estate__name", "number", "floors"
        ),
        r.Unit.objects.filter(building__estate__area__street_id=sid).values_list(
            "building__estate__name", "building__number", "number", "area", "area_source", "owner__ref"
        ),
        RoleGrant.objects.filter(grants_in_street(sid)).values_list(
            "user__username",
            "user__display_name",
            "role",
            "district__name",
            "street__name",
            "area__name",
            "estate__name",
            "company__name",
            "unit__building__estate__name",
            "unit__building__number",
            "unit__number",
        ),
    ]
    digest = hashlib.sha256()
    for query in queries:
        rows = sorted(tuple("" if v is None else str(v) for v in row) for row in query)
        digest.update(repr(rows).encode())
    for module in _plugins(plugins):
        digest.update(module.demo_fingerprint(street).encode())
    return digest.hexdigest()
