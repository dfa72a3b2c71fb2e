"""数据体检 plug-in of the ledgers (finance/health.py): known answers on ledgers posted through
``ledger_post`` in the persona world."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gongzhi.core.health import ERROR, WARNING, run_health
from gongzhi.finance.models import LedgerKind
from gongzhi.finance.services import ledger_post, ledger_reverse
from gongzhi.voting.models import Decision, DecisionStatus, Matter

FUND, INCOME = LedgerKind.MAINTENANCE_FUND, LedgerKind.PUBLIC_INCOME


def _findings(world, code):
    (result,) = run_health(street=world.street, only=[code]).results
    return [(f.severity, f.message) for f in result.findings]


def _post(world, ledger, direction, amount, summary, days_ago=10, **extra):
    return ledger_post(
        actor=world.user("admin"),
        estate=world.estate_a1,
        ledger=ledger,
        date=timezone.localdate() - dt.timedelta(days=days_ago),
        direction=direction,
        amount=amount,
        summary=summary,
        **extra,
    )


def test_a_fund_payment_without_a_decision_number_is_an_error(world):
    code = "finance.fund_use_has_decision"
    _post(world, FUND, "in", "500000.00", "首期归集", days_ago=30, category="首期归集")
    _post(
        world,
        FUND,
        "out",
        "48000.00",
        "屋面防水维修工程款",
        reference="业决〔2026〕1号",
        project="2号楼屋面防水维修",
    )
    assert _findings(world, code) == []
    wrong = _post(world, FUND, "out", "12345.60", "水泵房设备抢修工程款", project="水泵房设备抢修")
    ((severity, message),) = _findings(world, code)
    assert (
        severity == ERROR and "支出12,345.60元（水泵房设备抢修工程款），没有注明业主大会决定文号" in message
    )
    ledger_reverse(actor=world.user("admin"), entry=wrong, reason="误记")  # corrected: no longer a payment
    assert _findings(world, code) == []


def test_a_job_paid_from_two_funds_is_an_error(world):
    code = "finance.job_paid_once"
    _post(world, FUND, "in", "500000.00", "首期归集", days_ago=30)
    _post(world, INCOME, "in", "20000.00", "停车收益", days_ago=30)
    _post(world, FUND, "out", "30000.00", "消防设施更新", reference="业决〔2026〕2号", project="消防设施更新")
    _post(world, INCOME, "out", "8000.00", "小区绿化补种", project="小区绿化补种")
    assert _findings(world, code) == []
    _post(world, INCOME, "out", "5000.00", "消防设施更新尾款", project="消防设施更新")
    ((severity, message),) = _findings(world, code)
    assert severity == ERROR and "项目“消防设施更新”同时从专项维修资金、公共收益支出" in message


def test_a_passed_fund_decision_absent_from_the_ledger_is_flagged(world):
    code = "finance.fund_decisions_in_ledger"
    closes = timezone.now() - dt.timedelta(days=200)
    Decision.objects.create(
        estate=world.estate_a1,
        title="使用维修资金翻修屋面",
        matter=Matter.USE_FUND,
        text="预算约 48 万元",
        opens_at=closes - dt.timedelta(days=10),
        closes_at=closes,
        closed_at=closes,
        finalised_at=closes,
        status=DecisionStatus.FINAL,
        passed=True,
    )
    _post(world, FUND, "in", "500000.00", "首期归集", days_ago=400)
    _post(
        world, FUND, "out", "1000.00", "旧工程款", days_ago=300, reference="业决〔2025〕1号"
    )  # before the vote
    ((severity, message),) = _findings(world, code)
    assert severity == WARNING and "使用维修资金翻修屋面" in message
    _post(world, FUND, "out", "480000.00", "屋面翻修工程款", days_ago=100, reference="业决〔2026〕1号")
    assert _findings(world, code) == []
