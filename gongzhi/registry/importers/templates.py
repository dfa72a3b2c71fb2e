"""The empty workbook to fill in: one sheet or all seven, with drop-downs and 填写说明."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpResponse
from django.utils.translation import gettext as _

from gongzhi.core.excel import (
    ColumnSpec,
    SheetSpec,
    build_workbook,
    xlsx_response,
)
from gongzhi.core.keyed import Keyed
from gongzhi.registry.importers.sheets import SHEET_KEYS, Column, Sheet, sheet, sheets

# ---- Templates -------------------------------------------------------------------------------------


def cell_format(column: Column) -> str | None:
    return {"date": "yyyy-mm-dd", "text": "@"}.get(column.kind)


def column_specs(spec: Sheet) -> list[ColumnSpec]:
    return [
        ColumnSpec(c.header, choices=c.choices, number_format=cell_format(c), required=c.required)
        for c in spec.columns
    ]


def notes_rows(keys: Iterable[str]) -> list[list[str]]:
    """The 填写说明 sheet: general rules, then one line per column of each sheet — the explanations in the
    reader's language, the sheet and column names as the sheets write them (Chinese: the file's format)."""
    rows = [[_("工作表"), _("列名"), _("是否必填"), _("说明")]]
    general = [
        _("第一行是列名，请勿修改；列的顺序可以调整，可以只保留需要的列（必填列除外）。"),
        _("导入是“全有或全无”：只要有一处错误，就不会写入任何数据；请按错误清单逐行改正后重新导入。"),
        _("已有记录按名称等识别（见各表说明）并更新，新记录会新增；导入不会删除任何记录。"),
        _("列存在但单元格留空，表示清空该项（或采用默认值）；整列不存在，则保留系统中原有的值。"),
        _("可以把一个街道的多张表放在同一个文件里一起导入，例如新小区和它的房屋。"),
    ]
    rows += [["", "", "", text] for text in general]
    for spec in sheets():
        if spec.key not in keys:
            continue
        rows.append([spec.title, "", "", _(spec.note) if spec.note else ""])
        for c in spec.columns:
            rows.append([spec.title, c.header, _("必填") if c.required else _("选填"), _note_text(c.note)])
    return rows


def _note_text(note) -> str:
    """A column's note in the active language: a keyed message rendered, a msgid translated."""
    if isinstance(note, Keyed):
        return str(note)
    return _(note) if note else ""


def template_workbook(sheet_key: str | None = None) -> bytes:
    """An empty workbook to fill in: one sheet (or all seven), with drop-downs and 填写说明."""
    keys = SHEET_KEYS if sheet_key is None else (sheet(sheet_key).key,)
    specs = [SheetSpec(spec.title, column_specs(spec), []) for spec in sheets() if spec.key in keys]
    return build_workbook(specs, notes=notes_rows(keys))


def template_filename(sheet_key: str | None = None) -> str:
    title = _("台账") if sheet_key is None else sheet(sheet_key).title
    return _("%(title)s导入模板.xlsx") % {"title": title}


def template_response(sheet_key: str | None = None) -> HttpResponse:
    """Download of the empty template: one sheet by key, or all sheets for ``None``/``"all"``."""
    key = None if sheet_key in (None, "all") else sheet(sheet_key).key
    return xlsx_response(template_workbook(key), template_filename(key))
