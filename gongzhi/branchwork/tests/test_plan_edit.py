"""Edit pages of the street's plan and bodies (issue #13): a milestone, a pilot (new and edit), a body's
name and remit — validation in the services (plain Chinese, nothing written on bad input), one audit
event per change, the pages through the door."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from gongzhi.branchwork import services
from gongzhi.branchwork.models import Body, Metric, Milestone, Pilot, PlanStage
from gongzhi.branchwork.services import BranchworkError
from gongzhi.branchwork.tests.helpers import build_steering
from gongzhi.core.models import AuditEvent


@pytest.fixture
def steering(world):
    return build_steering(world)


def _events(obj) -> int:
    return AuditEvent.objects.filter(object_type=obj._meta.label, object_id=str(obj.pk)).count()


def test_a_milestone_is_edited_and_audited(world, steering):
    milestone = steering.open_manual
    before = _events(milestone)
    stage = PlanStage.objects.filter(plan=steering.plan).order_by("-number").first()
    due = timezone.localdate() + dt.timedelta(days=30)
    services.milestone_update(
        actor=world.user("admin"),
        milestone=milestone,
        stage=stage,
        title="  党员比例达标 ",
        owner_label="党建办",
        due_on=due,
        metric=Metric.OC_PARTY_SHARE,
        target=Decimal("55"),
    )
    milestone.refresh_from_db()
    assert (milestone.title, milestone.stage_id, milestone.due_on) == ("党员比例达标", stage.pk, due)
    assert milestone.metric == Metric.OC_PARTY_SHARE and milestone.target == Decimal("55.00")
    assert _events(milestone) == before + 1
    event = AuditEvent.objects.filter(object_type="branchwork.Milestone").latest("pk")
    assert event.changes["metric"] == ["manual", "oc_party_share"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"title": "  "}, "节点"),
        ({"metric": "manual", "target": Decimal("5")}, "人工确认的节点不设目标值"),
        ({"metric": "oc_party_share", "target": Decimal("120")}, "百分比在 0 到 100 之间"),
        ({"metric": "nonsense"}, "请选择衡量方式"),
        ({"due_on": None}, "请填写时间节点"),
    ],
)
def test_bad_milestone_edits_change_nothing(world, steering, change, reason):
    milestone = steering.open_manual
    fields = {
        "stage": milestone.stage,
        "title": "新标题",
        "owner_label": "党建办",
        "due_on": milestone.due_on,
        "metric": Metric.MANUAL,
        "target": None,
        **change,
    }
    with pytest.raises(BranchworkError) as error:
        services.milestone_update(actor=world.user("admin"), milestone=milestone, **fields)
    assert reason in error.value.message
    assert Milestone.objects.get(pk=milestone.pk).title == milestone.title


def test_a_ticked_milestone_stays_manual_and_another_plans_stage_is_refused(world, steering):
    ticked = steering.manual
    fields = {"title": "x", "owner_label": "y", "due_on": ticked.due_on, "target": None}
    with pytest.raises(BranchworkError, match="不能改为由数据判断"):
        services.milestone_update(
            actor=world.user("admin"),
            milestone=ticked,
            stage=ticked.stage,
            metric=Metric.BRANCHES_FORMED,
            **fields,
        )
    from gongzhi.branchwork.models import WorkPlan

    other_plan = WorkPlan.objects.create(street=world.other_street, title="另一计划")
    other_stage = PlanStage.objects.create(
        plan=other_plan, number=1, title="一", starts_on=ticked.due_on, ends_on=ticked.due_on
    )
    with pytest.raises(BranchworkError, match="只能移到本计划的阶段"):
        services.milestone_update(
            actor=world.user("admin"), milestone=ticked, stage=other_stage, metric=Metric.MANUAL, **fields
        )
    with pytest.raises(PermissionDenied):
        services.milestone_update(
            actor=world.user("leader"), milestone=ticked, stage=ticked.stage, metric=Metric.MANUAL, **fields
        )


def test_pilots_are_created_once_and_edited(world, steering):
    admin = world.user("admin")
    today = timezone.localdate()
    pilot = services.pilot_create(
        actor=admin,
        street=world.street,
        company=world.company_x,
        programme="党建联建试点",
        agreement="党建联建协议",
        since=today,
    )
    assert _events(pilot) == 1
    with pytest.raises(BranchworkError, match="已是试点"):
        services.pilot_create(
            actor=admin, street=world.street, branch=world.branch_a, programme="再来", since=today
        )
    with pytest.raises(BranchworkError, match="不在本街道"):
        services.pilot_create(
            actor=admin, street=world.street, company=world.other_company, programme="越界", since=today
        )
    with pytest.raises(BranchworkError, match="试点方案"):
        services.pilot_update(actor=admin, pilot=pilot, programme=" ", agreement="", since=today)
    with pytest.raises(BranchworkError, match="一年以后"):
        services.pilot_update(
            actor=admin, pilot=pilot, programme="x", agreement="", since=today + dt.timedelta(days=400)
        )
    assert Pilot.objects.get(pk=pilot.pk).programme == "党建联建试点"
    services.pilot_update(
        actor=admin, pilot=pilot, programme="党建联建试点（第二年）", agreement="", since=today
    )
    pilot.refresh_from_db()
    assert pilot.programme == "党建联建试点（第二年）" and pilot.agreement == ""
    assert _events(pilot) == 2


def test_the_edit_pages(client, world, steering):
    client.force_login(world.user("admin"))
    # milestone: the form is filled in; bad input comes back with the reason and changes nothing
    url = reverse("branchwork_plan:milestone_edit", args=[steering.open_manual.pk])
    page = client.get(url).content.decode()
    assert steering.open_manual.title in page
    data = {
        "stage": steering.open_manual.stage_id,
        "title": "改过的节点",
        "owner_label": "党建办",
        "due_on": "2027-01-15",
        "metric": "manual",
        "target": "3",
    }
    response = client.post(url, data)
    assert response.status_code == 200 and "人工确认的节点不设目标值" in response.content.decode()
    assert Milestone.objects.get(pk=steering.open_manual.pk).title != "改过的节点"
    response = client.post(url, {**data, "target": ""})
    assert response.status_code == 302
    assert Milestone.objects.get(pk=steering.open_manual.pk).due_on == dt.date(2027, 1, 15)
    # pilot: new, then edit
    url = reverse("branchwork_plan:pilot_new")
    page = client.get(url).content.decode()
    assert "星河物业" in page and f'value="branch-{world.branch_a.pk}"' not in page  # already a pilot
    response = client.post(
        url, {"which": f"company-{world.company_y.pk}", "programme": "", "since": "2026-01-01"}
    )
    assert response.status_code == 200 and not Pilot.objects.filter(company=world.company_y).exists()
    response = client.post(
        url, {"which": f"company-{world.company_y.pk}", "programme": "先行试点", "since": "2026-01-01"}
    )
    assert response.status_code == 302
    pilot = Pilot.objects.get(company=world.company_y)
    url = reverse("branchwork_plan:pilot_edit", args=[pilot.pk])
    assert "先行试点" in client.get(url).content.decode()
    assert (
        client.post(
            url, {"programme": "扩大试点", "agreement": "党建联建协议", "since": "2026-01-01"}
        ).status_code
        == 302
    )
    assert Pilot.objects.get(pk=pilot.pk).agreement == "党建联建协议"
    # body: rename; a name another body has is refused
    url = reverse("branchwork:body_edit", args=[steering.leadership.pk])
    assert steering.leadership.name in client.get(url).content.decode()
    response = client.post(url, {"name": steering.joint.name, "remit": ""})
    assert response.status_code == 200 and "同名" in response.content.decode()
    response = client.post(url, {"name": "物业治理领导小组", "remit": "统筹全街道物业治理。"})
    assert response.status_code == 302
    body = Body.objects.get(pk=steering.leadership.pk)
    assert body.name == "物业治理领导小组" and body.remit == "统筹全街道物业治理。"
    assert (
        AuditEvent.objects.filter(
            object_type="branchwork.Body", object_id=str(body.pk), action="update"
        ).count()
        == 1
    )
    # the plan page links to the edit pages
    plan = client.get(reverse("branchwork_plan:plan")).content.decode()
    assert reverse("branchwork_plan:pilot_new") in plan and "/plan/milestones/" in plan and "/edit/" in plan
