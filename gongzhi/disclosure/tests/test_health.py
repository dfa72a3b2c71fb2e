"""数据体检: the estate's current 业主大会议事规则 states the Civil Code's voting rule (disclosure/health.py)."""

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.core.health import WARNING, run_health
from gongzhi.disclosure.health import states_civil_code_vote
from gongzhi.disclosure.models import EstateRules, RulesKind

CODE = "disclosure.assembly_rules_follow_civil_code"
OLD = "表决按专有部分面积和业主人数双过半（重大事项四分之三）通过。"
NEW = (
    "应当由专有部分面积占比三分之二以上的业主且人数占比三分之二以上的业主参与表决，"
    "经参与表决专有部分面积过半数的业主且参与表决人数过半数的业主同意。"
)


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        (OLD, False),  # the pre-2021 rule: 双过半 of all owners, no participation quorum
        ("业主大会决定须经业主人数和面积二分之一以上同意。", False),
        (NEW, True),
        ("参与表决须达 2/3，参与者过半数同意。", True),
        ("业委会每两个月至少召开一次会议。", True),  # states no voting rule: not judged
    ],
)
def test_a_voting_rule_must_name_the_two_thirds_quorum(text, ok):
    assert states_civil_code_vote(text) is ok


def _findings(world):
    report = run_health(street=world.street, today=timezone.localdate(), only=[CODE])
    return [(f.severity, f.message) for r in report.results for f in r.findings]


def test_the_current_assembly_rules_are_judged(world):
    assert _findings(world) == []  # no rules recorded: nothing to find
    EstateRules.objects.create(
        estate=world.estate_a1, kind=RulesKind.ASSEMBLY_RULES, adopted_on=dt.date(2019, 5, 1), summary=OLD
    )
    EstateRules.objects.create(
        estate=world.estate_a2, kind=RulesKind.MANAGEMENT_STATUTE, adopted_on=dt.date(2019, 5, 1), summary=OLD
    )  # a management statute is not the assembly's rules of procedure
    ((severity, message),) = _findings(world)
    assert severity == WARNING and message.startswith(
        "甲一小区：现行《业主大会议事规则》（2019年5月1日通过）"
    )
    EstateRules.objects.create(
        estate=world.estate_a1, kind=RulesKind.ASSEMBLY_RULES, adopted_on=dt.date(2023, 6, 1), summary=NEW
    )
    assert _findings(world) == []  # the revised rules supersede the old ones
