"""The ledger pages through HTTP: office posting and reversal per role, the street admin's chain check,
the public page and its downloads (verified by the command and by the script the page shows)."""

from __future__ import annotations

import html
import io
import json
import re
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongzhi.finance.models import LedgerEntry
from gongzhi.finance.tests.test_ledger import drop_triggers
from gongzhi.finance.views.public import VERIFY_SCRIPT


def estate_url(world, ledger="maintenance_fund"):
    return reverse("finance:estate", args=[world.estate_a1.pk]) + f"?ledger={ledger}"


def post_url(world, ledger="maintenance_fund"):
    return reverse("finance:post", args=[world.estate_a1.pk, ledger])


def form(day, **overrides):
    data = {"date": day.isoformat(), "direction": "in", "amount": "1200.50", "summary": "维修资金续筹"}
    data.update(overrides)
    return data


def test_oc_posts_to_the_fund(as_user, world, day):
    client = as_user("oc_a1")
    page = client.get(estate_url(world))
    assert page.status_code == 200
    assert post_url(world) in page.text
    response = client.post(post_url(world), form(day, reference="业主大会决定2026-3", project="屋面防水"))
    assert response.status_code == 302
    assert response["Location"] == estate_url(world)
    entry = LedgerEntry.objects.get(estate=world.estate_a1, ledger="maintenance_fund")
    assert (entry.seq, str(entry.amount), entry.reference, entry.posted_by) == (
        1,
        "1200.50",
        "业主大会决定2026-3",
        world.user("oc_a1"),
    )
    page = client.get(estate_url(world))
    assert "已入账第 1 条" in page.text
    assert entry.hash in page.text and "1200.50" in page.text and "屋面防水" in page.text


def test_staff_cannot_post_to_the_fund_but_keeps_the_fee_account(as_user, world, day):
    client = as_user("staff_x")
    page = client.get(estate_url(world))
    assert page.status_code == 200
    assert post_url(world) not in page.text and "登记一笔" not in page.text
    assert client.post(post_url(world), form(day)).status_code == 403
    assert not LedgerEntry.objects.exists()

    page = client.get(estate_url(world, "property_fee"))
    assert post_url(world, "property_fee") in page.text
    response = client.post(post_url(world, "property_fee"), form(day, summary="3月物业费收入"))
    assert response.status_code == 302
    assert LedgerEntry.objects.get().ledger == "property_fee"


@pytest.mark.parametrize(
    ("amount", "direction", "message"),
    [
        ("abc", "in", "不是有效的数字"),
        ("-5", "in", "金额必须大于零"),
        ("0", "in", "金额必须大于零"),
        ("1.234", "in", "最多保留两位小数"),
        ("10.00", "out", "余额不能为负"),
    ],
)
def test_bad_amount_gives_a_chinese_error_and_writes_nothing(as_user, world, day, amount, direction, message):
    client = as_user("oc_a1")
    response = client.post(post_url(world), form(day, amount=amount, direction=direction))
    assert response.status_code == 200
    assert message in response.text
    assert 'class="errorlist"' in response.text
    assert not LedgerEntry.objects.exists()


def test_future_date_and_empty_summary_are_refused(as_user, world, day):
    import datetime as dt

    client = as_user("oc_a1")
    future = day + dt.timedelta(days=400)
    assert "日期不能晚于今天" in client.post(post_url(world), form(future)).text
    assert client.post(post_url(world), form(day, summary="")).status_code == 200
    assert not LedgerEntry.objects.exists()


