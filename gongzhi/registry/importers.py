"""Importing the registry (台账) from an Excel workbook, all or nothing (DESIGN.md §4.1).

One workbook holds up to seven sheets (``SHEETS``, in dependency order). Every row of every
sheet is checked first and every problem is reported as (sheet, row as Excel shows it, column,
reason in plain Chinese). Only a workbook without a single problem is written, inside one
transaction, with bulk inserts/updates and one audit event.

Records are matched by natural key within the street, so importing the same file twice changes
nothing, and an exported sheet imports back unchanged (``exporters.py`` writes this format):

    居民区      area name                       小区       area + estate name
    楼栋        estate + building number        房屋       building + unit number
    业主        owner ref (业主编号)             物业企业   company name
    物业合同    estate + start date             业委会     estate + term start
    业委会委员  committee + member name          支部成员   area (its branch) + member name

Nothing is ever deleted. A blank cell in a column that is present clears that value (or sets
the field's default); a column that is absent leaves the stored value as it is.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, cached_property, partial
from typing import IO, Any, NamedTuple

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, models, transaction
from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.utils import get_column_letter

from gongzhi.core.audit import audit_record
from gongzhi.core.excel import (
    NOTES_SHEET_TITLE,
    CellError,
    ColumnSpec,
    ExcelFileError,
    Row,
    SheetSpec,
    build_workbook,
    choice_parser,
    normalise_header,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_int,
    parse_text,
    read_upload,
    read_workbook,
    xlsx_response,
)
from gongzhi.core.models import AuditEvent
from gongzhi.core.scopes import can_edit_registry, forget_scope
from gongzhi.registry import models as r

BATCH_SIZE = 1000

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
    note: str = ""


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
            raise CellError(_("姓名中有“*”,像是打码后的数据,请填写完整姓名。"))
        return text

    return parse


_PHONE = re.compile(r"[0-9+\-() 转]*")


def _phone(model, name):
    max_length = _field(model, name).max_length

    def parse(value):
        text = parse_text(value, max_length=max_length, no_dates=True)
        if "*" in text:
            raise CellError(_("电话中有“*”,像是打码后的号码,请填写完整号码。"))
        if not _PHONE.fullmatch(text):
            raise CellError(_("电话只能包含数字、空格和“-”“+”“()”“转”。"))
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
        note=note or _("从下拉列表选择:%(choices)s。") % {"choices": "、".join(labels)},
    )


def _bool_column(key, header, *, default: bool, aliases=(), note=""):
    return Column(
        key,
        header,
        parse_bool,
        blank=default,
        choices=("是", "否"),
        kind="bool",
        aliases=aliases,
        note=(note + " " if note else "")
        + _("填“是”或“否”,留空按“%(default)s”。") % {"default": "是" if default else "否"},
    )


def _date_column(key, header, *, required=True, note=""):
    return Column(
        key,
        header,
        parse_date,
        required=required,
        blank=None,
        kind="date",
        note=note or _("日期,如 2024-03-01,也可写 2024/3/1 或 2024年3月1日。"),
    )


def _area_ref(required: bool) -> Column:
    return Column(
        "area",
        "居民区",
        _text(r.Area, "name"),
        required=required,
        aliases=("居民区名称",),
        note=_("居民区名称,须已在系统中或在本文件“居民区”表中。")
        if required
        else _("小区名称在街道内重名时必填,用来区分是哪个居民区的小区。"),
    )


def _estate_ref() -> Column:
    return Column(
        "estate",
        "小区",
        _text(r.Estate, "name"),
        required=True,
        aliases=("小区名称",),
        note=_("小区名称,须已在系统中或在本文件“小区”表中。"),
    )


YEAR_RULE_MIN, YEAR_RULE_MAX = 1900, 2100
FLOORS_MAX = 200


def _build_sheets() -> tuple[Sheet, ...]:
    area_rule = _("面积必须是大于 0 的数字,最多两位小数。")
    fee_rule = _("物业费标准必须是大于 0 的数字(元/m²/月),最多两位小数。")
    rate_rule = _("收缴率必须是 0 到 100 之间的数字,最多两位小数(85 表示 85%)。")
    return (
        Sheet(
            "areas",
            "居民区",
            (
                Column(
                    "name",
                    _verbose(r.Area, "name"),
                    _text(r.Area, "name"),
                    required=True,
                    aliases=("居民区",),
                    note=_("居民区的名称,在本街道内唯一。"),
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
                    note=_("物业治理联合党支部的名称;留空则不改动已有的支部。"),
                ),
                Column(
                    "branch_secretary",
                    _verbose(r.Branch, "secretary_name"),
                    _text(r.Branch, "secretary_name"),
                ),
                _date_column("branch_founded", "支部成立日期", required=False),
            ),
            _("每行一个居民区,可同时填写它的居委会和物业治理联合党支部。"),
        ),
        Sheet(
            "estates",
            "小区",
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
                    note=_("四位年份,如 1988。1996 年以前建成的算老旧小区。"),
                ),
            ),
            _("每行一个小区。"),
        ),
        Sheet(
            "units",
            "房屋",
            (
                _area_ref(required=False),
                _estate_ref(),
                Column(
                    "building",
                    _verbose(r.Building, "number"),
                    _code_text(r.Building, "number"),
                    required=True,
                    aliases=("楼栋",),
                    note=_("如“12号”,同一小区内唯一。"),
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
                    note=_("整栋楼的层数;同一楼号的各行应一致,可只在一行填写。"),
                ),
                Column(
                    "number",
                    _verbose(r.Unit, "number"),
                    _code_text(r.Unit, "number"),
                    required=True,
                    aliases=("房号",),
                    note=_("如“302”,同一楼号内唯一。"),
                ),
                Column(
                    "floor_area",
                    _verbose(r.Unit, "area"),
                    _decimal_for(r.Unit, "area", rule=area_rule, gt=Decimal("0")),
                    required=True,
                    aliases=("专有面积(m²)", "专有面积", "面积", "建筑面积"),
                    kind="number",
                    note=_("平方米,大于 0,最多两位小数;表决时按此面积计算。"),
                ),
                _choice_column(
                    "area_source",
                    _verbose(r.Unit, "area_source"),
                    r.AreaSource,
                    default=r.AreaSource.REGISTERED,
                    note=_("依次采用不动产登记面积、测绘面积、买卖合同面积;留空按不动产登记面积。"),
                ),
                Column(
                    "owner_ref",
                    _verbose(r.Owner, "ref"),
                    _code_text(r.Owner, "ref"),
                    blank=None,
                    note=_(
                        "同一业主的多套房屋填同一编号(表决时一人多套计一人);"
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
            _("每行一套房屋(专有部分),连同楼栋和业主。"),
        ),
        Sheet(
            "companies",
            "物业企业",
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
            "物业合同",
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
                    note=_("日期,如 2024-01-01。同一小区以开始日期区分不同合同。"),
                ),
                _date_column(
                    "end_date",
                    _verbose(r.Contract, "end_date"),
                    note=_("日期,须晚于开始日期;同一小区的合同期不能重叠。"),
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
                    note=_("最近一个收费年度,0–100,如 85 表示 85%。"),
                ),
            ),
            _("每行一份物业服务合同。"),
        ),
        Sheet(
            "committee_members",
            "业委会委员",
            (
                _area_ref(required=False),
                _estate_ref(),
                _date_column(
                    "term_start",
                    _verbose(r.OwnersCommittee, "term_start"),
                    note=_("日期;同一小区以任期开始日期区分各届业委会。"),
                ),
                _date_column(
                    "term_end",
                    _verbose(r.OwnersCommittee, "term_end"),
                    note=_("日期,须晚于任期开始;同一届的各行应一致。"),
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
            _("每行一名业委会委员,连同其所在的一届业委会。"),
        ),
        Sheet(
            "branch_members",
            "支部成员",
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
                    note=_("“支部成员”有表决权,必须是党员;非党员的三驾马车负责人填“列席(无表决权)”。"),
                ),
                _bool_column("is_party_member", _verbose(r.BranchMember, "is_party_member"), default=True),
                Column("phone", _verbose(r.BranchMember, "phone"), _phone(r.BranchMember, "phone")),
            ),
            _("每行一名物业治理联合党支部的成员或列席人员;居民区须已有支部(或在“居民区”表填写支部名称)。"),
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


# ---- Report ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem: the sheet, the row as Excel numbers it (None for the whole file), column, reason."""

    sheet: str
    row: int | None
    column: str
    message: str

    def as_list(self) -> list[str]:
        return [self.sheet, "" if self.row is None else str(self.row), self.column, self.message]


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportReport:
    filename: str = ""
    sha256: str = ""
    dry_run: bool = False
    written: bool = False
    errors: list[RowError] = field(default_factory=list)
    counts: dict[str, Counts] = field(default_factory=dict)  # by COUNT_LABELS
    rows: dict[str, int] = field(default_factory=dict)  # data rows read, by sheet title

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts_as_dict(self) -> dict[str, dict[str, int]]:
        return {
            label: {"created": c.created, "updated": c.updated, "unchanged": c.unchanged}
            for label, c in self.counts.items()
        }

    def summary_lines(self) -> list[str]:
        return [
            _("%(label)s:新增 %(created)d,更新 %(updated)d,未变 %(unchanged)d")
            % {"label": label, "created": c.created, "updated": c.updated, "unchanged": c.unchanged}
            for label, c in self.counts.items()
            if c.created or c.updated or c.unchanged
        ]

    def error_table(self) -> list[list[str]]:
        """Header + one row per error, for a page, the command line, or an .xlsx error report."""
        return [[_("工作表"), _("行"), _("列"), _("问题")], *(e.as_list() for e in self.errors)]

    def error_workbook(self) -> bytes:
        """The error list as an .xlsx the user can keep beside the file while fixing it."""
        header, *rows = self.error_table()
        return build_workbook([SheetSpec(_("错误清单"), [ColumnSpec(h) for h in header], rows)])


