"""The seven sheets of the registry workbook (``SHEETS``, in dependency order): each column's
header, how its cells are parsed and what a blank cell means."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, cached_property, partial
from typing import Any

from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gongzhi.core.excel import (
    CellError,
    choice_parser,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_int,
    parse_text,
)
from gongzhi.core.keyed import Keyed
from gongzhi.registry import models as r

# ---- Column and sheet specifications ---------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its header, how a non-blank cell is parsed, what a blank cell means."""

    key: str
    header: str
    parse: Callable[[Any], Any]
    required: bool = False
    blank: Any = ""  # value of a blank cell in an optional column
    aliases: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()  # labels offered in the drop-down
    kind: str = "text"  # text | number | date | choice | bool (cell format in templates/exports)
    # A catalogue msgid (built in Chinese) or a keyed message: the 填写说明 sheet renders it in the reader's
    # language (templates.notes_rows); the headers themselves stay Chinese, the file's exchange format.
    note: str | Keyed = ""


@dataclass(frozen=True)
class Sheet:
    key: str
    title: str
    columns: tuple[Column, ...]
    note: str

    def column(self, key: str) -> Column:
        return self._by_key[key]

    @cached_property
    def _by_key(self) -> dict[str, Column]:
        return {c.key: c for c in self.columns}

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


def _field(model: type[models.Model], name: str) -> models.Field:
    return model._meta.get_field(name)


def _verbose(model: type[models.Model], name: str) -> str:
    return str(_field(model, name).verbose_name)


def _choices(choices_class: type[models.TextChoices]) -> tuple[tuple[str, str], ...]:
    return tuple((str(code), str(label)) for code, label in choices_class.choices)


def _text(model, name):
    return partial(parse_text, max_length=_field(model, name).max_length)


def _code_text(model, name):
    """Building and unit numbers: refuse cells Excel turned into dates ("1-2" → 1月2日)."""
    return partial(parse_text, max_length=_field(model, name).max_length, no_dates=True)


def _person_name(model, name):
    max_length = _field(model, name).max_length

    def parse(value):
        text = parse_text(value, max_length=max_length)
        if "*" in text:
            raise CellError(_("姓名中有“*”，像是打码后的数据，请填写完整姓名。"))
        return text

    return parse


_PHONE = re.compile(r"[0-9+\-() 转]*")


def _phone(model, name):
    max_length = _field(model, name).max_length

    def parse(value):
        text = parse_text(value, max_length=max_length, no_dates=True)
        if "*" in text:
            raise CellError(_("电话中有“*”，像是打码后的号码，请填写完整号码。"))
        if not _PHONE.fullmatch(text):
            raise CellError(_("电话只能包含数字、空格和“-”“+”“（）”“转”。"))
        return text

    return parse


def _decimal_for(model, name, *, rule: str, **bounds):
    f = _field(model, name)
    return partial(parse_decimal, message=rule, places=f.decimal_places, max_digits=f.max_digits, **bounds)


def _credit_code(value):
    text = parse_text(value, max_length=18).upper()
    if not re.fullmatch(r"[0-9A-Z]{18}", text):
        raise CellError(_("统一社会信用代码应为 18 位数字或大写字母。"))
    return text


def _choice_column(key, header, choices_class, *, default=None, required=False, note="", aliases=()):
    choices = _choices(choices_class)
    labels = tuple(label for _code, label in choices)
    return Column(
        key,
        header,
        choice_parser(choices),
        required=required,
        blank=default,
        choices=labels,
        kind="choice",
        aliases=aliases,
        note=note or Keyed(gettext_noop("从下拉列表选择：%(choices)s。"), {"choices": "、".join(labels)}),
    )


def _bool_column(key, header, *, default: bool, aliases=()):
    return Column(
        key,
        header,
        parse_bool,
        blank=default,
        choices=("是", "否"),
        kind="bool",
        aliases=aliases,
        note=Keyed(
            gettext_noop("填“是”或“否”，留空按“%(default)s”。"), {"default": "是" if default else "否"}
        ),
    )


def _date_column(key, header, *, required=True, note=""):
    return Column(
        key,
        header,
        parse_date,
        required=required,
        blank=None,
        kind="date",
        note=note or _("日期，如 2024-03-01，也可写 2024/3/1 或 2024年3月1日。"),
    )