def test_reversal_through_the_page(as_user, world, post):
    original = post("in", "300.00", summary="停车费误记")
    client = as_user("oc_a1")
    url = reverse("finance:reverse", args=[original.pk])
    assert client.get(estate_url(world)).text.count(url) == 1

    response = client.post(url, {"reason": " "})
    assert response.status_code == 200
    assert "冲正必须写明原因" in response.text
    assert LedgerEntry.objects.count() == 1

    response = client.post(url, {"reason": "应记入公共收益"})
    assert response.status_code == 302
    reversal = LedgerEntry.objects.get(seq=2)
    assert (reversal.reverses, reversal.direction, str(reversal.balance)) == (original, "out", "0.00")
    page = client.get(estate_url(world)).text
    assert "已被第 2 条冲正" in page and "冲正第 1 条" in page
    assert url not in page  # reversed once only

    again = client.post(url, {"reason": "再来一次"})
    assert "已经冲正过" in again.text
    assert LedgerEntry.objects.count() == 2
    # A reader who may not post cannot reverse.
    assert as_user("leader").post(url, {"reason": "x"}).status_code == 403


def test_public_page_shows_balances_hashes_and_no_names(client, world, post):
    post("in", "5000.00", summary="首期归集")
    last = post("out", "1200.00", summary="屋面维修", counterparty="某某建设", project="3号楼屋面")
    post("in", "800.00", ledger="public_income", summary="广告收入", category="广告")
    post("in", "300.00", ledger="public_income", summary="停车收入", category="停车")
    response = client.get(reverse("ledgers:estate", args=[world.estate_a1.pk]))
    assert response.status_code == 200
    text = response.text
    assert last.hash in text and "3,800.00" in text and "1,100.00" in text
    assert 'data-chart="chart-fund"' in text and 'data-chart="chart-income"' in text
    assert "echarts" in text
    oc = world.user("oc_a1")
    assert oc.display_name not in text and oc.username not in text
    assert reverse("ledgers:download", args=[world.estate_a1.pk, "maintenance_fund"]) in text
    board = client.get(reverse("board:estate", args=[world.estate_a1.pk])).text
    assert reverse("ledgers:estate", args=[world.estate_a1.pk]) in board


def test_public_page_of_unknown_estate_and_ledger_is_404(client, world):
    assert client.get(reverse("ledgers:estate", args=[999999])).status_code == 404
    assert client.get(reverse("ledgers:download", args=[999999, "property_fee"])).status_code == 404
    assert client.get(reverse("ledgers:download", args=[world.estate_a1.pk, "nope"])).status_code == 404


