"""Reading and writing .xlsx files safely. Generic: knows nothing about the registry.

An upload is checked by its content, never by its name: size first (before any parsing),
then that it is an OOXML zip with a workbook part, then the zip's declared sizes (a zip
bomb is refused before anything is inflated). ``zipfile`` never inflates a member past its
declared size, so the declared total is a real bound on the work done. XML is parsed by the
standard library's expat (≥ 2.4.1 refuses entity-expansion "billion laughs"); macros
(.xlsm) are never kept or run, only the cell values are read.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
import tempfile
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any, NamedTuple
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.utils.translation import gettext as _

from gongzhi.core.errors import UserError

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024  # all members of the zip, inflated
MAX_COMPRESSION_RATIO = 200  # per member; real sheets stay well under 50
RATIO_CHECK_FROM_BYTES = 1024 * 1024  # tiny members may compress oddly; only large ones are checked
MAX_ZIP_MEMBERS = 10_000
MAX_COLUMNS = 64  # cells right of this are ignored (a stray cell at XFD1 must not cost 16k columns a row)
MAX_ROWS_PER_SHEET = 200_000  # non-empty rows
NOTES_SHEET_TITLE = "填写说明"

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls, and also every password-protected .xlsx
_ZIP_MAGIC = b"PK\x03\x04"


class ExcelFileError(UserError):
    """The file cannot be read as a workbook; ``message`` is plain Chinese for the user."""


class Row(NamedTuple):
    """One non-empty row: its number as Excel shows it, and its cell values (trailing blanks dropped)."""

    number: int
    values: tuple


# ---- Reading ---------------------------------------------------------------------------------------


def _mb(size: int) -> str:
    mb = size / (1024 * 1024)
    return f"{mb:.0f}" if mb == int(mb) else f"{mb:.1f}"


def _declared_size(fileobj) -> int | None:
    size = getattr(fileobj, "size", None)  # Django's UploadedFile knows it without reading
    if isinstance(size, int):
        return size
    try:
        position = fileobj.tell()
        fileobj.seek(0, io.SEEK_END)
        end = fileobj.tell()
        fileobj.seek(position)
    except (AttributeError, OSError, ValueError):
        return None
    return end - position


def _too_big(size: int, limit: int) -> ExcelFileError:
    return ExcelFileError(
        _("文件大小 %(size)s MB 超过上限 %(limit)s MB，请拆分成几个文件分别导入。")
        % {"size": f"{size / (1024 * 1024):.1f}", "limit": _mb(limit)}
    )


def read_upload(fileobj: IO[bytes] | bytes, *, max_bytes: int | None = None) -> bytes:
    """The upload's bytes, refused by size before they are read (and again while reading)."""
    limit = settings.IMPORT_MAX_BYTES if max_bytes is None else max_bytes
    if isinstance(fileobj, bytes | bytearray):
        if len(fileobj) > limit:
            raise _too_big(len(fileobj), limit)
        data = bytes(fileobj)
    else:
        if getattr(fileobj, "seekable", lambda: False)():
            fileobj.seek(0)
        size = _declared_size(fileobj)
        if size is not None and size > limit:
            raise _too_big(size, limit)
        data = fileobj.read(limit + 1)  # a stream that lied about its size stops here
        if len(data) > limit:
            raise _too_big(max(size or 0, len(data)), limit)
    if not data:
        raise ExcelFileError(_("文件是空的，请选择填好的 Excel（.xlsx）文件。"))
    return data


def _not_xlsx(filename: str) -> ExcelFileError:
    label = f"“{filename}”" if filename else _("该文件")
    return ExcelFileError(
        _(
            "%(file)s不是有效的 Excel（.xlsx）文件。请在 Excel 或 WPS 中打开后“另存为”Excel 工作簿（.xlsx）再上传。"
        )
        % {"file": label}
    )


