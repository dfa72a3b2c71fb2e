"""Fee standards and monthly collection through the services: validation, rights, history, audit and the
registry's collection rate."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from gongzhi.core.append_only import AppendOnlyError
from gongzhi.core.models import AuditEvent
from gongzhi.fees.importers import ImportErrors, parse_file, template_bytes
from gongzhi.fees.models import FeeStandard, MonthlyCollection
from gongzhi.fees.rules import FeeError, month_add, month_start
from gongzhi.fees.selectors import standards_in_force
from gongzhi.fees.services import collection_import, fee_standard_create

pytestmark = pytest.mark.django_db
D = Decimal


def _standard(world, user="admin", **kw):
    from gongzhi.fees.models import PriceDocument
    from gongzhi.fees.tests.conftest import guided_pricing

    document = PriceDocument.objects.first() or guided_pricing(world)
    args = {
        "estate": world.estate_a1,
        "kind": "property_residential",
        "amount": "0.80",
        "unit": "yuan_m2_month",
        "effective_from": dt.date(2024, 1, 1),
        "basis": "price_bureau",
        "basis_document": document,
    }
    args.update(kw)
    return fee_standard_create(actor=world.user(user), **args)


def test_a_new_standard_supersedes_and_the_old_one_stays(world):
    old = _standard(world)
    new = _standard(world, user="oc_a1", amount="0.9250", effective_from=dt.date(2025, 7, 1))
    assert new.supersedes == old and new.amount == D("0.9250") and new.amount_text == "0.925"
    assert old.amount_text == "0.80"
    assert standards_in_force([world.estate_a1.pk], on=dt.date(2025, 6, 30))[world.estate_a1.pk] == [old]
    assert standards_in_force([world.estate_a1.pk], on=dt.date(2025, 7, 1))[world.estate_a1.pk] == [new]
    assert FeeStandard.objects.count() == 2
    with pytest.raises(AppendOnlyError, match="never edited"):
        old.save()
    with pytest.raises(AppendOnlyError, match="never edited"):
        FeeStandard.objects.filter(pk=old.pk).update(amount=D("1"))
    assert AuditEvent.objects.filter(object_type="fees.FeeStandard", action="create").count() == 2


def test_a_standard_cannot_start_before_the_one_in_force(world):
    _standard(world, effective_from=dt.date(2025, 1, 1))
    with pytest.raises(FeeError, match="必须晚于现行标准"):
        _standard(world, effective_from=dt.date(2024, 6, 1))
    with pytest.raises(FeeError, match="必须大于 0"):
        _standard(world, amount="0", effective_from=dt.date(2026, 1, 1))
    with pytest.raises(FeeError, match="最多 4 位小数"):
        _standard(world, amount="0.12345", effective_from=dt.date(2026, 1, 1))
    assert FeeStandard.objects.count() == 1


@pytest.mark.parametrize("user", ["secretary_a", "leader", "other_admin"])
def test_only_the_managing_company_and_the_street_admin_keep_fees(world, user, record):
    with pytest.raises(PermissionDenied):
        _standard(world, user=user)
    with pytest.raises(PermissionDenied):
        record("2026-01", "100.00", "80.00", user=user)
    _standard(world, user="admin")
    record("2025-01", "100.00", "80.00", user="admin")


def test_the_committee_sets_standards_but_does_not_keep_the_collection(world, record):
    _standard(world, user="oc_a1")
    with pytest.raises(PermissionDenied):
        record("2026-01", "100.00", "80.00", user="oc_a1")
    record("2025-01", "100.00", "80.00", user="staff_x")
    with pytest.raises(FeeError, match="物业服务企业不能自行设定"):
        _standard(world, user="staff_x", effective_from=dt.date(2026, 1, 1))


def test_company_y_may_not_keep_estate_a1(world, record):
    staff = world.user("staff_x")
    world.contract_a1.company = world.company_y
    world.contract_a1.save()
    from gongzhi.core.scopes import forget_scope

    forget_scope(staff)
    with pytest.raises(PermissionDenied):
        record("2025-01", "100.00", "80.00")


def test_recording_months_updates_the_registry_rate_with_an_audit_row(world, record):
    this_month = month_start(timezone.localdate())
    record(month_add(this_month, -2).isoformat()[:7], "200.00", "150.00")
    record(month_add(this_month, -1).isoformat()[:7], "200.00", "191.00")
    world.contract_a1.refresh_from_db()
    assert world.contract_a1.collection_rate == D("85.25")  # (150 + 191) / 400
    audits = AuditEvent.objects.filter(object_type="registry.Contract").order_by("pk")
    assert [a.changes["collection_rate"] for a in audits] == [["85.00", "75.00"], ["75.00", "85.25"]]
    assert {a.actor for a in audits} == {world.user("staff_x")}


def test_duplicate_month_is_refused_unless_replaced_explicitly(world, record):
    first = record("2025-03", "100.00", "80.00")
    with pytest.raises(FeeError, match="已经登记过"):
        record("2025-03", "100.00", "90.00")
    assert MonthlyCollection.objects.get().amount_collected == D("80.00")
    again = record("2025-03", "100.00", "90.00", replace=True)
    assert again.pk == first.pk and again.amount_collected == D("90.00")
    update = AuditEvent.objects.filter(object_type="fees.MonthlyCollection", action="update").get()
    assert update.changes["amount_collected"] == ["80.00", "90.00"]


@pytest.mark.parametrize(
    ("billed", "collected", "message"),
    [("100.00", "100.01", "超过应收金额"), ("100.00", "-1", "不能为负数"), ("0", "0", "必须大于 0")],
)
def test_bad_amounts_change_nothing(world, record, billed, collected, message):
    with pytest.raises(FeeError, match=message):
        record("2025-03", billed, collected)
    assert not MonthlyCollection.objects.exists()


def test_a_future_month_is_refused(world, record):
    future = month_add(month_start(timezone.localdate()), 1)
    with pytest.raises(FeeError, match="还没有到"):
        record(future.isoformat()[:7], "100.00", "10.00")


# ---- Excel import -----------------------------------------------------------------------------------


def _xlsx(
    rows, header=("小区编号", "小区名称", "月份", "应收金额（元）", "实收金额（元）", "应缴户数", "已缴户数")
):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "收缴数据"
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _estates(world):
    return [world.estate_a1, world.estate_b1]


def test_template_has_the_notes_sheet_and_the_user_estates(world):
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(template_bytes(_estates(world))))
    assert book.sheetnames == ["收缴数据", "填写说明"]
    ids = [row[0] for row in book["收缴数据"].iter_rows(min_row=2, values_only=True)]
    assert ids == [world.estate_a1.pk, world.estate_b1.pk]


def test_import_reports_every_bad_row_and_writes_nothing(world):
    today = timezone.localdate()
    content = _xlsx(
        [
            (world.estate_a1.pk, "甲一小区", "2025-01", "100.00", "80.00"),
            (None, "不存在小区", "2025-01", "100.00", "80.00"),
            (world.estate_a1.pk, "甲一小区", "2025-01", "100.00", "80.00"),
            (world.estate_b1.pk, "乙一小区", "2025-02", "100.00", "120.00"),
            (world.estate_b1.pk, "乙一小区", "2025-13", "abc", "1"),
        ]
    )
    with pytest.raises(ImportErrors) as caught:
        parse_file(content, filename="x.xlsx", estates=_estates(world), today=today)
    errors = caught.value.errors
    assert [e.split("：")[0] for e in errors] == ["第 3 行", "第 4 行", "第 5 行", "第 6 行"]
    assert "不存在或您无权登记" in errors[0]
    assert "与第 2 行重复" in errors[1]
    assert "超过应收金额" in errors[2]
    assert "不是有效的月份" in errors[3] and "不是数字" in errors[3]
    assert not MonthlyCollection.objects.exists()


def test_import_dry_run_writes_nothing_then_the_real_run_writes_all(world):
    content = _xlsx(
        [
            (world.estate_a1.pk, "甲一小区", "2025-01", "100.00", "80.00", 10, 8),
            (None, "乙一小区", "2025年2月", 200, "150.5"),
            (world.estate_a2.pk, "", "", "", ""),  # a pre-filled row left empty: skipped
        ]
    )
    rows = parse_file(content, filename="x.xlsx", estates=_estates(world), today=timezone.localdate())
    assert collection_import(actor=world.user("admin"), rows=rows, dry_run=True) == 2
    assert not MonthlyCollection.objects.exists()
    assert collection_import(actor=world.user("admin"), rows=rows) == 2
    b1 = MonthlyCollection.objects.get(estate=world.estate_b1)
    assert (b1.month, b1.amount_billed, b1.amount_collected) == (
        dt.date(2025, 2, 1),
        D("200.00"),
        D("150.50"),
    )


def test_import_is_all_or_nothing_when_one_row_hits_a_recorded_month(world, record):
    record("2025-02", "100.00", "70.00", estate=world.estate_b1, user="admin")
    content = _xlsx(
        [
            (world.estate_a1.pk, "甲一小区", "2025-01", "100.00", "80.00"),
            (world.estate_b1.pk, "乙一小区", "2025-02", "100.00", "90.00"),
        ]
    )
    rows = parse_file(content, filename="x.xlsx", estates=_estates(world), today=timezone.localdate())
    with pytest.raises(FeeError, match="第 3 行：.*已经登记过"):
        collection_import(actor=world.user("admin"), rows=rows)
    assert MonthlyCollection.objects.count() == 1
    assert MonthlyCollection.objects.get().amount_collected == D("70.00")


def test_a_file_that_is_not_a_workbook_is_a_clear_error(world):
    with pytest.raises(ImportErrors) as caught:
        parse_file(b"not a workbook", filename="x.xlsx", estates=_estates(world), today=timezone.localdate())
    assert caught.value.errors and "文件" in caught.value.errors[0]
