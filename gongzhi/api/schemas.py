"""Shapes of the API's requests and responses. Money and areas are strings with two decimals
("68.50"), dates are ISO 8601; names and phones may come masked (``王**``, ``138****1234``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from annotated_types import Ge, Le
from ninja import Field, Path, Query, Schema
from pydantic import BeforeValidator, create_model, model_validator

from gongzhi.core.validators import DB_INT_MAX, DB_SMALL_INT_MAX
from gongzhi.registry.models import AreaSource

MAX_LIMIT = 200
DEFAULT_LIMIT = 50


class Paging(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="每页条数(最多 200)")
    offset: int = Field(0, ge=0, le=DB_SMALL_INT_MAX, description="跳过的条数")


# Record ids within the database's range: a bigger number is a 422 here, not an overflow in SQL.
PathId = Annotated[int, Path(ge=1, le=DB_INT_MAX)]
IdFilter = Annotated[int | None, Query(ge=1, le=DB_INT_MAX, description="记录编号")]


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


# Every operation may answer these: 400 for a request carrying a NUL character (core.middleware),
# 401 without a valid token or session, 422 when a parameter or body does not match this schema
# (the fuzz test, gongzhi/api/tests/test_fuzz.py, holds the API to the codes it declares).
ALWAYS = {400: Message, 401: Message, 422: ErrorWithFields}


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


def _json_number(value: Any) -> Any:
    if isinstance(value, str | bool):
        raise ValueError("expected a JSON number")
    return value


# A JSON body's integers are JSON numbers (2066 or 2066.0, as JSON Schema says), never "2066" or true,
# so a body the schema forbids is never accepted.
JsonInt = Annotated[int, BeforeValidator(_json_number)]


def json_int(low: int, high: int):
    """A JsonInt within [low, high] that can also be null (the bounds stay visible in the schema)."""
    return Annotated[int, Ge(low), Le(high), BeforeValidator(_json_number)] | None


class Body(Schema):
    """A JSON request body: an object, as the schema says (django-ninja would otherwise read the
    attributes of a list or a number and find every field unset)."""

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: Any) -> Any:
        # django-ninja hands the parsed JSON over wrapped in its DjangoGetter.
        if not isinstance(getattr(data, "_obj", data), dict):
            raise ValueError("the body must be a JSON object")
        return data


# Fields of a PATCH may be left out but never set to null.
class EstateIn(Body):
    area_id: JsonInt = Field(ge=1, le=DB_INT_MAX)
    name: str = Field(min_length=1, max_length=60)
    address: str = Field("", max_length=120)
    build_year: JsonInt = Field(ge=1900, le=2100, description="建成年份(1900–2100)")


class EstatePatch(Body):
    area_id: JsonInt = Field(None, ge=1, le=DB_INT_MAX)
    name: str = Field(None, min_length=1, max_length=60)
    address: str = Field(None, max_length=120)
    build_year: JsonInt = Field(None, ge=1900, le=2100, description="建成年份(1900–2100)")


# A positive area with at most 7 integer digits and 2 decimals, as text: the schema states exactly
# what the service accepts, so a request the schema allows is never refused as malformed.
AREA_TEXT = r"^(0\.(0[1-9]|[1-9][0-9]?)|[1-9][0-9]{0,6}(\.[0-9]{1,2})?)$"


class UnitIn(Body):
    building_id: JsonInt = Field(ge=1, le=DB_INT_MAX)
    number: str = Field(min_length=1, max_length=20)
    area: str = Field(
        pattern=AREA_TEXT, description="专有部分面积(m²),大于 0,最多两位小数", examples=["68.50"]
    )
    area_source: AreaSource = AreaSource.REGISTERED
    owner_id: json_int(1, DB_INT_MAX) = None


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
