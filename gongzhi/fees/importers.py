"""Excel import of the monthly collection: every row checked, every error reported with its row number
and column, then all rows written in one transaction — or none (``services.collection_import``)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gongzhi.core.excel import (
    CellError,
    ColumnSpec,
    ImportErrors,
    SheetSpec,
    build_workbook,
    localised_notes,
    parse_int,
    read_table,
    row_problems,
)
from gongzhi.fees.rules import FeeError, check_collection, parse_money, parse_month
from gongzhi.fees.services import CollectionInput, ImportRow

SHEET = "收缴数据"
COLUMNS = [
    ("estate_id", "小区编号", False),
    ("estate", "小区名称", True),
    ("month", "月份", True),
    ("billed", "应收金额（元）", True),
    ("collected", "实收金额（元）", True),
    ("households_billed", "应缴户数", False),
    ("households_paid", "已缴户数", False),
    ("note", "备注", False),
]
NOTES = [
    [gettext_noop("项目"), gettext_noop("说明")],
    [
        "小区编号",
        gettext_noop("系统中的小区编号（模板已预填）；填写后按编号识别小区，不填则按小区名称识别。"),
    ],
    ["小区名称", gettext_noop("必填。须为您有权登记的小区；同名小区请填写小区编号。")],
    ["月份", gettext_noop("必填，如 2024-03。不能晚于本月；同一小区同一月份只能有一行。")],
    ["应收金额（元）", gettext_noop("必填，大于 0，最多两位小数。")],
    [
        "实收金额（元）",
        gettext_noop("必填，不能为负，不能超过应收金额，最多两位小数。收缴率 = 实收 ÷ 应收。"),
    ],
    ["应缴户数 / 已缴户数", gettext_noop("可选，两项要么都填要么都不填；已缴户数不能超过应缴户数。")],
    [
        gettext_noop("导入规则"),
        gettext_noop("整份文件全部正确才会导入；任何一行有错，一行都不会写入，并列出每一行的错误。"),
    ],
    [
        gettext_noop("已登记的月份"),
        gettext_noop("默认拒绝重复登记；勾选“替换已登记的数据”后，以文件中的数据替换（留有操作记录）。"),
    ],
]


def template_bytes(estates) -> bytes:
    columns = [ColumnSpec(header=h, required=req) for _key, h, req in COLUMNS]
    rows = [[e.pk, e.name, None, None, None, None, None, None] for e in estates]
    return build_workbook(
        [SheetSpec(title=SHEET, columns=columns, rows=rows)],
        notes=localised_notes(NOTES, headers=[h for _k, h, _r in COLUMNS]),
    )


def parse_file(fileobj, *, filename: str, estates, today) -> list[ImportRow]:
    """Rows ready for ``collection_import``; raises ``ImportErrors`` with every problem found."""
    table, body = read_table(fileobj, filename=filename, title=SHEET, columns=COLUMNS)
    by_id = {e.pk: e for e in estates}
    by_name: dict[str, list] = {}
    for e in estates:
        by_name.setdefault(e.name, []).append(e)
    errors: list[str] = []
    parsed: list[ImportRow] = []
    seen: dict[tuple[int, object], int] = {}
    for row_number, v in table.records(body):
        if all(v.get(key) in (None, "") for key in ("month", "billed", "collected", "households_billed")):
            continue  # a pre-filled estate row the user left empty
        problems = []
        estate = None
        raw_id, raw_name = v.get("estate_id"), v.get("estate")
        if raw_id not in (None, ""):
            try:
                estate = by_id.get(parse_int(raw_id, message="", ge=1))
            except CellError:
                estate = None
            if estate is None:
                problems.append(_("小区编号“%(value)s”不存在或您无权登记。") % {"value": raw_id})
        elif raw_name:
            matches = by_name.get(str(raw_name).strip(), [])
            if len(matches) == 1:
                estate = matches[0]
            elif not matches:
                problems.append(_("小区“%(value)s”不存在或您无权登记。") % {"value": raw_name})
            else:
                problems.append(_("有多个名为“%(value)s”的小区，请填写小区编号。") % {"value": raw_name})
        else:
            problems.append(_("小区名称未填写。"))
        month = billed = collected = None
        hb = hp = None
        try:
            month = parse_month(v.get("month"))
        except FeeError as error:
            problems.append(_("月份：%(m)s") % {"m": error.message})
        for key, label in (("billed", _("应收金额")), ("collected", _("实收金额"))):
            try:
                value = parse_money(v.get(key), label=label, allow_zero=key == "collected")
            except FeeError as error:
                problems.append(error.message)
                continue
            if key == "billed":
                billed = value
            else:
                collected = value
        for key, label in (("households_billed", _("应缴户数")), ("households_paid", _("已缴户数"))):
            raw = v.get(key)
            if raw in (None, ""):
                continue
            try:
                number = parse_int(raw, message=_("%(label)s应为不小于 0 的整数。") % {"label": label}, ge=0)
            except CellError as error:
                problems.append(error.message)
                continue
            if key == "households_billed":
                hb = number
            else:
                hp = number
        if not problems and month is not None and billed is not None and collected is not None:
            try:
                check_collection(
                    month=month,
                    billed=billed,
                    collected=collected,
                    households_billed=hb,
                    households_paid=hp,
                    today=today,
                )
            except FeeError as error:
                problems.append(error.message)
        if estate is not None and month is not None:
            key = (estate.pk, month)
            if key in seen:
                problems.append(_("与第 %(other)d 行重复（同一小区同一月份）。") % {"other": seen[key]})
            else:
                seen[key] = row_number
        if problems:
            errors.append(row_problems(row_number, problems))
            continue
        note = v.get("note")
        parsed.append(
            ImportRow(
                number=row_number,
                estate=estate,
                data=CollectionInput(
                    month=month,
                    billed=billed,
                    collected=collected,
                    households_billed=hb,
                    households_paid=hp,
                    note=str(note or "")[:200],
                ),
            )
        )
    if errors:
        raise ImportErrors(errors)
    if not parsed:
        raise ImportErrors([_("文件中没有可导入的数据行。")])
    return parsed
