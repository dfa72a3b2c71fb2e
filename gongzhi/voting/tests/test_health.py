"""数据体检 plug-in of owners' decisions (voting/health.py): decision numbers on the disclosure book and the
ledgers, known answers on the persona world (no major matters, no ledgers, no decisions: clean)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gongzhi.core.health import ERROR, WARNING, run_health
from gongzhi.disclosure.models import MajorMatter
from gongzhi.voting.models import Decision, DecisionStatus, Matter
from gongzhi.voting.rules import is_activity, parse_decision_number


def _findings(world, code):
    (result,) = run_health(street=world.street, only=[code]).results
    return [(f.severity, f.message) for f in result.findings]


def _decision(world, estate, *, closes: dt.datetime, passed=True, final=True):
    return Decision.objects.create(
        estate=estate,
        title="更换小区大门",
        matter=Matter.OTHER,
        text="更换小区大门",
        opens_at=closes - dt.timedelta(days=10),
        closes_at=closes,
        closed_at=closes,
        finalised_at=closes if final else None,
        status=DecisionStatus.FINAL if final else DecisionStatus.CLOSED,
        passed=passed,
    )


def test_decision_numbers_parse_in_both_forms():
    assert parse_decision_number("业决〔2026〕3号") == (2026, 3)
    assert parse_decision_number("依据 业决[2025]12号 执行") == (2025, 12)
    assert parse_decision_number("业主大会决议 2024-03号") == (2024, 3)
    assert parse_decision_number("无") is None
    assert parse_decision_number("") is None
    assert is_activity("年度物业服务议价会议") and is_activity("“今天我接待”公示牌启用")
    assert not is_activity("屋面防水维修") and not is_activity("非机动车充电棚建设")


def test_one_number_on_two_matters_of_one_estate_is_an_error(world):
    code = "voting.decision_numbers_unique"
    day = dt.date(2026, 5, 1)
    MajorMatter.objects.create(
        estate=world.estate_a1, date=day, title="屋面防水维修", reference="业决〔2026〕3号"
    )
    MajorMatter.objects.create(
        estate=world.estate_a2, date=day, title="联合党支部听证会", reference="业决〔2026〕3号"
    )
    assert _findings(world, code) == []  # two estates: two decisions
    MajorMatter.objects.create(
        estate=world.estate_a1, date=day, title="“今天我接待”公示牌启用", reference="业决〔2026〕3号"
    )
    ((severity, message),) = _findings(world, code)
    assert severity == ERROR and message.startswith("甲一小区：决定文号2026年第3号在公示本中用于2个不同事项")


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC)


def test_a_number_beyond_the_estates_passed_decisions_is_an_error(world):
    code = "voting.decision_numbers_are_decisions"
    MajorMatter.objects.create(
        estate=world.estate_a1, date=dt.date(2025, 3, 1), title="更换小区大门", reference="业决〔2025〕1号"
    )
    MajorMatter.objects.create(
        estate=world.estate_a1, date=dt.date(2024, 9, 1), title="楼道照明改造", reference="业决〔2024〕5号"
    )
    assert _findings(world, code) == []  # no vote on the platform yet: paper numbers are not checked
    _decision(
        world, world.estate_a2, closes=_at(dt.date(2024, 5, 1))
    )  # the street's first vote on the platform
    # 2024 mixes paper and platform votes: unchecked; from 2025 every vote is on the platform.
    ((severity, message),) = _findings(world, code)
    assert severity == ERROR
    assert message == (
        "甲一小区：公示本事项“更换小区大门”引用业决〔2025〕1号，但本小区2025年经平台表决通过的业主大会决定只有0项。"
    )
    _decision(world, world.estate_a1, closes=_at(dt.date(2025, 1, 20)), passed=False)
    assert len(_findings(world, code)) == 1  # a rejected decision gets no number
    _decision(world, world.estate_a1, closes=_at(dt.date(2025, 2, 1)))
    assert _findings(world, code) == []


def test_a_meeting_with_a_decision_number_is_flagged(world):
    code = "voting.decision_numbers_are_decisions"
    MajorMatter.objects.create(
        estate=world.estate_a1,
        date=dt.date(2026, 5, 1),
        title="联合党支部听证会",
        reference="业决〔2026〕3号",
    )
    ((severity, message),) = _findings(world, code)
    assert severity == WARNING and "公示本事项“联合党支部听证会”是会议或活动，不是业主大会决定" in message
    MajorMatter.objects.filter(estate=world.estate_a1).update(reference="")
    assert _findings(world, code) == []


def test_a_record_citing_a_later_years_decision_is_an_error(world):
    MajorMatter.objects.create(
        estate=world.estate_a1,
        date=dt.date(2025, 3, 1),
        title="非机动车充电棚建设",
        reference="业决〔2026〕2号",
    )
    ((severity, message),) = _findings(world, "voting.decision_numbers_are_decisions")
    assert severity == ERROR and "日期为2025年3月1日，却引用2026年的业主大会决定" in message


def test_a_closed_decision_without_a_final_result_after_a_month_is_flagged(world):
    code = "voting.closed_decisions_are_finished"
    _decision(world, world.estate_a1, closes=timezone.now() - dt.timedelta(days=20), final=False)
    assert _findings(world, code) == []
    late = _decision(world, world.estate_a1, closes=timezone.now() - dt.timedelta(days=40), final=False)
    ((severity, message),) = _findings(world, code)
    assert severity == WARNING and "一个月后仍未公布最终结果" in message
    Decision.objects.filter(pk=late.pk).update(finalised_at=timezone.now(), status=DecisionStatus.FINAL)
    assert _findings(world, code) == []


def test_a_decision_naming_other_buildings_in_the_book_and_the_ledger_is_an_error(world):
    from gongzhi.finance.services import ledger_post

    code = "voting.decision_citations_agree"
    admin, day = world.user("admin"), timezone.localdate() - dt.timedelta(days=30)
    fund = {"actor": admin, "estate": world.estate_a1, "ledger": "maintenance_fund", "date": day}
    ledger_post(**fund, direction="in", amount="500000", summary="首期专项维修资金归集")
    ledger_post(
        **fund,
        direction="out",
        amount="35162.08",
        summary="27号楼屋面防水维修工程款",
        reference="业主大会决议 2026-01号",
        project="27号楼屋面防水维修",
    )
    MajorMatter.objects.create(
        estate=world.estate_a1,
        date=day,
        title="27号楼屋面防水维修",
        body="经业主大会表决通过（业主大会决议 2026-01号），使用专项维修资金实施27号楼屋面防水维修。",
        reference="业主大会决议 2026-01号",
    )
    MajorMatter.objects.create(  # another estate's decision of the same number: another job
        estate=world.estate_a2,
        date=day,
        title="屋面防水维修",
        body="对2号楼屋面进行防水维修",
        reference="业决〔2026〕1号",
    )
    assert _findings(world, code) == []
    MajorMatter.objects.create(
        estate=world.estate_a1,
        date=day,
        title="屋面防水维修",
        body="对2号楼屋面进行防水维修",
        reference="业决〔2026〕1号",
    )
    ((severity, message),) = _findings(world, code)
    assert (severity, message) == (
        ERROR,
        "甲一小区：决定文号2026年第1号在公示本中是2号楼、27号楼，在账本中却是27号楼。",
    )
