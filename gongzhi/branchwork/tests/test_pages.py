"""The branch's pages through the HTTP client: compliance across week boundaries (local time),
bounded queries on lists, the minutes PDF, the Excel export, the public board and the rating."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gongzhi.branchwork import rules, selectors, services
from gongzhi.branchwork.models import Meeting, Patrol, RatingBallot
from gongzhi.branchwork.tests.helpers import build_work, schedule
from gongzhi.core.pdf import pdf_text

pytestmark = pytest.mark.django_db
TZ = timezone.get_current_timezone()
MON = dt.date(2026, 11, 23)


def _local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


def test_compliance_counts_meetings_by_local_week(world):
    # 23:59 Sunday Shanghai time is 15:59 UTC Sunday; 00:00 Monday is 16:00 UTC Sunday — the UTC
    # date is the same, the local weeks differ.
    schedule(world, starts_at=_local(MON + dt.timedelta(days=6), 23, 59), title="周日深夜例会")
    schedule(world, starts_at=_local(MON + dt.timedelta(days=7), 0, 0), title="周一零点例会")
    schedule(world, starts_at=_local(MON, 0, 0), title="周一例会")
    rows = {
        r.branch: r
        for r in selectors.compliance(
            selectors.branches_for(world.user("admin")), MON, MON + dt.timedelta(days=8)
        )
    }
    assert rows[world.branch_a].meetings.done == 2  # Monday 00:00 and Sunday 23:59 of W48
    assert rows[world.branch_a].meetings.state == "ok"
    assert rows[world.branch_b].meetings.done == 0 and rows[world.branch_b].meetings.state == "behind"
    nxt = {
        r.branch: r
        for r in selectors.compliance(
            [world.branch_a], MON + dt.timedelta(days=7), MON + dt.timedelta(days=8)
        )
    }
    assert nxt[world.branch_a].meetings.done == 1


def test_compliance_patrols_of_voting_members_only(world):
    chen = world.branch_a.members.get(name="陈书记")  # the voting member; 刘经理 attends without a vote
    for offset in range(3):
        day = MON + dt.timedelta(days=offset)
        Patrol.objects.create(
            branch=world.branch_a, member=chen, day=day, started_at=_local(day, 8), ended_at=_local(day, 9)
        )
    row = selectors.compliance([world.branch_a], MON, MON + dt.timedelta(days=4))[0]
    assert row.members == 1
    assert (row.patrols.done, row.patrols.required, row.patrols.due, row.patrols.gap) == (3, 7, 4, 1)


def test_compliance_owners_committee_rhythm(world):
    today = timezone.localdate()
    monday = rules.week_start(today)
    row = selectors.compliance([world.branch_a], monday, today)[0]
    assert row.committees_overdue == 1  # A1's committee has no meeting on record
    oc = schedule(
        world, kind="owners_committee", title="业委会例会", starts_at=timezone.now() - dt.timedelta(days=10)
    )
    services.oc_decisions_posted(
        actor=world.user("secretary_a"), meeting=oc, posted_on=timezone.localdate() - dt.timedelta(days=5)
    )
    row = selectors.compliance([world.branch_a], monday, today)[0]
    assert row.committees_overdue == 0
    assert row.postings_bad == 1  # posted 5 days after the meeting: late


def test_compliance_page_and_export(client, world):
    work = build_work(world)
    assert work.meeting
    client.force_login(world.user("admin"))
    response = client.get(reverse("branchwork:compliance"), {"week": "2026-W48"})
    assert response.status_code == 200
    assert "甲居民区" in response.text and "乙居民区" in response.text
    response = client.get(reverse("branchwork:compliance"), {"week": "nonsense"})
    assert response.status_code == 200  # falls back to this week
    response = client.get(reverse("branchwork:compliance_export"), {"week": "2026-W48"})
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("周", "居民区", "支部")
    assert {r[1] for r in rows[1:]} == {"甲居民区", "乙居民区"}
    assert all(r[0] == "2026-W48" for r in rows[1:])


def test_secretary_sees_only_own_area(client, world):
    build_work(world)
    client.force_login(world.user("secretary_b"))
    response = client.get(reverse("branchwork:compliance"))
    assert "乙居民区" in response.text and "甲居民区" not in response.text
    response = client.get(reverse("branchwork:meetings"))
    assert "支部例会" not in response.text


def test_list_pages_query_counts_do_not_grow(client, world, django_assert_max_num_queries):
    build_work(world)
    for _i in range(15):
        schedule(world)
    client.force_login(world.user("admin"))
    urls = [
        reverse("branchwork:meetings"),
        reverse("branchwork:compliance"),
        reverse("branchwork:patrols"),
        reverse("branchwork:security"),
        reverse("branchwork:receptions"),
        reverse("branchwork:duty") + f"?area={world.area_a.pk}",
    ]
    for url in urls:
        with django_assert_max_num_queries(30):
            assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("branchwork:meetings"))
    for _i in range(15):
        schedule(world)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("branchwork:meetings"))
    assert len(many) == len(few)


def test_meeting_page_shows_live_problem_status_and_minutes_pdf(client, world):
    work = build_work(world)
    client.force_login(world.user("secretary_a"))
    url = reverse("branchwork:resolution_hand_over", args=[work.resolution.pk])
    response = client.post(url, {"category": work.categories["parking"].pk})
    assert response.status_code == 302
    page = client.get(reverse("branchwork:meeting", args=[work.meeting.pk])).text
    number = work.resolution.meeting.resolutions.get().action.problem.number
    assert number in page and "待整改" in page
    response = client.get(reverse("branchwork:meeting_pdf", args=[work.hearing.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "听证会纪要" in text and "物业服务听证会" in text and "居民代表 12 人发言" in text
    assert "王阿姨" in text and "签发" in text


def test_meeting_act_bad_input_is_a_message_not_an_error(client, world):
    work = build_work(world)
    client.force_login(world.user("secretary_a"))
    meeting = work.meeting
    url = reverse("branchwork:meeting_act", args=[meeting.pk, "signoff"])
    response = client.post(url, follow=True)
    assert response.status_code == 200 and "请先填写会议纪要" in response.text
    response = client.post(
        reverse("branchwork:meeting_act", args=[meeting.pk, "posted"]), {"posted_on": "x"}, follow=True
    )
    assert "只有业委会会议" in response.text or "有效的公告日期" in response.text
    meeting.refresh_from_db()
    assert not meeting.locked


def test_public_board_shows_today_on_duty_and_only_published_outcomes(client, world):
    work = build_work(world)
    unpublished = schedule(world, kind="forum", title="未公开的座谈会")
    response = client.get(reverse("duty:board", args=[world.area_a.pk]))
    assert response.status_code == 200
    assert "陈书记" in response.text and "居民区党总支书记" in response.text and "有问必答" in response.text
    assert work.hearing.title in response.text and unpublished.title not in response.text
    assert "1390000" not in response.text  # no phone numbers
    assert client.get(reverse("duty:outcome", args=[unpublished.pk])).status_code == 404
    assert client.get(reverse("duty:board", args=[world.area_b.pk])).status_code == 200
    assert client.get(reverse("duty:board", args=[99999])).status_code == 404


def test_anonymous_rating_over_http(client, world):
    work = build_work(world)
    session = work.session
    items = list(session.items.all())
    tokens = list(session.tokens.values_list("token", flat=True))
    form = {"token": tokens[0], **{f"item-{i.pk}": "3" for i in items}}
    response = client.post(reverse("duty:rate", args=[session.code]), form)
    assert response.status_code == 302
    again = client.post(reverse("duty:rate", args=[session.code]), form)
    assert again.status_code == 400 and "已经使用过" in again.text
    missing = client.post(reverse("duty:rate", args=[session.code]), {"token": tokens[1]})
    assert missing.status_code == 400 and "没有选择" in missing.text
    assert RatingBallot.objects.filter(session=session).count() == 1
    fragment = client.get(reverse("duty:result", args=[session.code]), headers={"HX-Request": "true"})
    assert "已收回 1 份测评票" in fragment.text and "<html" not in fragment.text
    page = client.get(reverse("duty:result", args=[session.code]))
    assert 'hx-trigger="every 3s"' in page.text and "echarts" in page.text
    assert client.get(reverse("duty:rate", args=["NOPE00"])).status_code == 404


def test_patrol_phone_flow_over_http(client, world):
    build_work(world)
    client.force_login(world.user("member_a"))
    chen = world.branch_a.members.get(name="陈书记")
    response = client.post(
        reverse("branchwork:patrol_start"), {"member": chen.pk, "estates": [world.estate_a1.pk]}
    )
    patrol = Patrol.objects.get(recorded_by=world.user("member_a"), ended_at__isnull=True)
    assert response["Location"] == reverse("branchwork:patrol", args=[patrol.pk])
    from gongzhi.problems.models import Category

    category = Category.objects.get(street=world.street, code="cleaning")
    response = client.post(
        reverse("branchwork:patrol_finding", args=[patrol.pk]),
        {"category": category.pk, "text": "垃圾箱满溢未清运", "estate": world.estate_a1.pk},
        follow=True,
    )
    assert "已登记为问题 WT-" in response.text
    finding = patrol.findings.get()
    assert finding.problem.source == "patrol"
    page = client.get(reverse("branchwork:patrol", args=[patrol.pk]))
    assert '<div class="title">巡查中</div>' in page.text
    client.post(reverse("branchwork:patrol_end", args=[patrol.pk]), {"summary": "完成"})
    patrol.refresh_from_db()
    assert patrol.ended_at is not None
    # The header follows the state: ended, with the end time — no longer 巡查中.
    page = client.get(reverse("branchwork:patrol", args=[patrol.pk]))
    end = timezone.localtime(patrol.ended_at).strftime("%H:%M")
    assert '<div class="title">已结束</div>' in page.text
    assert f"开始，{end} 结束" in page.text.split('<div class="sub">')[1].split("</div>")[0]
    assert "巡查中" not in page.text
    sheet = client.get(reverse("branchwork:patrols"), {"day": patrol.day.isoformat()})
    assert "垃圾箱满溢未清运" in sheet.text and finding.problem.number in sheet.text


def test_meeting_schedule_form(client, world):
    client.force_login(world.user("secretary_a"))
    response = client.post(
        reverse("branchwork:meeting_new"),
        {
            "kind": "joint",
            "title": "五方联席会议",
            "starts_at": "2026-12-01T14:00",
            "place": "居委会",
            "members": [m.pk for m in world.branch_a.members.all()],
            "estates": [world.estate_a1.pk],
        },
    )
    meeting = Meeting.objects.get(title="五方联席会议")
    assert response.status_code == 302
    assert timezone.localtime(meeting.starts_at).hour == 14
    response = client.post(reverse("branchwork:meeting_new"), {"kind": "joint", "title": "", "place": ""})
    assert response.status_code == 200 and Meeting.objects.count() == 1


def test_patrol_sheet_of_one_member(client, world):
    work = build_work(world)
    chen = work.patrol.member
    client.force_login(world.user("secretary_a"))
    day = work.patrol.day.isoformat()
    response = client.get(reverse("branchwork:patrols"), {"day": day, "member": chen.pk})
    assert response.status_code == 200 and response.context["patrols"] == [work.patrol]
    response = client.get(reverse("branchwork:patrols"), {"day": day, "member": 999999})
    assert response.context["patrols"] == []
