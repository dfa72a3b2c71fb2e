"""Disclosure schedule and money-rule alerts through the services and selectors, with known dates and
amounts at the bounds of docs/DESIGN.md §5; evidence uploads; the daily ``finance_check``."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from PIL import Image

from gongzhi.core.models import AuditEvent, Notification
from gongzhi.finance.models import Disclosure, DisclosureSchedule, FinanceNotice, FundUseEvidence
from gongzhi.finance.rules import LedgerError
from gongzhi.finance.selectors import AlertKind, disclosure_status, money_alerts
from gongzhi.finance.services import (
    disclosure_record,
    disclosure_schedule_set,
    evidence_attach,
    finance_check_run,
    finance_profile_update,
    ledger_reverse,
)

D = dt.date
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def pdf(name="审价报告.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def png(name="决定.png"):
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def kinds(alerts):
    return sorted(a.kind for a in alerts)


# ---- disclosure schedule ------------------------------------------------------------------------------


def test_never_disclosed_ledger_is_due_one_interval_after_its_first_entry(world, post):
    post("in", "100.00", ledger="public_income", date=D(2025, 1, 10))
    post("in", "100.00", ledger="public_income", date=D(2025, 3, 10))
    state = disclosure_status(estate_ids=[world.estate_a1.pk], today=D(2025, 4, 20))[
        world.estate_a1.pk, "public_income"
    ]
    assert (state.interval_months, state.first_entry, state.due_date) == (3, D(2025, 1, 10), D(2025, 4, 10))
    assert state.days_overdue == 10 and state.overdue
    empty = disclosure_status(estate_ids=[world.estate_a1.pk], today=D(2025, 4, 20))[
        world.estate_a1.pk, "property_fee"
    ]
    assert empty.due_date is None and not empty.overdue


def test_a_disclosure_moves_the_due_date_to_its_period_end_plus_the_interval(world, post):
    post("in", "100.00", date=D(2025, 1, 10))
    disclosure_record(
        actor=world.user("oc_a1"),
        estate=world.estate_a1,
        ledger="maintenance_fund",
        period_start=D(2025, 1, 1),
        period_end=D(2025, 6, 30),
        posted_on=D(2025, 7, 10),
        place="board",
        note="张贴于 1 号楼公示栏",
    )
    state = disclosure_status(estate_ids=[world.estate_a1.pk], today=D(2026, 1, 2))[
        world.estate_a1.pk, "maintenance_fund"
    ]
    assert (state.last_period_end, state.last_posted_on, state.due_date) == (
        D(2025, 6, 30),
        D(2025, 7, 10),
        D(2025, 12, 31),  # a half-year ending 30 Jun is followed by one ending 31 Dec (rules.period_end_add)
    )
    assert state.days_overdue == 2
    assert AuditEvent.objects.filter(object_type="finance.Disclosure").count() == 1


def test_the_street_admin_tightens_and_a_longer_interval_is_refused(world, post):
    post("in", "100.00", date=D(2025, 1, 10))
    disclosure_schedule_set(
        actor=world.user("admin"), estate=world.estate_a1, ledger="maintenance_fund", months=3
    )
    state = disclosure_status(estate_ids=[world.estate_a1.pk], today=D(2025, 4, 11))[
        world.estate_a1.pk, "maintenance_fund"
    ]
    assert (state.interval_months, state.due_date, state.days_overdue, state.tightened) == (
        3,
        D(2025, 4, 10),
        1,
        True,
    )
    with pytest.raises(LedgerError, match="只能缩短，不能延长"):
        disclosure_schedule_set(
            actor=world.user("admin"), estate=world.estate_a1, ledger="maintenance_fund", months=7
        )
    assert DisclosureSchedule.objects.get().interval_months == 3
    for persona in ("oc_a1", "leader", "staff_x"):
        with pytest.raises(PermissionDenied):
            disclosure_schedule_set(
                actor=world.user(persona), estate=world.estate_a1, ledger="public_income", months=1
            )
    # back to the legal interval: the override goes
    disclosure_schedule_set(
        actor=world.user("admin"), estate=world.estate_a1, ledger="maintenance_fund", months=6
    )
    assert not DisclosureSchedule.objects.exists()


def test_who_records_a_disclosure(world):
    today = timezone.localdate()
    args = {
        "period_start": today - dt.timedelta(days=100),
        "period_end": today - dt.timedelta(days=10),
        "posted_on": today - dt.timedelta(days=5),
        "place": "online",
    }
    disclosure_record(actor=world.user("staff_x"), estate=world.estate_a1, ledger="property_fee", **args)
    disclosure_record(actor=world.user("admin"), estate=world.estate_a1, ledger="property_fee", **args)
    disclosure_record(actor=world.user("admin"), estate=world.estate_a1, ledger="maintenance_fund", **args)
    for persona, ledger in (
        ("staff_x", "maintenance_fund"),
        ("oc_a1", "property_fee"),
        ("secretary_a", "public_income"),
    ):
        with pytest.raises(PermissionDenied):
            disclosure_record(actor=world.user(persona), estate=world.estate_a1, ledger=ledger, **args)
    assert Disclosure.objects.count() == 3


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"period_start": D(2025, 7, 1), "period_end": D(2025, 6, 30)}, "开始日期不能晚于结束日期"),
        ({"posted_on": D(2025, 6, 1)}, "不能早于公示期间的结束日期"),
        ({"posted_on": "tomorrow"}, "不能晚于今天"),
        ({"place": "wall"}, "请选择公示方式"),
    ],
)
def test_bad_disclosures_are_refused_in_chinese(world, change, message):
    args = {
        "period_start": D(2025, 1, 1),
        "period_end": D(2025, 6, 30),
        "posted_on": D(2025, 7, 5),
        "place": "board",
    }
    args.update(change)
    if args["posted_on"] == "tomorrow":
        args["posted_on"] = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(LedgerError, match=message):
        disclosure_record(
            actor=world.user("oc_a1"), estate=world.estate_a1, ledger="maintenance_fund", **args
        )
    assert not Disclosure.objects.exists()


def test_an_attachment_must_be_a_pdf_or_a_photo(world):
    args = {
        "period_start": D(2025, 1, 1),
        "period_end": D(2025, 6, 30),
        "posted_on": D(2025, 7, 5),
        "place": "board",
    }
    fake = SimpleUploadedFile("公示.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    with pytest.raises(LedgerError, match="既不是 PDF，也不是可识别的照片"):
        disclosure_record(
            actor=world.user("oc_a1"),
            estate=world.estate_a1,
            ledger="maintenance_fund",
            attachment=fake,
            **args,
        )
    photo = disclosure_record(
        actor=world.user("oc_a1"), estate=world.estate_a1, ledger="maintenance_fund", attachment=png(), **args
    )
    assert photo.attachment_type == "image/jpeg" and photo.attachment.read(3) == b"\xff\xd8\xff"


def test_disclosure_status_takes_three_queries_whatever_the_number_of_estates(
    world, post, django_assert_num_queries
):
    post("in", "100.00", date=D(2025, 1, 10))
    post("in", "100.00", estate=world.estate_b1, user="admin", date=D(2025, 1, 10))
    ids = [world.estate_a1.pk, world.estate_a2.pk, world.estate_b1.pk]
    with django_assert_num_queries(3):
        states = disclosure_status(estate_ids=ids, today=D(2025, 8, 1))
    assert len(states) == 9
    assert sum(1 for s in states.values() if s.overdue) == 2


# ---- the 30 % line ------------------------------------------------------------------------------------


def test_fund_at_exactly_30_percent_is_fine_and_one_cent_less_alerts(world, post):
    post("in", "10000.00", category="首期归集", date=D(2025, 1, 5))
    post("out", "7000.00", reference="业主大会决议 2025-01号", date=D(2025, 3, 1))
    low = [
        a
        for a in money_alerts(estate_ids=[world.estate_a1.pk], today=D(2025, 6, 1))
        if a.kind == AlertKind.LOW_FUND
    ]
    assert low == []
    post("out", "0.01", reference="业主大会决议 2025-02号", date=D(2025, 4, 1))
    (alert,) = [
        a
        for a in money_alerts(estate_ids=[world.estate_a1.pk], today=D(2025, 7, 5))
        if a.kind == AlertKind.LOW_FUND
    ]
    assert (alert.day, alert.due, alert.amount, alert.threshold) == (
        D(2025, 4, 1),
        D(2025, 6, 30),
        Decimal("2999.99"),
        Decimal("3000.00"),
    )
    assert alert.days_overdue == 5
    assert "2999.99" in alert.detail and "应于 2025-06-30 前续筹" in alert.detail


def test_the_profile_initial_amount_overrides_the_first_deposit(world, post):
    post("in", "10000.00", category="首期归集", date=D(2025, 1, 5))
    post("out", "6000.00", reference="决议", date=D(2025, 3, 1))  # 4000 left: 40 % of 10000
    assert not [a for a in money_alerts(estate_ids=[world.estate_a1.pk]) if a.kind == AlertKind.LOW_FUND]
    finance_profile_update(actor=world.user("oc_a1"), estate=world.estate_a1, initial_fund_amount="13333.34")
    (alert,) = [a for a in money_alerts(estate_ids=[world.estate_a1.pk]) if a.kind == AlertKind.LOW_FUND]
    assert alert.threshold == Decimal(
        "4000.00"
    )  # 30 % of 13333.34 = 4000.002 → 4000.00 shown, compared exactly
    finance_profile_update(actor=world.user("admin"), estate=world.estate_a1, initial_fund_amount="13333.33")
    assert not [a for a in money_alerts(estate_ids=[world.estate_a1.pk]) if a.kind == AlertKind.LOW_FUND]
    with pytest.raises(PermissionDenied):
        finance_profile_update(
            actor=world.user("staff_x"), estate=world.estate_a1, initial_fund_amount="1.00"
        )
    with pytest.raises(LedgerError):
        finance_profile_update(actor=world.user("admin"), estate=world.estate_a1, initial_fund_amount="-5")


# ---- the 50 % transfer --------------------------------------------------------------------------------


def transfer_setup(world, post, moved: str):
    finance_profile_update(actor=world.user("oc_a1"), estate=world.estate_a1, income_tops_up_fund=True)
    post("in", "6000.00", ledger="public_income", category="停车收益", date=D(2025, 2, 10))
    post("in", "4000.00", ledger="public_income", category="广告收益", date=D(2025, 3, 15))
    return post("out", moved, ledger="public_income", category="转入维修资金", date=D(2025, 4, 20))


JUNE_2025 = D(2025, 6, 1)


def transfer_alerts(world, today=JUNE_2025):
    return [
        a
        for a in money_alerts(estate_ids=[world.estate_a1.pk], today=today)
        if a.kind == AlertKind.TRANSFER_SHORT
    ]


def test_exactly_half_of_a_quarter_transferred_is_flagged(world, post):
    transfer_setup(world, post, "5000.00")
    (alert,) = transfer_alerts(world)
    assert (alert.period, alert.amount, alert.actual, alert.day) == (
        "2025Q1",
        Decimal("10000.00"),
        Decimal("5000.00"),
        D(2025, 3, 31),
    )
    assert "未过半数" in alert.detail


def test_more_than_half_is_fine_and_a_reversed_transfer_counts_for_nothing(world, post):
    transfer = transfer_setup(world, post, "5001.00")
    assert transfer_alerts(world) == []
    ledger_reverse(actor=world.user("oc_a1"), entry=transfer, reason="转错账户")
    (alert,) = transfer_alerts(world)
    assert alert.actual == Decimal("0.00")


def test_a_quarter_is_judged_only_after_its_settlement_month(world, post):
    transfer_setup(world, post, "1.00")
    assert transfer_alerts(world, today=D(2025, 4, 30)) == []
    assert len(transfer_alerts(world, today=D(2025, 5, 1))) == 1


def test_estates_that_do_not_earmark_public_income_are_not_judged(world, post):
    post("in", "6000.00", ledger="public_income", date=D(2025, 2, 10))
    assert transfer_alerts(world) == []


# ---- fund uses and their evidence ---------------------------------------------------------------------


def test_a_use_without_decision_or_price_audit_alerts_until_evidence_is_attached(world, post):
    post("in", "10000.00", category="首期归集", date=D(2025, 1, 5))
    use = post("out", "800.00", project="1号楼屋面防水", date=D(2025, 3, 1))
    assert kinds(money_alerts(estate_ids=[world.estate_a1.pk])) == [
        AlertKind.USE_NO_AUDIT,
        AlertKind.USE_NO_DECISION,
    ]
    evidence = evidence_attach(actor=world.user("oc_a1"), entry=use, kind="price_audit", upload=pdf())
    assert (evidence.content_type, evidence.size) == ("application/pdf", len(PDF))
    assert kinds(money_alerts(estate_ids=[world.estate_a1.pk])) == [AlertKind.USE_NO_DECISION]
    evidence_attach(actor=world.user("admin"), entry=use, kind="decision", upload=png())
    assert money_alerts(estate_ids=[world.estate_a1.pk]) == []
    assert AuditEvent.objects.filter(object_type="finance.FundUseEvidence").count() == 2


def test_a_use_with_a_decision_reference_only_needs_the_price_audit(world, post):
    post("in", "10000.00", date=D(2025, 1, 5))
    post("out", "800.00", reference="业主大会决议 2025-03号", date=D(2025, 3, 1))
    assert kinds(money_alerts(estate_ids=[world.estate_a1.pk])) == [AlertKind.USE_NO_AUDIT]


def test_a_reversed_use_needs_no_evidence(world, post):
    post("in", "10000.00", date=D(2025, 1, 5))
    use = post("out", "800.00", date=D(2025, 3, 1))
    ledger_reverse(actor=world.user("oc_a1"), entry=use, reason="重复登记")
    assert money_alerts(estate_ids=[world.estate_a1.pk]) == []


def test_evidence_is_refused_for_the_wrong_entry_the_wrong_file_or_the_wrong_person(world, post):
    deposit = post("in", "10000.00", date=D(2025, 1, 5))
    use = post("out", "800.00", date=D(2025, 3, 1))
    with pytest.raises(LedgerError, match="只能为维修资金的使用"):
        evidence_attach(actor=world.user("oc_a1"), entry=deposit, kind="price_audit", upload=pdf())
    with pytest.raises(LedgerError, match="既不是 PDF"):
        evidence_attach(
            actor=world.user("oc_a1"),
            entry=use,
            kind="price_audit",
            upload=SimpleUploadedFile("报告.pdf", b"MZ\x90\x00 an exe", content_type="application/pdf"),
        )
    with pytest.raises(LedgerError, match="不是完整的 PDF"):
        evidence_attach(
            actor=world.user("oc_a1"),
            entry=use,
            kind="price_audit",
            upload=SimpleUploadedFile("报告.pdf", b"%PDF-1.4 truncated", content_type="application/pdf"),
        )
    for persona in ("staff_x", "secretary_a", "leader"):
        with pytest.raises(PermissionDenied):
            evidence_attach(actor=world.user(persona), entry=use, kind="price_audit", upload=pdf())
    assert not FundUseEvidence.objects.exists()


def test_money_alerts_take_four_queries_whatever_the_number_of_estates(
    world, post, django_assert_num_queries
):
    for estate, user in ((world.estate_a1, "oc_a1"), (world.estate_b1, "admin")):
        finance_profile_update(actor=world.user(user), estate=estate, income_tops_up_fund=True)
        post("in", "1000.00", estate=estate, user=user, category="首期归集", date=D(2025, 1, 5))
        post("out", "900.00", estate=estate, user=user, date=D(2025, 2, 5))
        post("in", "100.00", estate=estate, user=user, ledger="public_income", date=D(2025, 2, 5))
    with django_assert_num_queries(4):
        alerts = money_alerts(
            estate_ids=[world.estate_a1.pk, world.estate_a2.pk, world.estate_b1.pk], today=D(2025, 8, 1)
        )
    assert kinds(alerts) == sorted(
        [AlertKind.LOW_FUND, AlertKind.TRANSFER_SHORT, AlertKind.USE_NO_AUDIT, AlertKind.USE_NO_DECISION] * 2
    )


# ---- the daily check ----------------------------------------------------------------------------------


def test_finance_check_notifies_once_per_overdue_disclosure_and_alert(world, post):
    post("in", "1000.00", category="首期归集", date=D(2025, 1, 5))
    post("out", "800.00", reference="决议", date=D(2025, 2, 5))  # low fund + no price audit
    first = finance_check_run(today=D(2025, 9, 1))
    assert first["overdue"] == 1 and first["alerts"] == 2 and first["new"] == 3
    oc_inbox = Notification.objects.filter(user=world.user("oc_a1"))
    assert oc_inbox.count() == 3
    assert Notification.objects.filter(user=world.user("admin")).count() == 3
    assert not Notification.objects.filter(user=world.user("staff_x")).exists()
    assert oc_inbox.filter(text__contains="专项维修资金应于 2025年7月5日 公示，已超期 58 天").exists()
    again = finance_check_run(today=D(2025, 9, 2))
    assert again["sent"] == 0 and oc_inbox.count() == 3 and FinanceNotice.objects.count() == 3
    call_command("finance_check", "--today", "2025-09-03")
    assert oc_inbox.count() == 3


def test_finance_check_sends_the_fee_account_to_the_company(world, post):
    post("in", "1000.00", ledger="property_fee", user="staff_x", date=D(2025, 1, 5))
    finance_check_run(today=D(2026, 2, 1))
    assert Notification.objects.filter(user=world.user("staff_x"), text__contains="物业费收支").count() == 1
    assert not Notification.objects.filter(user=world.user("oc_a1")).exists()