def test_download_equals_export_and_verifies_with_command_and_page_script(client, world, post, tmp_path):
    post("in", "5000.00", summary="首期归集")
    entry = post("out", "1234.56", summary="电梯维修", reference="业主大会决定2026-1")
    from gongzhi.finance.services import ledger_reverse

    ledger_reverse(actor=world.user("oc_a1"), entry=entry, reason="金额有误")
    response = client.get(reverse("ledgers:download", args=[world.estate_a1.pk, "maintenance_fund"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-ndjson; charset=utf-8"
    assert f'filename="{world.estate_a1.pk}-maintenance_fund.jsonl"' in response["Content-Disposition"]
    exported = io.StringIO()
    call_command(
        "ledger",
        "export",
        "--estate",
        str(world.estate_a1.pk),
        "--ledger",
        "maintenance_fund",
        stdout=exported,
    )
    assert response.content.decode("utf-8") == exported.getvalue()
    assert [json.loads(line)["seq"] for line in response.content.decode().splitlines()] == [1, 2, 3]

    path = tmp_path / "fund.jsonl"
    path.write_bytes(response.content)
    out = io.StringIO()
    call_command("ledger", "verify", str(path), stdout=out)
    assert "链完整：共 3 条" in out.getvalue()

    page = client.get(reverse("ledgers:estate", args=[world.estate_a1.pk])).text
    shown = html.unescape(re.search(r'<code id="verify-script">(.*?)</code>', page, re.S).group(1))
    assert shown == VERIFY_SCRIPT
    assert len(shown.strip().splitlines()) <= 25
    script = tmp_path / "verify.py"
    script.write_text(shown, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, str(script), str(path)], capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("OK 3 5000.00 ")

    # The same script catches a changed amount.
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace('"amount":"1234.56"', '"amount":"234.56"')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, str(script), str(path)], capture_output=True, text=True, check=False
    )
    assert run.returncode != 0 and "seq 2" in run.stderr


def test_index_lists_balances_and_shows_a_tampered_chain_to_the_street_admin(as_user, world, post):
    for _ in range(3):
        post("in", "10.00")
    post("in", "7.00", ledger="public_income")
    index = reverse("finance:index")
    check = reverse("finance:chain_check")
    page = as_user("admin").get(index).text
    # The list comes at once; the check of every chain follows in its own request (htmx).
    assert "30.00" in page and "甲一小区" in page
    assert f'hx-get="{check}" hx-trigger="load"' in page and "链完整" not in page
    panel = as_user("admin").get(check).text
    assert "链完整：共校验 2 本账。" in panel and 'class="chain-broken"' not in panel
    assert "链完整：共校验 2 本账。" in as_user("admin").get(index + "?check=1").text  # without JavaScript

    drop_triggers()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE finance_ledgerentry SET amount = 1 WHERE estate_id = %s AND ledger = %s AND seq = 2",
            [world.estate_a1.pk, "maintenance_fund"],
        )
    for page in (as_user("admin").get(check).text, as_user("admin").get(index + "?check=1").text):
        assert "共 2 本账，其中 1 本链条不完整。" in page
        assert re.search(r'class="chain-broken"><a [^>]+>甲一小区 · 专项维修资金</a>:[^<]*seq=2', page)
    # The chain check is the street admin's; others see the balances only.
    page = as_user("secretary_a").get(index + "?check=1").text
    assert "哈希链校验" not in page and "甲一小区" in page
    assert as_user("secretary_a").get(check).status_code == 403
    # Another street's admin neither sees this street's estates nor its broken chain.
    page = as_user("other_admin").get(index).text
    assert "甲一小区" not in page
    assert "链完整：共校验 0 本账。" in as_user("other_admin").get(check).text


def test_index_lists_only_the_users_estates(as_user, world, post):
    page = as_user("oc_a1").get(reverse("finance:index")).text
    assert "甲一小区" in page and "甲二小区" not in page and "乙一小区" not in page
    page = as_user("staff_x").get(reverse("finance:index")).text
    assert "甲一小区" in page and "乙一小区" in page and "甲二小区" not in page


def test_nav_entry_for_ledger_readers_only(as_user, world):
    assert reverse("finance:index") in as_user("oc_a1").get(reverse("inbox")).text
    assert reverse("finance:index") not in as_user("evaluator_b1").get(reverse("inbox")).text


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_queries_are_bounded_and_pages_paginate(as_user, client, world, post):
    for _ in range(3):
        post("in", "10.00")
        post("in", "10.00", ledger="public_income", category="停车")
    admin = as_user("admin")
    urls = [
        estate_url(world),
        reverse("finance:index"),
    ]
    public = reverse("ledgers:estate", args=[world.estate_a1.pk])
    small = [_count(admin, url) for url in urls]
    small_public = _count(client.__class__(), public)
    for _ in range(57):
        post("in", "10.00")
        post("in", "10.00", ledger="public_income", category="广告")
    large = [_count(admin, url) for url in urls]
    assert large == small
    assert _count(client.__class__(), public) == small_public
    assert max(large) <= 25 and small_public <= 12

    page = admin.get(estate_url(world)).text
    assert "第 1 / 2 页" in page and "&amp;page=2" in page
    second = admin.get(estate_url(world) + "&page=2").text
    assert 'id="entry-10"' in second and 'id="entry-60"' not in second


def test_the_ledger_list_is_in_pinyin_order(as_user, world):
    """甲 (jia) before 乙 (yi), though 乙 (U+4E59) has the lower code point: areas and estates as a clerk
    reads them (core/ordering.pinyin_order)."""
    page = as_user("admin").get(reverse("finance:index")).text
    table = page[page.index("<tbody>") :]
    assert max(table.index("甲一小区"), table.index("甲二小区")) < table.index("乙一小区")
