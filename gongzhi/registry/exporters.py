"""Exporting the registry to Excel in exactly the import format (``importers.sheets()``), so an
export edited and imported back changes only what was edited.

Rows are limited to what the user may read (``scopes.visible``), and owners' names and the
phones of owners and members are masked unless the user sees that estate's personal data
(``Scope.sees_personal_data``). Each sheet is one query with ``select_related``: no N+1.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gongzhi.core.excel import SheetSpec, build_workbook, xlsx_response
from gongzhi.core.masking import mask_name, mask_phone
from gongzhi.core.ordering import name_key, pinyin_key
from gongzhi.core.scopes import Scope, scope_for, visible
from gongzhi.registry import models as r
from gongzhi.registry.importers import SHEET_KEYS, column_specs, notes_rows, sheet, sheets


def _labels(choices_class) -> dict[str, str]:
    with translation.override("zh-hans"):
        return {str(code): str(label) for code, label in choices_class.choices}


def _yes_no(value: bool) -> str:
    return "是" if value else "否"


def _sees_area(scope: Scope, area: r.Area) -> bool:
    # Area-level people (branch members): the street admin and the area's own branch, as in
    # compute_scope's personal-data rule for the area's estates.
    return area.street_id in scope.admin_street_ids or area.pk in scope.area_ids


def _area_rows(queryset: QuerySet, scope: Scope) -> Iterable[list[Any]]:
    for area in sorted(
        queryset.select_related("residents_committee", "branch"), key=lambda a: name_key(a.name)
    ):
        # A missing reverse one-to-one raises RelatedObjectDoesNotExist, an AttributeError.
        rc = getattr(area, "residents_committee", None)
        branch = getattr(area, "branch", None)
        yield [
            area.name,
            area.address,
            rc.name if rc else None,
            rc.director_name if rc else None,
            rc.phone if rc else None,
            branch.name if branch else None,
            branch.secretary_name if branch else None,
            branch.founded_on if branch else None,
        ]


def _estate_rows(queryset: QuerySet, scope: Scope) -> Iterable[list[Any]]:
    estates = queryset.select_related("area")
    for estate in sorted(estates, key=lambda e: (name_key(e.area.name), name_key(e.name))):
        yield [estate.area.name, estate.name, estate.address, estate.build_year]


def _unit_rows(queryset: QuerySet, scope: Scope) -> Iterable[list[Any]]:
    sources, kinds = _labels(r.AreaSource), _labels(r.OwnerKind)
    units = queryset.select_related("building__estate__area", "owner")

    def key(u):
        return (
            name_key(u.building.estate.area.name),
            name_key(u.building.estate.name),
            name_key(u.building.number),
            name_key(u.number),
        )

    for unit in sorted(units, key=key):
        building, owner = unit.building, unit.owner
        estate = building.estate
        personal = scope.sees_personal_data(estate.pk)
        yield [
            estate.area.name,
            estate.name,
            building.number,
            building.floors,
            unit.number,
            unit.area,
            sources[unit.area_source],
            owner.ref if owner else None,
            (owner.name if personal else mask_name(owner.name)) if owner else None,
            kinds[owner.kind] if owner else None,
            (owner.phone if personal else mask_phone(owner.phone)) if owner else None,
        ]


def _company_rows(queryset: QuerySet, scope: Scope) -> Iterable[list[Any]]:
    ownership = _labels(r.CompanyOwnership)
    for company in sorted(queryset, key=lambda c: name_key(c.name)):
        yield [
            company.name,
            company.credit_code,
            ownership[company.ownership],
            company.contact_name,
            company.contact_phone,
        ]


def _contract_rows(queryset: QuerySet, scope: Scope) -> Iterable[list[Any]]:
    contracts = queryset.select_related("estate__area", "company")
    for contract in sorted(
        contracts, key=lambda c: (name_key(c.estate.area.name), name_key(c.estate.name), c.start_date)
    ):
        yield [
            contract.estate.area.name,
            contract.estate.name,
            contract.company.name,
            contract.start_date,
            contract.end_date,
            contract.fee_standard,
            contract.service_level,
            contract.collection_rate,
        ]


def _committee_member_rows(queryset: QuerySet, scope: Scope) -> Iterable[list[Any]]:
    positions = _labels(r.CommitteePosition)
    order = {code: i for i, code in enumerate(positions)}
    members = queryset.select_related("committee__estate__area")

    def key(m):
        committee = m.committee
        return (
            name_key(committee.estate.area.name),
            name_key(committee.estate.name),
            committee.term_start,
            order[m.position],
            pinyin_key(m.name),
        )

    for member in sorted(members, key=key):
        committee = member.committee
        personal = scope.sees_personal_data(committee.estate_id)
        yield [
            committee.estate.area.name,
            committee.estate.name,
            committee.term_start,
            committee.term_end,
            member.name,
            positions[member.position],
            _yes_no(member.is_party_member),
            _yes_no(member.is_cross_appointed),
            member.phone if personal else mask_phone(member.phone),
        ]


def _branch_member_rows(queryset: QuerySet, scope: Scope) -> Iterable[list[Any]]:
    organisations, memberships = _labels(r.BranchOrganisation), _labels(r.BranchMembership)
    order = {code: i for i, code in enumerate(memberships)}
    members = queryset.select_related("branch__area")
    for member in sorted(
        members, key=lambda m: (name_key(m.branch.area.name), order[m.membership], pinyin_key(m.name))
    ):
        personal = _sees_area(scope, member.branch.area)
        yield [
            member.branch.area.name,
            member.name,
            organisations[member.organisation],
            member.position,
            memberships[member.membership],
            _yes_no(member.is_party_member),
            member.phone if personal else mask_phone(member.phone),
        ]


ROWS: dict[str, tuple[type, Callable[[QuerySet, Scope], Iterable[list[Any]]], str]] = {
    # sheet key → (model, row builder, path from the model to its street)
    "areas": (r.Area, _area_rows, "street"),
    "estates": (r.Estate, _estate_rows, "area__street"),
    "units": (r.Unit, _unit_rows, "building__estate__area__street"),
    "companies": (r.Company, _company_rows, "street"),
    "contracts": (r.Contract, _contract_rows, "estate__area__street"),
    "committee_members": (r.CommitteeMember, _committee_member_rows, "committee__estate__area__street"),
    "branch_members": (r.BranchMember, _branch_member_rows, "branch__area__street"),
}


def street_queryset(sheet_key: str, street: r.Street) -> QuerySet:
    """Every record of one sheet's kind in ``street`` (before the user's scope is applied)."""
    model, _rows, path = ROWS[sheet_key]
    return model._default_manager.filter(**{path: street})


def export_rows(sheet_key: str, queryset: QuerySet, *, user) -> list[list[Any]]:
    """The rows of one sheet in import order, only those ``user`` may read, masked as their scope says."""
    model, rows, _path = ROWS[sheet_key]
    if queryset.model is not model:
        raise ValueError(f"sheet {sheet_key!r} exports {model.__name__}, not {queryset.model.__name__}")
    return list(rows(visible(user, queryset), scope_for(user)))


def export_sheet(sheet_key: str, queryset: QuerySet, *, user) -> bytes:
    """One sheet (e.g. a filtered list page) as .xlsx in the import format, with 填写说明."""
    spec = sheet(sheet_key)
    body = export_rows(sheet_key, queryset, user=user)
    return build_workbook([SheetSpec(spec.title, column_specs(spec), body)], notes=notes_rows([sheet_key]))


def export_workbook(*, user, street: r.Street, sheet_keys: Iterable[str] = SHEET_KEYS) -> bytes:
    """The street's whole registry (or the chosen sheets) as one importable workbook."""
    keys = [k for k in SHEET_KEYS if k in set(sheet_keys)]
    specs = [
        SheetSpec(
            spec.title,
            column_specs(spec),
            export_rows(spec.key, street_queryset(spec.key, street), user=user),
        )
        for spec in sheets()
        if spec.key in keys
    ]
    return build_workbook(specs, notes=notes_rows(keys))


def export_filename(street: r.Street, sheet_key: str | None = None) -> str:
    """E.g. 示例街道-房屋-20250301.xlsx (the whole registry: 示例街道-台账-20250301.xlsx)."""
    title = sheet(sheet_key).title if sheet_key else _("台账")
    return f"{street.name}-{title}-{timezone.localdate():%Y%m%d}.xlsx"


def export_response(
    sheet_key: str | None, queryset: QuerySet | None = None, *, user, street: r.Street
) -> HttpResponse:
    """Download for the pages: one sheet of ``queryset`` (a filtered list), or the whole street's
    registry when ``sheet_key`` is None. Scope and masking as in ``export_rows``."""
    if sheet_key is None:
        content = export_workbook(user=user, street=street)
    else:
        content = export_sheet(
            sheet_key, queryset if queryset is not None else street_queryset(sheet_key, street), user=user
        )
    return xlsx_response(content, export_filename(street, sheet_key))
