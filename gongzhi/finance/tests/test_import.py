"""Import of historic ledgers from Excel: the template, all-or-nothing writes, row-by-row Chinese errors,
date order, per-row rights, dry runs, the command (gongzhi/finance/importers.py)."""

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from gongzhi.core.excel import ColumnSpec, SheetSpec, build_workbook
from gongzhi.core.models import AuditEvent
from gongzhi.finance.importers import COLUMNS, ledgers_import, template_bytes
from gongzhi.finance.models import LedgerEntry
from gongzhi.finance.rules import verify_lines
from gongzhi.finance.selectors import ledger_lines

HEADERS = [c.header for c in COLUMNS]


def workbook(rows, headers=HEADERS, title="账目") -> bytes:
    return build_workbook([SheetSpec(title, [ColumnSpec(h) for h in headers], rows)])


def run(world, rows, user="oc_a1", **kw):
    return ledgers_import(
        actor=world.user(user), fileobj=io.BytesIO(workbook(rows)), filename="历史账目.xlsx", **kw
    )


def good_rows():
    return [
        [
            "甲一小区",
            "专项维修资金",
            dt.date(2024, 1, 5),
            "收入",
            50000,
            "首期归集",
            "首期归集",
            "区维修资金中心",
            "",
            "",
        ],
        [
            "甲一小区",
            "专项维修资金",
            "2024-03-02",
            "支出",
            "1200.50",
            "屋面防水",
            "维修使用",
            "江岸防水",
            "业主大会决议 2024-01号",
            "1号楼屋面",
        ],
        ["甲一小区", "公共收益", "2024/2/10", "收入", 800.3, "1月停车收益", "停车收益", "", "", ""],
        ["甲一小区", "公共收益", "2024年3月10日", "收入", "900", "2月停车收益", "", "", "", ""],
    ]


def test_the_template_has_the_entry_sheet_with_drop_downs_and_the_notes():
    book = load_workbook(io.BytesIO(template_bytes()))
    assert book.sheetnames[:1] == ["账目"] and "填写说明" in book.sheetnames
    sheet = book["账目"]
    assert [c.value for c in sheet[1]] == HEADERS
    formulas = [v.formula1 for v in sheet.data_validations.dataValidation]
    assert '"专项维修资金,公共收益,物业费收支"' in formulas and '"收入,支出"' in formulas
    notes = " ".join(str(c.value) for row in book["填写说明"].iter_rows() for c in row)
    assert "按日期先后排列" in notes and "全有或全无" in notes


def test_a_good_file_is_appended_through_the_chain_with_one_audit_event(world):
    report = run(world, good_rows())
    assert report.ok and report.written, report.errors
    assert report.counts == {"甲一小区 · 专项维修资金": 2, "甲一小区 · 公共收益": 2}
    fund = LedgerEntry.objects.filter(estate=world.estate_a1, ledger="maintenance_fund").order_by("seq")
    assert [(e.seq, str(e.amount), str(e.balance)) for e in fund] == [
        (1, "50000.00", "50000.00"),
        (2, "1200.50", "48799.50"),
    ]
    assert fund[1].reference == "业主大会决议 2024-01号" and fund[1].posted_by == world.user("oc_a1")
    income = LedgerEntry.objects.filter(estate=world.estate_a1, ledger="public_income").order_by("seq")
    assert [str(e.amount) for e in income] == ["800.30", "900.00"]  # a float cell read as Excel shows it
    for ledger in ("maintenance_fund", "public_income"):
        lines = [json.dumps(x, ensure_ascii=False) for x in ledger_lines(world.estate_a1.pk, ledger)]
        assert verify_lines(lines).ok
    (event,) = AuditEvent.objects.filter(action="import")
    assert (
        event.changes["rows"] == 4
        and len(event.changes["sha256"]) == 64
        and event.changes["file"] == "历史账目.xlsx"
    )
    assert not AuditEvent.objects.filter(object_type="finance.LedgerEntry", action="create").exists()


def test_one_bad_row_writes_nothing_and_the_error_names_row_column_and_reason(world):
    rows = good_rows()
    rows[2][4] = "-5"
    rows[3][0] = "不存在小区"
    report = run(world, rows)
    assert not report.ok and not report.written
    assert [(e.row, e.column) for e in report.errors] == [(4, "金额"), (5, "小区")]
    assert "大于零" in report.errors[0].message and "找不到小区“不存在小区”" in report.errors[1].message
    assert not LedgerEntry.objects.exists()
    assert not AuditEvent.objects.filter(action="import").exists()