def _check_archive(data: bytes, filename: str) -> None:
    """Refuse anything that is not a plain, unencrypted, reasonably sized OOXML workbook."""
    if data.startswith(_OLE2_MAGIC):
        raise ExcelFileError(
            _(
                "不是有效的 Excel（.xlsx）文件：这是旧版 .xls 格式，或设置了打开密码的工作簿。"
                "请去掉密码并“另存为”Excel 工作簿（.xlsx）后再上传。"
            )
        )
    if not data.startswith(_ZIP_MAGIC):
        raise _not_xlsx(filename)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise ExcelFileError(_("文件已损坏，无法读取。请在 Excel 中打开确认后重新保存再上传。")) from None
    names = {m.filename for m in members}
    if "[Content_Types].xml" not in names:
        raise _not_xlsx(filename)
    if "xl/workbook.xml" not in names:
        if "xl/workbook.bin" in names:
            raise ExcelFileError(
                _(
                    "不是有效的 Excel（.xlsx）文件：这是二进制工作簿（.xlsb），请“另存为”Excel 工作簿（.xlsx）后再上传。"
                )
            )
        raise _not_xlsx(filename)
    if len(members) > MAX_ZIP_MEMBERS:
        raise ExcelFileError(_("文件结构异常（包含的部件过多），已拒绝读取。"))
    if any(m.flag_bits & 0x1 for m in members):
        raise ExcelFileError(_("文件已加密，请去掉密码后再上传。"))
    total = 0
    for member in members:
        total += member.file_size
        if total > MAX_UNCOMPRESSED_BYTES:
            raise ExcelFileError(
                _("文件解压后超过 %(limit)s MB，已拒绝读取（可能是压缩炸弹）。请拆分后再导入。")
                % {"limit": _mb(MAX_UNCOMPRESSED_BYTES)}
            )
        if member.file_size > RATIO_CHECK_FROM_BYTES and member.file_size > MAX_COMPRESSION_RATIO * max(
            member.compress_size, 1
        ):
            raise ExcelFileError(_("文件压缩比异常（可能是压缩炸弹），已拒绝读取。"))


def _sheet_rows(workbook, sheet) -> list[Row]:
    """The non-empty rows of one read-only sheet, numbered as Excel numbers them.

    Drives openpyxl's own worksheet parser (same cell decoding as ``iter_rows(values_only=True)``)
    because ``iter_rows`` pads every row to the widest column and trusts the stored dimension; here
    cells right of ``MAX_COLUMNS`` are dropped as they are read. openpyxl is pinned below 3.2.
    """
    from openpyxl.worksheet._reader import WorkSheetParser

    rows: list[Row] = []
    with sheet._get_source() as source:
        parser = WorkSheetParser(
            source,
            sheet._shared_strings,
            data_only=True,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        for number, cells in parser.parse():
            values: dict[int, Any] = {}
            for cell in cells:
                column = cell["column"]
                if column > MAX_COLUMNS:
                    continue
                value = cell["value"]
                if value.__class__ is str:
                    value = value.strip() or None
                if value is not None:
                    values[column] = value
            if not values:
                continue
            rows.append(Row(number, tuple(values.get(c) for c in range(1, max(values) + 1))))
            if len(rows) > MAX_ROWS_PER_SHEET:
                raise ExcelFileError(
                    _("工作表“%(sheet)s”超过 %(limit)s 行，请拆分后分别导入。")
                    % {"sheet": sheet.title, "limit": MAX_ROWS_PER_SHEET}
                )
    return rows


def read_workbook(
    fileobj: IO[bytes] | bytes, *, filename: str = "", max_bytes: int | None = None
) -> dict[str, list[Row]]:
    """Every worksheet's non-empty rows, by sheet title; raises ``ExcelFileError`` in Chinese.

    Cell values are as openpyxl gives them with ``data_only`` (formulas → their last computed
    value; dates → ``datetime``); strings are stripped and empty strings count as blank.
    """
    from openpyxl import load_workbook

    data = read_upload(fileobj, max_bytes=max_bytes)
    _check_archive(data, filename)
    sheets: dict[str, list[Row]] = {}
    workbook = None
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it drops; nothing the user can act on.
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
            for sheet in workbook.worksheets:
                sheets[sheet.title.strip()] = _sheet_rows(workbook, sheet)
    except ExcelFileError:
        raise
    except Exception:  # any parser failure on an untrusted file is "corrupt" to the user
        raise ExcelFileError(
            _("文件已损坏或格式不受支持，无法读取。请在 Excel 中打开确认后重新保存再上传。")
        ) from None
    finally:
        if workbook is not None:
            workbook.close()
    return sheets


def normalise_header(text: Any) -> str:
    """Compare headers loosely: full-width → half-width (NFKC: “(”→“(”, “㎡”→“m2”), no spaces, any case."""
    if text is None:
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).casefold()


