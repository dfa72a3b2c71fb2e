"""Facts about reading and writing .xlsx safely (core/excel.py)."""

import datetime as dt
import io
import random
import struct
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from gongzhi.core.excel import (
    CellError,
    ColumnSpec,
    ExcelFileError,
    SheetSpec,
    build_workbook,
    content_disposition,
    display_width,
    parse_bool,
    parse_choice,
    parse_date,
    parse_decimal,
    parse_int,
    parse_text,
    read_workbook,
    xlsx_response,
)

MB = 1024 * 1024


def excel_datetime(year, month, day):
    """What openpyxl returns for a date cell: a naive datetime (Excel has no time zone)."""
    return dt.datetime.combine(dt.date(year, month, day), dt.time())


def simple_xlsx(rows, title="表一") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rezip(data: bytes, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None) -> bytes:
    """A copy of an .xlsx with some members replaced or added."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info.filename, (replace or {}).get(info.filename, source.read(info.filename)))
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def patch_member(data: bytes, name: str, *, size: int | None = None, flags: int | None = None) -> bytes:
    """Rewrite a member's declared uncompressed size and/or flag bits in both zip headers."""
    buffer = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        offset = archive.getinfo(name).header_offset
    encoded = name.encode()
    if size is not None:
        struct.pack_into("<I", buffer, offset + 22, size)
    if flags is not None:
        struct.pack_into("<H", buffer, offset + 6, flags)
    position = 0
    while (position := buffer.find(b"PK\x01\x02", position)) != -1:
        name_length = struct.unpack_from("<H", buffer, position + 28)[0]
        if bytes(buffer[position + 46 : position + 46 + name_length]) == encoded:
            if size is not None:
                struct.pack_into("<I", buffer, position + 24, size)
            if flags is not None:
                struct.pack_into("<H", buffer, position + 8, flags)
        position += 4
    return bytes(buffer)


# ---- reading ---------------------------------------------------------------------------------------


def test_rows_carry_excel_row_numbers_and_blank_rows_are_skipped():
    data = simple_xlsx([["名称", "面积"], [" 甲一小区 ", 68.5], [None, None], ["", "  "], ["乙一小区", None]])
    sheets = read_workbook(data, filename="x.xlsx")
    assert list(sheets) == ["表一"]
    assert [(row.number, row.values) for row in sheets["表一"]] == [
        (1, ("名称", "面积")),
        (2, ("甲一小区", 68.5)),
        (5, ("乙一小区",)),
    ]


def test_real_excel_dates_come_back_as_datetimes():
    data = simple_xlsx([["日期"], [dt.date(2024, 3, 1)]])
    assert read_workbook(data)["表一"][1].values == (excel_datetime(2024, 3, 1),)


def test_a_50_mb_upload_is_refused_by_size_before_it_is_read(settings):
    class Upload(io.BytesIO):
        size = 50 * MB

        def read(self, *args):
            raise AssertionError("a too-large upload must not be read")

    with pytest.raises(ExcelFileError) as caught:
        read_workbook(Upload(b""), filename="大文件.xlsx")
    assert caught.value.message.startswith("文件大小 50.0 MB 超过上限 10 MB")


def test_50_mb_of_bytes_is_refused_with_the_size_in_the_message():
    with pytest.raises(ExcelFileError) as caught:
        read_workbook(io.BytesIO(bytes(50 * MB)), filename="大文件.xlsx")
    assert "文件大小 50.0 MB 超过上限 10 MB" in caught.value.message


def test_a_stream_that_hides_its_size_is_still_cut_at_the_limit():
    class Pipe:
        def __init__(self):
            self.stream = io.BytesIO(bytes(3 * MB))

        def read(self, n=-1):
            return self.stream.read(n)

    with pytest.raises(ExcelFileError) as caught:
        read_workbook(Pipe(), max_bytes=1 * MB)
    assert "超过上限 1 MB" in caught.value.message


