"""A leadership-group meeting in a real browser (issue 13): the street admin sets up the
leadership group, convenes its meeting, records the minutes and a resolution, turns the
resolution into a tracked action with an owner and a due date, and finds it on the today list of
the landing page and on the actions page; then builds the three-stage plan at /plan/.

Screenshots go to var/screenshots/branchwork-bodies-*.png for a person to look at."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from gongzhi.branchwork.models import Body, Meeting, TrackedAction, WorkPlan
from gongzhi.core.testing import PASSWORD, build_world

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"


@pytest.fixture
def live_world(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_world()


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"branchwork-bodies-{name}.png"), full_page=True)


def test_the_admin_holds_a_leadership_group_meeting_whose_resolution_is_tracked(
    browser, live_server, live_world
):
    base = live_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")

    page.goto(f"{base}/branch/bodies/")
    page.select_option("#id_kind", "leadership")
    page.fill("#id_name", "示例街道党建引领物业治理工作领导小组")
    page.fill("#id_remit", "研究物业治理工作机制、总体推动方案和三阶段计划。")
    page.click("button:has-text('建立')")
    page.wait_for_load_state("networkidle")
    body = Body.objects.get()
    assert page.url.endswith(f"/branch/bodies/{body.pk}/")
    page.fill("input[name=name]", "王组长")
    page.fill("input[name=role_label]", "组长")
    page.fill("input[name=unit]", "街道党工委")
    page.fill("input[name=username]", "leader")
    page.click("button:has-text('添加成员')")
    page.wait_for_load_state("networkidle")
    assert page.locator("td:has-text('王组长')").count() == 1

    page.click("a:has-text('召开会议')")
    page.fill("#id_title", "领导小组第四季度推进会")
    start = timezone.localtime() - dt.timedelta(hours=1)
    page.fill("#id_starts_at", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_place", "街道会议室")
    page.fill("#id_agenda", "1. 三阶段计划时间节点检查\n2. 业委会党员和交叉任职占比")
    page.click("button:has-text('保存')")
    page.wait_for_load_state("networkidle")
    meeting = Meeting.objects.get(body=body)
    assert page.url.endswith(f"/branch/meetings/{meeting.pk}/")
    assert meeting.branch_id is None and meeting.invitees.filter(name="王组长").exists()

    page.fill("textarea[name=minutes]", "会议对照三阶段计划逐项检查时间节点,决定对未达标的换届小区逐一约谈。")
    page.click("button:has-text('保存纪要')")
    page.wait_for_load_state("networkidle")
    page.fill("input[name=text]", "对党员占比未达标的换届小区逐一约谈居民区书记")
    page.click("button:has-text('添加决议')")
    page.wait_for_load_state("networkidle")
    due = timezone.localdate() + dt.timedelta(days=3)
    page.fill("form.bw-track input[name=owner_label]", "街道社区党建办")
    page.fill("form.bw-track input[name=due_on]", due.isoformat())
    page.click("button:has-text('设为跟踪事项')")
    page.wait_for_load_state("networkidle")
    action = TrackedAction.objects.get(resolution__meeting=meeting)
    assert (action.owner_label, action.due_on, action.status) == ("街道社区党建办", due, "open")
    assert page.locator("text=街道社区党建办").count() >= 1
    assert page.locator("form[action$='/hand-over/']").count() == 0  # a body's resolution is not a problem
    shot(page, "meeting")

    # The landing page's today list has the tracked action, one click from the meeting.
    page.goto(f"{base}/")
    item = page.locator("a", has_text="对党员占比未达标的换届小区逐一约谈居民区书记").first
    assert item.count() == 1
    shot(page, "today")
    item.click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/branch/meetings/{meeting.pk}/")

    page.goto(f"{base}/branch/actions/")
    assert page.locator("td:has-text('街道社区党建办')").count() == 1

    # The plan: three stages from the seed, then a milestone.
    page.goto(f"{base}/plan/")
    page.click("button:has-text('按三阶段建立工作计划')")
    page.wait_for_load_state("networkidle")
    plan = WorkPlan.objects.get()
    assert [s.title for s in plan.stages.all()] == [
        "建章立制·试点推进",
        "整体启动·组织优化",
        "党建引领·良性态势",
    ]
    page.fill("#id_title", "32 个居民区联合党支部全部组建")
    page.fill("#id_owner_label", "街道社区党建办")
    page.fill("#id_due_on", (timezone.localdate() + dt.timedelta(days=10)).isoformat())
    page.select_option("#id_metric", "branches_formed")
    page.click("button:has-text('添加')")
    page.wait_for_load_state("networkidle")
    assert page.locator("td:has-text('32 个居民区联合党支部全部组建')").count() == 1
    assert page.locator("text=已完成").count() >= 1  # both branches of the world are formed
    shot(page, "plan")
    context.close()