def helper_sheet(title: str) -> bool:
    """The sheets ``build_workbook`` adds beside the data: 填写说明 and the hidden drop-down lists (选项A …)."""
    return normalise_header(title) == normalise_header(NOTES_SHEET_TITLE) or bool(
        re.fullmatch(r"选项[A-Z]+", title)
    )


def data_sheet(sheets: dict[str, list[Row]], title: str) -> list[Row]:
    """The rows of the sheet named ``title``; if it is missing or empty, of the first other sheet with
    rows (people rename sheets); ``[]`` when there is none."""
    if sheets.get(title):
        return sheets[title]
    return next((rows for name, rows in sheets.items() if rows and not helper_sheet(name)), [])


@dataclass
class HeaderMap:
    """Where each known column sits in a header row, and what in that row is not a known column."""

    row: int  # the header's row number as Excel shows it
    width: int  # cells in the header row
    positions: dict[str, int] = field(default_factory=dict)  # key → column index (0-based)
    repeated: list[tuple[str, int]] = field(default_factory=list)  # a known column seen again: (key, index)
    unknown: list[tuple[int, str]] = field(default_factory=list)  # header text that names no column
    unnamed: list[int] = field(default_factory=list)  # blank header cells

    def missing(self, keys: Iterable[str]) -> list[str]:
        """Those of ``keys`` (the required columns) that the header lacks."""
        return [key for key in keys if key not in self.positions]

    def values(self, row: Row) -> dict[str, Any]:
        """Key → cell value (None when blank) for every column the header has."""
        cells = row.values
        return {key: cells[i] if i < len(cells) else None for key, i in self.positions.items()}

    def records(self, rows: Iterable[Row]) -> Iterator[tuple[int, dict[str, Any]]]:
        """(row number, key → cell value) for each row below the header."""
        for row in rows:
            yield row.number, self.values(row)

    def stray_cell(self, row: Row) -> int | None:
        """The index of the first non-blank cell under no header (a blank header or right of it)."""
        cells = row.values
        for index in [*self.unnamed, *range(self.width, len(cells))]:
            if index < len(cells) and cells[index] is not None:
                return index
        return None


def map_header(header: Row, names: Mapping[str, Sequence[str]]) -> HeaderMap:
    """Map a header row to column keys. ``names``: key → the headers it accepts (the header first,
    then its aliases), compared loosely by ``normalise_header``. The first column of a name wins."""
    lookup: dict[str, str] = {}
    for key, accepted in names.items():
        for name in accepted:
            lookup.setdefault(normalise_header(name), key)
    mapped = HeaderMap(row=header.number, width=len(header.values))
    for index, text in enumerate(header.values):
        if text is None:
            mapped.unnamed.append(index)
            continue
        key = lookup.get(normalise_header(text))
        if key is None:
            mapped.unknown.append((index, str(text)))
        elif key in mapped.positions:
            mapped.repeated.append((key, index))
        else:
            mapped.positions[key] = index
    return mapped


