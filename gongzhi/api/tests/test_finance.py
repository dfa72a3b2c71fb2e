"""The finance endpoints (账本 · 收费 · 公示本): a permission matrix by hand for every path × persona, the
§6 shape of entries, paging and date filters, writes through the services with their Chinese refusals, and
the OpenAPI schema naming them. Expected answers (docs/DESIGN.md §3, §4.4):

- Ledger, standard and collection reads: office users who see the estate in full (street, area branch,
  owners' committee, managing company); the evaluator, owners and the role-less 403; other estates 404.
- Posting: the owners' ledgers by A1's owners' committee and the street admin, the fee account by company X;
  other readers 403. Monthly collection: company X and the street admin.
- The disclosure-book summary: any authenticated caller (the book is public on the web); 404 if no estate.
"""

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.api.tests.conftest import API
from gongzhi.core.testing import PERSONAS
from gongzhi.finance.models import LedgerEntry
from gongzhi.finance.services import ledger_post

pytestmark = pytest.mark.django_db

FINANCE_GET_PATHS = {
    "/ledgers/{estate_id}/{ledger}/entries",
    "/ledgers/{estate_id}/{ledger}/head",
    "/fees/{estate_id}/standards",
    "/fees/{estate_id}/collections",
    "/disclosure/{estate_id}",
}
EVERYONE = set(PERSONAS)
READERS = EVERYONE - {"owner_a1", "outsider", "evaluator_b1"}
SEES_A1 = {"admin", "leader", "secretary_a", "member_a", "oc_a1", "staff_x"}


def a1_status(persona: str, allowed: set[str]) -> int:
    if persona not in READERS:
        return 403
    if persona not in SEES_A1:
        return 404
    return 200 if persona in allowed else 403


@pytest.fixture
def posted(world):
    day = timezone.localdate() - dt.timedelta(days=20)
    for amount in ("1000.00", "250.50"):
        ledger_post(
            actor=world.user("oc_a1"),
            estate=world.estate_a1,
            ledger="maintenance_fund",
            date=day,
            direction="in",
            amount=amount,
            summary="续筹",
        )
    ledger_post(
        actor=world.user("oc_a1"),
        estate=world.estate_a1,
        ledger="maintenance_fund",
        date=day + dt.timedelta(days=5),
        direction="out",
        amount="200.00",
        summary="维修",
        reference="业决〔2025〕1号",
    )
    return world


def test_finance_paths_are_the_ones_in_the_schema():
    from gongzhi.api.urls import api as ninja_api

    paths = {
        p.removeprefix(API) for p, ops in ninja_api.get_openapi_schema()["paths"].items() if "get" in ops
    }
    finance = {p for p in paths if p.startswith(("/ledgers", "/fees", "/disclosure"))}
    assert finance == FINANCE_GET_PATHS


@pytest.mark.parametrize("persona", PERSONAS)
def test_read_matrix(posted, api, persona):
    client = api(persona)
    a1, a2 = posted.estate_a1.pk, posted.estate_a2.pk
    expected = a1_status(persona, SEES_A1)
    for path in (
        f"/ledgers/{a1}/maintenance_fund/entries",
        f"/ledgers/{a1}/property_fee/head",
        f"/fees/{a1}/standards",
        f"/fees/{a1}/collections",
    ):
        assert client.get(path).status_code == expected, (persona, path)
    other = client.get(f"/ledgers/{posted.other_estate.pk}/maintenance_fund/entries").status_code
    assert other == (403 if persona not in READERS else (200 if persona == "other_admin" else 404))
    unknown = client.get(f"/ledgers/{a1}/no_such_ledger/head").status_code
    assert unknown == (404 if expected == 200 else expected)
    a2_status = client.get(f"/fees/{a2}/standards").status_code
    seers_a2 = {"admin", "leader", "secretary_a", "member_a"}
    assert a2_status == (403 if persona not in READERS else (200 if persona in seers_a2 else 404))
    assert client.get(f"/disclosure/{a1}").status_code == 200
    assert client.get("/disclosure/999999").status_code == 404


def test_anonymous_gets_401_everywhere(posted, anonymous):
    a1 = posted.estate_a1.pk
    for path in (f"/ledgers/{a1}/maintenance_fund/entries", f"/fees/{a1}/standards", f"/disclosure/{a1}"):
        assert anonymous.get(path).status_code == 401


@pytest.mark.parametrize("persona", PERSONAS)
def test_post_matrix(world, api, persona):
    client = api(persona)
    a1 = world.estate_a1.pk
    day = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    body = {"date": day, "direction": "in", "amount": "100.00", "summary": "停车收益"}
    fund = client.post(f"/ledgers/{a1}/public_income/entries", body)
    fee = client.post(f"/ledgers/{a1}/property_fee/entries", body)
    month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    collection = client.post(
        f"/fees/{a1}/collections", {"month": month, "amount_billed": "100.00", "amount_collected": "90.00"}
    )
    assert fund.status_code == {200: 201}.get(
        a1_status(persona, {"admin", "oc_a1"}), a1_status(persona, {"admin", "oc_a1"})
    )
    assert fee.status_code == {200: 201}.get(a1_status(persona, {"staff_x"}), a1_status(persona, {"staff_x"}))
    keepers = {"admin", "staff_x"}
    assert collection.status_code == {200: 201}.get(a1_status(persona, keepers), a1_status(persona, keepers))