# ---- Reading the workbook into parsed lines -------------------------------------------------------


@dataclass
class _Line:
    row: int
    values: dict[str, Any]
    bad: set[str] = field(default_factory=set)

    def ok(self, *keys: str) -> bool:
        return not self.bad or not any(key in self.bad for key in keys)


class _Period(NamedTuple):
    start: Any
    end: Any
    company: str
    row: int | None


@dataclass
class _Want:
    sheet: str
    row: int
    fields: dict[str, Any]


class _Table:
    """Wanted vs stored state of one model, keyed by natural key."""

    def __init__(self, label: str, model: type[models.Model]):
        self.label = label
        self.model = model
        self.existing: dict[Any, tuple[int, dict[str, Any]]] = {}
        self.wanted: dict[Any, _Want] = {}

    def known(self, key) -> bool:
        return key in self.wanted or key in self.existing

    def value(self, key, name: str, default: Any = None) -> Any:
        """The value a record will have after the import (wanted, else stored, else ``default``)."""
        if key in self.wanted and name in self.wanted[key].fields:
            return self.wanted[key].fields[name]
        if key in self.existing:
            return self.existing[key][1].get(name, default)
        return default

    def plan(self) -> tuple[list[Any], list[tuple[Any, int, dict[str, Any]]], int]:
        creates, updates, unchanged = [], [], 0
        for key, want in self.wanted.items():
            stored = self.existing.get(key)
            if stored is None:
                creates.append(key)
                continue
            pk, values = stored
            changed = {name: v for name, v in want.fields.items() if values.get(name) != v}
            if changed:
                updates.append((key, pk, changed))
            else:
                unchanged += 1
        return creates, updates, unchanged


