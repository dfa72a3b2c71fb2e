"""The fee office pages: what they show, forms, export, import page, and query bounds."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.fees.models import FeeProposal, FeeStandard, MonthlyCollection
from gongzhi.fees.rules import month_add, month_start
from gongzhi.registry import models as r

pytestmark = pytest.mark.django_db


def _month(back: int) -> str:
    return month_add(month_start(timezone.localdate()), -back).isoformat()[:7]


def test_overview_lists_lowest_rate_first_with_filters(as_user, world, record):
    record(_month(1), "100.00", "90.00")
    record(_month(1), "100.00", "55.00", estate=world.estate_b1)
    record(_month(1), "100.00", "70.00", estate=world.estate_a2, user="admin")
    page = as_user("admin").get(reverse("fees:overview"))
    names = [row["estate"].name for row in page.context["rows"]]
    assert names == ["乙一小区", "甲二小区", "甲一小区"]
    assert [row["latest_rate"] for row in page.context["rows"]] == [
        Decimal("55.00"),
        Decimal("70.00"),
        Decimal("90.00"),
    ]
    assert "<svg" in page.content.decode()
    high_first = as_user("admin").get(reverse("fees:overview"), {"sort": "-rate"})
    assert [row["estate"].name for row in high_first.context["rows"]][0] == "甲一小区"
    area_a = as_user("admin").get(reverse("fees:overview"), {"area": world.area_a.pk})
    assert {row["estate"].name for row in area_a.context["rows"]} == {"甲一小区", "甲二小区"}
    company_x = as_user("admin").get(reverse("fees:overview"), {"company": world.company_x.pk})
    assert {row["estate"].name for row in company_x.context["rows"]} == {"甲一小区", "乙一小区"}


def test_overview_shows_only_the_estates_in_reach(as_user, world):
    rows = as_user("secretary_b").get(reverse("fees:overview")).context["rows"]
    assert [row["estate"] for row in rows] == [world.estate_b1]
    rows = as_user("staff_x").get(reverse("fees:overview")).context["rows"]
    assert {row["estate"] for row in rows} == {world.estate_a1, world.estate_b1}


def test_overview_query_count_does_not_grow_with_estates(
    as_user, world, record, django_assert_max_num_queries
):
    client = as_user("admin")
    client.get(reverse("fees:overview"))  # warm the session
    for i in range(8):
        estate = r.Estate.objects.create(area=world.area_a, name=f"新增小区{i}", build_year=2000)
        r.Contract.objects.create(
            company=world.company_y,
            estate=estate,
            fee_standard=Decimal("1.00"),
            start_date=world.contract_a1.start_date,
            end_date=world.contract_a1.end_date,
        )
        record(_month(1), "100.00", "80.00", estate=estate, user="admin")
    with django_assert_max_num_queries(16):
        response = client.get(reverse("fees:overview"))
    assert len(response.context["rows"]) == 11


def test_export_is_a_real_workbook_with_the_rates(as_user, world, record):
    from openpyxl import load_workbook

    record(_month(1), "200.00", "170.47")
    response = as_user("admin").get(reverse("fees:export"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    a1 = next(row for row in rows if row[1] == "甲一小区")
    assert a1[3] == _month(1) and Decimal(str(a1[6])) == Decimal("85.24")


def test_estate_page_shows_standards_history_and_trend(as_user, world, record):
    import datetime as dt

    from gongzhi.fees.services import fee_standard_create
    from gongzhi.fees.tests.conftest import guided_pricing

    staff = world.user("admin")
    document = guided_pricing(world, kind="parking_monthly", unit="yuan_month", low="100", high="200")

    fee_standard_create(
        actor=staff,
        estate=world.estate_a1,
        kind="parking_monthly",
        label="地面车位",
        amount="150",
        unit="yuan_month",
        effective_from=dt.date(2024, 1, 1),
        basis="price_bureau",
        basis_document=document,
    )
    fee_standard_create(
        actor=staff,
        estate=world.estate_a1,
        kind="parking_monthly",
        label="地面车位",
        amount="180",
        unit="yuan_month",
        effective_from=dt.date(2025, 1, 1),
        basis="price_bureau",
        basis_document=document,
    )
    record(_month(2), "100.00", "80.00")
    record(_month(1), "100.00", "82.00")
    page = as_user("oc_a1").get(reverse("fees:estate", args=[world.estate_a1.pk]))
    html = page.content.decode()
    assert [s.amount for s in page.context["in_force"]] == [Decimal("180.0000")]
    assert len(page.context["history"]) == 2
    assert page.context["chart"]["series"][0]["data"] == [80.0, 82.0]
    assert 'data-chart="chart-trend"' in html
    # The OC sets standards (on a basis) but does not keep the company's monthly collection.
    assert "登记收费标准" in html and "登记月度收缴" not in html
    assert "浦价〔2000〕park号" in html and "100.00–200.00 元/月" in html  # the basis, with its range


def test_collection_form_errors_in_chinese_and_nothing_written(as_user, world):
    url = reverse("fees:collection_new", args=[world.estate_a1.pk])
    response = as_user("staff_x").post(url, {"month": _month(1), "billed": "100", "collected": "120"})
    assert response.status_code == 200
    assert "超过应收金额" in response.content.decode()
    assert not MonthlyCollection.objects.exists()
    response = as_user("staff_x").post(url, {"month": _month(1), "billed": "100", "collected": "99.5"})
    assert response.status_code == 302
    assert MonthlyCollection.objects.get().amount_collected == Decimal("99.50")


def test_standard_form_creates_a_new_standard(as_user, world):
    from gongzhi.fees.tests.conftest import guided_pricing

    document = guided_pricing(world, kind="parking_hourly", unit="yuan_hour", low="2", high="5")
    url = reverse("fees:standard_new", args=[world.estate_a1.pk])
    data = {
        "kind": "parking_hourly",
        "label": "",
        "amount": "3.5",
        "unit": "yuan_hour",
        "effective_from": "2025-01-01",
        "basis": "price_bureau",
        "basis_reference": "",
    }
    refused = as_user("admin").post(url, data)  # the basis named but not linked
    assert "必须选择覆盖本小区的价格文件" in refused.content.decode()
    assert not FeeStandard.objects.exists()
    data["document"] = str(document.pk)
    assert as_user("admin").post(url, data).status_code == 302
    assert FeeStandard.objects.get().amount == Decimal("3.5")
    response = as_user("admin").post(url, data)
    assert "必须晚于现行标准" in response.content.decode()


def test_the_company_is_told_it_may_only_propose_and_its_proposal_is_adopted(
    as_user, world, decision_factory
):
    url = reverse("fees:standard_new", args=[world.estate_a1.pk])
    page = as_user("staff_x").get(url).content.decode()
    assert "物业服务企业不能自行设定或调整收费标准" in page
    data = {
        "kind": "property_residential",
        "amount": "1.80",
        "unit": "yuan_m2_month",
        "effective_from": "2026-12-06",
        "basis": "owners_assembly",
        "basis_reference": "无",
    }
    refused = as_user("staff_x").post(url, data)
    assert refused.status_code == 200 and "贵公司可以提出收费标准建议" in refused.content.decode()
    assert not FeeStandard.objects.exists()
    proposed = as_user("staff_x").post(
        reverse("fees:proposal_new", args=[world.estate_a1.pk]),
        {**data, "effective_from": "2027-01-01", "reasons": "人工成本上涨,四保服务已提升。"},
    )
    assert proposed.status_code == 302
    proposal = FeeProposal.objects.get()
    decision = decision_factory(matter=4)
    estate_page = as_user("oc_a1").get(reverse("fees:estate", args=[world.estate_a1.pk])).content.decode()
    assert f"?proposal={proposal.pk}" in estate_page and "人工成本上涨" in estate_page
    adopt = as_user("oc_a1").post(
        f"{url}?proposal={proposal.pk}",
        {**data, "effective_from": "2027-01-01", "decision": str(decision.pk), "basis_reference": ""},
    )
    assert adopt.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "adopted" and proposal.standard.basis_decision == decision
    shown = as_user("oc_a1").get(reverse("fees:estate", args=[world.estate_a1.pk])).content.decode()
    assert f'href="/decide/{decision.pk}/"' in shown


def test_import_page_dry_run_then_import(as_user, world):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "收缴数据"
    sheet.append(["小区编号", "小区名称", "月份", "应收金额（元）", "实收金额（元）"])
    sheet.append([world.estate_a1.pk, "甲一小区", _month(1), 100, "88.00"])
    buffer = io.BytesIO()
    book.save(buffer)

    def upload(**extra):
        f = io.BytesIO(buffer.getvalue())
        f.name = "收缴.xlsx"
        return as_user("staff_x").post(reverse("fees:import"), {"file": f, **extra})

    checked = upload(dry_run="on")
    assert checked.status_code == 200 and checked.context["result"] == {"count": 1, "dry_run": True}
    assert not MonthlyCollection.objects.exists()
    assert upload().status_code == 302
    assert MonthlyCollection.objects.get().amount_collected == Decimal("88.00")
    again = upload()
    assert "已经登记过" in again.content.decode()


def test_the_street_admin_records_a_price_document_for_the_estates_under_guided_pricing(as_user, world):
    from gongzhi.fees.models import PriceDocument

    url = reverse("fees:price_documents")
    data = {
        "issuer": "区发展改革委",
        "number": "浦价〔2020〕7号",
        "title": "售后公房小区物业服务收费标准",
        "issued_on": "2020-03-01",
        "kind": "property_residential",
        "unit": "yuan_m2_month",
        "level": "二级",
        "low": "0.90",
        "high": "0.55",
        "estates": [str(world.estate_b1.pk), "99999999999999999999"],
    }
    refused = as_user("admin").post(url, data)
    assert refused.status_code == 200 and not PriceDocument.objects.exists()
    data["estates"] = [str(world.estate_b1.pk)]
    refused = as_user("admin").post(url, data)
    assert "指导价上限不能低于下限" in refused.content.decode() and not PriceDocument.objects.exists()
    data.update(low="0.55", high="0.90")
    assert as_user("admin").post(url, data).status_code == 302
    document = PriceDocument.objects.get()
    assert list(document.estates.all()) == [world.estate_b1] and document.range_text == "0.55–0.90 元/m²/月"
    page = as_user("admin").get(url).content.decode()
    assert "浦价〔2020〕7号" in page and "乙一小区" in page
    assert as_user("other_admin").get(url).context["documents"] == []  # another street's admin sees none
