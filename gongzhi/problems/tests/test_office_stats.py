"""Problem statistics with known answers: counts by status, overdue now and ever, and the median
days from report to closure per company and per category (percentile_cont on PostgreSQL, one
durations query + statistics.median on SQLite — both paths give the same answers)."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.models import Role, RoleGrant, User
from gongzhi.problems import selectors, services
from gongzhi.problems.models import Problem
from gongzhi.problems.tests.office_helpers import accept, ago, count_queries, png, report

STATS = reverse("problems:stats")


def closed_after(world, categories, *, days: float, estate, code: str, staff: str, start: float) -> Problem:
    """A problem reported ``start`` days ago and closed exactly ``days`` later."""
    problem = report(world, categories, who="member_a", estate=estate, code=code, days_ago=start)
    accept(world, problem, who="member_a", days_ago=start)
    moment = ago(start - days)
    services.problem_submit(
        actor=world.user(staff), problem=problem, note="已整改", photos=[png()], now=moment
    )
    return services.problem_close(actor=world.user("secretary_a"), problem=problem, now=moment)


@pytest.fixture
def history(world, categories):
    """Company X (estate A1, parking) closed in 1, 2, 10 days; company Y (estate A2, cleaning)
    in 1, 2, 3, 4 days; plus one open overdue and one fresh report at A1."""
    staff_y = User.objects.create_user(username="staff_y", password="x", display_name="月湾员工")
    RoleGrant.objects.create(user=staff_y, role=Role.COMPANY_STAFF, company=world.company_y)
    world.users["staff_y"] = staff_y
    for i, days in enumerate([1, 2, 10]):
        closed_after(
            world,
            categories,
            days=days,
            estate=world.estate_a1,
            code="parking",
            staff="staff_x",
            start=60 + i,
        )
    for i, days in enumerate([1, 2, 3, 4]):
        closed_after(
            world,
            categories,
            days=days,
            estate=world.estate_a2,
            code="cleaning",
            staff="staff_y",
            start=70 + i,
        )
    overdue = accept(
        world, report(world, categories, who="member_a", days_ago=40), who="member_a", days_ago=40
    )
    services.problems_escalate_overdue()
    fresh = report(world, categories, code="ebike")
    return {"overdue": overdue, "fresh": fresh}


@pytest.fixture(params=["database", "fallback"])
def median_path(request, monkeypatch):
    """Run with the database's own median (PostgreSQL) and with the Python fallback."""
    if request.param == "database" and connection.vendor != "postgresql":
        pytest.skip("percentile_cont needs PostgreSQL; SQLite always takes the fallback")
    if request.param == "fallback":
        monkeypatch.setattr(selectors, "_use_percentile_cont", lambda: False)
    return request.param


def test_median_known_answers(world, history, median_path):
    stats = selectors.problem_stats(selectors.problems_for(world.user("admin")))
    by_company = {row.label: row for row in stats.by_company}
    assert by_company["星河物业"].median_days == pytest.approx(2.0)  # 1, 2, 10 → 2
    assert by_company["月湾物业"].median_days == pytest.approx(2.5)  # 1, 2, 3, 4 → 2.5
    by_category = {row.label: row for row in stats.by_category}
    assert by_category["停车"].median_days == pytest.approx(2.0)
    assert by_category["保洁"].median_days == pytest.approx(2.5)
    assert by_category["电动车违规充电"].median_days is None  # nothing closed yet
    assert stats.median_days == pytest.approx(2.0)  # 1, 1, 2, 2, 3, 4, 10 → 2


