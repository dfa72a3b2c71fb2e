"""The one door: which part of the street a user may see or change.

Every view, API endpoint and export asks here, never on its own:

- ``scope_for(user)`` — the user's reach, computed once per request from their role grants;
- ``visible(user, Model_or_queryset)`` — only the rows that reach allows;
- ``get_visible_or_404(user, Model, pk, write=False)`` — one object: outsider → 404 (the same
  answer as "does not exist"), reader without write right → 403.

Each scoped model declares how it hangs off the street in ``SCOPE_PATHS`` below; a model
missing from that table cannot be listed through this door at all (KeyError in tests).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from gongzhi.core.models import Role, RoleGrant
from gongzhi.core.plugins import app_modules

STREET_WIDE_ROLES = frozenset({Role.STREET_ADMIN, Role.LEADERSHIP})
AREA_ROLES = frozenset({Role.AREA_SECRETARY, Role.BRANCH_MEMBER})
OFFICE_ROLES = frozenset(Role) - {Role.OWNER}


@dataclass(frozen=True)
class Scope:
    """What one user reaches. Sets of ids; an empty scope sees nothing."""

    roles: frozenset[str] = frozenset()
    user_id: int | None = None
    street_ids: frozenset[int] = frozenset()  # whole streets (street admin, leadership)
    admin_street_ids: frozenset[int] = frozenset()  # streets whose registry the user edits
    area_ids: frozenset[int] = frozenset()  # areas seen in full (secretary, branch members)
    estate_ids: frozenset[int] = frozenset()  # estates seen in full (all of the above + OC, company)
    company_ids: frozenset[int] = frozenset()
    oc_estate_ids: frozenset[int] = frozenset()  # estates whose owners' committee the user sits on
    evaluator_estate_ids: frozenset[int] = frozenset()  # estates seen without units or people
    unit_ids: frozenset[int] = frozenset()  # own units (owners)
    home_estate_ids: frozenset[int] = frozenset()  # estates of own units: public-level reading
    personal_data_estate_ids: frozenset[int] = field(default=frozenset())  # unmasked names/phones

    @property
    def is_empty(self) -> bool:
        return not self.roles

    @property
    def is_office(self) -> bool:
        return bool(self.roles & OFFICE_ROLES)

    @property
    def is_street_wide(self) -> bool:
        return bool(self.street_ids)

    @property
    def all_estate_ids(self) -> frozenset[int]:
        """Every estate the user may at least read the basic record of."""
        return self.estate_ids | self.evaluator_estate_ids | self.home_estate_ids

    def sees_personal_data(self, estate_id: int | None) -> bool:
        return estate_id in self.personal_data_estate_ids


EMPTY_SCOPE = Scope()


def compute_scope(user) -> Scope:
    """Build the scope from role grants: a handful of queries, once per request."""
    from gongzhi.registry.models import Contract, Estate, Unit

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return EMPTY_SCOPE
    grants = list(
        RoleGrant.objects.filter(user=user).values_list(
            "role", "street_id", "area_id", "estate_id", "company_id", "unit_id"
        )
    )
    if not grants:
        return Scope(user_id=user.pk)
    roles = {g[0] for g in grants}
    street_ids = {g[1] for g in grants if g[0] in STREET_WIDE_ROLES}
    admin_street_ids = {g[1] for g in grants if g[0] == Role.STREET_ADMIN}
    area_ids = {g[2] for g in grants if g[0] in AREA_ROLES}
    oc_estate_ids = {g[3] for g in grants if g[0] == Role.OC_MEMBER}
    evaluator_estate_ids = {g[3] for g in grants if g[0] == Role.EVALUATOR}
    company_ids = {g[4] for g in grants if g[0] == Role.COMPANY_STAFF}
    unit_ids = {g[5] for g in grants if g[0] == Role.OWNER}

    estate_q = Q(pk__in=oc_estate_ids)
    if street_ids:
        estate_q |= Q(area__street_id__in=street_ids)
    if area_ids:
        estate_q |= Q(area_id__in=area_ids)
    if company_ids:
        estate_q |= Q(pk__in=Contract.objects.active().filter(company_id__in=company_ids).values("estate_id"))
    estate_ids = set(Estate.objects.filter(estate_q).values_list("pk", flat=True)) if estate_q else set()

    home_estate_ids = (
        set(Unit.objects.filter(pk__in=unit_ids).values_list("building__estate_id", flat=True))
        if unit_ids
        else set()
    )

    # Names and phones of owners/members: the street admin, the area's branch and the estate's OC.
    personal = set(oc_estate_ids)
    if admin_street_ids:
        personal |= set(
            Estate.objects.filter(area__street_id__in=admin_street_ids).values_list("pk", flat=True)
        )
    if area_ids:
        personal |= set(Estate.objects.filter(area_id__in=area_ids).values_list("pk", flat=True))

    return Scope(
        roles=frozenset(roles),
        user_id=user.pk,
        oc_estate_ids=frozenset(oc_estate_ids),
        street_ids=frozenset(street_ids),
        admin_street_ids=frozenset(admin_street_ids),
        area_ids=frozenset(area_ids),
        estate_ids=frozenset(estate_ids),
        company_ids=frozenset(company_ids),
        evaluator_estate_ids=frozenset(evaluator_estate_ids),
        unit_ids=frozenset(unit_ids),
        home_estate_ids=frozenset(home_estate_ids),
        personal_data_estate_ids=frozenset(personal),
    )


def scope_for(user) -> Scope:
    """The user's scope, cached on the user object for the rest of the request."""
    cached = getattr(user, "_gongzhi_scope", None)
    if cached is None:
        cached = compute_scope(user)
        if getattr(user, "is_authenticated", False):
            user._gongzhi_scope = cached
    return cached