class _Importer:
    def __init__(self, street: r.Street, workbook: dict[str, list[Row]]):
        self.street = street
        self.workbook = workbook
        self.errors: list[RowError] = []
        self.specs = {s.key: s for s in sheets()}
        self.lines: dict[str, list[_Line]] = {}
        self.present: dict[str, set[str]] = {}
        self.rows: dict[str, int] = {}
        self._estates_by_name: dict[str, list[str]] | None = None
        self.file_errors = False  # a sheet or a header is wrong: rows are not checked further
        self.t = {
            label: _Table(label, model)
            for label, model in (
                ("居民区", r.Area),
                ("居委会", r.ResidentsCommittee),
                ("联合党支部", r.Branch),
                ("小区", r.Estate),
                ("物业企业", r.Company),
                ("业主", r.Owner),
                ("楼栋", r.Building),
                ("房屋", r.Unit),
                ("物业合同", r.Contract),
                ("业委会", r.OwnersCommittee),
                ("业委会委员", r.CommitteeMember),
                ("支部成员", r.BranchMember),
            )
        }

    # -- errors
    def error(self, spec: Sheet | None, row: int | None, column: str, message: str) -> None:
        self.errors.append(RowError(spec.title if spec else "", row, column, message))

    def cell_error(self, spec: Sheet, line: _Line, key: str, message: str) -> None:
        line.bad.add(key)
        self.error(spec, line.row, spec.column(key).header, message)

    # -- step 1: sheets and headers
    def read_sheets(self) -> None:
        by_title = {normalise_header(s.title): s for s in self.specs.values()}
        seen: set[str] = set()
        for title, rows in self.workbook.items():
            spec = by_title.get(normalise_header(title))
            if spec is None:
                if (
                    rows
                    and normalise_header(title) != normalise_header(NOTES_SHEET_TITLE)
                    and not re.fullmatch(r"选项[A-Z]+", title)
                ):
                    self.file_errors = True
                    self.error(
                        None,
                        None,
                        "",
                        _("无法识别的工作表“%(title)s”。工作表名称应为:%(titles)s。")
                        % {"title": title, "titles": "、".join(s.title for s in self.specs.values())},
                    )
                continue
            if not rows:
                continue
            if spec.key in seen:
                self.file_errors = True
                self.error(spec, None, "", _("文件中有两个“%(title)s”工作表。") % {"title": spec.title})
                continue
            seen.add(spec.key)
            mapping = self._map_header(spec, rows[0])
            if mapping is None:
                self.file_errors = True
            else:
                self.present[spec.key] = set(mapping)
                self.lines[spec.key] = self._parse_rows(spec, mapping, rows[0], rows[1:])
                self.rows[spec.title] = len(rows) - 1
        if not self.errors and not any(self.lines.values()):
            self.error(
                None,
                None,
                "",
                _("文件中没有可导入的数据。工作表名称应为:%(titles)s,第一行为列名,从第二行起每行一条记录。")
                % {"titles": "、".join(s.title for s in self.specs.values())},
            )

    def _map_header(self, spec: Sheet, header: Row) -> dict[str, int] | None:
        lookup: dict[str, Column] = {}
        for column in spec.columns:
            for name in (column.header, *column.aliases):
                lookup.setdefault(normalise_header(name), column)
        mapping: dict[str, int] = {}
        unknown: list[str] = []
        ok = True
        for index, text in enumerate(header.values):
            if text is None:
                continue
            column = lookup.get(normalise_header(text))
            if column is None:
                unknown.append(str(text))
            elif column.key in mapping:
                ok = False
                self.error(spec, header.number, column.header, _("这一列出现了两次。"))
            else:
                mapping[column.key] = index
        for text in unknown:
            ok = False
            self.error(
                spec,
                header.number,
                text,
                _("无法识别的列名“%(name)s”。本表可用的列:%(headers)s。")
                % {"name": text, "headers": "、".join(spec.headers)},
            )
        for column in spec.columns:
            if column.required and column.key not in mapping:
                ok = False
                self.error(
                    spec, header.number, column.header, _("缺少必填列“%(name)s”。") % {"name": column.header}
                )
        if spec.key == "units" and "owner_ref" not in mapping:
            for key in ("owner_name", "owner_kind", "owner_phone"):
                if key in mapping:
                    ok = False
                    self.error(
                        spec,
                        header.number,
                        spec.column(key).header,
                        _("有业主信息的列时,必须同时有“业主编号”列。"),
                    )
        return mapping if ok else None

    def _parse_rows(self, spec: Sheet, mapping: dict[str, int], header: Row, rows: list[Row]) -> list[_Line]:
        columns = [(spec.column(key), index) for key, index in mapping.items()]
        width = len(header.values)
        unnamed = [i for i, text in enumerate(header.values) if text is None]
        lines = []
        for row in rows:
            line = _Line(row.number, {})
            cells = row.values
            for column, index in columns:
                raw = cells[index] if index < len(cells) else None
                if raw is None:
                    if column.required:
                        self.cell_error(spec, line, column.key, _("必填,不能为空。"))
                        line.values[column.key] = None
                    else:
                        line.values[column.key] = column.blank
                    continue
                try:
                    line.values[column.key] = column.parse(raw)
                except CellError as exc:
                    self.cell_error(spec, line, column.key, exc.message)
                    line.values[column.key] = None
            for index in [*unnamed, *range(width, len(cells))]:
                if index < len(cells) and cells[index] is not None:
                    self.error(
                        spec,
                        row.number,
                        get_column_letter(index + 1),
                        _("这一列没有列名,但填了内容。请删除或补上列名。"),
                    )
                    break
            lines.append(line)
        return lines

    # -- step 2: what is stored
    def load(self) -> None:
        street = self.street
        t = self.t
        areas = {a.pk: a for a in r.Area.objects.filter(street=street)}
        area_name = {pk: a.name for pk, a in areas.items()}
        for a in areas.values():
            t["居民区"].existing[a.name] = (a.pk, {"address": a.address})
        for rc in r.ResidentsCommittee.objects.filter(area__street=street):
            t["居委会"].existing[area_name[rc.area_id]] = (
                rc.pk,
                {"name": rc.name, "director_name": rc.director_name, "phone": rc.phone},
            )
        for b in r.Branch.objects.filter(area__street=street):
            t["联合党支部"].existing[area_name[b.area_id]] = (
                b.pk,
                {"name": b.name, "secretary_name": b.secretary_name, "founded_on": b.founded_on},
            )
        estate_key = {}
        for e in r.Estate.objects.filter(area__street=street):
            estate_key[e.pk] = (area_name[e.area_id], e.name)
            t["小区"].existing[estate_key[e.pk]] = (e.pk, {"address": e.address, "build_year": e.build_year})
        company_name = {}
        for c in r.Company.objects.filter(street=street):
            company_name[c.pk] = c.name
            t["物业企业"].existing[c.name] = (
                c.pk,
                {
                    "credit_code": c.credit_code,
                    "ownership": c.ownership,
                    "contact_name": c.contact_name,
                    "contact_phone": c.contact_phone,
                },
            )
        if "units" in self.lines:
            owner_ref = {}
            for pk, ref, name, kind, phone in r.Owner.objects.filter(street=street).values_list(
                "pk", "ref", "name", "kind", "phone"
            ):
                owner_ref[pk] = ref
                t["业主"].existing[ref] = (pk, {"name": name, "kind": kind, "phone": phone})
            building_key = {}
            for pk, estate_id, number, floors in r.Building.objects.filter(
                estate__area__street=street
            ).values_list("pk", "estate_id", "number", "floors"):
                building_key[pk] = (*estate_key[estate_id], number)
                t["楼栋"].existing[building_key[pk]] = (pk, {"floors": floors})
            for pk, building_id, number, area, source, owner_id in r.Unit.objects.filter(
                building__estate__area__street=street
            ).values_list("pk", "building_id", "number", "area", "area_source", "owner_id"):
                t["房屋"].existing[(*building_key[building_id], number)] = (
                    pk,
                    {"area": area, "area_source": source, "owner": owner_ref.get(owner_id)},
                )
        for c in r.Contract.objects.filter(estate__area__street=street):
            t["物业合同"].existing[(estate_key[c.estate_id], c.start_date)] = (
                c.pk,
                {
                    "company": company_name[c.company_id],
                    "end_date": c.end_date,
                    "fee_standard": c.fee_standard,
                    "service_level": c.service_level,
                    "collection_rate": c.collection_rate,
                },
            )
        committee_key = {}
        for oc in r.OwnersCommittee.objects.filter(estate__area__street=street):
            committee_key[oc.pk] = (estate_key[oc.estate_id], oc.term_start)
            t["业委会"].existing[committee_key[oc.pk]] = (oc.pk, {"term_end": oc.term_end})
        for m in r.CommitteeMember.objects.filter(committee__estate__area__street=street):
            t["业委会委员"].existing[(committee_key[m.committee_id], m.name)] = (
                m.pk,
                {
                    "position": m.position,
                    "is_party_member": m.is_party_member,
                    "is_cross_appointed": m.is_cross_appointed,
                    "phone": m.phone,
                },
            )
        for m in r.BranchMember.objects.filter(branch__area__street=street).select_related("branch"):
            t["支部成员"].existing[(area_name[m.branch.area_id], m.name)] = (
                m.pk,
                {
                    "organisation": m.organisation,
                    "position": m.position,
                    "membership": m.membership,
                    "is_party_member": m.is_party_member,
                    "phone": m.phone,
                },
            )

    # -- step 3: check every row against the stored state and the rest of the file
    def validate(self) -> None:
        self.read_sheets()
        if self.file_errors:
            return  # wrong sheets or columns: fix those first, row errors would only be noise
        self.load()
        for key in SHEET_KEYS:
            if key in self.lines:
                getattr(self, f"_plan_{key}")(self.specs[key], self.lines[key])
        if "contracts" in self.lines:
            self._check_contract_overlaps(self.specs["contracts"])
        if "committee_members" in self.lines:
            self._check_one_director(self.specs["committee_members"])
        self.errors.sort(key=self._error_order)  # as the user reads the file: sheet, row, column

    def _error_order(self, error: RowError) -> tuple[int, int, int]:
        titles = [s.title for s in self.specs.values()]
        sheet_index = titles.index(error.sheet) if error.sheet in titles else -1
        headers = self.specs[SHEET_KEYS[sheet_index]].headers if sheet_index >= 0 else []
        column_index = headers.index(error.column) if error.column in headers else len(headers)
        return (sheet_index, error.row or 0, column_index)

    @staticmethod
    def _fields(line: _Line, names: dict[str, str]) -> dict[str, Any]:
        """Model field → value for the columns present in the sheet (``names``: column key → field)."""
        return {f: line.values[k] for k, f in names.items() if k in line.values}

    def _duplicate(self, spec: Sheet, line: _Line, seen: dict, key, column: str, what: str) -> bool:
        if key in seen:
            self.error(
                spec,
                line.row,
                column,
                _("与第 %(row)d 行重复:%(what)s只能出现一次。") % {"row": seen[key], "what": what},
            )
            return True
        seen[key] = line.row
        return False

    def _plan_areas(self, spec: Sheet, lines: list[_Line]) -> None:
        seen: dict = {}
        for line in lines:
            name = line.values.get("name")
            if not line.ok("name") or self._duplicate(
                spec, line, seen, name, spec.column("name").header, gettext_lazy("居民区名称")
            ):
                continue
            self.t["居民区"].wanted[name] = _Want(
                spec.title, line.row, self._fields(line, {"address": "address"})
            )
            for label, name_field, extra in (
                ("居委会", "rc_name", {"rc_director": "director_name", "rc_phone": "phone"}),
                (
                    "联合党支部",
                    "branch_name",
                    {"branch_secretary": "secretary_name", "branch_founded": "founded_on"},
                ),
            ):
                if line.values.get(name_field):
                    fields = {"name": line.values[name_field], **self._fields(line, extra)}
                    self.t[label].wanted[name] = _Want(spec.title, line.row, fields)
                elif any(line.values.get(k) for k in extra):
                    self.error(
                        spec,
                        line.row,
                        spec.column(name_field).header,
                        _("填写了%(what)s的其他信息,请同时填写“%(column)s”。")
                        % {"what": label, "column": spec.column(name_field).header},
                    )

    def _known_area(self, spec: Sheet, line: _Line) -> str | None:
        name = line.values.get("area")
        if not line.ok("area") or not name:
            return None
        if not self.t["居民区"].known(name):
            self.cell_error(
                spec,
                line,
                "area",
                _("未找到居民区“%(name)s”,请先在“居民区”表中填写或检查名称。") % {"name": name},
            )
            return None
        return name

    def _plan_estates(self, spec: Sheet, lines: list[_Line]) -> None:
        seen: dict = {}
        for line in lines:
            area = self._known_area(spec, line)
            name = line.values.get("name")
            if area is None or not line.ok("name"):
                continue
            key = (area, name)
            if self._duplicate(
                spec, line, seen, key, spec.column("name").header, gettext_lazy("同一居民区的同名小区")
            ):
                continue
            fields = self._fields(line, {"address": "address", "build_year": "build_year"})
            if not line.ok("build_year"):
                fields.pop("build_year", None)
            self.t["小区"].wanted[key] = _Want(spec.title, line.row, fields)

    def _estate_index(self) -> dict[str, list[str]]:
        """Estate name → the areas that have an estate of that name (stored or in this file)."""
        if self._estates_by_name is None:
            index: dict[str, set[str]] = defaultdict(set)
            for area, name in [*self.t["小区"].existing, *self.t["小区"].wanted]:
                index[name].add(area)
            self._estates_by_name = {name: sorted(areas) for name, areas in index.items()}
        return self._estates_by_name

    def _estate_ref(self, spec: Sheet, line: _Line) -> tuple[str, str] | None:
        name = line.values.get("estate")
        if not line.ok("estate", "area") or not name:
            return None
        if line.values.get("area"):
            area = self._known_area(spec, line)
            if area is None:
                return None
            if not self.t["小区"].known((area, name)):
                self.cell_error(
                    spec,
                    line,
                    "estate",
                    _("居民区“%(area)s”下没有小区“%(name)s”,请先在“小区”表中填写或检查名称。")
                    % {"area": area, "name": name},
                )
                return None
            return (area, name)
        areas = self._estate_index().get(name, [])
        if not areas:
            self.cell_error(
                spec,
                line,
                "estate",
                _("未找到小区“%(name)s”,请先在“小区”表中填写或检查名称。") % {"name": name},
            )
            return None
        if len(areas) > 1:
            hint = (
                _("请在“居民区”列注明") if "area" in self.present[spec.key] else _("请增加“居民区”列并注明")
            )
            self.cell_error(
                spec,
                line,
                "estate",
                _("有多个居民区都有名为“%(name)s”的小区(%(areas)s),%(hint)s是哪个居民区的。")
                % {"name": name, "areas": "、".join(areas), "hint": hint},
            )
            return None
        return (areas[0], name)

    def _plan_units(self, spec: Sheet, lines: list[_Line]) -> None:
        seen: dict = {}
        floors: dict[tuple, tuple[int, int]] = {}  # building → (floors, row that said so)
        owners: dict[str, tuple[int, dict[str, Any]]] = {}  # ref → (first row, fields)
        has_owner = "owner_ref" in self.present[spec.key]
        buildings, units, owner_table = self.t["楼栋"], self.t["房屋"], self.t["业主"]
        for line in lines:
            estate = self._estate_ref(spec, line)
            if estate is None or not line.ok("building", "number"):
                continue
            building_key = (*estate, line.values["building"])
            unit_key = (*building_key, line.values["number"])
            if self._duplicate(
                spec,
                line,
                seen,
                unit_key,
                spec.column("number").header,
                gettext_lazy("同一小区、同一楼号的同一室号"),
            ):
                continue
            # The building: one row per unit carries the building's floors.
            want = buildings.wanted.get(building_key)
            if want is None:
                want = buildings.wanted[building_key] = _Want(spec.title, line.row, {})
                if "floors" in line.values:
                    want.fields["floors"] = None
            value = line.values.get("floors")
            if value is not None and line.ok("floors"):
                if building_key in floors and floors[building_key][0] != value:
                    first_value, first_row = floors[building_key]
                    self.cell_error(
                        spec,
                        line,
                        "floors",
                        _("同一楼栋的层数应一致:第 %(row)d 行为 %(other)d,本行为 %(value)d。")
                        % {"row": first_row, "other": first_value, "value": value},
                    )
                else:
                    floors.setdefault(building_key, (value, line.row))
                    want.fields["floors"] = value
            # The owner, shared by every unit with the same ref.
            fields = {"area": line.values.get("floor_area")} if line.ok("floor_area") else {}
            if "area_source" in line.values:
                fields["area_source"] = line.values["area_source"]
            if has_owner and line.ok("owner_ref"):
                ref = line.values["owner_ref"]
                fields["owner"] = ref
                if ref is None:
                    if any(line.values.get(k) for k in ("owner_name", "owner_phone")):
                        self.cell_error(
                            spec,
                            line,
                            "owner_ref",
                            _("填写了业主信息,请同时填写业主编号(同一业主的多套房屋用同一编号)。"),
                        )
                else:
                    self._plan_owner(spec, line, ref, owners, owner_table)
            units.wanted[unit_key] = _Want(spec.title, line.row, fields)

    def _plan_owner(self, spec: Sheet, line: _Line, ref: str, owners: dict, owner_table: _Table) -> None:
        names = {"owner_name": "name", "owner_kind": "kind", "owner_phone": "phone"}
        if not line.ok(*names):
            return
        fields = self._fields(line, names)
        if "name" in fields and not fields["name"]:
            self.cell_error(spec, line, "owner_name", _("填写了业主编号时,业主姓名必填。"))
            return
        if "name" not in fields and not owner_table.known(ref):
            self.error(
                spec,
                line.row,
                spec.column("owner_ref").header,
                _("业主编号“%(ref)s”是新业主,表中需要有“业主姓名”列。") % {"ref": ref},
            )
            return
        if ref in owners:
            first_row, first = owners[ref]
            for name, value in fields.items():
                if first.get(name) != value:
                    key = next(k for k, f in names.items() if f == name)
                    self.cell_error(
                        spec,
                        line,
                        key,
                        _("业主编号“%(ref)s”在第 %(row)d 行的%(column)s不同;同一业主的信息应一致。")
                        % {"ref": ref, "row": first_row, "column": spec.column(key).header},
                    )
                    return
            return
        owners[ref] = (line.row, fields)
        owner_table.wanted[ref] = _Want(spec.title, line.row, fields)

    def _plan_companies(self, spec: Sheet, lines: list[_Line]) -> None:
        seen: dict = {}
        names = {
            "credit_code": "credit_code",
            "ownership": "ownership",
            "contact_name": "contact_name",
            "contact_phone": "contact_phone",
        }
        for line in lines:
            name = line.values.get("name")
            if not line.ok("name") or self._duplicate(
                spec, line, seen, name, spec.column("name").header, gettext_lazy("企业名称")
            ):
                continue
            self.t["物业企业"].wanted[name] = _Want(spec.title, line.row, self._fields(line, names))

    def _plan_contracts(self, spec: Sheet, lines: list[_Line]) -> None:
        seen: dict = {}
        names = {
            "company": "company",
            "end_date": "end_date",
            "fee_standard": "fee_standard",
            "service_level": "service_level",
            "collection_rate": "collection_rate",
        }
        for line in lines:
            estate = self._estate_ref(spec, line)
            company = line.values.get("company")
            if company and line.ok("company") and not self.t["物业企业"].known(company):
                self.cell_error(
                    spec,
                    line,
                    "company",
                    _("未找到物业企业“%(name)s”,请先在“物业企业”表中填写或检查名称。") % {"name": company},
                )
            start, end = line.values.get("start_date"), line.values.get("end_date")
            if start and end and end <= start:
                self.cell_error(
                    spec, line, "end_date", _("结束日期必须晚于开始日期(%(start)s)。") % {"start": start}
                )
            if estate is None or not start or line.bad:
                continue
            key = (estate, start)
            if self._duplicate(
                spec,
                line,
                seen,
                key,
                spec.column("start_date").header,
                gettext_lazy("同一小区同一开始日期的合同"),
            ):
                continue
            self.t["物业合同"].wanted[key] = _Want(spec.title, line.row, self._fields(line, names))

    def _check_contract_overlaps(self, spec: Sheet) -> None:
        """An estate has at most one contract in force on any day (as ``services._check_contract``)."""
        table = self.t["物业合同"]
        by_estate: dict[tuple, list[_Period]] = defaultdict(list)
        for estate, start in {*table.existing, *table.wanted}:
            key = (estate, start)
            want = table.wanted.get(key)
            by_estate[estate].append(
                _Period(
                    start,
                    table.value(key, "end_date"),
                    table.value(key, "company"),
                    want.row if want else None,
                )
            )
        for periods in by_estate.values():
            periods.sort(key=lambda p: p.start)
            flagged: set[int] = set()
            for j, later in enumerate(periods):
                for earlier in periods[:j]:
                    if earlier.end < later.start:
                        continue
                    row, other = (later.row, earlier) if later.row is not None else (earlier.row, later)
                    if row is None or row in flagged:
                        continue  # two stored contracts: not this file's problem
                    flagged.add(row)
                    where = (
                        _("第 %(row)d 行的合同") % {"row": other.row} if other.row else _("系统中已有的合同")
                    )
                    self.error(
                        spec,
                        row,
                        spec.column("start_date").header,
                        _(
                            "合同期与%(where)s(%(company)s,%(start)s 至 %(end)s)重叠;同一小区的合同期不能重叠。"
                        )
                        % {"where": where, "company": other.company, "start": other.start, "end": other.end},
                    )

    def _plan_committee_members(self, spec: Sheet, lines: list[_Line]) -> None:
        seen: dict = {}
        terms: dict[tuple, tuple] = {}  # committee key → (term_end, row)
        names = {
            "position": "position",
            "is_party_member": "is_party_member",
            "is_cross_appointed": "is_cross_appointed",
            "phone": "phone",
        }
        committees, members = self.t["业委会"], self.t["业委会委员"]
        for line in lines:
            estate = self._estate_ref(spec, line)
            start, end = line.values.get("term_start"), line.values.get("term_end")
            if start and end and end <= start:
                self.cell_error(
                    spec, line, "term_end", _("任期结束必须晚于任期开始(%(start)s)。") % {"start": start}
                )
            if estate is None or line.bad:
                continue
            committee_key = (estate, start)
            if committee_key in terms and terms[committee_key][0] != end:
                other_end, other_row = terms[committee_key]
                self.cell_error(
                    spec,
                    line,
                    "term_end",
                    _("同一届业委会(任期开始 %(start)s)的任期结束应一致:第 %(row)d 行为 %(other)s。")
                    % {"start": start, "row": other_row, "other": other_end},
                )
                continue
            terms.setdefault(committee_key, (end, line.row))
            if self._duplicate(
                spec,
                line,
                seen,
                (committee_key, line.values["name"]),
                spec.column("name").header,
                gettext_lazy("同一届业委会的同名委员"),
            ):
                continue
            committees.wanted.setdefault(committee_key, _Want(spec.title, line.row, {"term_end": end}))
            members.wanted[(committee_key, line.values["name"])] = _Want(
                spec.title, line.row, self._fields(line, names)
            )

    def _check_one_director(self, spec: Sheet) -> None:
        members = self.t["业委会委员"]
        directors: dict[tuple, list] = defaultdict(list)
        for committee, name in {*members.existing, *members.wanted}:
            if members.value((committee, name), "position") == r.CommitteePosition.DIRECTOR:
                want = members.wanted.get((committee, name))
                directors[committee].append((name, want.row if want else None))
        for people in directors.values():
            if len(people) < 2:
                continue
            for name, row in people:
                if row is not None:
                    others = "、".join(n for n, _row in people if n != name)
                    self.error(
                        spec,
                        row,
                        spec.column("position").header,
                        _("同一届业委会只能有一名主任,另有主任:%(others)s。") % {"others": others},
                    )

    def _plan_branch_members(self, spec: Sheet, lines: list[_Line]) -> None:
        seen: dict = {}
        names = {
            "organisation": "organisation",
            "position": "position",
            "membership": "membership",
            "is_party_member": "is_party_member",
            "phone": "phone",
        }
        table = self.t["支部成员"]
        for line in lines:
            area = self._known_area(spec, line)
            if area is not None and not self.t["联合党支部"].known(area):
                self.cell_error(
                    spec,
                    line,
                    "area",
                    _("居民区“%(name)s”还没有物业治理联合党支部,请先在“居民区”表填写支部名称。")
                    % {"name": area},
                )
                continue
            if area is None or line.bad:
                continue
            key = (area, line.values["name"])
            if self._duplicate(
                spec, line, seen, key, spec.column("name").header, gettext_lazy("同一支部的同名成员")
            ):
                continue
            fields = self._fields(line, names)
            party = fields.get("is_party_member", table.value(key, "is_party_member", True))
            if fields["membership"] == r.BranchMembership.MEMBER and not party:
                self.cell_error(
                    spec,
                    line,
                    "is_party_member" if "is_party_member" in fields else "membership",
                    _("身份为“支部成员”(有表决权)的必须是党员;非党员请填“列席(无表决权)”。"),
                )
                continue
            table.wanted[key] = _Want(spec.title, line.row, fields)

    # -- counting and writing
    def counts(self) -> dict[str, Counts]:
        result = {}
        for label in COUNT_LABELS:
            creates, updates, unchanged = self.t[label].plan()
            result[label] = Counts(len(creates), len(updates), unchanged)
        return result

    def write(self) -> None:
        street, t = self.street, self.t
        area_id = _write(t["居民区"], lambda k, f: r.Area(street=street, name=k, **f))
        _write(t["居委会"], lambda k, f: r.ResidentsCommittee(area_id=area_id[k], **f))
        branch_id = _write(t["联合党支部"], lambda k, f: r.Branch(area_id=area_id[k], **f))
        estate_id = _write(t["小区"], lambda k, f: r.Estate(area_id=area_id[k[0]], name=k[1], **f))
        company_id = _write(t["物业企业"], lambda k, f: r.Company(street=street, name=k, **f))
        owner_id = _write(t["业主"], lambda k, f: r.Owner(street=street, ref=k, **f))
        building_id = _write(t["楼栋"], lambda k, f: r.Building(estate_id=estate_id[k[:2]], number=k[2], **f))

        def unit_fields(f):
            f = dict(f)
            if "owner" in f:
                ref = f.pop("owner")
                f["owner_id"] = owner_id[ref] if ref is not None else None
            return f

        _write(
            t["房屋"],
            lambda k, f: r.Unit(building_id=building_id[k[:3]], number=k[3], **unit_fields(f)),
            to_db=unit_fields,
        )

        def contract_fields(f):
            f = dict(f)
            if "company" in f:
                f["company_id"] = company_id[f.pop("company")]
            return f

        _write(
            t["物业合同"],
            lambda k, f: r.Contract(estate_id=estate_id[k[0]], start_date=k[1], **contract_fields(f)),
            to_db=contract_fields,
        )
        committee_id = _write(
            t["业委会"], lambda k, f: r.OwnersCommittee(estate_id=estate_id[k[0]], term_start=k[1], **f)
        )
        _write(
            t["业委会委员"], lambda k, f: r.CommitteeMember(committee_id=committee_id[k[0]], name=k[1], **f)
        )
        _write(t["支部成员"], lambda k, f: r.BranchMember(branch_id=branch_id[k[0]], name=k[1], **f))