class ImportErrors(UserError):
    """Every problem found in an import file, one plain-Chinese line each; nothing was written."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def row_problems(number: int, problems: Sequence[str]) -> str:
    """One line of an error list: 第 N 行:problem;problem."""
    return _("第 %(row)d 行：%(problems)s") % {"row": number, "problems": "；".join(problems)}


def read_table(
    fileobj: IO[bytes] | bytes, *, filename: str = "", title: str, columns: Sequence[tuple[str, str, bool]]
) -> tuple[HeaderMap, list[Row]]:
    """Open an upload, take its sheet ``title`` and map the header row to ``columns`` (key, header,
    required). Returns the header map and the rows below it; ``ImportErrors`` when the file cannot be
    read, has no such sheet, or its header lacks a required column."""
    try:
        sheets = read_workbook(fileobj, filename=filename)
    except ExcelFileError as error:
        raise ImportErrors([error.message]) from None
    rows = data_sheet(sheets, title)
    if not rows:
        raise ImportErrors([_("文件中没有找到“%(sheet)s”工作表或其中没有数据。") % {"sheet": title}])
    header, *body = rows
    mapped = map_header(header, {key: (text,) for key, text, _required in columns})
    missing = mapped.missing(key for key, _text, required in columns if required)
    if missing:
        headers = {key: text for key, text, _required in columns}
        raise ImportErrors(
            [
                _("第 %(row)d 行（表头）缺少列：%(cols)s。")
                % {"row": header.number, "cols": "、".join(headers[key] for key in missing)}
            ]
        )
    return mapped, body


# ---- Writing ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnSpec:
    """How one column is written: header, optional width, drop-down choices, cell format, help text."""

    header: str
    width: float | None = None
    choices: Sequence[str] = ()
    number_format: str | None = None  # e.g. "yyyy-mm-dd", "0.00", "@" (text)
    required: bool = False
    note: str = ""


@dataclass
class SheetSpec:
    title: str
    columns: Sequence[ColumnSpec]
    rows: Iterable[Sequence[Any]] = field(default_factory=list)
    wrap_text: bool = False  # long prose cells (the notes sheet)


HEADER_FILL = "DDEBF7"
REQUIRED_HEADER_FILL = "F8CBAD"
MAX_WIDTH = 50
MIN_WIDTH = 8


def display_width(value: Any) -> int:
    """Width of a value in Excel character units: CJK and full-width characters count twice."""
    if value is None:
        return 0
    if isinstance(value, dt.date):
        return 10
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(value))


# A spreadsheet takes text starting with these for a formula (OWASP "CSV injection"): a resident's
# "=HYPERLINK(...)" must reach the office's Excel as the text it is. The full-width forms are not
# formulas in Excel, but an IME or a later "convert to half-width" can make them one: same care.
FORMULA_STARTS = frozenset("=+-@＝＋－＠")


def formula_like(text: str) -> bool:
    """Text that Excel, LibreOffice or WPS could evaluate: it starts with = + - @ (or their
    full-width forms) after any white space, tab, CR or LF. A lone “-” (an empty value) is plain."""
    stripped = text.lstrip()
    return len(stripped) > 1 and stripped[0] in FORMULA_STARTS


def _text_cell(sheet, value: str):
    """A cell that holds ``value`` as a string, never a formula: openpyxl would write text starting
    with “=” as a formula, so the type is set back to string; the quote prefix (what Excel sets for
    '=…) keeps it text when someone edits the cell. The text the user sees is unchanged."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def _safe(sheet, value: Any) -> Any:
    return _text_cell(sheet, value) if isinstance(value, str) and formula_like(value) else value


def _list_formula(choices: Sequence[str]) -> str | None:
    """An inline list for data validation, or None when Excel's 255-character limit forbids it."""
    if any("," in c or '"' in c for c in choices):
        return None
    formula = '"' + ",".join(choices) + '"'
    return formula if len(formula) <= 255 else None


def localised_notes(rows: Sequence[Sequence[Any]], *, headers: Iterable[str] = ()) -> list[list[Any]]:
    """A 填写说明 sheet's rows in the reader's language: every text translated (catalogue msgids, marked with
    ``gettext_noop``) except a first cell that names a column of the data sheet (``headers``) — the headers
    are the file's exchange format, the same in every language, so the note names them as the sheet does."""
    keep = {normalise_header(h) for h in headers}
    return [
        [
            _(cell)
            if isinstance(cell, str) and cell and not (position == 0 and normalise_header(cell) in keep)
            else cell
            for position, cell in enumerate(row)
        ]
        for row in rows
    ]


def build_workbook(sheets: Sequence[SheetSpec], *, notes: Sequence[Sequence[Any]] | None = None) -> bytes:
    """An .xlsx with a bold, filled, frozen header row, CJK-aware widths and drop-downs for choices.

    ``notes`` (rows, the first being its header) become a last sheet titled 填写说明.
    Written in openpyxl's streaming mode, so tens of thousands of rows stay fast.
    """
    buffer = io.BytesIO()
    write_workbook(buffer, sheets, notes=notes)
    return buffer.getvalue()


def write_workbook(
    target: IO[bytes], sheets: Sequence[SheetSpec], *, notes: Sequence[Sequence[Any]] | None = None
) -> None:
    """``build_workbook`` into a file: each sheet's rows are read once, as they come (an iterator is
    never held as a list; the widths are taken from its first 200 rows), so a large export holds one
    row at a time in memory and the workbook itself in ``target``."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    wrap = Alignment(vertical="top", wrap_text=True)
    fills = {
        False: PatternFill("solid", fgColor=HEADER_FILL),
        True: PatternFill("solid", fgColor=REQUIRED_HEADER_FILL),
    }

    all_sheets = list(sheets)
    if notes:
        note_rows = list(notes)
        header, body = note_rows[0], note_rows[1:]
        all_sheets.append(
            SheetSpec(
                title=NOTES_SHEET_TITLE,
                columns=[
                    ColumnSpec(str(h), width=70 if i == len(header) - 1 else None)
                    for i, h in enumerate(header)
                ],
                rows=body,
                wrap_text=True,
            )
        )

    for spec in all_sheets:
        sheet = workbook.create_sheet(spec.title)
        columns = list(spec.columns)
        source = iter(spec.rows)
        head = list(itertools.islice(source, 200))  # what the column widths are measured on
        rows = itertools.chain(head, source)
        sheet.freeze_panes = "A2"
        for index, column in enumerate(columns, start=1):
            letter = get_column_letter(index)
            width = column.width
            if width is None:
                sample = [display_width(row[index - 1]) for row in head if index - 1 < len(row)]
                width = max([display_width(column.header) + 4, *sample]) + 2
            sheet.column_dimensions[letter].width = max(MIN_WIDTH, min(MAX_WIDTH, width))
            if column.number_format:
                # The column's style formats what the user types later (text keeps phone numbers intact).
                sheet.column_dimensions[letter].number_format = column.number_format
            if column.choices:
                validation = _data_validation(workbook, DataValidation, column, letter)
                sheet.data_validations.append(validation)

        header_cells = []
        for column in columns:
            cell = WriteOnlyCell(sheet, value=column.header)
            if isinstance(column.header, str) and formula_like(column.header):
                cell = _text_cell(sheet, column.header)
            cell.font = bold
            cell.fill = fills[column.required]
            header_cells.append(cell)
        sheet.append(header_cells)

        # A written cell carries its own style: dates and numbers need theirs, strings are text anyway.
        formats = [c.number_format if c.number_format != "@" else None for c in columns]
        for row in rows:
            out = []
            for index, value in enumerate(row):
                fmt = formats[index] if index < len(formats) and not isinstance(value, str) else None
                if value == "":
                    value = None
                risky = isinstance(value, str) and formula_like(value)
                if (fmt and value is not None) or spec.wrap_text or risky:
                    cell = _text_cell(sheet, value) if risky else WriteOnlyCell(sheet, value=value)
                    if fmt:
                        cell.number_format = fmt
                    if spec.wrap_text:
                        cell.alignment = wrap
                    out.append(cell)
                else:
                    out.append(value)
            sheet.append(out)

    workbook.save(target)


def _data_validation(workbook, DataValidation, column: ColumnSpec, letter: str):  # noqa: N803
    formula = _list_formula(column.choices)
    if formula is None:
        # Long lists go on a hidden sheet and the drop-down points at it.
        hidden_title = f"选项{letter}"
        hidden = workbook.create_sheet(hidden_title)
        hidden.sheet_state = "hidden"
        for choice in column.choices:
            hidden.append([_safe(hidden, choice)])
        formula = f"'{hidden_title}'!$A$1:$A${len(column.choices)}"
    validation = DataValidation(
        type="list",
        formula1=formula,
        allow_blank=not column.required,
        showErrorMessage=True,
        errorTitle=_("请从下拉列表中选择"),
        error=_("可选：%(choices)s") % {"choices": "、".join(column.choices)},
    )
    validation.add(f"{letter}2:{letter}1048576")
    return validation


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """``attachment; filename="<ascii>"; filename*=UTF-8''<utf-8>`` (RFC 6266 / RFC 5987).

    Old clients read the ASCII fallback; every current browser takes the UTF-8 name.
    """
    safe = re.sub(r'[\x00-\x1f\x7f"\\/]', "_", filename).strip() or "download.xlsx"
    stem, dot, extension = safe.rpartition(".")
    if not dot:
        stem, extension = safe, ""
    ascii_stem = re.sub(r"[^A-Za-z0-9._-]+", "", stem)
    ascii_stem = re.sub(r"[._-]{2,}", "-", ascii_stem).strip("._-") or "download"
    ascii_extension = re.sub(r"[^A-Za-z0-9]+", "", extension)
    fallback = f"{ascii_stem}.{ascii_extension}" if ascii_extension else ascii_stem
    disposition = "inline" if inline else "attachment"
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(safe, safe='')}"


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """An HttpResponse that downloads ``content`` as ``filename`` (Chinese names kept)."""
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(filename)
    response["Content-Length"] = str(len(content))
    response["Cache-Control"] = "private, no-store"  # exports can hold personal data
    return response


def xlsx_stream_response(
    sheets: Sequence[SheetSpec], filename: str, *, notes: Sequence[Sequence[Any]] | None = None
) -> FileResponse:
    """A large export: the workbook is written from the rows as they come into a temporary file (not
    into memory) and sent from there in chunks, so tens of thousands of rows cost one row's memory."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it once sent)
    try:
        write_workbook(handle, sheets, notes=notes)
    except BaseException:
        handle.close()
        raise
    size = handle.tell()
    handle.seek(0)
    response = FileResponse(handle, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(filename)
    response["Content-Length"] = str(size)
    response["Cache-Control"] = "private, no-store"  # exports can hold personal data
    return response


def decimal_from_float(value: float) -> Decimal:
    """A float cell as Excel shows it (15 significant digits): 72.30000000000001 → Decimal('72.3')."""
    return Decimal(format(value, ".15g"))


# ---- Cell parsers ----------------------------------------------------------------------------------
# Pure functions from one non-blank cell value (as ``read_workbook`` gives it) to a Python value.
# Each raises ``CellError`` with a plain-Chinese reason that the importer places next to the cell.


class CellError(UserError, ValueError):
    """One cell's value is refused; ``message`` says why in plain Chinese."""


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def _number_text(value: Any) -> str:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(value, ".15g")
    return str(value)


def parse_text(value: Any, *, max_length: int | None = None, no_dates: bool = False) -> str:
    """Text; numbers become their digits (13800001234.0 → "13800001234")."""
    if value.__class__ is str:  # the common case, kept fast for sheets of tens of thousands of rows
        text = value.strip()
        if max_length is not None and len(text) > max_length:
            raise CellError(
                _("不能超过 %(limit)d 个字（现有 %(length)d 个）。")
                % {"limit": max_length, "length": len(text)}
            )
        return text
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        if no_dates:
            shown = value.date() if isinstance(value, dt.datetime) else value
            raise CellError(
                _("单元格被 Excel 自动识别成了日期/时间（%(value)s），请把这一列设为“文本”格式后重新填写。")
                % {"value": shown}
            )
        value = (
            value.date().isoformat()
            if isinstance(value, dt.datetime) and not value.time()
            else value.isoformat()
        )
    if isinstance(value, bool):
        value = "是" if value else "否"
    text = _number_text(value).strip()
    if max_length is not None and len(text) > max_length:
        raise CellError(
            _("不能超过 %(limit)d 个字（现有 %(length)d 个）。") % {"limit": max_length, "length": len(text)}
        )
    return text


_DECIMAL_TEXT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def parse_decimal(
    value: Any,
    *,
    message: str,
    places: int = 2,
    max_digits: int | None = None,
    gt: Decimal | None = None,
    ge: Decimal | None = None,
    le: Decimal | None = None,
    percent_sign: bool = False,
) -> Decimal:
    """A decimal with at most ``places`` decimals within the bounds; ``message`` states the rule."""
    if isinstance(value, bool):
        raise CellError(message)
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise CellError(message)
        number = decimal_from_float(value)
    elif isinstance(value, str):
        text = re.sub(r"[\s,]", "", _nfkc(value))
        if percent_sign and text.endswith("%"):
            text = text[:-1]
        if not _DECIMAL_TEXT.match(text):
            raise CellError(message)
        number = Decimal(text)
    else:
        raise CellError(message)
    step = Decimal(1).scaleb(-places)
    try:
        rounded = number.quantize(step)
    except ArithmeticError:
        raise CellError(message) from None
    if rounded != number:
        raise CellError(message)
    if max_digits is not None and abs(rounded) >= Decimal(10) ** (max_digits - places):
        raise CellError(message)
    if (gt is not None and not rounded > gt) or (ge is not None and not rounded >= ge):
        raise CellError(message)
    if le is not None and not rounded <= le:
        raise CellError(message)
    return rounded


def parse_int(
    value: Any, *, message: str, ge: int | None = None, le: int | None = None, suffix: str = ""
) -> int:
    """A whole number within the bounds; text may end with ``suffix`` (“1988年”, “6层”)."""
    if isinstance(value, bool):
        raise CellError(message)
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError(message)
        number = int(value)
    elif isinstance(value, int):
        number = value
    elif isinstance(value, Decimal):
        if value != value.to_integral_value():
            raise CellError(message)
        number = int(value)
    elif isinstance(value, str):
        text = _nfkc(value)
        if suffix and text.endswith(suffix):
            text = text[: -len(suffix)].strip()
        if not re.fullmatch(r"[+-]?\d{1,9}", text):
            raise CellError(message)
        number = int(text)
    else:
        raise CellError(message)
    if (ge is not None and number < ge) or (le is not None and number > le):
        raise CellError(message)
    return number


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})(?:\s+0{1,2}:00(?::00)?)?$"),
    re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?$"),
)
MIN_YEAR, MAX_YEAR = 1900, 2100


