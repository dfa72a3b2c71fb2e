"""Trends (趋势判断), the nightly recompute job and the monthly briefing PDF, on the demo street."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.models import User
from gongzhi.registry.models import Area, Estate
from gongzhi.wall import indicators as ind
from gongzhi.wall import selectors_trends as st
from gongzhi.wall.models import EstateStatus, StatusSnapshot
from gongzhi.wall.services import months_back, status_check


def _login(client, username="demo_admin"):
    client.force_login(User.objects.get(username=username))


def _point(value):
    return st.Point(dt.date(2026, 1, 1), None if value is None else Decimal(value), 0, 0, 0, 0)


def test_change_known_answers():
    up_good = st.change(_point("85"), _point("80"), higher_is_worse=False, since="较上月", unit="%")
    assert (up_good.arrow, up_good.tone, up_good.delta) == ("↑", st.BETTER, Decimal(5))
    assert up_good.text == "较上月 ↑ 5个百分点（好转）"
    up_bad = st.change(_point("5"), _point("3"), higher_is_worse=True, since="较上月", unit="项")
    assert (up_bad.arrow, up_bad.tone, up_bad.text) == ("↑", st.WORSE, "较上月 ↑ 2项（变差）")
    down_good = st.change(_point("1"), _point("3"), higher_is_worse=True, since="较上月", unit="项")
    assert (down_good.arrow, down_good.tone) == ("↓", st.BETTER)
    same = st.change(_point("3"), _point("3"), higher_is_worse=True, since="较上月", unit="项")
    assert (same.arrow, same.word) == ("→", "持平")
    unknown = st.change(_point("3"), _point(None), higher_is_worse=True, since="较去年同月", unit="项")
    assert (unknown.arrow, unknown.text) == ("—", "较去年同月：无可比数据")


def test_parse_of():
    assert st.parse_of("area-5") == ("area", 5)
    assert st.parse_of("estate-12") == ("estate", 12)
    for bad in (None, "", "street-1", "area-", "area-x", "<script>", "area-" + "9" * 20):
        assert st.parse_of(bad) is None


def test_demo_history_is_eighteen_months_from_the_facts(demo):
    """19 monthly snapshots (18 past months and this one); the indicators whose facts are dated from
    before the platform (fees, committees, funds, rankings) have a number in every month, the ones the
    street only began recording on the platform (problems, branch work) have none before their first
    record, never a zero nobody measured."""
    estates = Estate.objects.filter(area__street=demo.street)
    series = {t.key: t for t in st.trends(estates, today=timezone.localdate())}
    assert len(series["fee_collection"].points) == 19
    for key in ("fee_collection", "party_share", "cross_share", "committee_term", "fund_health"):
        assert all(p.value is not None for p in series[key].points), key
    from gongzhi.problems.models import Problem

    first = timezone.localtime(
        Problem.objects.filter(estate__area__street=demo.street).order_by("created_at").first().created_at
    ).date()
    for p in series["problems_open"].points:
        ended = (p.month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        if ended < first:
            assert p.value is None and p.red + p.amber + p.green == 0, p.label
        else:
            assert p.value is not None, p.label


def test_demo_problems_and_branch_work_have_eighteen_months(demo):
    """The demo's problems and branch work (patrols, meetings) go back eighteen months, so their trend
    lines are known in (nearly) every month, and the story is plausible: the branches keep their daily
    round better now than a year ago."""
    estates = Estate.objects.filter(area__street=demo.street)
    series = {t.key: t for t in st.trends(estates, today=timezone.localdate())}
    for key in ("problems_open", "closure_on_time", "closure_days", "branch_rhythm"):
        known = [p for p in series[key].points if p.value is not None]
        assert len(known) >= 17, (key, [p.label for p in known])
    rhythm = series["branch_rhythm"].points
    assert rhythm[-2].value < rhythm[-13].value  # last month's gaps fewer than a year before


def test_trends_aggregate_in_sql_equals_the_rows(demo):
    """Known answers from the snapshot rows themselves: a sum for counts, the mean of the estates with a
    number for shares, the number of red estates for the overall state."""
    estates = Estate.objects.filter(area__street=demo.street)
    today = timezone.localdate()
    series = {t.key: t for t in st.trends(estates, today=today)}
    month = months_back(today, 18)[-2]  # last month
    rows = StatusSnapshot.objects.filter(estate__in=estates, month=month)

    def values(key):
        return [r.value for r in rows.filter(indicator=key) if r.value is not None]

    opened = values("problems_open")
    assert series["problems_open"].points[-2].value == sum(opened)
    fees = values("fee_collection")
    mean = (sum(fees) / len(fees)).quantize(Decimal("0.1"))
    assert abs(series["fee_collection"].points[-2].value - mean) <= Decimal("0.1")
    assert series["fee_collection"].points[-2].estates == len(fees)
    reds = rows.filter(indicator=ind.OVERALL, colour=ind.RED).count()
    assert series[ind.OVERALL].points[-2].value == reds


def test_trends_page_shows_every_indicator_with_direction_and_table(client, demo):
    _login(client)
    response = client.get(reverse("wall:trends"))
    assert response.status_code == 200
    html = response.content.decode()
    for key in ind.indicator_keys():
        assert f'data-chart="trend-{key}"' in html and f'id="trend-{key}"' in html  # chart + its data
        assert ind.label_of(key) in html
    assert "较上月" in html and "较去年同月" in html
    assert html.count('class="data trend-table"') == len(ind.indicator_keys())
    assert "echarts.common.min.js" in html
    assert "立即重新计算" in html and reverse("wall:briefing") in html


def test_trends_query_count_is_bounded(client, demo):
    _login(client)
    area = Area.objects.filter(street=demo.street).order_by("pk").first()
    with CaptureQueriesContext(connection) as whole:
        assert client.get(reverse("wall:trends")).status_code == 200
    with CaptureQueriesContext(connection) as one_area:
        assert client.get(reverse("wall:trends") + f"?of=area-{area.pk}").status_code == 200
    snapshot_reads = [q for q in whole.captured_queries if "wall_statussnapshot" in q["sql"]]
    assert len(snapshot_reads) == 1  # every indicator and month in one aggregate query
    assert len(whole) <= 20
    assert len(one_area) <= len(whole) + 1  # the area itself, through the door


def test_a_secretary_sees_the_trends_of_their_area_only(client, demo):
    from gongzhi.core.models import Role, RoleGrant

    grant = (
        RoleGrant.objects.filter(role=Role.AREA_SECRETARY, area__street=demo.street)
        .select_related("user")
        .first()
    )
    client.force_login(grant.user)
    html = client.get(reverse("wall:trends")).content.decode()
    own = Estate.objects.filter(area=grant.area)
    other = Estate.objects.filter(area__street=demo.street).exclude(area=grant.area).first()
    assert f'value="area-{grant.area_id}"' in html
    assert f'value="estate-{other.pk}"' not in html
    assert all(f'value="estate-{e.pk}"' in html for e in own)
    assert client.get(reverse("wall:trends") + f"?of=estate-{other.pk}").status_code == 404
    assert client.get(reverse("wall:trends") + f"?of=area-{other.area_id}").status_code == 404
    assert "立即重新计算" not in html


def _run_recompute(user=None):
    from gongzhi.jobs.services import job_claim, job_enqueue, job_run

    job_enqueue(task="wall.recompute", user=user)
    job = job_claim(worker="test")
    assert job is not None and job.task == "wall.recompute"
    job = job_run(job)
    assert job.status == "done", job.error
    return job


def test_the_nightly_recompute_is_scheduled_and_idempotent(demo):
    from gongzhi.jobs.registry import schedule

    assert any(s.task == "wall.recompute" for s in schedule())
    estates = Estate.objects.count()
    first = _run_recompute()
    assert first.result["estates"] == estates
    assert first.result["rows"] == estates * len(ind.indicator_keys())
    assert first.result["snapshots"] == estates * len(ind.indicator_keys())
    snapshots = StatusSnapshot.objects.count()
    second = _run_recompute()
    assert second.result["changed"] == 0 and second.result["missing"] == 0 and second.result["drift"] == []
    assert StatusSnapshot.objects.count() == snapshots  # this month's snapshot replaced, not added
    assert (second.progress_done, second.progress_total) == (estates, estates)


def test_the_recompute_reports_drift_and_repairs_it(demo):
    row = EstateStatus.objects.filter(estate__area__street=demo.street, indicator="problems_open").first()
    right = row.value
    row.value = (right or Decimal(0)) + 7
    row.save(update_fields=["value"])
    EstateStatus.objects.filter(estate=row.estate, indicator="fee_collection").delete()
    job = _run_recompute()
    assert job.result["changed"] == 1 and job.result["missing"] == 1
    assert any(row.estate.name in line and "未销项问题" in line for line in job.result["drift"])
    assert status_check() == []
    assert EstateStatus.objects.get(pk=row.pk).value == right


def test_the_recompute_button_starts_the_job_and_shows_its_page(client, demo):
    from gongzhi.jobs.models import Job

    _login(client)
    response = client.post(reverse("wall:recompute"))
    job = Job.objects.get(task="wall.recompute")
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    again = client.post(reverse("wall:recompute"))  # a second click follows the first job
    assert (
        again["Location"] == response["Location"] and Job.objects.filter(task="wall.recompute").count() == 1
    )
    _run_recompute_claimed()
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "已重新计算" in page and "已计算" in page


def _run_recompute_claimed():
    from gongzhi.jobs.services import job_claim, job_run

    job = job_claim(worker="test")
    assert job_run(job).status == "done"


def test_the_monthly_briefing_pdf(client, demo):
    from gongzhi.core import dates
    from gongzhi.core.pdf import pdf_text
    from gongzhi.wall import selectors_briefing

    _login(client, "demo_leader")
    response = client.get(reverse("wall:briefing"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    from django.conf import settings  # kept beside the screenshots for a person to look at

    (settings.VAR_DIR / "screenshots").mkdir(parents=True, exist_ok=True)
    (settings.VAR_DIR / "screenshots" / "wall-briefing.pdf").write_bytes(response.content)
    flat = "".join(text.split())
    for heading in (
        "物业治理月度简报",
        "一、全街道状态",
        "二、与上月",
        "三、需要关注的十个小区",
        "四、工作计划时间节点",
        "五、提请领导小组决定的事项",
    ):
        assert heading in flat, heading
    assert "".join(dates.long_date(timezone.localdate()).split()) in flat
    assert demo.street.name in flat
    estates = Estate.objects.filter(area__street=demo.street)
    attention = selectors_briefing.attention(estates)
    assert 0 < len(attention) <= 10
    for row in attention:
        assert row.name in flat
        for reason in row.reasons:
            assert reason.label in flat
    reds = EstateStatus.objects.filter(estate__in=estates, indicator=ind.OVERALL, colour=ind.RED).count()
    worst = [a for a in attention if a.colour == ind.RED]
    assert len(worst) == min(reds, 10)  # red estates come before amber ones


def test_the_briefing_is_for_the_street_only(client, demo):
    from gongzhi.core.models import Role, RoleGrant

    grant = (
        RoleGrant.objects.filter(role=Role.AREA_SECRETARY, area__street=demo.street)
        .select_related("user")
        .first()
    )
    client.force_login(grant.user)
    assert client.get(reverse("wall:briefing")).status_code == 403


@pytest.mark.django_db
def test_the_trends_need_a_login(client):
    response = client.get(reverse("wall:trends"))
    assert response.status_code == 302 and "login" in response["Location"]