def _identity(fields: dict[str, Any]) -> dict[str, Any]:
    return fields


def _write(
    table: _Table,
    make: Callable[[Any, dict[str, Any]], models.Model],
    to_db: Callable[[dict[str, Any]], dict[str, Any]] = _identity,
) -> dict[Any, int]:
    """Bulk-insert the new records and bulk-update the changed fields; return natural key → pk."""
    creates, updates, _unchanged = table.plan()
    ids = {key: pk for key, (pk, _values) in table.existing.items()}
    if creates:
        objects = [make(key, table.wanted[key].fields) for key in creates]
        table.model.objects.bulk_create(objects, batch_size=BATCH_SIZE)
        if any(
            o.pk is None for o in objects
        ):  # every supported backend returns ids (SQLite ≥ 3.35, PostgreSQL)
            raise RuntimeError("database backend does not return ids from bulk_create")
        ids.update((key, o.pk) for key, o in zip(creates, objects, strict=True))
    groups: dict[tuple[str, ...], list[models.Model]] = defaultdict(list)
    for _key, pk, changed in updates:
        values = to_db(changed)
        groups[tuple(sorted(values))].append(table.model(pk=pk, **values))
    for names, objects in groups.items():
        table.model.objects.bulk_update(objects, names, batch_size=BATCH_SIZE)
    return ids