def forget_scope(user) -> None:
    if hasattr(user, "_gongzhi_scope"):
        del user._gongzhi_scope


# ---- How each model hangs off the street -----------------------------------------------------------
# A function per model from Scope to the Q that selects the rows the scope may read.


def _street_q(scope: Scope, path: str) -> Q:
    return Q(**{f"{path}__in": scope.street_ids}) if scope.street_ids else Q(pk__in=[])


def _area_q(scope: Scope) -> Q:
    from gongzhi.registry.models import Estate

    return (
        _street_q(scope, "street_id")
        | Q(pk__in=scope.area_ids)
        | Q(pk__in=Estate.objects.filter(pk__in=scope.all_estate_ids).values("area_id"))
    )


def _estate_q(scope: Scope) -> Q:
    return _street_q(scope, "area__street_id") | Q(pk__in=scope.all_estate_ids)


def _building_q(scope: Scope) -> Q:
    return _street_q(scope, "estate__area__street_id") | Q(estate_id__in=scope.all_estate_ids)


def _unit_q(scope: Scope) -> Q:
    # Evaluators and residents do not see other households; an owner sees their own unit.
    return (
        _street_q(scope, "building__estate__area__street_id")
        | Q(building__estate_id__in=scope.estate_ids)
        | Q(pk__in=scope.unit_ids)
    )


def _owner_q(scope: Scope) -> Q:
    from gongzhi.registry.models import Unit

    units = Unit.objects.filter(Q(building__estate_id__in=scope.estate_ids) | Q(pk__in=scope.unit_ids))
    return _street_q(scope, "street_id") | Q(pk__in=units.values("owner_id"))


def _company_q(scope: Scope) -> Q:
    from gongzhi.registry.models import Contract

    contracted = Contract.objects.filter(estate_id__in=scope.all_estate_ids).values("company_id")
    return _street_q(scope, "street_id") | Q(pk__in=scope.company_ids) | Q(pk__in=contracted)


def _by_estate(path: str):
    def condition(scope: Scope) -> Q:
        return _street_q(scope, f"{path}__area__street_id") | Q(**{f"{path}_id__in": scope.all_estate_ids})

    return condition


def _by_area(path: str):
    def condition(scope: Scope) -> Q:
        from gongzhi.registry.models import Estate

        home_areas = Estate.objects.filter(pk__in=scope.all_estate_ids).values("area_id")
        return (
            _street_q(scope, f"{path}__street_id")
            | Q(**{f"{path}_id__in": scope.area_ids})
            | Q(**{f"{path}_id__in": home_areas})
        )

    return condition


def _problem_q(scope: Scope) -> Q:
    """Problems: the street and area offices see theirs; an owners' committee its estates; a
    company what was assigned to it; an evaluator the estates it inspects; anyone their own reports."""
    condition = (
        _street_q(scope, "estate__area__street_id")
        | Q(estate__area_id__in=scope.area_ids)
        | Q(estate_id__in=scope.oc_estate_ids)
        | Q(company_id__in=scope.company_ids)
        | Q(estate_id__in=scope.evaluator_estate_ids)
    )
    if scope.user_id is not None:
        condition |= Q(reporter_id=scope.user_id)
    return condition