@pytest.mark.parametrize(
    "content",
    [
        "名称,面积\n甲一小区,68.5\n".encode("utf-8-sig"),  # a CSV renamed .xlsx
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
        "这是一个改了扩展名的文本文件".encode(),
        random.Random(7).randbytes(4096),
        b"PK\x03\x04" + random.Random(8).randbytes(512),  # looks like a zip, is not one
    ],
    ids=["csv", "pdf", "text", "random", "fake-zip"],
)
def test_files_that_are_not_xlsx_are_refused_by_content(content):
    with pytest.raises(ExcelFileError) as caught:
        read_workbook(content, filename="台账.xlsx")
    assert "不是有效的 Excel（.xlsx）文件" in caught.value.message or "文件已损坏" in caught.value.message


def test_csv_named_xlsx_gets_the_not_excel_message():
    with pytest.raises(ExcelFileError) as caught:
        read_workbook(b"a,b\n1,2\n", filename="台账.xlsx")
    assert caught.value.message.startswith("“台账.xlsx”不是有效的 Excel（.xlsx）文件")


def test_legacy_xls_and_password_protected_files_are_explained():
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024)
    with pytest.raises(ExcelFileError) as caught:
        read_workbook(ole2, filename="旧表.xls")
    assert ".xls" in caught.value.message and "密码" in caught.value.message


def test_a_zip_that_is_not_a_workbook_is_refused():
    docx_like = io.BytesIO()
    with zipfile.ZipFile(docx_like, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    with pytest.raises(ExcelFileError) as caught:
        read_workbook(docx_like.getvalue(), filename="文档.xlsx")
    assert "不是有效的 Excel（.xlsx）文件" in caught.value.message


def test_empty_file_is_refused():
    with pytest.raises(ExcelFileError) as caught:
        read_workbook(b"")
    assert "文件是空的" in caught.value.message


def test_zip_bomb_is_refused_before_openpyxl_inflates_anything(monkeypatch):
    def must_not_load(*args, **kwargs):
        raise AssertionError("openpyxl must not see a zip bomb")

    monkeypatch.setattr(openpyxl, "load_workbook", must_not_load)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            for _ in range(110):
                member.write(bytes(MB))
    assert len(bomb.getvalue()) < 1 * MB  # small on the wire…
    with pytest.raises(ExcelFileError) as caught:
        read_workbook(bomb.getvalue(), filename="炸弹.xlsx")
    assert "解压后超过 100 MB" in caught.value.message  # …huge inflated


def test_extreme_compression_ratio_is_refused(monkeypatch):
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: pytest.fail("must not load"))
    data = rezip(simple_xlsx([["a"]]), add={"xl/media/padding.bin": bytes(20 * MB)})
    with pytest.raises(ExcelFileError) as caught:
        read_workbook(data)
    assert "压缩比异常" in caught.value.message