# ---- The service -----------------------------------------------------------------------------------


class _Refused(Exception):
    """The database refused the write (a race with another writer): roll back, report."""


def registry_import(
    *,
    actor,
    street: r.Street,
    fileobj: IO[bytes] | bytes,
    filename: str = "",
    dry_run: bool = False,
) -> ImportReport:
    """Check a registry workbook and, if it has no error at all, write it into ``street``.

    Only a street admin of ``street`` may import (else ``PermissionDenied``, before the file is
    read). Problems with the file or its rows come back in ``report.errors``; nothing is written
    then. ``dry_run`` checks and counts without writing.
    """
    if not can_edit_registry(actor, street.pk):
        raise PermissionDenied
    report = ImportReport(filename=filename, dry_run=dry_run)
    try:
        data = read_upload(fileobj)
        report.sha256 = hashlib.sha256(data).hexdigest()
        workbook = read_workbook(data, filename=filename)
    except ExcelFileError as exc:
        report.errors.append(RowError("", None, "", exc.message))
        return report

    try:
        with transaction.atomic():
            # One import per street at a time (PostgreSQL row lock; SQLite's write lock serialises anyway).
            r.Street.objects.select_for_update().get(pk=street.pk)
            importer = _Importer(street, workbook)
            importer.validate()
            report.errors = importer.errors
            report.rows = importer.rows
            if report.errors:
                return report
            report.counts = importer.counts()
            if dry_run:
                return report
            try:
                importer.write()
            except DatabaseError as exc:
                raise _Refused(str(exc)) from exc
            audit_record(
                actor=actor,
                action=AuditEvent.Action.IMPORT,
                obj=street,
                street_id=street.pk,
                changes={
                    "file": filename,
                    "sha256": report.sha256,
                    "rows": report.rows,
                    "counts": report.counts_as_dict(),
                },
                object_label=_("导入台账:%(file)s") % {"file": filename or "-"},
            )
            report.written = True
        forget_scope(actor)  # new estates in the street widen the actor's reach for the rest of the request
    except _Refused as exc:
        report.written = False
        report.errors.append(
            RowError(
                "",
                None,
                "",
                _("数据库拒绝保存,未写入任何数据(%(reason)s)。请稍后重新导入。") % {"reason": exc},
            )
        )
    return report


