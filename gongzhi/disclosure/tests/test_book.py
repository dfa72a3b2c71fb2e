"""The disclosure book: known period totals from posted ledgers, the public page (no login, nothing personal),
the PDF (every Chinese section heading, the same amounts) and the period selector."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.pdf import pdf_text
from gongzhi.disclosure import selectors
from gongzhi.disclosure.services import estate_rules_create, major_matter_create, service_content_set
from gongzhi.fees.rules import month_add, month_start
from gongzhi.fees.services import fee_standard_create
from gongzhi.fees.tests.conftest import guided_pricing
from gongzhi.finance.services import ledger_post, ledger_reverse

pytestmark = pytest.mark.django_db
D = Decimal

HEADINGS = [
    "业委会基本情况",
    "物业服务企业基本情况",
    "小区重大事项",
    "专项维修资金收支情况",
    "公共收益收支情况",
    "“四保”服务内容",
    "物业收费标准",
    "停车收费标准",
    "物业费收支情况",
    "物业服务合同",
    "管理规约与业主大会议事规则",
    "账本核对",
]


@pytest.fixture
def book_world(world):
    """Estate A1 with ledgers whose period figures are known by hand (period: the last 12 months)."""
    today = timezone.localdate()
    start = month_add(month_start(today), -11)
    oc, staff = world.user("oc_a1"), world.user("staff_x")
    a1 = world.estate_a1

    def post(user, ledger, day, direction, amount, summary, **extra):
        return ledger_post(
            actor=user,
            estate=a1,
            ledger=ledger,
            date=day,
            direction=direction,
            amount=amount,
            summary=summary,
            **extra,
        )

    fund = "maintenance_fund"
    post(oc, fund, start - dt.timedelta(days=10), "in", "10000.00", "首期归集", category="首期归集")  # before
    post(oc, fund, start + dt.timedelta(days=5), "in", "500.00", "利息", category="利息")
    post(
        oc,
        fund,
        start + dt.timedelta(days=40),
        "out",
        "3000.00",
        "屋面防水维修",
        category="维修使用",
        project="3号楼屋面防水",
        counterparty="恒固建筑工程有限公司",
        reference="业决〔2025〕3号",
    )
    post(oc, fund, today - dt.timedelta(days=2), "out", "200.00", "水泵维修", category="维修使用")
    income = "public_income"
    post(oc, income, start + dt.timedelta(days=3), "in", "1200.00", "停车收益", category="停车收益")
    advert = post(oc, income, start + dt.timedelta(days=4), "in", "300.00", "广告收益", category="广告收益")
    ledger_reverse(actor=oc, entry=advert, reason="重复登记")
    post(oc, income, start + dt.timedelta(days=20), "out", "100.00", "社区公益支出", category="公益")
    fee = "property_fee"
    post(staff, fee, start + dt.timedelta(days=6), "in", "5000.00", "物业费收入", category="物业费收入")
    post(staff, fee, start + dt.timedelta(days=7), "out", "1500.00", "保洁支出", category="保洁")
    major_matter_create(
        actor=oc,
        estate=a1,
        date=today - dt.timedelta(days=1),
        title="非机动车充电棚建设",
        body="新建充电棚一处。",
        reference="业决〔2025〕5号",
    )
    estate_rules_create(
        actor=oc,
        estate=a1,
        kind="management_statute",
        adopted_on=dt.date(2020, 5, 1),
        summary="业主应当遵守本规约。",
    )
    service_content_set(
        actor=staff,
        estate=a1,
        service="cleaning",
        standard="楼道每周清扫两次。",
        staffing=4,
        hours="每日 6:00–18:00",
    )
    fee_standard_create(
        actor=world.user("oc_a1"),
        estate=a1,
        kind="property_residential",
        amount="0.80",
        unit="yuan_m2_month",
        effective_from=world.contract_a1.start_date,
        basis="contract",
        basis_contract=world.contract_a1,
    )
    fee_standard_create(
        actor=world.user("admin"),
        estate=a1,
        kind="parking_monthly",
        label="地面车位",
        amount="150",
        unit="yuan_month",
        effective_from=dt.date(2024, 1, 1),
        basis="price_bureau",
        basis_document=guided_pricing(
            world, kind="parking_monthly", unit="yuan_month", low="100", high="200"
        ),
    )
    return world


def test_period_figures_are_the_ledger_totals(book_world):
    data = selectors.book(book_world.estate_a1)
    fund, income, fee = data["fund"], data["income"], data["fee"]
    assert (fund.opening, fund.income, fund.expense, fund.closing) == (
        D("10000.00"),
        D("500.00"),
        D("3200.00"),
        D("7300.00"),
    )
    assert [(u["project"], u["amount"], u["reference"]) for u in fund.uses] == [
        ("3号楼屋面防水", D("3000.00"), "业决〔2025〕3号"),
        ("", D("200.00"), ""),
    ]
    # The reversed advertising income is not income by source; the posted totals still balance.
    assert (income.opening, income.income, income.expense, income.closing) == (
        D("0.00"),
        D("1500.00"),
        D("400.00"),
        D("1100.00"),
    )
    assert data["income_sources"] == [("停车收益", D("1200.00"))]
    assert [u["summary"] for u in income.uses] == ["社区公益支出"]
    assert (fee.income, fee.expense, fee.closing) == (D("5000.00"), D("1500.00"), D("3500.00"))
    assert data["fee_expense"] == [("保洁", D("1500.00"))]
    assert fund.head["seq"] == 4 and len(fund.head["hash"]) == 64
    assert [s.kind for s in data["parking_standards"]] == ["parking_monthly"]
    assert [s.kind for s in data["property_standards"]] == ["property_residential"]


def test_a_half_year_period_moves_the_opening_balance(book_world):
    data = selectors.book(book_world.estate_a1, months=6)
    fund = data["fund"]
    assert data["start"] == month_add(month_start(timezone.localdate()), -5)
    assert fund.opening + fund.income - fund.expense == fund.closing == D("7300.00")


def test_public_page_needs_no_login_and_shows_nothing_personal(client, book_world):
    response = client.get(reverse("book:estate", args=[book_world.estate_a1.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for heading in HEADINGS:
        assert heading in html, heading
    assert "7,300.00" in html and "业决〔2025〕3号" in html
    assert "13900001111" not in html and "139****1111" in html  # the committee director's phone, masked
    for personal in ("业主A11", "13800000001", "甲一业委会", "星河物业员工"):  # owners, posters
        assert personal not in html
    assert reverse("book:pdf", args=[book_world.estate_a1.pk]) in html
    assert 'data-chart="chart-fund"' in html and 'id="chart-income"' in html
    # Each standard shows its checked basis: the committee's contract, the price document and its range.
    assert "业委会受业主委托签订" in html and "星河物业" in html
    assert "浦价〔2000〕park号" in html and "100.00–200.00 元/月" in html


def test_unknown_estate_and_bad_period(client, world):
    assert client.get(reverse("book:estate", args=[999999])).status_code == 404
    assert client.get(reverse("book:pdf", args=[999999])).status_code == 404
    ok = client.get(reverse("book:estate", args=[world.estate_a1.pk]), {"months": "abc"})
    assert ok.status_code == 200 and ok.context["months"] == 12


def test_pdf_has_every_heading_and_the_ledger_amounts(as_user, book_world):
    # An office user's request renders on demand; a visitor's is queued (test_book_pdf_cache.py).
    response = as_user("admin").get(reverse("book:pdf", args=[book_world.estate_a1.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    squeezed = "".join(text.split())
    for heading in HEADINGS:
        assert heading in squeezed, heading
    # Money with thousands separators, as on every page (issue 15).
    for amount in ("10,000.00", "3,200.00", "7,300.00", "1,200.00", "5,000.00", "1,500.00"):
        assert amount in text, amount
    assert "13900001111" not in text and "139****1111" in text
    assert book_world.estate_a1.name in text
    fund_hash = selectors.book(book_world.estate_a1)["fund"].head["hash"]
    assert fund_hash in squeezed
    assert "业委会受业主委托签订" in squeezed and "浦价〔2000〕park号" in squeezed


def test_book_of_an_estate_without_records_still_renders(as_user, world):
    response = as_user("admin").get(reverse("book:pdf", args=[world.estate_a2.pk]))
    text = "".join(pdf_text(response.content).split())
    assert "本期无重大事项" in text and "尚未公示" in text and "物业公司尚未公示" in text


def test_public_page_query_count_is_bounded(client, book_world, django_assert_max_num_queries):
    with django_assert_max_num_queries(25):
        client.get(reverse("book:estate", args=[book_world.estate_a1.pk]))
