"""Shapes of the API's requests and responses. Money and areas are strings with two decimals
("68.50"), dates are ISO 8601; names and phones may come masked (``王**``, ``138****1234``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from annotated_types import Ge, Le
from django.utils import timezone
from ninja import Field, Path, Query, Schema
from pydantic import BeforeValidator, create_model, model_validator

from gongzhi.api import selectors
from gongzhi.core.masking import mask_name, mask_phone
from gongzhi.core.scopes import Scope, scope_for
from gongzhi.core.validators import DB_INT_MAX, DB_SMALL_INT_MAX
from gongzhi.registry import models as r
from gongzhi.registry.models import AreaSource

MAX_LIMIT = 200
DEFAULT_LIMIT = 50


class Paging(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="每页条数（最多 200）")
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


# ---- how records become JSON ---------------------------------------------------------------------
# Endpoints return model instances; ninja reads each field from the attribute of the same name, or
# from a ``resolve_<field>`` static method where the JSON differs from the model (money as text,
# a building's number as its name, masked names and phones).


def money(value: Decimal | None) -> str | None:
    """Two decimals as text ("68.50")."""
    return None if value is None else str(Decimal(value).quantize(Decimal("0.01")))


def ref(obj: Any, name: str | None = None) -> dict:
    return {"id": obj.pk, "name": name if name is not None else obj.name}


def _scope(context: dict) -> Scope:
    """The caller's scope (cached on the user for the request) for masking personal data."""
    return scope_for(context["request"].auth)


def _name(value: str, unmasked: bool) -> str:
    return value if unmasked else mask_name(value)


def _phone(value: str, unmasked: bool) -> str:
    return value if unmasked else mask_phone(value)


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
    district: str = Field(description="所属区的名称（未填为空）")
    is_demo: bool

    @staticmethod
    def resolve_district(obj) -> str:
        return obj.district.name if obj.district_id else ""


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
    total_area: str = Field(description="专有部分面积合计（m²），两位小数")
    owner_count: int = Field(description="业主人数：一人多套计一人")
    current_company: Ref | None = Field(description="今天有效的物业服务合同的企业")

    # unit_count, total_area, owner_count and the company come from registry.resources.annotate_estates.
    @staticmethod
    def resolve_total_area(obj: r.Estate) -> str | None:
        return money(obj.total_area or 0)

    @staticmethod
    def resolve_current_company(obj: r.Estate) -> dict | None:
        return None if obj.company_pk is None else {"id": obj.company_pk, "name": obj.company_name}


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
    area: str = Field(description="专有部分面积（m²），两位小数")
    area_source: str
    building: Ref
    estate: Ref
    owner: OwnerRef | None

    @staticmethod
    def resolve_area(obj: r.Unit) -> str | None:
        return money(obj.area)

    @staticmethod
    def resolve_building(obj: r.Unit) -> dict:
        return ref(obj.building, obj.building.number)

    @staticmethod
    def resolve_estate(obj: r.Unit) -> r.Estate:
        return obj.building.estate

    @staticmethod
    def resolve_owner(obj: r.Unit, context: dict) -> dict | None:
        owner = obj.owner
        if owner is None:
            return None
        unmasked = selectors.sees_owner_personal_data(_scope(context), owner, [obj.building.estate_id])
        return {"id": owner.pk, "ref": owner.ref, "name": _name(owner.name, unmasked), "kind": owner.kind}


class OwnerUnit(Schema):
    id: int
    number: str
    building: Ref
    estate: Ref

    resolve_building = staticmethod(UnitOut.resolve_building)
    resolve_estate = staticmethod(UnitOut.resolve_estate)


class OwnerOut(Schema):
    id: int
    ref: str
    name: str
    kind: str
    phone: str
    street_id: int
    units: list[OwnerUnit] = Field(description="本人可见的该业主名下房屋", alias="visible_units")

    # The name and phone: named where this owner holds a unit the caller reads personal data of.
    @staticmethod
    def _unmasked(obj: r.Owner, context: dict) -> bool:
        estate_ids = {u.building.estate_id for u in obj.visible_units}
        return selectors.sees_owner_personal_data(_scope(context), obj, estate_ids)

    @staticmethod
    def resolve_name(obj: r.Owner, context: dict) -> str:
        return _name(obj.name, OwnerOut._unmasked(obj, context))

    @staticmethod
    def resolve_phone(obj: r.Owner, context: dict) -> str:
        return _phone(obj.phone, OwnerOut._unmasked(obj, context))


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
    fee_standard: str = Field(description="物业费标准（元/m²/月），两位小数")
    service_level: str
    collection_rate: str | None = Field(description="收缴率（%），两位小数")
    is_active: bool

    @staticmethod
    def resolve_fee_standard(obj: r.Contract) -> str | None:
        return money(obj.fee_standard)

    @staticmethod
    def resolve_collection_rate(obj: r.Contract) -> str | None:
        return money(obj.collection_rate)

    @staticmethod
    def resolve_is_active(obj: r.Contract) -> bool:
        return obj.start_date <= timezone.localdate() <= obj.end_date


class CommitteeMemberOut(Schema):
    id: int
    name: str
    position: str
    is_party_member: bool
    is_cross_appointed: bool
    phone: str

    @staticmethod
    def resolve_phone(obj: r.CommitteeMember, context: dict) -> str:
        # The committee came with the prefetch: no query per member.
        return _phone(obj.phone, _scope(context).sees_personal_data(obj.committee.estate_id))


class OwnersCommitteeOut(Schema):
    id: int
    estate: Ref
    term_start: dt.date
    term_end: dt.date
    is_current: bool
    members: list[CommitteeMemberOut] = Field(alias="visible_members")

    @staticmethod
    def resolve_is_current(obj: r.OwnersCommittee) -> bool:
        return obj.term_start <= timezone.localdate() <= obj.term_end


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
    membership: str = Field(description="member 支部成员 / attendee 列席（无表决权）")
    is_party_member: bool
    phone: str

    @staticmethod
    def resolve_phone(obj: r.BranchMember, context: dict) -> str:
        return _phone(obj.phone, selectors.sees_branch_personal_data(_scope(context), obj.branch.area))


class BranchOut(Schema):
    id: int
    name: str
    area: Ref
    secretary_name: str
    founded_on: dt.date | None
    members: list[BranchMemberOut] = Field(alias="visible_members")


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
    build_year: JsonInt = Field(ge=1900, le=2100, description="建成年份（1900–2100）")


class EstatePatch(Body):
    area_id: JsonInt = Field(None, ge=1, le=DB_INT_MAX)
    name: str = Field(None, min_length=1, max_length=60)
    address: str = Field(None, max_length=120)
    build_year: JsonInt = Field(None, ge=1900, le=2100, description="建成年份（1900–2100）")


# A positive area with at most 7 integer digits and 2 decimals, as text: the schema states exactly
# what the service accepts, so a request the schema allows is never refused as malformed.
AREA_TEXT = r"^(0\.(0[1-9]|[1-9][0-9]?)|[1-9][0-9]{0,6}(\.[0-9]{1,2})?)$"


class UnitIn(Body):
    building_id: JsonInt = Field(ge=1, le=DB_INT_MAX)
    number: str = Field(min_length=1, max_length=20)
    area: str = Field(
        pattern=AREA_TEXT, description="专有部分面积（m²），大于 0，最多两位小数", examples=["68.50"]
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
