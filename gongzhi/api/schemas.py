"""Shapes of the API's requests and responses. Money and areas are strings with two decimals
("68.50"), dates are ISO 8601; names and phones may come masked (``王**``, ``138****1234``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema
from pydantic import create_model

from gongzhi.registry.models import AreaSource

MAX_LIMIT = 200
DEFAULT_LIMIT = 50


class Paging(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="每页条数(最多 200)")
    offset: int = Field(0, ge=0, description="跳过的条数")


class PageBase(Schema):
    count: int = Field(description="符合条件的总条数")
    limit: int
    offset: int


def page_of(item: type[Schema]) -> type[PageBase]:
    name = item.__name__.removesuffix("Out") + "Page"
    return create_model(name, __base__=PageBase, items=(list[item], ...))


class Message(Schema):
    detail: str


class ErrorWithFields(Schema):
    detail: str
    errors: dict[str, list[str]] | list[dict] = Field(default_factory=dict)


class Ref(Schema):
    id: int
    name: str


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    roles: list[str]


class StreetOut(Schema):
    id: int
    name: str
    district: str
    is_demo: bool


class AreaOut(Schema):
    id: int
    name: str
    address: str
    street: Ref


class EstateOut(Schema):
    id: int
    name: str
    address: str
    build_year: int
    is_old: bool = Field(description="建成于 1996 年以前")
    area: Ref
    unit_count: int
    total_area: str = Field(description="专有部分面积合计(m²),两位小数")
    owner_count: int = Field(description="业主人数:一人多套计一人")
    current_company: Ref | None = Field(description="今天有效的物业服务合同的企业")


class BuildingOut(Schema):
    id: int
    number: str
    floors: int | None
    estate: Ref
    unit_count: int


class OwnerRef(Schema):
    id: int
    ref: str
    name: str
    kind: str


class UnitOut(Schema):
    id: int
    number: str
    area: str = Field(description="专有部分面积(m²),两位小数")
    area_source: str
    building: Ref
    estate: Ref
    owner: OwnerRef | None


class OwnerUnit(Schema):
    id: int
    number: str
    building: Ref
    estate: Ref


class OwnerOut(Schema):
    id: int
    ref: str
    name: str
    kind: str
    phone: str
    street_id: int
    units: list[OwnerUnit] = Field(description="本人可见的该业主名下房屋")


class CompanyOut(Schema):
    id: int
    name: str
    credit_code: str
    ownership: str
    contact_name: str
    contact_phone: str
    street_id: int
    estate_count: int = Field(description="今天在合同期内服务的小区数")


class ContractOut(Schema):
    id: int
    company: Ref
    estate: Ref
    start_date: dt.date
    end_date: dt.date
    fee_standard: str = Field(description="物业费标准(元/m²/月),两位小数")
    service_level: str
    collection_rate: str | None = Field(description="收缴率(%),两位小数")
    is_active: bool


class CommitteeMemberOut(Schema):
    id: int
    name: str
    position: str
    is_party_member: bool
    is_cross_appointed: bool
    phone: str


class OwnersCommitteeOut(Schema):
    id: int
    estate: Ref
    term_start: dt.date
    term_end: dt.date
    is_current: bool
    members: list[CommitteeMemberOut]


class ResidentsCommitteeOut(Schema):
    id: int
    name: str
    area: Ref
    director_name: str
    phone: str


class BranchMemberOut(Schema):
    id: int
    name: str
    organisation: str
    position: str
    membership: str = Field(description="member 支部成员 / attendee 列席(无表决权)")
    is_party_member: bool
    phone: str


class BranchOut(Schema):
    id: int
    name: str
    area: Ref
    secretary_name: str
    founded_on: dt.date | None
    members: list[BranchMemberOut]


# ---- writes ------------------------------------------------------------------------------------


class EstateIn(Schema):
    area_id: int
    name: str = Field(min_length=1, max_length=60)
    address: str = Field("", max_length=120)
    build_year: int


class EstatePatch(Schema):
    area_id: int | None = None
    name: str | None = Field(None, min_length=1, max_length=60)
    address: str | None = Field(None, max_length=120)
    build_year: int | None = None


class UnitIn(Schema):
    building_id: int
    number: str = Field(min_length=1, max_length=20)
    area: Decimal = Field(gt=0, max_digits=9, decimal_places=2, description="专有部分面积(m²)")
    area_source: AreaSource = AreaSource.REGISTERED
    owner_id: int | None = None


StreetPage = page_of(StreetOut)
AreaPage = page_of(AreaOut)
EstatePage = page_of(EstateOut)
BuildingPage = page_of(BuildingOut)
UnitPage = page_of(UnitOut)
OwnerPage = page_of(OwnerOut)
CompanyPage = page_of(CompanyOut)
ContractPage = page_of(ContractOut)
OwnersCommitteePage = page_of(OwnersCommitteeOut)
ResidentsCommitteePage = page_of(ResidentsCommitteeOut)
BranchPage = page_of(BranchOut)
