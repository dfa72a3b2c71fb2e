"""The disclosure book cannot disagree with the chain (issue 11, hole 4): every figure of the book — the phone
page, the PDF and /api/v1/disclosure/ — is read from the chain in seq order and ends at its head, so a
late-posted entry carrying an earlier date can never drop out of the book while ``ledger verify`` passes."""

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.pdf import pdf_text
from gongzhi.core.templatetags.gongzhi_format import money
from gongzhi.disclosure import selectors
from gongzhi.fees.rules import month_add, month_start
from gongzhi.finance.models import LedgerEntry
from gongzhi.finance.rules import verify_lines
from gongzhi.finance.selectors import ledger_lines
from gongzhi.finance.services import ledger_post, ledger_reverse

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def chain_world(world):
    """Fund and public income of estate A1 with entries before the 12-month period, in it, and one posted
    last but dated before the period began (allowed: nothing has been disclosed yet)."""
    today = timezone.localdate()
    start = month_add(month_start(today), -11)
    oc = world.user("oc_a1")

    def post(ledger, day, direction, amount, summary="记账"):
        return ledger_post(
            actor=oc,
            estate=world.estate_a1,
            ledger=ledger,
            date=day,
            direction=direction,
            amount=amount,
            summary=summary,
        )

    fund, income = "maintenance_fund", "public_income"
    post(fund, start - dt.timedelta(days=60), "in", "10000.00", "首期归集")
    post(fund, start + dt.timedelta(days=3), "in", "400.00", "利息")
    wrong = post(fund, start + dt.timedelta(days=30), "out", "900.00", "水泵维修")
    post(fund, today - dt.timedelta(days=3), "out", "250.00", "屋面修补")
    ledger_reverse(actor=oc, entry=wrong, reason="发票作废")
    post(fund, start - dt.timedelta(days=20), "out", "1234.56", "补记:去年的电梯检测费")  # back-dated, last
    post(income, start - dt.timedelta(days=5), "in", "800.00", "停车收益")
    post(income, start - dt.timedelta(days=1), "in", "77.70", "补记:广告收益")
    return world


def _head(estate, ledger) -> str:
    last = LedgerEntry.objects.chain(estate.pk, ledger).last()
    return str(last.balance) if last else "0.00"


def _verified_balance(estate, ledger) -> str:
    result = verify_lines(json.dumps(line) for line in ledger_lines(estate.pk, ledger))
    assert result.ok, result.message
    return result.balance


@pytest.mark.parametrize("months", [6, 12, 24])
def test_book_page_pdf_api_and_chain_end_at_the_same_balance(client, as_user, chain_world, months):
    estate = chain_world.estate_a1
    data = selectors.book(estate, months=months)
    api = as_user("owner_a1").get(f"/api/v1/disclosure/{estate.pk}", {"months": months}).json()
    page = client.get(reverse("book:estate", args=[estate.pk]), {"months": months}).content.decode()
    # the PDF as an office user renders it on demand (a visitor's is queued for the worker)
    office = as_user("admin")
    pdf = pdf_text(office.get(reverse("book:pdf", args=[estate.pk]), {"months": months}).content)
    for ledger, period in (("maintenance_fund", data["fund"]), ("public_income", data["income"])):
        head = _head(estate, ledger)
        assert str(period.closing) == head == _verified_balance(estate, ledger), (ledger, months)
        assert period.opening + period.income - period.expense == period.closing
        assert api[ledger]["closing"] == head
        assert (api[ledger]["opening"], api[ledger]["income"], api[ledger]["expense"]) == (
            str(period.opening),
            str(period.income),
            str(period.expense),
        )
        shown = money(head)  # the page and the PDF write money with thousands separators: 8,915.44
        assert shown in page and shown in pdf, (shown, ledger)
    # Known answers: the fund ends at 10000 + 400 − 900 − 250 + 900 − 1234.56.
    assert _head(estate, "maintenance_fund") == "8915.44"
    assert _head(estate, "public_income") == "877.70"


def test_the_twelve_month_book_of_the_fund_by_hand(chain_world):
    fund = selectors.book(chain_world.estate_a1, months=12)["fund"]
    # Before the period: the first deposit only. In it, in chain order: 400 in, 900 out, 250 out, the
    # reversal 900 in, and the entry posted last though dated before the period, 1234.56 out.
    assert (fund.opening, fund.income, fund.expense, fund.closing) == (
        D("10000.00"),
        D("1300.00"),
        D("2384.56"),
        D("8915.44"),
    )
    assert [e["seq"] for e in fund.entries] == [2, 3, 4, 5, 6]
    assert fund.head["seq"] == 6 and fund.count == 6


def test_a_book_for_an_earlier_day_ends_at_that_days_chain_position(chain_world):
    today = timezone.localdate()
    fund = selectors.book(chain_world.estate_a1, months=12, today=today - dt.timedelta(days=10))["fund"]
    # Entries dated after that day (seq 4 and the reversal dated today) are not in that book yet; the
    # figures still add up and end at an entry of the chain (seq 3's balance).
    assert (
        fund.closing
        == LedgerEntry.objects.get(estate=chain_world.estate_a1, ledger="maintenance_fund", seq=3).balance
    )
    assert fund.opening + fund.income - fund.expense == fund.closing


def test_verify_database_agrees(chain_world):
    out = io.StringIO()
    call_command("ledger", "verify", "--database", stdout=out)
    assert "共校验 2 本账" in out.getvalue()
