"""Streaming a table to the browser as .xlsx (openpyxl write-only mode keeps memory flat)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from urllib.parse import quote

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment_headers(filename: str) -> str:
    """Content-Disposition that keeps a Chinese file name (RFC 6266 / RFC 5987)."""
    ascii_name = filename.encode("ascii", "ignore").decode() or "export.xlsx"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def _width(text: str) -> int:
    # CJK characters are about twice as wide as Latin ones in Excel's default font.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def table_xlsx(sheet_title: str, headers: list[str], rows: Iterable[list]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers):
        letter = chr(ord("A") + index) if index < 26 else "A" + chr(ord("A") + index - 26)
        sheet.column_dimensions[letter].width = max(10, min(40, _width(header) + 4))
    from openpyxl.cell import WriteOnlyCell

    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="EEF1F4")
    head_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        cell.fill = fill
        head_cells.append(cell)
    sheet.append(head_cells)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename: str, sheet_title: str, headers: list[str], rows: Iterable[list]) -> HttpResponse:
    response = HttpResponse(table_xlsx(sheet_title, headers, rows), content_type=XLSX_TYPE)
    response["Content-Disposition"] = attachment_headers(filename)
    return response