# ---- Templates -------------------------------------------------------------------------------------


def cell_format(column: Column) -> str | None:
    return {"date": "yyyy-mm-dd", "text": "@"}.get(column.kind)


def column_specs(spec: Sheet) -> list[ColumnSpec]:
    return [
        ColumnSpec(c.header, choices=c.choices, number_format=cell_format(c), required=c.required)
        for c in spec.columns
    ]


def notes_rows(keys: Iterable[str]) -> list[list[str]]:
    """The 填写说明 sheet: general rules, then one line per column of each sheet."""
    with translation.override("zh-hans"):
        rows = [[_("工作表"), _("列名"), _("是否必填"), _("说明")]]
        general = [
            _("第一行是列名,请勿修改;列的顺序可以调整,可以只保留需要的列(必填列除外)。"),
            _("导入是“全有或全无”:只要有一处错误,就不会写入任何数据;请按错误清单逐行改正后重新导入。"),
            _("已有记录按名称等识别(见各表说明)并更新,新记录会新增;导入不会删除任何记录。"),
            _("列存在但单元格留空,表示清空该项(或采用默认值);整列不存在,则保留系统中原有的值。"),
            _("可以把一个街道的多张表放在同一个文件里一起导入,例如新小区和它的房屋。"),
        ]
        rows += [["", "", "", text] for text in general]
        for spec in sheets():
            if spec.key not in keys:
                continue
            rows.append([spec.title, "", "", spec.note])
            for c in spec.columns:
                rows.append([spec.title, c.header, _("必填") if c.required else _("选填"), c.note])
        return rows