def parse_date(value: Any) -> dt.date:
    """A real Excel date, or text 2024-03-01 / 2024/3/1 / 2024.3.1 / 2024年3月1日."""
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        text = _nfkc(value)
        for pattern in _DATE_PATTERNS:
            match = pattern.match(text)
            if match:
                break
        else:
            raise CellError(_("“%(value)s”不是日期，请填写如 2024-03-01 的日期。") % {"value": value})
        try:
            day = dt.date(*(int(part) for part in match.groups()))
        except ValueError:
            raise CellError(_("“%(value)s”不是有效的日期。") % {"value": value}) from None
    elif isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        raise CellError(
            _("应填写日期，如 2024-03-01（单元格中是数字 %(value)s，请把单元格设为日期格式或直接输入日期）。")
            % {"value": _number_text(value)}
        )
    else:
        raise CellError(_("应填写日期，如 2024-03-01。"))
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise CellError(_("日期 %(value)s 不在 1900–2100 年之间。") % {"value": day.isoformat()})
    return day


_TRUE = frozenset({"是", "y", "yes", "true", "1", "√", "✓", "党员"})
_FALSE = frozenset({"否", "n", "no", "false", "0", "×", "✗", "非党员"})


def parse_bool(value: Any) -> bool:
    """是/否 (also Y/N, TRUE/FALSE, 1/0, √/×)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = _nfkc(str(value)).casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(_("应填写“是”或“否”（现为“%(value)s”）。") % {"value": value})


def choice_parser(choices: Sequence[tuple[str, str]]) -> Callable[[Any], str]:
    """A parser for one set of choices: the stored value given its label, its short label (the
    part before “(” or “（”) or its code, compared loosely (full-/half-width, spaces, case)."""
    lookup: dict[str, str] = {}
    for code, label in choices:
        short = re.split(r"[(（]", str(label))[0]
        for name in (label, short, code):
            lookup.setdefault(normalise_header(name), code)
    exact = {str(name): code for code, label in choices for name in (label, code)}
    listed = "、".join(str(label) for _code, label in choices)

    def parse(value: Any) -> str:
        code = exact.get(value) if value.__class__ is str else None
        if code is None:
            code = lookup.get(normalise_header(_number_text(value)))
        if code is None:
            raise CellError(
                _("“%(value)s”不是可选的值，可选：%(choices)s。") % {"value": value, "choices": listed}
            )
        return code

    return parse


def parse_choice(value: Any, choices: Sequence[tuple[str, str]]) -> str:
    """One-off form of ``choice_parser``."""
    return choice_parser(choices)(value)
