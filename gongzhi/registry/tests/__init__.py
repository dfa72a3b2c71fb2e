"""Helpers for the registry's import/export tests: real .xlsx files built with openpyxl, and
snapshots of the registry tables to prove that a refused import wrote nothing."""

import io

from openpyxl import Workbook

from gongzhi.core.typography import normalise_marks
from gongzhi.registry import models as r

REGISTRY_MODELS = [
    r.Area, r.ResidentsCommittee, r.Branch, r.Estate, r.Company, r.Owner, r.Building, r.Unit,
    r.Contract, r.OwnersCommittee, r.CommitteeMember, r.BranchMember,
]  # fmt: skip


def xlsx(sheets: dict[str, list[list]]) -> bytes:
    """A workbook with one sheet per title; each sheet's first row is its header."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in REGISTRY_MODELS}


def db_state() -> dict[str, list[dict]]:
    """Every row of every registry table, to compare before/after."""
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in REGISTRY_MODELS}


def find_error(report, sheet: str, row: int | None, column: str, text: str):
    """The first error at (sheet, row, column) whose reason contains ``text`` (the width of its punctuation
    aside: the typography lint checks that), else an AssertionError."""
    for error in report.errors:
        where = (error.sheet, error.row, error.column)
        if where == (sheet, row, column) and normalise_marks(text) in normalise_marks(error.message):
            return error
    raise AssertionError(f"no error {sheet!r} row {row} {column!r} ~ {text!r} in {report.errors!r}")