def _audit_q(scope: Scope) -> Q:
    # The audit trail is read by street admins only, for their own street.
    return Q(street_id__in=scope.admin_street_ids) if scope.admin_street_ids else Q(pk__in=[])


def _ledger_q(scope: Scope) -> Q:
    # Ledger entries in full: office users of the estate (street, area, its OC, its managing company).
    # Residents read them through the estate's public disclosure page, not through this door.
    return _street_q(scope, "estate__area__street_id") | Q(estate_id__in=scope.estate_ids)


def _scope_paths() -> dict[type[Model], object]:
    from gongzhi.core.models import AuditEvent
    from gongzhi.finance.models import LedgerEntry
    from gongzhi.problems.models import Problem
    from gongzhi.registry import models as r

    return {
        Problem: _problem_q,
        LedgerEntry: _ledger_q,
        r.Street: lambda s: (
            Q(pk__in=s.street_ids) | Q(pk__in=r.Area.objects.filter(_area_q(s)).values("street_id"))
        ),
        r.Area: _area_q,
        r.Estate: _estate_q,
        r.Building: _building_q,
        r.Unit: _unit_q,
        r.Owner: _owner_q,
        r.Company: _company_q,
        r.Contract: _by_estate("estate"),
        r.OwnersCommittee: _by_estate("estate"),
        r.CommitteeMember: _by_estate("committee__estate"),
        r.ResidentsCommittee: _by_area("area"),
        r.Branch: _by_area("area"),
        r.BranchMember: _by_area("branch__area"),
        AuditEvent: _audit_q,
        **_app_scope_paths(),
    }


# Public names for apps that declare their own protected models (see ``_app_scope_paths``).
by_estate = _by_estate
by_area = _by_area


def _app_scope_paths() -> dict:
    """``scoping.SCOPE_PATHS``: {Model: function(Scope) -> Q} of an app, e.g. ``by_estate("estate")``.
    The door stays here: apps only say which estate/area path their rows hang on."""
    paths: dict = {}
    for module in app_modules("scoping"):
        paths.update(getattr(module, "SCOPE_PATHS", {}))
    return paths


def _app_street_walks() -> dict:
    """``scoping.STREET_OF``: {Model: function(obj) -> street id} of an app."""
    walks: dict = {}
    for module in app_modules("scoping"):
        walks.update(getattr(module, "STREET_OF", {}))
    return walks


def visible(user, model_or_queryset: type[Model] | QuerySet) -> QuerySet:
    """Rows of a model (or a queryset of it) that this user may read."""
    queryset = (
        model_or_queryset
        if isinstance(model_or_queryset, QuerySet)
        else model_or_queryset._default_manager.all()
    )
    scope = scope_for(user)
    if scope.is_empty and scope.user_id is None:
        return queryset.none()
    condition = _scope_paths()[queryset.model](scope)
    return queryset.filter(condition)


def street_of(obj: Model) -> int | None:
    """The street id an object belongs to, by walking up the registry."""
    from gongzhi.registry import models as r

    walk = {
        r.Street: lambda o: o.pk,
        r.Area: lambda o: o.street_id,
        r.Estate: lambda o: o.area.street_id,
        r.Building: lambda o: o.estate.area.street_id,
        r.Unit: lambda o: o.building.estate.area.street_id,
        r.Owner: lambda o: o.street_id,
        r.Company: lambda o: o.street_id,
        r.Contract: lambda o: o.estate.area.street_id,
        r.OwnersCommittee: lambda o: o.estate.area.street_id,
        r.CommitteeMember: lambda o: o.committee.estate.area.street_id,
        r.ResidentsCommittee: lambda o: o.area.street_id,
        r.Branch: lambda o: o.area.street_id,
        r.BranchMember: lambda o: o.branch.area.street_id,
        **_app_street_walks(),
    }
    return walk[type(obj)](obj)


def can_edit_registry(user, street_id: int | None = None) -> bool:
    """Only a street admin edits the registry, and only of their own street."""
    scope = scope_for(user)
    if street_id is None:
        return bool(scope.admin_street_ids)
    return street_id in scope.admin_street_ids


def get_visible_or_404(user, model_or_queryset: type[Model] | QuerySet, pk, *, write: bool = False) -> Model:
    """The door to one object: outsider → 404, reader without write right → 403."""
    queryset = visible(user, model_or_queryset)
    try:
        obj = queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if write and not can_edit_registry(user, street_of(obj)):
        raise PermissionDenied
    return obj