def _area_ref(required: bool) -> Column:
    return Column(
        "area",
        "居民区",
        _text(r.Area, "name"),
        required=required,
        aliases=("居民区名称",),
        note=_("居民区名称，须已在系统中或在本文件“居民区”表中。")
        if required
        else _("小区名称在街道内重名时必填，用来区分是哪个居民区的小区。"),
    )


def _estate_ref() -> Column:
    return Column(
        "estate",
        "小区",
        _text(r.Estate, "name"),
        required=True,
        aliases=("小区名称",),
        note=_("小区名称，须已在系统中或在本文件“小区”表中。"),
    )


YEAR_RULE_MIN, YEAR_RULE_MAX = 1900, 2100
FLOORS_MAX = 200


def _build_sheets() -> tuple[Sheet, ...]:
    area_rule = _("面积必须是大于 0 的数字，最多两位小数。")
    fee_rule = _("物业费标准必须是大于 0 的数字（元/m²/月），最多两位小数。")
    rate_rule = _("收缴率必须是 0 到 100 之间的数字，最多两位小数（85 表示 85%）。")
    return (
        Sheet(
            "areas",
            gettext_noop("居民区"),
            (
                Column(
                    "name",
                    _verbose(r.Area, "name"),
                    _text(r.Area, "name"),
                    required=True,
                    aliases=("居民区",),
                    note=_("居民区的名称，在本街道内唯一。"),
                ),
                Column(
                    "address",
                    _verbose(r.Area, "address"),
                    _text(r.Area, "address"),
                    aliases=("地址",),
                ),
                Column(
                    "rc_name",
                    "居委会名称",
                    _text(r.ResidentsCommittee, "name"),
                    note=_("留空则不改动已有的居委会。"),
                ),
                Column("rc_director", "居委会主任", _text(r.ResidentsCommittee, "director_name")),
                Column("rc_phone", "居委会联系电话", _phone(r.ResidentsCommittee, "phone")),
                Column(
                    "branch_name",
                    _verbose(r.Branch, "name"),
                    _text(r.Branch, "name"),
                    note=_("物业治理联合党支部的名称；留空则不改动已有的支部。"),
                ),
                Column(
                    "branch_secretary",
                    _verbose(r.Branch, "secretary_name"),
                    _text(r.Branch, "secretary_name"),
                ),
                _date_column("branch_founded", "支部成立日期", required=False),
            ),
            _("每行一个居民区，可同时填写它的居委会和物业治理联合党支部。"),
        ),
        Sheet(
            "estates",
            gettext_noop("小区"),
            (
                _area_ref(required=True),
                Column(
                    "name",
                    _verbose(r.Estate, "name"),
                    _text(r.Estate, "name"),
                    required=True,
                    aliases=("小区",),
                    note=_("同一居民区内唯一。"),
                ),
                Column("address", _verbose(r.Estate, "address"), _text(r.Estate, "address")),
                Column(
                    "build_year",
                    _verbose(r.Estate, "build_year"),
                    partial(
                        parse_int,
                        message=_("建成年份必须是 1900–2100 之间的四位年份。"),
                        ge=YEAR_RULE_MIN,
                        le=YEAR_RULE_MAX,
                        suffix="年",
                    ),
                    required=True,
                    kind="number",
                    note=_("四位年份，如 1988。1996 年以前建成的算老旧小区。"),
                ),
            ),
            _("每行一个小区。"),
        ),
        Sheet(
            "units",
            gettext_noop("房屋"),
            (
                _area_ref(required=False),
                _estate_ref(),
                Column(
                    "building",
                    _verbose(r.Building, "number"),
                    _code_text(r.Building, "number"),
                    required=True,
                    aliases=("楼栋",),
                    note=_("如“12号”，同一小区内唯一。"),
                ),
                Column(
                    "floors",
                    _verbose(r.Building, "floors"),
                    partial(
                        parse_int,
                        message=_("层数必须是 1–%(max)d 之间的整数。") % {"max": FLOORS_MAX},
                        ge=1,
                        le=FLOORS_MAX,
                        suffix="层",
                    ),
                    blank=None,
                    kind="number",
                    note=_("整栋楼的层数；同一楼号的各行应一致，可只在一行填写。"),
                ),
                Column(
                    "number",
                    _verbose(r.Unit, "number"),
                    _code_text(r.Unit, "number"),
                    required=True,
                    aliases=("房号",),
                    note=_("如“302”，同一楼号内唯一。"),
                ),
                Column(
                    "floor_area",
                    _verbose(r.Unit, "area"),
                    _decimal_for(r.Unit, "area", rule=area_rule, gt=Decimal("0")),
                    required=True,
                    aliases=("专有面积（m²）", "专有面积(m²)", "专有面积", "面积", "建筑面积"),
                    kind="number",
                    note=_("平方米，大于 0，最多两位小数；表决时按此面积计算。"),
                ),
                _choice_column(
                    "area_source",
                    _verbose(r.Unit, "area_source"),
                    r.AreaSource,
                    default=r.AreaSource.REGISTERED,
                    note=_("依次采用不动产登记面积、测绘面积、买卖合同面积；留空按不动产登记面积。"),
                ),
                Column(
                    "owner_ref",
                    _verbose(r.Owner, "ref"),
                    _code_text(r.Owner, "ref"),
                    blank=None,
                    note=_(
                        "同一业主的多套房屋填同一编号（表决时一人多套计一人）；"
                        "建设单位未售房屋共用一个编号。留空表示暂无业主。"
                    ),
                ),
                Column(
                    "owner_name",
                    _verbose(r.Owner, "name"),
                    _person_name(r.Owner, "name"),
                    aliases=("业主",),
                    note=_("填写了业主编号时必填。"),
                ),
                _choice_column(
                    "owner_kind", _verbose(r.Owner, "kind"), r.OwnerKind, default=r.OwnerKind.PERSON
                ),
                Column(
                    "owner_phone",
                    _verbose(r.Owner, "phone"),
                    _phone(r.Owner, "phone"),
                    aliases=("业主联系电话", "业主电话"),
                ),
            ),
            _("每行一套房屋（专有部分），连同楼栋和业主。"),
        ),
        Sheet(
            "companies",
            gettext_noop("物业企业"),
            (
                Column(
                    "name",
                    _verbose(r.Company, "name"),
                    _text(r.Company, "name"),
                    required=True,
                    aliases=("物业企业", "物业服务企业"),
                    note=_("在本街道内唯一。"),
                ),
                Column("credit_code", _verbose(r.Company, "credit_code"), _credit_code),
                _choice_column(
                    "ownership",
                    _verbose(r.Company, "ownership"),
                    r.CompanyOwnership,
                    default=r.CompanyOwnership.PRIVATE,
                ),
                Column(
                    "contact_name",
                    _verbose(r.Company, "contact_name"),
                    _text(r.Company, "contact_name"),
                ),
                Column(
                    "contact_phone",
                    _verbose(r.Company, "contact_phone"),
                    _phone(r.Company, "contact_phone"),
                ),
            ),
            _("每行一家物业服务企业。"),
        ),
        Sheet(
            "contracts",
            gettext_noop("物业合同"),
            (
                _area_ref(required=False),
                _estate_ref(),
                Column(
                    "company",
                    _verbose(r.Contract, "company"),
                    _text(r.Company, "name"),
                    required=True,
                    aliases=("物业企业", "企业名称"),
                    note=_("须已在系统中或在本文件“物业企业”表中。"),
                ),
                _date_column(
                    "start_date",
                    _verbose(r.Contract, "start_date"),
                    note=_("日期，如 2024-01-01。同一小区以开始日期区分不同合同。"),
                ),
                _date_column(
                    "end_date",
                    _verbose(r.Contract, "end_date"),
                    note=_("日期，须晚于开始日期；同一小区的合同期不能重叠。"),
                ),
                Column(
                    "fee_standard",
                    _verbose(r.Contract, "fee_standard"),
                    _decimal_for(r.Contract, "fee_standard", rule=fee_rule, gt=Decimal("0")),
                    required=True,
                    aliases=("物业费标准", "物业费"),
                    kind="number",
                ),
                Column(
                    "service_level",
                    _verbose(r.Contract, "service_level"),
                    _text(r.Contract, "service_level"),
                ),
                Column(
                    "collection_rate",
                    _verbose(r.Contract, "collection_rate"),
                    _decimal_for(
                        r.Contract,
                        "collection_rate",
                        rule=rate_rule,
                        ge=Decimal("0"),
                        le=Decimal("100"),
                        percent_sign=True,
                    ),
                    blank=None,
                    aliases=("收缴率",),
                    kind="number",
                    note=_("最近一个收费年度，0–100，如 85 表示 85%。"),
                ),
            ),
            _("每行一份物业服务合同。"),
        ),
        Sheet(
            "committee_members",
            gettext_noop("业委会委员"),
            (
                _area_ref(required=False),
                _estate_ref(),
                _date_column(
                    "term_start",
                    _verbose(r.OwnersCommittee, "term_start"),
                    note=_("日期；同一小区以任期开始日期区分各届业委会。"),
                ),
                _date_column(
                    "term_end",
                    _verbose(r.OwnersCommittee, "term_end"),
                    note=_("日期，须晚于任期开始；同一届的各行应一致。"),
                ),
                Column(
                    "name",
                    _verbose(r.CommitteeMember, "name"),
                    _person_name(r.CommitteeMember, "name"),
                    required=True,
                    note=_("同一届业委会内唯一。"),
                ),
                _choice_column(
                    "position",
                    _verbose(r.CommitteeMember, "position"),
                    r.CommitteePosition,
                    default=r.CommitteePosition.MEMBER,
                ),
                _bool_column(
                    "is_party_member", _verbose(r.CommitteeMember, "is_party_member"), default=False
                ),
                _bool_column(
                    "is_cross_appointed",
                    _verbose(r.CommitteeMember, "is_cross_appointed"),
                    default=False,
                    aliases=("交叉任职",),
                ),
                Column("phone", _verbose(r.CommitteeMember, "phone"), _phone(r.CommitteeMember, "phone")),
            ),
            _("每行一名业委会委员，连同其所在的一届业委会。"),
        ),
        Sheet(
            "branch_members",
            gettext_noop("支部成员"),
            (
                _area_ref(required=True),
                Column(
                    "name",
                    _verbose(r.BranchMember, "name"),
                    _person_name(r.BranchMember, "name"),
                    required=True,
                    note=_("同一支部内唯一。"),
                ),
                _choice_column(
                    "organisation",
                    _verbose(r.BranchMember, "organisation"),
                    r.BranchOrganisation,
                    required=True,
                ),
                Column(
                    "position",
                    _verbose(r.BranchMember, "position"),
                    _text(r.BranchMember, "position"),
                ),
                _choice_column(
                    "membership",
                    _verbose(r.BranchMember, "membership"),
                    r.BranchMembership,
                    required=True,
                    note=_("“支部成员”有表决权，必须是党员；非党员的三驾马车负责人填“列席（无表决权）”。"),
                ),
                _bool_column("is_party_member", _verbose(r.BranchMember, "is_party_member"), default=True),
                Column("phone", _verbose(r.BranchMember, "phone"), _phone(r.BranchMember, "phone")),
            ),
            _("每行一名物业治理联合党支部的成员或列席人员；居民区须已有支部（或在“居民区”表填写支部名称）。"),
        ),
    )


@cache
def sheets() -> tuple[Sheet, ...]:
    """The sheet specifications. Headers and labels are the Chinese of the UI, whatever the language."""
    with translation.override("zh-hans"):
        return _build_sheets()


def sheet(key: str) -> Sheet:
    for spec in sheets():
        if spec.key == key:
            return spec
    raise KeyError(key)


class _LazySheets(Sequence):
    """``SHEETS``: the specifications, built on first use (after Django's apps are ready)."""

    def __getitem__(self, index):
        return sheets()[index]

    def __len__(self) -> int:
        return len(SHEET_KEYS)


SHEETS: Sequence[Sheet] = _LazySheets()
SHEET_KEYS = ("areas", "estates", "units", "companies", "contracts", "committee_members", "branch_members")

# Record kinds counted in a report, in write order. The first seven are the sheets' own rows.
COUNT_LABELS = (
    "居民区",
    "居委会",
    "联合党支部",
    "小区",
    "物业企业",
    "业主",
    "楼栋",
    "房屋",
    "物业合同",
    "业委会",
    "业委会委员",
    "支部成员",
)
