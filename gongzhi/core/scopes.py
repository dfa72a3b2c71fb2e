"""The one door: which part of the street a user may see or change, asked as named questions.

Every view, API endpoint, selector and export asks here (or in its app's ``permissions.py``, which
asks here); none reads role grants or raw id sets on its own (``tests/test_one_door.py``).

Rows and objects:

- ``visible(user, Model_or_queryset)`` — only the rows the user's reach allows;
- ``get_for_user(user, Model_or_queryset, pk, require=None)`` — one object: outsider → 404 (the
  same answer as "does not exist"); ``require="write"`` (the registry's write right) or a callable
  ``require(user, obj)`` that says no → 403.

Questions about the user. ``scope_for(user)`` is computed once per request from the role grants;
its methods answer without queries, and asked without an id they mean "any" (``is_street_admin()``:
admin of some street); ``None`` is an id that matches nothing:

- roles: ``has_role(role)``, ``role_names()``, ``is_office``, ``is_owner_only()``;
- a street: ``is_street_admin(street_id)``, ``is_street_wide(street_id)`` (admin or leadership),
  ``is_leadership_of(street_id)``, ``admin_street_id()``;
- an area: ``in_branch(area_id)`` (secretary or member), ``is_secretary(area_id)``;
- an estate: ``sees_in_full(estate_id)``, ``reads_in_full()``, ``on_committee(estate_id)``,
  ``evaluates(estate_id)``, ``lives_in(estate_id)``, ``home_estate_id()``,
  ``sees_personal_data(estate_id)``;
- a company or a unit: ``is_company_staff(company_id)``, ``owns_unit(unit_id)``;
- a district (区, one level above the street): ``is_district_reader(district_id)`` (district office
  or district admin), ``is_district_admin(district_id)``, ``reads_street(street_id)`` (whole-street
  reading: the street's own admin and leadership, and the district roles of its district),
  ``is_read_only()`` (only district reading roles: the site answers every change with 403).

The district level reads, never writes: ``street_ids`` and ``is_street_wide`` (which the apps use
to grant writes and approvals) stay the street's own roles; a district role's streets are in
``district_street_ids``, which the read conditions (``street_q`` and the paths built on it) add to
``street_ids``. Personal data stays masked for district roles (``personal_data_estate_ids`` is the
street admin's, the branch's and the committee's only) and no estate is "seen in full" by them.

Questions answered with rows (querysets, to filter with):

- ``streets_run_by(user)``, ``admin_street(user)``, ``admin_estates(user)``,
  ``can_edit_registry(user, street_id)``;
- ``branch_areas(user)``, ``secretary_areas(user)``;
- ``estates_in_full(user)``, ``estates_as_company(user)``, ``staff_companies(user)``,
  ``serves_as_company(user, estate)``,
  ``committee_estates(user)``, ``evaluated_estates(user)``, ``home_estates(user)``, ``own_units(user)``,
  ``owners_named_for(user)`` (owners whose names and phones the user reads);
- the district: ``district_streets(user)`` (the streets of the user's districts),
  ``reader_districts(user)``, ``admin_districts(user)``;
- who holds a grant: ``holders_of(role, **target)`` (users to notify, say), ``holds_office_role(user)``,
  ``units_with_owner_accounts()``.

How rows hang on the street is declared once per model, as a ``Path`` (the ORM path to the street
id, from which the walk ``street_of(obj)`` follows, and the condition for a scope), in each app's
``scoping.py`` as ``SCOPED = {Model: Path}``: the registry's in ``registry/scoping.py``, the
problems' in ``problems/scoping.py`` and so on, read in ``core.plugins.DOMAIN_APPS`` order. The
builders ``by_estate``, ``by_area``, ``by_branch`` and ``by_street`` derive both from one path; a
custom condition is ``Path(street_path, condition)``, with ``street_q``/``branch_areas_q`` for the
usual parts. A model missing from those tables cannot be listed through this door at all (KeyError
in tests). Core's own ``AuditEvent`` is declared here; core imports no domain app but the registry.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from gongzhi.core.models import Role, RoleGrant
from gongzhi.core.plugins import app_modules

STREET_WIDE_ROLES = frozenset({Role.STREET_ADMIN, Role.LEADERSHIP})
AREA_ROLES = frozenset({Role.AREA_SECRETARY, Role.BRANCH_MEMBER})
DISTRICT_ROLES = frozenset({Role.DISTRICT_OFFICE, Role.DISTRICT_ADMIN})
OFFICE_ROLES = frozenset(Role) - {Role.OWNER}


class _Any:
    """The default of the questions below: "any at all" (``None`` is an id that matches nothing)."""

    def __repr__(self) -> str:
        return "ANY"


ANY: Any = _Any()


def _among(ids: frozenset[int], one: Any) -> bool:
    """``one`` is in ``ids``; asked about ``ANY``: ``ids`` is not empty."""
    return bool(ids) if one is ANY else one in ids


@dataclass(frozen=True)
class Scope:
    """What one user reaches. Sets of ids, read by the door and the apps' permissions and scoping
    modules only; everyone else asks the methods below. An empty scope sees nothing."""

    roles: frozenset[str] = frozenset()
    user_id: int | None = None
    street_ids: frozenset[int] = frozenset()  # whole streets (street admin, leadership)
    admin_street_ids: frozenset[int] = frozenset()  # streets whose registry the user edits
    leadership_street_ids: frozenset[int] = frozenset()  # streets whose leadership group the user sits in
    area_ids: frozenset[int] = frozenset()  # areas seen in full (secretary, branch members)
    secretary_area_ids: frozenset[int] = frozenset()  # areas whose secretary the user is
    estate_ids: frozenset[int] = frozenset()  # estates seen in full (all of the above + OC, company)
    # Those of them outside the streets read whole (an OC's, a company's): where a row's street alone
    # does not say the user reads it (registry/scoping.py's owners).
    estate_ids_beyond_streets: frozenset[int] = frozenset()
    admin_estate_ids: frozenset[int] = frozenset()  # the estates of the streets whose registry the user edits
    # The estates of the streets read whole (own and district's) and of the areas read in full: for
    # conditions written on a row's own estate column (``estates_read_q``).
    read_street_estate_ids: frozenset[int] = frozenset()
    area_estate_ids: frozenset[int] = frozenset()
    company_ids: frozenset[int] = frozenset()
    oc_estate_ids: frozenset[int] = frozenset()  # estates whose owners' committee the user sits on
    evaluator_estate_ids: frozenset[int] = frozenset()  # estates seen without units or people
    unit_ids: frozenset[int] = frozenset()  # own units (owners)
    home_estate_ids: frozenset[int] = frozenset()  # estates of own units: public-level reading
    personal_data_estate_ids: frozenset[int] = field(default=frozenset())  # unmasked names/phones
    district_ids: frozenset[int] = frozenset()  # districts read (district office, district admin)
    admin_district_ids: frozenset[int] = frozenset()  # districts whose campaigns the user runs
    district_street_ids: frozenset[int] = frozenset()  # the streets of those districts: read only

    @property
    def read_street_ids(self) -> frozenset[int]:
        """Whole streets the user reads: their own (admin, leadership) and their districts' streets.
        For reading only: nothing that grants a write or an approval looks at it."""
        return self.street_ids | self.district_street_ids

    @property
    def is_empty(self) -> bool:
        return not self.roles

    @property
    def is_office(self) -> bool:
        return bool(self.roles & OFFICE_ROLES)

    @property
    def all_estate_ids(self) -> frozenset[int]:
        """Every estate the user may at least read the basic record of."""
        return self.estate_ids | self.evaluator_estate_ids | self.home_estate_ids

    # ---- Questions (no queries) -----------------------------------------------------------------

    def has_role(self, role: str) -> bool:
        return role in self.roles

    def role_names(self) -> list[str]:
        """The roles held, sorted (the API's ``me``, the top bar)."""
        return sorted(self.roles)

    def is_owner_only(self) -> bool:
        return self.roles == {Role.OWNER}

    def is_street_admin(self, street_id: int | None = ANY) -> bool:
        """Street admin of this street (of any street when not told which)."""
        return _among(self.admin_street_ids, street_id)

    def admin_street_id(self) -> int | None:
        """The street this admin runs (the lowest id if several), or None."""
        return min(self.admin_street_ids, default=None)

    def is_street_wide(self, street_id: int | None = ANY) -> bool:
        """Street admin or leadership of this street (of any street when not told which)."""
        return _among(self.street_ids, street_id)

    def is_leadership_of(self, street_id: int) -> bool:
        return street_id in self.leadership_street_ids

    def in_branch(self, area_id: int | None = ANY) -> bool:
        """Secretary or member of the area's joint party branch (of any area when not told which)."""
        return _among(self.area_ids, area_id)

    def is_secretary(self, area_id: int | None = ANY) -> bool:
        return _among(self.secretary_area_ids, area_id)

    def sees_in_full(self, estate_id: int | None = ANY) -> bool:
        """The estate is seen in full: the street, the area's branch, its committee, its company."""
        return _among(self.estate_ids, estate_id)

    def reads_in_full(self) -> bool:
        """An office user who sees some estate in full (the fee, ledger and disclosure office pages)."""
        return self.is_office and bool(self.street_ids or self.estate_ids)

    def on_committee(self, estate_id: int | None = ANY) -> bool:
        """Member of the estate's owners' committee (of any committee when not told which)."""
        return _among(self.oc_estate_ids, estate_id)

    def is_company_staff(self, company_id: int | None = ANY) -> bool:
        return _among(self.company_ids, company_id)

    def evaluates(self, estate_id: int | None = ANY) -> bool:
        """A third-party evaluator assigned to the estate (to any estate when not told which)."""
        return Role.EVALUATOR in self.roles and _among(self.evaluator_estate_ids, estate_id)

    def owns_unit(self, unit_id: int | None = ANY) -> bool:
        return _among(self.unit_ids, unit_id)

    def lives_in(self, estate_id: int | None = ANY) -> bool:
        """Owns a unit in the estate (any unit when not told which)."""
        return _among(self.home_estate_ids, estate_id)

    def home_estate_id(self) -> int | None:
        """The user's home estate (the lowest id if several), or None: the portal's estate tab."""
        return min(self.home_estate_ids, default=None)

    def sees_personal_data(self, estate_id: int | None) -> bool:
        return estate_id in self.personal_data_estate_ids

    def is_district_reader(self, district_id: int | None = ANY) -> bool:
        """District office or district admin of this district (of any district when not told which)."""
        return _among(self.district_ids, district_id)

    def is_district_admin(self, district_id: int | None = ANY) -> bool:
        """District admin of this district: runs the district-wide evaluation campaigns."""
        return _among(self.admin_district_ids, district_id)

    def reads_street(self, street_id: int | None = ANY) -> bool:
        """Reads the whole street: its admin and leadership, and the district roles of its district."""
        return _among(self.read_street_ids, street_id)

    def is_read_only(self) -> bool:
        """Holds district roles only: the site accepts no change from this user (the district
        admin's district campaigns excepted, see ``core.middleware.DistrictReadOnly``)."""
        return bool(self.roles) and self.roles <= DISTRICT_ROLES


EMPTY_SCOPE = Scope()


def compute_scope(user) -> Scope:
    """Build the scope from role grants: a handful of queries, once per request."""
    from gongzhi.registry.models import Contract, Estate, Street, Unit

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return EMPTY_SCOPE
    grants = list(
        RoleGrant.objects.filter(user=user).values_list(
            "role", "street_id", "area_id", "estate_id", "company_id", "unit_id", "district_id"
        )
    )
    if not grants:
        return Scope(user_id=user.pk)
    roles = {g[0] for g in grants}
    street_ids = {g[1] for g in grants if g[0] in STREET_WIDE_ROLES}
    admin_street_ids = {g[1] for g in grants if g[0] == Role.STREET_ADMIN}
    leadership_street_ids = {g[1] for g in grants if g[0] == Role.LEADERSHIP}
    area_ids = {g[2] for g in grants if g[0] in AREA_ROLES}
    secretary_area_ids = {g[2] for g in grants if g[0] == Role.AREA_SECRETARY}
    oc_estate_ids = {g[3] for g in grants if g[0] == Role.OC_MEMBER}
    evaluator_estate_ids = {g[3] for g in grants if g[0] == Role.EVALUATOR}
    company_ids = {g[4] for g in grants if g[0] == Role.COMPANY_STAFF}
    unit_ids = {g[5] for g in grants if g[0] == Role.OWNER}
    district_ids = {g[6] for g in grants if g[0] in DISTRICT_ROLES}
    admin_district_ids = {g[6] for g in grants if g[0] == Role.DISTRICT_ADMIN}

    estate_q = Q(pk__in=oc_estate_ids)
    if street_ids:
        estate_q |= Q(area__street_id__in=street_ids)
    if area_ids:
        estate_q |= Q(area_id__in=area_ids)
    if company_ids:
        estate_q |= Q(pk__in=Contract.objects.active().filter(company_id__in=company_ids).values("estate_id"))
    # One read of the estates seen in full, with their area and street: the personal-data and the
    # beyond-the-streets sets below are taken from it, not read again.
    estate_places = {
        pk: (area_id, street_id)
        for pk, area_id, street_id in Estate.objects.filter(estate_q).values_list(
            "pk", "area_id", "area__street_id"
        )
    }
    estate_ids = set(estate_places)

    home_estate_ids = (
        set(Unit.objects.filter(pk__in=unit_ids).values_list("building__estate_id", flat=True))
        if unit_ids
        else set()
    )

    # Names and phones of owners/members: the street admin, the area's branch and the estate's OC.
    # Every estate of an admin's street and of a branch's area is among ``estate_places`` (the street
    # roles include the admin; the area roles are the branch's).
    personal = set(oc_estate_ids) | {
        pk
        for pk, (area_id, street_id) in estate_places.items()
        if street_id in admin_street_ids or area_id in area_ids
    }

    # The district's streets, read only: never in street_ids, estate_ids or personal data.
    district_street_ids = (
        set(Street.objects.filter(district_id__in=district_ids).values_list("pk", flat=True))
        if district_ids
        else set()
    )
    read_streets = street_ids | district_street_ids
    admin_estates_seen = {
        pk for pk, (_area, street_id) in estate_places.items() if street_id in admin_street_ids
    }
    area_estates = {pk for pk, (area_id, _street) in estate_places.items() if area_id in area_ids}
    read_street_estates = {pk for pk, (_area, street_id) in estate_places.items() if street_id in street_ids}
    if district_street_ids:  # a district reader's estates are not among those seen in full
        read_street_estates |= set(
            Estate.objects.filter(area__street_id__in=district_street_ids).values_list("pk", flat=True)
        )
    beyond_streets = {pk for pk, (_area, street_id) in estate_places.items() if street_id not in read_streets}

    return Scope(
        roles=frozenset(roles),
        user_id=user.pk,
        oc_estate_ids=frozenset(oc_estate_ids),
        street_ids=frozenset(street_ids),
        admin_street_ids=frozenset(admin_street_ids),
        leadership_street_ids=frozenset(leadership_street_ids),
        area_ids=frozenset(area_ids),
        secretary_area_ids=frozenset(secretary_area_ids),
        estate_ids=frozenset(estate_ids),
        estate_ids_beyond_streets=frozenset(beyond_streets),
        admin_estate_ids=frozenset(admin_estates_seen),
        read_street_estate_ids=frozenset(read_street_estates),
        area_estate_ids=frozenset(area_estates),
        company_ids=frozenset(company_ids),
        evaluator_estate_ids=frozenset(evaluator_estate_ids),
        unit_ids=frozenset(unit_ids),
        home_estate_ids=frozenset(home_estate_ids),
        personal_data_estate_ids=frozenset(personal),
        district_ids=frozenset(district_ids),
        admin_district_ids=frozenset(admin_district_ids),
        district_street_ids=frozenset(district_street_ids),
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


# ---- Questions that answer with rows -------------------------------------------------------------


def streets_run_by(user) -> QuerySet:
    """The streets whose registry this user keeps (street admin)."""
    from gongzhi.registry.models import Street

    return Street.objects.filter(pk__in=scope_for(user).admin_street_ids)


def admin_street(user):
    """The street this admin runs (the lowest id if several), or None."""
    from gongzhi.registry.models import Street

    street_id = scope_for(user).admin_street_id()
    return None if street_id is None else Street.objects.filter(pk=street_id).first()


def admin_estates(user) -> QuerySet:
    """Every estate of the streets this user runs as street admin."""
    from gongzhi.registry.models import Estate

    return Estate.objects.filter(area__street_id__in=scope_for(user).admin_street_ids)


def admin_estate_ids(user) -> frozenset[int]:
    """The ids of ``admin_estates(user)``, known from the scope without a query."""
    return scope_for(user).admin_estate_ids


def can_edit_registry(user, street_id: int | None = None) -> bool:
    """Only a street admin edits the registry, and only of their own street."""
    return scope_for(user).is_street_admin(ANY if street_id is None else street_id)


def branch_areas(user) -> QuerySet:
    """The areas whose joint party branch this user sits on (secretary or member)."""
    from gongzhi.registry.models import Area

    return Area.objects.filter(pk__in=scope_for(user).area_ids)


def secretary_areas(user) -> QuerySet:
    """The areas whose secretary this user is."""
    from gongzhi.registry.models import Area

    return Area.objects.filter(pk__in=scope_for(user).secretary_area_ids)


def estates_in_full(user) -> QuerySet:
    """Estates this user sees in full: the street, the area's branch, the committee, the company."""
    from gongzhi.registry.models import Estate

    scope = scope_for(user)
    condition = Q(pk__in=scope.estate_ids)
    if scope.street_ids:
        condition |= Q(area__street_id__in=scope.street_ids)
    return visible(user, Estate).filter(condition)


def estates_as_company(user) -> QuerySet:
    """Estates managed by this user's company under an active contract."""
    from gongzhi.registry.models import Contract, Estate

    company_ids = scope_for(user).company_ids
    return Estate.objects.filter(
        pk__in=Contract.objects.active().filter(company_id__in=company_ids).values("estate_id")
    )


def staff_companies(user) -> QuerySet:
    """The companies this user works for (company staff)."""
    from gongzhi.registry.models import Company

    return Company.objects.filter(pk__in=scope_for(user).company_ids)


def serves_as_company(user, estate) -> bool:
    """The user's company manages the estate under an active contract."""
    from gongzhi.registry.models import Contract

    company_ids = scope_for(user).company_ids
    if not company_ids:
        return False
    return Contract.objects.active().filter(estate=estate, company_id__in=company_ids).exists()


def committee_estates(user) -> QuerySet:
    """Estates whose owners' committee this user sits on."""
    from gongzhi.registry.models import Estate

    return Estate.objects.filter(pk__in=scope_for(user).oc_estate_ids)


def evaluated_estates(user) -> QuerySet:
    """Estates this third-party evaluator is assigned to."""
    from gongzhi.registry.models import Estate

    scope = scope_for(user)
    return Estate.objects.filter(pk__in=scope.evaluator_estate_ids if scope.evaluates() else [])


def home_estates(user) -> QuerySet:
    """Estates where this user owns a unit."""
    from gongzhi.registry.models import Estate

    return Estate.objects.filter(pk__in=scope_for(user).home_estate_ids)


def own_units(user) -> QuerySet:
    """The units this user holds the owner role on."""
    from gongzhi.registry.models import Unit

    return Unit.objects.filter(pk__in=scope_for(user).unit_ids)


def owners_named_for(user) -> QuerySet:
    """Owners whose names and phones this user reads: every owner of the admin's street, and the
    owners of a unit in an estate where the user reads personal data (``sees_personal_data``)."""
    from gongzhi.registry.models import Owner, Unit

    scope = scope_for(user)
    named_here = Unit.objects.filter(building__estate_id__in=scope.personal_data_estate_ids)
    return Owner.objects.filter(
        Q(street_id__in=scope.admin_street_ids) | Q(pk__in=named_here.values("owner_id"))
    )


def district_streets(user) -> QuerySet:
    """The streets of the districts this user reads (district office, district admin)."""
    from gongzhi.registry.models import Street

    return Street.objects.filter(pk__in=scope_for(user).district_street_ids)


def reader_districts(user) -> QuerySet:
    """The districts this user reads (district office or district admin)."""
    from gongzhi.registry.models import District

    return District.objects.filter(pk__in=scope_for(user).district_ids)


def admin_districts(user) -> QuerySet:
    """The districts whose district-wide campaigns this user runs (district admin)."""
    from gongzhi.registry.models import District

    return District.objects.filter(pk__in=scope_for(user).admin_district_ids)


def units_with_owner_accounts() -> QuerySet:
    """Units on which some account holds the owner role (activated households)."""
    from gongzhi.registry.models import Unit

    return Unit.objects.filter(pk__in=RoleGrant.objects.filter(role=Role.OWNER).values("unit_id"))


def holders_of(role: str, **target) -> QuerySet:
    """Users holding ``role`` on the target, e.g. ``holders_of(Role.OC_MEMBER, estate_id=7)``."""
    from gongzhi.core.models import User

    return User.objects.filter(pk__in=RoleGrant.objects.filter(role=role, **target).values("user_id"))


def holds_office_role(user) -> bool:
    """Any grant other than owner, read fresh from the database (the user need not be logged in or
    active: e.g. the account an activation letter would reach)."""
    return RoleGrant.objects.filter(user=user).exclude(role=Role.OWNER).exists()


# ---- How each model hangs off the street ---------------------------------------------------------

NOTHING = Q(pk__in=[])


def street_q(scope: Scope, path: str, street_ids: frozenset[int] | None = None) -> Q:
    """Rows whose ``path`` (a street id) is one of the streets the scope reads whole (or of
    ``street_ids``): its own streets and its districts' streets (``Scope.read_street_ids``). A read
    condition only: whoever grants a write asks ``is_street_wide``/``is_street_admin``."""
    ids = scope.read_street_ids if street_ids is None else street_ids
    return Q(**{f"{path}__in": ids}) if ids else NOTHING


def estates_read_q(scope: Scope, path: str) -> Q:
    """Rows whose estate (``path`` is the row's own estate id column, ``"estate_id"``) lies in a street
    the scope reads whole or in an area it reads in full: the rows of ``street_q`` over the estate's
    street and of the area condition, written on the row's own column. In an OR with the row's other
    columns (a company, a reporter) PostgreSQL then combines the arms through their indexes; a join in
    one arm of an OR makes it scan the whole table — every problem of the city (docs/SCALING.md)."""
    ids = scope.read_street_estate_ids | scope.area_estate_ids
    return Q(**{f"{path}__in": ids}) if ids else NOTHING


def branch_areas_q(scope: Scope, path: str) -> Q:
    """Rows of an area (``path`` leads to it) read by its street and by its branch only."""
    return street_q(scope, f"{path}__street_id") | Q(**{f"{path}_id__in": scope.area_ids})


@dataclass(frozen=True)
class Path:
    """How the rows of one model hang on the street, declared once: ``street`` is the ORM path from a
    row to its street id (``"estate__area__street_id"``); the walk ``street_of`` follows the same
    attributes; ``condition(scope)`` is the Q of the rows the scope reads."""

    street: str
    condition: Callable[[Scope], Q]

    def street_of(self, obj: Model) -> int | None:
        if not self.street:  # above the street (a district): no street's write right reaches it
            return None
        value: Any = obj
        for part in self.street.split("__"):
            value = getattr(value, part)
            if value is None:
                return None
        return value


def by_estate(path: str, *, street: str | None = None) -> Path:
    """Rows of an estate: the street's offices and whoever reads the estate (``all_estate_ids``)."""

    def condition(scope: Scope) -> Q:
        return street_q(scope, f"{path}__area__street_id") | Q(**{f"{path}_id__in": scope.all_estate_ids})

    return Path(street or f"{path}__area__street_id", condition)


def by_area(path: str) -> Path:
    """Rows of an area: the street's offices, the area's branch and whoever reads an estate in it."""

    def condition(scope: Scope) -> Q:
        from gongzhi.registry.models import Estate

        home_areas = Estate.objects.filter(pk__in=scope.all_estate_ids).values("area_id")
        return (
            street_q(scope, f"{path}__street_id")
            | Q(**{f"{path}_id__in": scope.area_ids})
            | Q(**{f"{path}_id__in": home_areas})
        )

    return Path(f"{path}__street_id", condition)


def by_branch(path: str, *, street: str | None = None) -> Path:
    """Rows of an area read by its street and its branch only (``path`` leads to the area)."""
    return Path(street or f"{path}__street_id", lambda scope: branch_areas_q(scope, path))


def by_street(path: str) -> Path:
    """Rows of a street read by its whole-street roles (admin, leadership) only."""
    return Path(path, lambda scope: street_q(scope, path))


def _audit_q(scope: Scope) -> Q:
    # The audit trail is read by street admins only, for their own street.
    return street_q(scope, "street_id", scope.admin_street_ids)


@functools.cache
def scoped_models() -> dict[type[Model], Path]:
    """Every scoped model with its path: core's own and each app's ``scoping.SCOPED``."""
    from gongzhi.core.models import AuditEvent, OutboxMessage

    # The delivery log of notifications is read like the audit trail: street admins, their street.
    paths: dict[type[Model], Path] = {
        AuditEvent: Path("street_id", _audit_q),
        OutboxMessage: Path("street_id", _audit_q),
    }
    for module in app_modules("scoping"):
        paths.update(module.SCOPED)
    return paths


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
    return queryset.filter(scoped_models()[queryset.model].condition(scope))


def street_of(obj: Model) -> int | None:
    """The street id an object belongs to, by walking its declared path."""
    return scoped_models()[type(obj)].street_of(obj)


def get_for_user(
    user,
    model_or_queryset: type[Model] | QuerySet,
    pk,
    *,
    require: str | Callable[[Any, Any], bool] | None = None,
) -> Any:
    """The door to one object: outsider → 404; ``require`` says no → 403.

    ``require``: None or ``"read"`` (visible is enough), ``"write"`` (the registry's write right: the
    street admin of the object's street) or a callable ``require(user, obj) -> bool``."""
    queryset = visible(user, model_or_queryset)
    try:
        obj = queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if require is None or require == "read":
        return obj
    if require == "write":
        allowed = can_edit_registry(user, street_of(obj))
    elif callable(require):
        allowed = require(user, obj)
    else:
        raise ValueError(f"unknown requirement {require!r}")
    if not allowed:
        raise PermissionDenied
    return obj
