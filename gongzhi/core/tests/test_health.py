"""数据体检 (core/health.py, ``gongzhi check``, /data-health/): the runner, the command and the page.

Each invariant's own facts (a planted violation is found, a clean street is clean) are in the owning
app's tests/test_health.py; the demo street's report is in gongzhi/demo/tests/test_health.py."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from gongzhi.cli import command_line
from gongzhi.core.health import ERROR, invariants, run_health
from gongzhi.registry.models import OwnersCommittee

CODES = {
    "registry.one_company_at_a_time",
    "registry.committee_terms",
    "registry.owners_in_their_street",
    "problems.problem_dates_in_order",
    "problems.staff_act_on_their_estates",
    "problems.submissions_have_photos",
    "finance.fund_use_has_decision",
    "finance.job_paid_once",
    "finance.fund_decisions_in_ledger",
    "disclosure.assembly_rules_follow_civil_code",
    "voting.decision_numbers_unique",
    "voting.decision_numbers_are_decisions",
    "voting.closed_decisions_are_finished",
    "voting.decision_citations_agree",
    "evaluation.survey_answers_have_households",
    "evaluation.scores_count_the_answers",
    "evaluation.sample_labels_match",
    "evaluation.classes_follow_the_rule",
    "evaluation.benchmarks_hold",
    "evaluation.answers_have_codes",
    "evaluation.inspection_photos_as_claimed",
    "evaluation.standard_codes_known",
    "branchwork.guard_logs_signed_by_managing_company",
    "branchwork.patrols_in_their_area",
    "branchwork.patrol_summaries_fit_findings",
    "branchwork.minutes_fit_meetings",
    "elections.elections_in_registry",
    "elections.election_timing",
    "elections.due_committees_have_slate",
    "training.attempts_after_exam",
}


def _plant_overdue_committee(world) -> None:
    """Estate A1's committee term ended yesterday and nobody prepared an election: an error."""
    today = timezone.localdate()
    OwnersCommittee.objects.filter(pk=world.committee_a1.pk).update(
        term_start=today - dt.timedelta(days=1200), term_end=today - dt.timedelta(days=1)
    )


def test_every_app_invariant_is_registered_once():
    codes = [i.code for i in invariants()]
    assert len(codes) == len(set(codes))
    assert set(codes) == CODES


def test_the_persona_world_is_clean(world):
    report = run_health(street=world.street)
    assert [(r.invariant.code, r.findings) for r in report.results if r.findings] == []
    assert {r.invariant.code for r in report.results} == CODES


def test_a_planted_error_is_counted_and_only_on_its_street(world):
    _plant_overdue_committee(world)
    report = run_health(street=world.street)
    assert report.errors == 1 and report.codes() == {"elections.due_committees_have_slate": 1}
    (finding,) = [f for r in report.results for f in r.findings]
    assert finding.message.startswith("甲一小区：业委会任期已于")
    assert run_health(street=world.other_street).findings == 0


def test_only_runs_the_named_invariants(world):
    report = run_health(street=world.street, only=["finance.job_paid_once"])
    assert [r.invariant.code for r in report.results] == ["finance.job_paid_once"]


def test_command_exits_0_when_clean_and_1_on_an_error(world, capsys):
    call_command("datacheck", "--street", world.street.name)
    out = capsys.readouterr().out
    assert "错误 0 项，提醒 0 项" in out and "示例街道" in out
    _plant_overdue_committee(world)
    with pytest.raises(SystemExit) as exit_info:
        call_command("datacheck", "--street", str(world.street.pk))
    assert exit_info.value.code == 1
    out = capsys.readouterr().out
    assert "甲一小区：业委会任期已于" in out and f"/registry/estates/{world.estate_a1.pk}/" in out


def test_command_json_for_machines(world, capsys):
    _plant_overdue_committee(world)
    with pytest.raises(SystemExit):
        call_command("datacheck", "--json", "--base-url", "https://gz.example.cn/")
    data = json.loads(capsys.readouterr().out)
    assert [s["street"]["name"] for s in data] == ["示例街道", "另一街道"]
    street = data[0]
    assert street["errors"] == 1 and street["warnings"] == 0
    (due,) = [i for i in street["invariants"] if i["code"] == "elections.due_committees_have_slate"]
    assert due["findings"][0]["severity"] == ERROR
    assert due["findings"][0]["link"] == f"https://gz.example.cn/registry/estates/{world.estate_a1.pk}/"
    assert data[1]["errors"] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--street", "没有这个街道"], "没有名为“没有这个街道”的街道"),
        (["--today", "2026-02-30"], "不是 YYYY-MM-DD 格式"),
        (["--only", "finance.nothing"], "没有这些检查项"),
    ],
)
def test_command_refuses_bad_arguments(world, args, message):
    with pytest.raises(CommandError, match=message) as error:
        call_command("datacheck", *args)
    assert error.value.returncode == 2


def test_gongzhi_check_is_the_data_health_report_and_system_check_stays_reachable():
    assert command_line(["check"]) == ["datacheck"]
    assert command_line(["check", "--json"]) == ["datacheck", "--json"]
    assert command_line(["check", "--system", "--deploy"]) == ["check", "--deploy"]
    assert command_line(["migrate"]) == ["migrate"]


def test_the_page_shows_the_admins_own_street(as_user, world):
    _plant_overdue_committee(world)
    html = as_user("admin").get(reverse("data_health")).content.decode()
    assert "示例街道" in html and "甲一小区：业委会任期已于" in html
    assert f'href="/registry/estates/{world.estate_a1.pk}/"' in html


def test_another_streets_admin_sees_only_their_street(as_user, world):
    _plant_overdue_committee(world)
    response = as_user("other_admin").get(reverse("data_health"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "另一街道" in html and "甲一小区" not in html and "全部通过" in html