def test_an_out_flow_beyond_the_balance_is_refused_with_its_row(world):
    rows = good_rows()
    rows[1][4] = "50000.01"
    report = run(world, rows)
    assert [(e.row, e.column) for e in report.errors] == [(3, "金额")]
    assert "余额不能为负" in report.errors[0].message
    assert not LedgerEntry.objects.exists()


def test_rows_must_be_in_date_order_and_not_older_than_the_ledger(world, post):
    rows = good_rows()
    rows[1][2] = "2023-12-31"  # before the row above it in the same ledger
    report = run(world, rows)
    assert [(e.row, e.column) for e in report.errors] == [(3, "日期")]
    assert "须按日期先后排列" in report.errors[0].message
    post("in", "10.00", date=dt.date(2024, 6, 1))
    report = run(world, good_rows())
    assert [(e.row, e.column) for e in report.errors] == [(2, "日期"), (3, "日期")]
    assert "早于该账本已有的最后一条记录（2024-06-01）" in report.errors[0].message
    assert LedgerEntry.objects.count() == 1


def test_each_row_is_checked_against_the_right_to_post(world):
    rows = good_rows() + [
        ["甲一小区", "物业费收支", "2024-03-05", "收入", "100", "3月物业费", "", "", "", ""]
    ]
    report = run(world, rows, user="staff_x")
    assert [(e.row, e.column) for e in report.errors] == [(2, "账本"), (3, "账本"), (4, "账本"), (5, "账本")]
    assert "无权登记“甲一小区”的专项维修资金" in report.errors[0].message
    report = run(world, rows[-1:], user="staff_x")
    assert report.ok and LedgerEntry.objects.get().ledger == "property_fee"


def test_other_streets_estates_are_not_found(world):
    rows = [["丙一小区", "专项维修资金", "2024-01-05", "收入", "10", "x", "", "", "", ""]]
    report = run(world, rows, user="admin")
    assert [(e.row, e.column) for e in report.errors] == [(2, "小区")]


def test_a_dry_run_checks_and_writes_nothing(world):
    report = run(world, good_rows(), dry_run=True)
    assert report.ok and not report.written and report.counts
    assert not LedgerEntry.objects.exists() and not AuditEvent.objects.filter(action="import").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a workbook at all", "不是有效的 Excel"),
        (workbook([], headers=["小区", "账本"]), "缺少必填列“日期”"),
        (workbook([]), "没有数据行"),
    ],
)
def test_bad_files_are_refused(world, content, message):
    report = ledgers_import(actor=world.user("admin"), fileobj=io.BytesIO(content), filename="x.xlsx")
    assert not report.ok and message in " ".join(e.message for e in report.errors)


def test_the_command_imports_and_fails_loudly(world, tmp_path):
    good = tmp_path / "good.xlsx"
    good.write_bytes(workbook(good_rows()))
    out = io.StringIO()
    call_command("import_ledgers", str(good), "--user", "oc_a1", "--dry-run", stdout=out)
    assert "试运行" in out.getvalue() and not LedgerEntry.objects.exists()
    call_command("import_ledgers", str(good), "--user", "oc_a1", stdout=io.StringIO())
    assert LedgerEntry.objects.count() == 4
    err = io.StringIO()
    with pytest.raises(CommandError, match="未写入任何数据"):
        call_command("import_ledgers", str(good), "--user", "oc_a1", stderr=err)  # now older than the ledgers
    assert "早于该账本已有的最后一条记录" in err.getvalue()
    assert LedgerEntry.objects.count() == 4
    with pytest.raises(CommandError, match="无权登记任何账本"):
        call_command("import_ledgers", str(good), "--user", "leader")


def test_the_import_page(as_user, world):
    client = as_user("oc_a1")
    page = client.get(reverse("finance:import"))
    assert page.status_code == 200 and "按日期先后排列" in page.text
    template = client.get(reverse("finance:import_template"))
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = good_rows()
    rows[0][3] = "进账"
    upload = io.BytesIO(workbook(rows))
    upload.name = "账目.xlsx"
    response = client.post(reverse("finance:import"), {"file": upload})
    assert (
        response.status_code == 200
        and "没有导入任何数据" in response.text
        and "“进账”不是可选的值" in response.text
    )
    assert not LedgerEntry.objects.exists()
    upload = io.BytesIO(workbook(good_rows()))
    upload.name = "账目.xlsx"
    response = client.post(reverse("finance:import"), {"file": upload})
    assert "导入完成" in response.text and LedgerEntry.objects.count() == 4