def test_entries_have_the_section_6_fields_paging_and_date_filter(posted, api):
    client = api("secretary_a")
    a1 = posted.estate_a1.pk
    body = client.get(f"/ledgers/{a1}/maintenance_fund/entries", {"limit": 2}).json()
    assert body["count"] == 3 and [e["seq"] for e in body["items"]] == [1, 2]
    first = body["items"][0]
    assert first["amount"] == "1000.00" and first["prev_hash"] == "0" * 64 and first["estate"] == str(a1)
    assert body["items"][1]["balance"] == "1250.50"
    later = timezone.localdate() - dt.timedelta(days=16)
    filtered = client.get(f"/ledgers/{a1}/maintenance_fund/entries", {"date_from": later.isoformat()}).json()
    assert [e["seq"] for e in filtered["items"]] == [3]
    head = client.get(f"/ledgers/{a1}/maintenance_fund/head").json()
    assert head["seq"] == 3 and head["balance"] == "1050.50"
    assert head["hash"] == LedgerEntry.objects.get(estate_id=a1, ledger="maintenance_fund", seq=3).hash


def test_bad_postings_get_400_with_the_chinese_message_and_write_nothing(world, api):
    client = api("oc_a1")
    a1 = world.estate_a1.pk
    day = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    cases = [
        ({"date": day, "direction": "out", "amount": "5.00", "summary": "x"}, "余额不能为负"),
        ({"date": tomorrow, "direction": "in", "amount": "5.00", "summary": "x"}, "日期不能晚于今天"),
        ({"date": day, "direction": "in", "amount": "-5", "summary": "x"}, ""),
        ({"date": day, "direction": "sideways", "amount": "5.00", "summary": "x"}, "收支方向"),
    ]
    for body, message in cases:
        response = client.post(f"/ledgers/{a1}/maintenance_fund/entries", body)
        assert response.status_code == 400, body
        assert message in response.json()["detail"]
    assert client.post(f"/ledgers/{a1}/maintenance_fund/entries", {"date": "x"}).status_code == 422
    assert not LedgerEntry.objects.exists()


def test_collection_write_and_read_back(world, api):
    client = api("staff_x")
    a1 = world.estate_a1.pk
    month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    body = {"month": month, "amount_billed": "200.00", "amount_collected": "170.47"}
    created = client.post(f"/fees/{a1}/collections", body)
    assert created.status_code == 201 and created.json()["rate"] == "85.24"
    again = client.post(f"/fees/{a1}/collections", body)
    assert again.status_code == 400 and "已经登记过" in again.json()["detail"]
    too_much = client.post(f"/fees/{a1}/collections", {**body, "amount_collected": "300", "replace": True})
    assert too_much.status_code == 400 and "超过应收金额" in too_much.json()["detail"]
    listed = client.get(f"/fees/{a1}/collections").json()
    assert listed["count"] == 1 and listed["items"][0]["amount_collected"] == "170.47"


def test_disclosure_summary_matches_the_ledger(posted, api):
    body = api("owner_a1").get(f"/disclosure/{posted.estate_a1.pk}").json()
    fund = body["maintenance_fund"]
    assert (fund["opening"], fund["income"], fund["expense"], fund["closing"]) == (
        "0.00",
        "1250.50",
        "200.00",
        "1050.50",
    )
    assert fund["latest_hash"] == LedgerEntry.objects.get(estate=posted.estate_a1, seq=3).hash
    assert body["fund_uses"] == 1 and body["company"]["name"] == "星河物业"


def test_list_endpoints_have_bounded_queries(posted, api, django_assert_max_num_queries):
    client = api("admin")
    a1 = posted.estate_a1.pk
    client.get("/me")
    with django_assert_max_num_queries(12):
        assert client.get(f"/ledgers/{a1}/maintenance_fund/entries", {"limit": 200}).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(f"/fees/{a1}/collections").status_code == 200


def test_a_standard_reads_with_its_checked_basis(world, api):
    from gongzhi.fees.services import fee_standard_create
    from gongzhi.fees.tests.conftest import guided_pricing

    fee_standard_create(
        actor=world.user("oc_a1"),
        estate=world.estate_a1,
        kind="property_residential",
        amount="0.80",
        unit="yuan_m2_month",
        effective_from=world.contract_a1.start_date,
        basis="contract",
        basis_contract=world.contract_a1,
    )
    fee_standard_create(
        actor=world.user("admin"),
        estate=world.estate_a1,
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
    rows = {row["kind"]: row for row in api("oc_a1").get(f"/fees/{world.estate_a1.pk}/standards").json()}
    contract, parking = rows["property_residential"], rows["parking_monthly"]
    assert (contract["basis"], contract["basis_contract"], contract["basis_checked"]) == (
        "contract",
        world.contract_a1.pk,
        True,
    )
    assert contract["basis_decision"] is None and contract["basis_document"] is None
    assert parking["basis_document"]["level"] == "二级"
    assert (parking["basis_document"]["low"], parking["basis_document"]["high"]) == ("100.0000", "200.0000")
