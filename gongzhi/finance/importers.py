"""Import of historic ledgers from Excel (docs/DESIGN.md §4.4): all or nothing, a row-by-row report in Chinese.

One sheet “账目”, one entry per row: 小区, 账本, 日期, 收支, 金额, 摘要 and the optional 类别, 对方单位, 依据文号,
项目. Each row is checked with ``permissions.can_post`` for its estate and ledger; rows of one ledger must be
in date order and not older than that ledger's last entry (a chain only grows at its end). Nothing is
written unless every row is sound; then the rows are appended through the same chaining as
``services.ledger_post`` in one transaction, and one audit event records the file (name, SHA-256, counts).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gongzhi.core.audit import audit_record
from gongzhi.core.excel import (
    CellError,
    ColumnSpec,
    ExcelFileError,
    HeaderMap,
    Row,
    SheetSpec,
    build_workbook,
    choice_parser,
    data_sheet,
    localised_notes,
    map_header,
    normalise_header,
    parse_date,
    parse_decimal,
    parse_text,
    read_upload,
    read_workbook,
)
from gongzhi.core.models import AuditEvent
from gongzhi.core.scopes import visible
from gongzhi.core.validators import parse_id
from gongzhi.finance.models import Direction, LedgerEntry, LedgerKind
from gongzhi.finance.permissions import can_post, may_import
from gongzhi.finance.rules import (
    CATEGORY_INITIAL,
    CATEGORY_TRANSFER_IN,
    CATEGORY_TRANSFER_OUT,
    MAX_AMOUNT,
    LedgerError,
    check_entry_date,
    next_balance,
)
from gongzhi.finance.selectors import last_disclosed_end
from gongzhi.registry.models import Estate

SHEET_TITLE = "账目"
MAX_ROWS = 20_000


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    max_length: int | None = None


COLUMNS = (
    Column("estate", "小区", True),
    Column("ledger", "账本", True),
    Column("date", "日期", True),
    Column("direction", "收支", True),
    Column("amount", "金额", True),
    Column("summary", "摘要", True, 200),
    Column("category", "类别", False, 50),
    Column("counterparty", "对方单位", False, 100),
    Column("reference", "依据文号", False, 100),
    Column("project", "项目", False, 100),
)
_parse_ledger = choice_parser(LedgerKind.choices)
_parse_direction = choice_parser(Direction.choices)


@dataclass(frozen=True)
class RowError:
    row: int | None  # as Excel numbers it; None for the whole file
    column: str
    message: str

    def as_list(self) -> list[str]:
        return [SHEET_TITLE, "" if self.row is None else str(self.row), self.column, self.message]


@dataclass
class LedgerImportReport:
    filename: str = ""
    sha256: str = ""
    dry_run: bool = False
    written: bool = False
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # "estate · ledger" → rows

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary_lines(self) -> list[str]:
        return [_("%(what)s:%(n)d 条") % {"what": what, "n": n} for what, n in self.counts.items()]

    def error_table(self) -> list[list[str]]:
        return [[_("工作表"), _("行"), _("列"), _("问题")], *(e.as_list() for e in self.errors)]


@dataclass
class _Line:
    row: int
    estate: Estate
    ledger: str
    date: dt.date
    direction: str
    amount: Decimal
    summary: str
    extra: dict[str, str]


# ---- template -------------------------------------------------------------------------------------


# The 类别 note, with the category names to type (they are the sheet's Chinese in every language).
CATEGORY_NOTE = gettext_noop(
    "可选。维修资金的首期归集请写“%(initial)s”（用作 30％ 预警的初始金额）；"
    "公共收益转入维修资金请在公共收益账中写“%(transfer_out)s”（支出），"
    "在维修资金账中写“%(transfer_in)s”（收入）。"
)


def template_bytes() -> bytes:
    """The import template: the 账目 sheet with drop-downs for 账本 and 收支, and a 填写说明 sheet."""
    specs = {
        "ledger": ColumnSpec(
            "账本", width=14, choices=[str(label) for label in LedgerKind.labels], required=True
        ),
        "direction": ColumnSpec(
            "收支", width=8, choices=[str(label) for label in Direction.labels], required=True
        ),
        "date": ColumnSpec("日期", width=12, number_format="yyyy-mm-dd", required=True),
        "amount": ColumnSpec("金额", width=14, number_format="#,##0.00", required=True),
    }
    columns = [specs.get(c.key) or ColumnSpec(c.header, required=c.required) for c in COLUMNS]
    notes = [
        [gettext_noop("列"), gettext_noop("说明")],
        ["小区", gettext_noop("小区名称；若不同居民区有同名小区，写“居民区/小区”，也可以写小区编号。")],
        ["账本", gettext_noop("从下拉列表选择：专项维修资金、公共收益、物业费收支。")],
        ["日期", gettext_noop("如 2024-03-01。不能晚于今天。")],
        ["收支", gettext_noop("收入或支出。")],
        ["金额", gettext_noop("正数，最多两位小数（元）。支出不能使余额变为负数。")],
        ["摘要", gettext_noop("必填，不超过 200 字。")],
        ["类别", CATEGORY_NOTE],
        [
            "对方单位 / 依据文号 / 项目",
            gettext_noop("可选。维修资金的使用请在“依据文号”中写业主大会决定的文号。"),
        ],
        [
            gettext_noop("顺序"),
            gettext_noop(
                "同一小区同一本账的各行必须按日期先后排列，且不能早于该账本已有的最后一条记录的日期："
                "账本只能在末尾追加，不能插入到已有记录之前。"
            ),
        ],
        [
            gettext_noop("全有或全无"),
            gettext_noop("只要有一行有错，就不会导入任何一行；请按错误清单（行、列、原因）修改后重新上传。"),
        ],
        [
            gettext_noop("权限"),
            gettext_noop(
                "业委会和街道管理员登记维修资金和公共收益；物业公司登记本公司所管小区的物业费收支。"
            ),
        ],
    ]
    notes = localised_notes(notes, headers=[c.header for c in COLUMNS])
    category = next(row for row in notes if row[0] == "类别")
    category[1] = _(CATEGORY_NOTE) % {
        "initial": CATEGORY_INITIAL,
        "transfer_out": CATEGORY_TRANSFER_OUT,
        "transfer_in": CATEGORY_TRANSFER_IN,
    }
    return build_workbook([SheetSpec(SHEET_TITLE, columns, [])], notes=notes)


# ---- import ---------------------------------------------------------------------------------------


class _EstateIndex:
    """Finds an estate among those the user may see: by id, “居民区/小区”, or a name unique among them."""

    def __init__(self, user):
        self.by_pk: dict[int, Estate] = {}
        self.by_name: dict[str, list[Estate]] = defaultdict(list)
        self.by_area_name: dict[tuple[str, str], Estate] = {}
        for estate in visible(user, Estate).select_related("area"):
            self.by_pk[estate.pk] = estate
            self.by_name[normalise_header(estate.name)].append(estate)
            self.by_area_name[normalise_header(estate.area.name), normalise_header(estate.name)] = estate

    def find(self, value: Any) -> Estate:
        text = parse_text(value, max_length=130)
        if parse_id(text) in self.by_pk:
            return self.by_pk[parse_id(text)]
        if "/" in text:
            area, _sep, name = text.partition("/")
            found = self.by_area_name.get((normalise_header(area), normalise_header(name)))
            if found:
                return found
        matches = self.by_name.get(normalise_header(text), [])
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise CellError(
                _("有多个小区叫“%(name)s”（%(areas)s），请写成“居民区/小区”。")
                % {"name": text, "areas": "、".join(e.area.name for e in matches)}
            )
        raise CellError(_("找不到小区“%(name)s”（或您无权查看它）。") % {"name": text})


def _map_header(header: Row) -> tuple[HeaderMap, list[RowError]]:
    mapped = map_header(header, {c.key: (c.header,) for c in COLUMNS})
    errors = [
        RowError(header.number, c.header, _("缺少必填列“%(col)s”。") % {"col": c.header})
        for c in COLUMNS
        if c.required and c.key not in mapped.positions
    ]
    return mapped, errors


def _parse_row(
    row: Row, mapping: HeaderMap, estates: _EstateIndex, today: dt.date, errors: list[RowError]
) -> _Line | None:
    values = mapping.values(row)
    parsed: dict[str, Any] = {}
    bad = False
    for column in COLUMNS:
        value = values.get(column.key)
        try:
            if value is None:
                if column.required:
                    raise CellError(_("必填，不能为空。"))
                parsed[column.key] = ""
                continue
            if column.key == "estate":
                parsed["estate"] = estates.find(value)
            elif column.key == "ledger":
                parsed["ledger"] = _parse_ledger(value)
            elif column.key == "direction":
                parsed["direction"] = _parse_direction(value)
            elif column.key == "date":
                day = parse_date(value)
                if day > today:
                    raise CellError(_("日期 %(day)s 晚于今天。") % {"day": day.isoformat()})
                try:
                    check_entry_date(day, today=today)
                except LedgerError as error:
                    raise CellError(str(error)) from None
                parsed["date"] = day
            elif column.key == "amount":
                parsed["amount"] = parse_decimal(
                    value,
                    message=_("金额必须是大于零的数字，最多两位小数（现为“%(value)s”）。") % {"value": value},
                    gt=Decimal(0),
                    le=MAX_AMOUNT,
                )
            else:
                parsed[column.key] = parse_text(value, max_length=column.max_length, no_dates=True)
        except CellError as error:
            errors.append(RowError(row.number, column.header, error.message))
            bad = True
    if bad:
        return None
    return _Line(
        row=row.number,
        estate=parsed["estate"],
        ledger=parsed["ledger"],
        date=parsed["date"],
        direction=parsed["direction"],
        amount=parsed["amount"],
        summary=parsed["summary"],
        extra={k: parsed[k] for k in ("category", "counterparty", "reference", "project")},
    )


def _check_chains(user, lines: list[_Line], errors: list[RowError]) -> None:
    """Per row: the right to post, date order within each ledger and against its last entry, balances
    never negative. Reads the last entry of each ledger once."""
    allowed: dict[tuple[int, str], bool] = {}
    keys = {(line.estate.pk, line.ledger) for line in lines}
    last: dict[tuple[int, str], tuple[dt.date, Decimal]] = {}
    for estate_id, ledger in keys:
        entry = LedgerEntry.objects.filter(estate_id=estate_id, ledger=ledger).order_by("-seq").first()
        if entry is not None:
            last[estate_id, ledger] = (entry.date, entry.balance)
    disclosed = {key: last_disclosed_end(*key) for key in keys}
    # (date of the previous entry, balance, whether that entry is already stored) per ledger
    running: dict[tuple[int, str], tuple[dt.date | None, Decimal, bool]] = {
        key: (*last[key], True) if key in last else (None, Decimal("0.00"), False) for key in keys
    }
    labels = dict(LedgerKind.choices)
    for line in lines:
        key = (line.estate.pk, line.ledger)
        if key not in allowed:
            allowed[key] = can_post(user, line.estate, line.ledger)
        if not allowed[key]:
            errors.append(
                RowError(
                    line.row,
                    "账本",
                    _("您无权登记“%(estate)s”的%(ledger)s。")
                    % {"estate": line.estate.name, "ledger": labels[line.ledger]},
                )
            )
            continue
        previous_day, balance, stored = running[key]
        try:
            check_entry_date(line.date, today=line.date, disclosed_end=disclosed[key])
        except LedgerError as error:
            errors.append(RowError(line.row, "日期", str(error)))
            continue
        if previous_day is not None and line.date < previous_day:
            if stored:
                message = _(
                    "日期 %(day)s 早于该账本已有的最后一条记录（%(last)s）；账本只能在末尾追加，请只导入此后的记录。"
                ) % {"day": line.date.isoformat(), "last": previous_day.isoformat()}
            else:
                message = _(
                    "日期 %(day)s 早于同一账本的上一行（%(prev)s）；同一本账的各行须按日期先后排列。"
                ) % {
                    "day": line.date.isoformat(),
                    "prev": previous_day.isoformat(),
                }
            errors.append(RowError(line.row, "日期", message))
            continue
        after = next_balance(balance, line.direction, line.amount)
        if after < 0:
            errors.append(
                RowError(
                    line.row,
                    "金额",
                    _("支出 %(amount)s 元超过此时的余额 %(balance)s 元，余额不能为负。")
                    % {"amount": line.amount, "balance": balance},
                )
            )
            continue
        running[key] = (line.date, after, False)


def ledgers_import(*, actor, fileobj, filename: str = "", dry_run: bool = False) -> LedgerImportReport:
    """Check the whole file, then (unless ``dry_run``) append every row in one transaction, or nothing."""
    if not may_import(actor):
        raise PermissionDenied
    report = LedgerImportReport(filename=filename, dry_run=dry_run)
    try:
        data = read_upload(fileobj)
        report.sha256 = hashlib.sha256(data).hexdigest()
        sheets = read_workbook(data, filename=filename)
    except ExcelFileError as error:
        report.errors.append(RowError(None, "", error.message))
        return report
    rows = data_sheet(sheets, SHEET_TITLE)
    if not rows:
        report.errors.append(RowError(None, "", _("文件中没有“账目”工作表或它是空的。")))
        return report
    header, body = rows[0], rows[1:]
    mapping, errors = _map_header(header)
    if errors:
        report.errors = errors
        return report
    if len(body) > MAX_ROWS:
        report.errors.append(RowError(None, "", _("超过 %(n)d 行，请拆分后分别导入。") % {"n": MAX_ROWS}))
        return report
    if not body:
        report.errors.append(RowError(None, "", _("“账目”工作表中没有数据行。")))
        return report
    report.rows = len(body)
    today = timezone.localdate()
    estates = _EstateIndex(actor)
    with transaction.atomic():
        lines = [line for row in body if (line := _parse_row(row, mapping, estates, today, report.errors))]
        if report.errors:
            return report
        # Serialise with other writers of these estates' ledgers before reading their last entries.
        ids = sorted({line.estate.pk for line in lines})
        list(Estate.objects.select_for_update().filter(pk__in=ids).values_list("pk"))
        _check_chains(actor, lines, report.errors)
        if report.errors:
            return report
        labels = dict(LedgerKind.choices)
        counts: dict[str, int] = defaultdict(int)
        for line in lines:
            counts[f"{line.estate.name} · {labels[line.ledger]}"] += 1
        report.counts = dict(counts)
        if dry_run:
            return report
        from gongzhi.finance.services import _append

        for line in lines:
            try:
                _append(
                    actor=actor,
                    estate=line.estate,
                    ledger=line.ledger,
                    date=line.date,
                    direction=line.direction,
                    amount=line.amount,
                    summary=line.summary,
                    reverses=None,
                    extra=line.extra,
                    audit=False,
                )
            except LedgerError as error:  # should not happen after the checks; still all or nothing
                transaction.set_rollback(True)
                report.errors.append(RowError(line.row, "", str(error)))
                report.counts = {}
                return report
        streets = sorted({line.estate.area.street_id for line in lines})
        for street_id in streets:
            audit_record(
                actor=actor,
                action=AuditEvent.Action.IMPORT,
                street_id=street_id,
                object_type="finance.LedgerEntry",
                object_label=_("导入账本 %(file)s") % {"file": filename or "-"},
                changes={
                    "file": filename,
                    "sha256": report.sha256,
                    "rows": len(lines),
                    "counts": report.counts,
                },
            )
        report.written = True
    return report