def test_a_member_that_lies_about_its_size_is_cut_off_and_reported_corrupt():
    original = simple_xlsx([["名称"], ["甲一小区"]])
    with zipfile.ZipFile(io.BytesIO(original)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml")
    padded = rezip(original, replace={"xl/worksheets/sheet1.xml": sheet_xml + b" " * (30 * MB)})
    lying = patch_member(padded, "xl/worksheets/sheet1.xml", size=len(sheet_xml))
    with pytest.raises(ExcelFileError) as caught:
        read_workbook(lying)
    assert "文件已损坏" in caught.value.message


def test_encrypted_zip_members_are_refused():
    data = patch_member(simple_xlsx([["a"]]), "xl/worksheets/sheet1.xml", flags=0x1)
    with pytest.raises(ExcelFileError) as caught:
        read_workbook(data)
    assert "已加密" in caught.value.message


def test_truncated_workbook_is_reported_corrupt():
    data = simple_xlsx([["a"], ["b"]])
    with pytest.raises(ExcelFileError) as caught:
        read_workbook(data[: len(data) // 2])
    assert "损坏" in caught.value.message


def test_macros_are_ignored_and_the_values_read():
    data = rezip(simple_xlsx([["名称"], ["甲一小区"]]), add={"xl/vbaProject.bin": b"\x01VBA macro bytes"})
    assert read_workbook(data)["表一"][1].values == ("甲一小区",)


def test_stored_dimension_is_not_trusted_and_far_columns_are_cut():
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "表一"
    sheet.append(["a"])
    sheet.append(["b"])
    sheet["XFD3"] = "far away"
    sheet["A3"] = "c"
    buffer = io.BytesIO()
    workbook.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml")
    data = rezip(
        buffer.getvalue(), replace={"xl/worksheets/sheet1.xml": xml.replace(b'ref="A1:XFD3"', b'ref="A1:A1"')}
    )
    rows = read_workbook(data)["表一"]
    assert [row.values for row in rows] == [("a",), ("b",), ("c",)]


# ---- writing ---------------------------------------------------------------------------------------


def test_built_workbook_has_styled_frozen_header_widths_and_drop_downs():
    data = build_workbook(
        [
            SheetSpec(
                "房屋",
                [
                    ColumnSpec("专有部分面积（m²）"),
                    ColumnSpec("ab"),
                    ColumnSpec("业主类型", choices=("个人", "单位")),
                    ColumnSpec("开始日期", number_format="yyyy-mm-dd"),
                ],
                [[Decimal("68.50"), "x", "个人", dt.date(2024, 3, 1)]],
            )
        ],
        notes=[["列名", "说明"], ["业主类型", "从下拉列表选择"]],
    )
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["房屋", "填写说明"]
    sheet = workbook["房屋"]
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.b and sheet["A1"].fill.fgColor.rgb.endswith("DDEBF7")
    assert sheet.column_dimensions["A"].width > sheet.column_dimensions["B"].width
    validation = sheet.data_validations.dataValidation[0]
    assert validation.formula1 == '"个人,单位"' and str(validation.sqref) == "C2:C1048576"
    assert sheet["D2"].value == excel_datetime(2024, 3, 1) and sheet["D2"].number_format == "yyyy-mm-dd"
    assert workbook["填写说明"]["B2"].value == "从下拉列表选择"


def test_long_choice_lists_go_to_a_hidden_sheet():
    choices = [f"选项名称很长很长的第{i}项" for i in range(30)]
    data = build_workbook([SheetSpec("表", [ColumnSpec("类别", choices=choices)], [])])
    workbook = load_workbook(io.BytesIO(data))
    validation = workbook["表"].data_validations.dataValidation[0]
    assert validation.formula1 == "'选项A'!$A$1:$A$30"
    assert workbook["选项A"].sheet_state == "hidden"


def test_display_width_counts_cjk_twice():
    assert display_width("ab") == 2
    assert display_width("小区") == 4
    assert display_width("\uff08m²\uff09") == 6  # full-width parentheses are wide, ² is not


def test_content_disposition_keeps_chinese_names_per_rfc_5987():
    header = content_disposition("示例街道-房屋-20250301.xlsx")
    assert header.startswith('attachment; filename="20250301.xlsx"; ')
    assert "filename*=UTF-8''%E7%A4%BA%E4%BE%8B%E8%A1%97%E9%81%93-%E6%88%BF%E5%B1%8B-20250301.xlsx" in header
    assert '"' not in content_disposition('a"b.xlsx').split("filename*=")[1]


def test_xlsx_response_downloads_with_the_right_type():
    response = xlsx_response(b"PK..", "房屋.xlsx")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == (
        "attachment; filename=\"download.xlsx\"; filename*=UTF-8''%E6%88%BF%E5%B1%8B.xlsx"
    )
    assert response.content == b"PK.."


# ---- cell parsers ----------------------------------------------------------------------------------

RULE = "面积必须是大于 0 的数字，最多两位小数。"
area = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999.99"), places=2)


@given(area)
def test_decimal_reads_the_same_from_text_number_and_decimal(value):
    assert parse_decimal(str(value), message=RULE, gt=Decimal(0)) == value
    assert parse_decimal(float(value), message=RULE, gt=Decimal(0)) == value
    assert parse_decimal(value, message=RULE, gt=Decimal(0)) == value


@given(st.decimals(min_value=Decimal("0.001"), max_value=Decimal("9999"), places=3))
def test_decimal_with_a_third_place_is_refused(value):
    if value == value.quantize(Decimal("0.01")):
        return
    with pytest.raises(CellError) as caught:
        parse_decimal(str(value), message=RULE)
    assert caught.value.message == RULE


@pytest.mark.parametrize("value", [0, "0", -5, "-0.01", "abc", "六十八", True, "1e3", float("nan"), "68.5.1"])
def test_decimal_refuses_non_positive_and_non_numbers(value):
    with pytest.raises(CellError):
        parse_decimal(value, message=RULE, gt=Decimal(0))


def test_decimal_accepts_spreadsheet_noise_and_separators():
    assert parse_decimal(72.30000000000001, message=RULE) == Decimal("72.30")
    assert parse_decimal("1,234.5", message=RULE) == Decimal("1234.50")
    assert parse_decimal("68.5", message=RULE) == Decimal("68.50")  # full-width digits
    assert parse_decimal("85%", message=RULE, percent_sign=True) == Decimal("85.00")
    with pytest.raises(CellError):
        parse_decimal("10000.00", message=RULE, max_digits=6)


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_date_reads_every_accepted_spelling(day):
    spellings = [
        day,
        dt.datetime.combine(day, dt.time()),
        day.isoformat(),
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}年{day.month}月{day.day}日",
        f"{day.year}.{day.month:02d}.{day.day:02d}",
    ]
    assert {parse_date(spelling) for spelling in spellings} == {day}


@pytest.mark.parametrize("value", ["下个月", "2024-02-30", "2024-13-01", "01/03/2024", 45000, "1899-12-31"])
def test_date_refuses_text_numbers_and_impossible_days(value):
    with pytest.raises(CellError):
        parse_date(value)


@given(st.one_of(st.text(max_size=30), st.integers(), st.floats(allow_nan=True), st.booleans()))
def test_parsers_fail_only_with_cell_errors(value):
    for parse in (
        lambda v: parse_decimal(v, message=RULE),
        parse_date,
        parse_bool,
        lambda v: parse_int(v, message="整数", ge=1, le=200),
        lambda v: parse_choice(v, [("person", "个人")]),
        lambda v: parse_text(v, max_length=20),
    ):
        try:
            parse(value)
        except CellError as exc:
            assert exc.message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("是", True),
        ("否", False),
        ("Y", True),
        ("n", False),
        (True, True),
        (0, False),
        ("TRUE", True),
        ("√", True),
    ],
)
def test_bool_reads_chinese_and_common_spellings(value, expected):
    assert parse_bool(value) is expected