def template_workbook(sheet_key: str | None = None) -> bytes:
    """An empty workbook to fill in: one sheet (or all seven), with drop-downs and 填写说明."""
    keys = SHEET_KEYS if sheet_key is None else (sheet(sheet_key).key,)
    specs = [SheetSpec(spec.title, column_specs(spec), []) for spec in sheets() if spec.key in keys]
    return build_workbook(specs, notes=notes_rows(keys))


def template_filename(sheet_key: str | None = None) -> str:
    title = _("台账") if sheet_key is None else sheet(sheet_key).title
    return _("%(title)s导入模板.xlsx") % {"title": title}


# ---- For the web pages -----------------------------------------------------------------------------


def import_upload(*, actor, street_id: int, upload, dry_run: bool = False) -> ImportReport:
    """``registry_import`` for a Django ``UploadedFile`` and a street id (the upload view)."""
    street = r.Street.objects.get(pk=street_id)
    return registry_import(
        actor=actor,
        street=street,
        fileobj=upload,
        filename=getattr(upload, "name", "") or "",
        dry_run=dry_run,
    )


def template_response(sheet_key: str | None = None) -> HttpResponse:
    """Download of the empty template: one sheet by key, or all sheets for ``None``/``"all"``."""
    key = None if sheet_key in (None, "all") else sheet(sheet_key).key
    return xlsx_response(template_workbook(key), template_filename(key))
