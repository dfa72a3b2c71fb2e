"""Registry endpoints (台账): read everything the user's scope allows, write as a street admin.

Who may open which kind of record is the web pages' rule (``Resource.readable_by``: office
roles only, evaluators see no households), so the API answers 403 exactly where a registry page
does. Reads go through ``selectors`` (which start from ``visible()``); one object is the same
queryset filtered by id, so an object outside the scope is a 404 with the same body as one
that does not exist. Writes go through ``registry.services`` (validation, rights, audit).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from ninja import Query, Router, Status

from gongzhi.api import schemas as s
from gongzhi.api import selectors
from gongzhi.core.scopes import get_for_user, scope_for
from gongzhi.registry import models as r
from gongzhi.registry import services as registry_services
from gongzhi.registry.resources import BY_MODEL, annotate_buildings, annotate_companies, annotate_estates

router = Router(tags=["台账"])

Search = Annotated[str | None, Query(max_length=100, description="按名称(或编号)搜索")]

NOT_FOUND = {**s.ALWAYS, 403: s.Message, 404: s.Message}
LIST_ERRORS = {**s.ALWAYS, 403: s.Message}
WRITE_ERRORS = {**s.ALWAYS, 400: s.Message, 403: s.Message, 404: s.Message}


def _reader(request, model):
    """The calling user, if their roles may open this kind of record at all (else 403)."""
    user = request.auth
    scope = scope_for(user)
    resource = BY_MODEL.get(model)
    allowed = resource.readable_by(scope) if resource is not None else scope.is_office
    if not allowed:
        raise PermissionDenied
    return user


def _page(qs: QuerySet, paging: s.Paging, *, annotate=None) -> dict:
    """One page: a COUNT, then the rows (plus the queryset's own prefetches); ninja serialises them."""
    count = qs.count()
    if annotate is not None:
        qs = annotate(qs)
    rows = list(qs[paging.offset : paging.offset + paging.limit])
    return {"count": count, "limit": paging.limit, "offset": paging.offset, "items": rows}


def _one(qs: QuerySet, pk: int):
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


# ---- streets and areas -------------------------------------------------------------------------


@router.get("/streets", response={200: s.StreetPage, **LIST_ERRORS}, summary="街道列表")
def list_streets(request, paging: Query[s.Paging], q: Search = None):
    user = _reader(request, r.Street)
    return _page(selectors.streets(user, q=q), paging)


@router.get("/streets/{street_id}", response={200: s.StreetOut, **NOT_FOUND}, summary="街道")
def get_street(request, street_id: s.PathId):
    user = _reader(request, r.Street)
    return _one(selectors.streets(user), street_id)


@router.get("/areas", response={200: s.AreaPage, **LIST_ERRORS}, summary="居民区列表")
def list_areas(request, paging: Query[s.Paging], street: s.IdFilter = None, q: Search = None):
    user = _reader(request, r.Area)
    return _page(selectors.areas(user, street=street, q=q), paging)


@router.get("/areas/{area_id}", response={200: s.AreaOut, **NOT_FOUND}, summary="居民区")
def get_area(request, area_id: s.PathId):
    user = _reader(request, r.Area)
    return _one(selectors.areas(user), area_id)


# ---- estates, buildings, units, owners ----------------------------------------------------------


@router.get("/estates", response={200: s.EstatePage, **LIST_ERRORS}, summary="小区列表")
def list_estates(
    request,
    paging: Query[s.Paging],
    area: s.IdFilter = None,
    company: s.IdFilter = None,
    is_old: bool | None = None,
    q: Search = None,
):
    user = _reader(request, r.Estate)
    qs = selectors.estates(user, area=area, company=company, is_old=is_old, q=q)
    return _page(qs, paging, annotate=annotate_estates)


@router.get("/estates/{estate_id}", response={200: s.EstateOut, **NOT_FOUND}, summary="小区")
def get_estate(request, estate_id: s.PathId):
    user = _reader(request, r.Estate)
    return _one(annotate_estates(selectors.estates(user)), estate_id)


@router.post("/estates", response={201: s.EstateOut, **WRITE_ERRORS}, summary="新增小区(街道管理员)")
def create_estate(request, payload: s.EstateIn):
    user = _reader(request, r.Estate)
    area = get_for_user(user, r.Area, payload.area_id)
    estate = r.Estate(area=area, name=payload.name, address=payload.address, build_year=payload.build_year)
    registry_services.record_create(actor=user, obj=estate)
    return Status(201, _one(annotate_estates(selectors.estates(user)), estate.pk))


@router.patch(
    "/estates/{estate_id}", response={200: s.EstateOut, **WRITE_ERRORS}, summary="修改小区(街道管理员)"
)
def update_estate(request, estate_id: s.PathId, payload: s.EstatePatch):
    user = _reader(request, r.Estate)
    estate = get_for_user(user, r.Estate, estate_id, require="write")
    data = payload.dict(exclude_unset=True)
    if data.get("area_id") is not None:
        # Moving to an area the user cannot see looks exactly like moving to one that does not exist.
        data["area"] = get_for_user(user, r.Area, data.pop("area_id"))
    registry_services.record_update(actor=user, obj=estate, data=data)
    return _one(annotate_estates(selectors.estates(user)), estate.pk)


@router.get("/buildings", response={200: s.BuildingPage, **LIST_ERRORS}, summary="楼栋列表")
def list_buildings(
    request, paging: Query[s.Paging], area: s.IdFilter = None, estate: s.IdFilter = None, q: Search = None
):
    user = _reader(request, r.Building)
    qs = selectors.buildings(user, area=area, estate=estate, q=q)
    return _page(qs, paging, annotate=annotate_buildings)


@router.get("/buildings/{building_id}", response={200: s.BuildingOut, **NOT_FOUND}, summary="楼栋")
def get_building(request, building_id: s.PathId):
    user = _reader(request, r.Building)
    return _one(annotate_buildings(selectors.buildings(user)), building_id)


@router.get("/units", response={200: s.UnitPage, **LIST_ERRORS}, summary="房屋列表")
def list_units(
    request,
    paging: Query[s.Paging],
    area: s.IdFilter = None,
    estate: s.IdFilter = None,
    building: s.IdFilter = None,
    owner: s.IdFilter = None,
    q: Search = None,
):
    user = _reader(request, r.Unit)
    qs = selectors.units(user, area=area, estate=estate, building=building, owner=owner, q=q)
    return _page(qs, paging)


@router.get("/units/{unit_id}", response={200: s.UnitOut, **NOT_FOUND}, summary="房屋")
def get_unit(request, unit_id: s.PathId):
    user = _reader(request, r.Unit)
    return _one(selectors.units(user), unit_id)


@router.post("/units", response={201: s.UnitOut, **WRITE_ERRORS}, summary="新增房屋(街道管理员)")
def create_unit(request, payload: s.UnitIn):
    user = _reader(request, r.Unit)
    building = get_for_user(user, r.Building, payload.building_id)
    owner = None
    if payload.owner_id is not None:
        owner = get_for_user(user, r.Owner, payload.owner_id)
    unit = r.Unit(
        building=building,
        number=payload.number,
        area=Decimal(payload.area),
        area_source=payload.area_source,
        owner=owner,
    )
    registry_services.record_create(actor=user, obj=unit)
    return Status(201, _one(selectors.units(user), unit.pk))


@router.get("/owners", response={200: s.OwnerPage, **LIST_ERRORS}, summary="业主列表")
def list_owners(
    request, paging: Query[s.Paging], area: s.IdFilter = None, estate: s.IdFilter = None, q: Search = None
):
    user = _reader(request, r.Owner)
    return _page(selectors.owners(user, area=area, estate=estate, q=q), paging)


@router.get("/owners/{owner_id}", response={200: s.OwnerOut, **NOT_FOUND}, summary="业主")
def get_owner(request, owner_id: s.PathId):
    user = _reader(request, r.Owner)
    return _one(selectors.owners(user), owner_id)


# ---- companies and contracts -----------------------------------------------------------------------


@router.get("/companies", response={200: s.CompanyPage, **LIST_ERRORS}, summary="物业服务企业列表")
def list_companies(
    request, paging: Query[s.Paging], area: s.IdFilter = None, estate: s.IdFilter = None, q: Search = None
):
    user = _reader(request, r.Company)
    qs = selectors.companies(user, area=area, estate=estate, q=q)
    return _page(qs, paging, annotate=annotate_companies)


@router.get("/companies/{company_id}", response={200: s.CompanyOut, **NOT_FOUND}, summary="物业服务企业")
def get_company(request, company_id: s.PathId):
    user = _reader(request, r.Company)
    return _one(annotate_companies(selectors.companies(user)), company_id)


@router.get("/contracts", response={200: s.ContractPage, **LIST_ERRORS}, summary="物业服务合同列表")
def list_contracts(
    request,
    paging: Query[s.Paging],
    area: s.IdFilter = None,
    estate: s.IdFilter = None,
    company: s.IdFilter = None,
    active: bool | None = None,
):
    user = _reader(request, r.Contract)
    qs = selectors.contracts(user, area=area, estate=estate, company=company, active=active)
    return _page(qs, paging)


@router.get("/contracts/{contract_id}", response={200: s.ContractOut, **NOT_FOUND}, summary="物业服务合同")
def get_contract(request, contract_id: s.PathId):
    user = _reader(request, r.Contract)
    return _one(selectors.contracts(user), contract_id)


# ---- committees and branches ----------------------------------------------------------------------


@router.get("/owners-committees", response={200: s.OwnersCommitteePage, **LIST_ERRORS}, summary="业委会列表")
def list_owners_committees(
    request, paging: Query[s.Paging], area: s.IdFilter = None, estate: s.IdFilter = None
):
    user = _reader(request, r.OwnersCommittee)
    return _page(selectors.owners_committees(user, area=area, estate=estate), paging)


@router.get(
    "/owners-committees/{committee_id}", response={200: s.OwnersCommitteeOut, **NOT_FOUND}, summary="业委会"
)
def get_owners_committee(request, committee_id: s.PathId):
    user = _reader(request, r.OwnersCommittee)
    return _one(selectors.owners_committees(user), committee_id)


@router.get(
    "/residents-committees", response={200: s.ResidentsCommitteePage, **LIST_ERRORS}, summary="居委会列表"
)
def list_residents_committees(request, paging: Query[s.Paging], area: s.IdFilter = None, q: Search = None):
    user = _reader(request, r.ResidentsCommittee)
    return _page(selectors.residents_committees(user, area=area, q=q), paging)


@router.get(
    "/residents-committees/{committee_id}",
    response={200: s.ResidentsCommitteeOut, **NOT_FOUND},
    summary="居委会",
)
def get_residents_committee(request, committee_id: s.PathId):
    user = _reader(request, r.ResidentsCommittee)
    return _one(selectors.residents_committees(user), committee_id)


@router.get("/branches", response={200: s.BranchPage, **LIST_ERRORS}, summary="物业治理联合党支部列表")
def list_branches(request, paging: Query[s.Paging], area: s.IdFilter = None, q: Search = None):
    user = _reader(request, r.Branch)
    return _page(selectors.branches(user, area=area, q=q), paging)


@router.get("/branches/{branch_id}", response={200: s.BranchOut, **NOT_FOUND}, summary="物业治理联合党支部")
def get_branch(request, branch_id: s.PathId):
    user = _reader(request, r.Branch)
    return _one(selectors.branches(user), branch_id)