def test_bool_refuses_other_text():
    with pytest.raises(CellError, match="是"):
        parse_bool("也许")


def test_choice_accepts_label_short_label_and_code():
    choices = [("developer", "建设单位（未售/未交付）"), ("person", "个人")]
    assert parse_choice("建设单位（未售/未交付）", choices) == "developer"
    assert parse_choice("建设单位(未售/未交付)", choices) == "developer"  # half-width brackets
    assert parse_choice("建设单位", choices) == "developer"  # the short label, before “（”
    assert parse_choice("建设单位", choices) == "developer"
    assert parse_choice("person", choices) == "person"
    with pytest.raises(CellError) as caught:
        parse_choice("公司", choices)
    assert "可选：建设单位（未售/未交付）、个人" in caught.value.message


def test_int_and_text_cells():
    assert parse_int("1988年", message="年份", suffix="年") == 1988
    assert parse_int(6.0, message="层数") == 6
    with pytest.raises(CellError):
        parse_int(6.5, message="层数")
    assert parse_text(13800001234.0) == "13800001234"
    with pytest.raises(CellError, match="日期"):
        parse_text(excel_datetime(2024, 1, 2), no_dates=True)
    with pytest.raises(CellError, match="不能超过 3 个字"):
        parse_text("甲乙丙丁", max_length=3)