def test_counts_by_status_overdue_and_ever_overdue(world, history, median_path):
    stats = selectors.problem_stats(selectors.problems_for(world.user("admin")))
    assert (stats.total, stats.active, stats.closed, stats.overdue, stats.ever_overdue) == (9, 2, 7, 1, 1)
    assert dict((value, n) for value, _label, n in stats.by_status) == {
        "reported": 1,
        "rejected": 0,
        "assigned": 1,
        "in_progress": 0,
        "submitted": 0,
        "closed": 7,
    }
    x = next(row for row in stats.by_company if row.label == "星河物业")
    assert (x.total, x.active, x.closed, x.overdue, x.ever_overdue) == (4, 1, 3, 1, 1)
    parking = next(row for row in stats.by_category if row.label == "停车")
    assert (parking.total, parking.closed, parking.ever_overdue) == (4, 3, 1)


def test_ever_overdue_stays_after_closure(world, history):
    problem = history["overdue"]
    services.problem_submit(actor=world.user("staff_x"), problem=problem, note="补做", photos=[png()])
    services.problem_close(actor=world.user("secretary_a"), problem=problem)
    stats = selectors.problem_stats(selectors.problems_for(world.user("admin")))
    assert (stats.overdue, stats.ever_overdue) == (0, 1)


def test_stats_follow_scope_and_filters(as_user, world, history):
    staff = selectors.problem_stats(selectors.problems_for(world.user("staff_x")))
    assert [row.label for row in staff.by_company] == ["星河物业"]  # company X sees only its own work
    queryset, applied = selectors.filter_problems(
        selectors.problems_for(world.user("admin")), {"estate": str(world.estate_a2.pk)}
    )
    assert selectors.problem_stats(queryset).total == 4
    today = timezone.localdate()
    queryset, applied = selectors.filter_problems(
        selectors.problems_for(world.user("admin")), {"from": (today - dt.timedelta(days=65)).isoformat()}
    )
    assert applied == {"from": (today - dt.timedelta(days=65)).isoformat()}
    assert selectors.problem_stats(queryset).total == 5  # 3 closed at X (60–62 days ago), overdue, fresh


def test_stats_page_shows_the_medians_and_a_chart(as_user, history):
    response = as_user("admin").get(STATS)
    html = response.content.decode()
    assert response.status_code == 200
    assert "2.5" in html and "星河物业" in html and "月湾物业" in html
    chart = json.loads(html.split('id="chart-medians" type="application/json">')[1].split("</script>")[0])
    assert dict(zip(chart["yAxis"]["data"], chart["series"][0]["data"], strict=True)) == {
        "星河物业": 2.0,
        "月湾物业": 2.5,
    }
    assert chart["yAxis"]["data"] == ["月湾物业", "星河物业"]  # slowest first


def test_stats_page_filters_by_area(as_user, world, history):
    html = as_user("admin").get(STATS, {"area": world.area_b.pk}).content.decode()
    assert "暂无数据" in html


@pytest.mark.parametrize("persona", ["owner_a1", "outsider"])
def test_stats_are_for_office_roles(as_user, history, persona):
    assert as_user(persona).get(STATS).status_code == 403


def test_stats_query_count_does_not_grow(as_user, world, categories):
    client = as_user("admin")
    # From one company's problem on (with none, the names of no groups are not even asked for): more
    # problems, in more categories, closed or not, read in the same number of queries.
    closed_after(world, categories, days=3, estate=world.estate_a1, code="parking", staff="staff_x", start=20)
    small = count_queries(client, STATS)
    report(world, categories, code="ebike")
    closed_after(
        world, categories, days=5, estate=world.estate_a1, code="cleaning", staff="staff_x", start=30
    )
    report(world, categories, code="parking")
    assert count_queries(client, STATS) == small


def test_the_statistics_read_the_problems_in_a_fixed_number_of_queries(
    world, history, django_assert_num_queries
):
    """Totals, each status and the median in one aggregate; one GROUP BY per category and per company, each
    with the names of its groups (and its durations query on SQLite, which has no median) — however many
    problems there are."""
    queryset = selectors.problems_for(world.user("admin"))
    expected = 5 if connection.vendor == "postgresql" else 8
    with django_assert_num_queries(expected):
        stats = selectors.problem_stats(queryset)
    assert stats.total == 9
