"""The office problem list: scope, filters, search, overdue highlight, no reporter, the Excel
export and a query count that does not grow with the data."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gongzhi.problems.tests.office_helpers import accept, close, count_queries, report

LIST = reverse("problems:list")


@pytest.fixture
def three(world, categories):
    """A1: an overdue parking problem (company X) and a fresh e-bike report; B1: a cleaning one."""
    overdue = accept(
        world, report(world, categories, days_ago=40, description="北门私家车占用消防通道"), days_ago=40
    )
    fresh = report(world, categories, code="ebike", description="3号楼楼道里电动车充电")
    other = report(
        world,
        categories,
        code="cleaning",
        who="secretary_b",
        estate=world.estate_b1,
        description="垃圾箱房满溢无人清运",
    )
    return overdue, fresh, other


def numbers(response) -> set[str]:
    import re

    return set(re.findall(r"WT-\d{4}-\d{6,}", response.content.decode()))


def test_each_role_sees_the_problems_of_its_scope(as_user, three):
    overdue, fresh, other = three
    assert numbers(as_user("admin").get(LIST)) == {overdue.number, fresh.number, other.number}
    assert numbers(as_user("secretary_a").get(LIST)) == {overdue.number, fresh.number}
    assert numbers(as_user("secretary_b").get(LIST)) == {other.number}
    assert numbers(as_user("staff_x").get(LIST)) == {overdue.number}  # only what was assigned to it
    assert numbers(as_user("evaluator_b1").get(LIST)) == {other.number}
    assert numbers(as_user("other_admin").get(LIST)) == set()


@pytest.mark.parametrize("persona", ["owner_a1", "outsider"])
def test_residents_and_the_roleless_get_403(as_user, three, persona):
    assert as_user(persona).get(LIST).status_code == 403
    assert as_user(persona).get(reverse("problems:export")).status_code == 403


def test_filters_and_search(as_user, world, categories, three):
    overdue, fresh, other = three
    client = as_user("admin")
    assert numbers(client.get(LIST, {"area": world.area_b.pk})) == {other.number}
    assert numbers(client.get(LIST, {"estate": world.estate_a1.pk})) == {overdue.number, fresh.number}
    assert numbers(client.get(LIST, {"company": world.company_x.pk})) == {overdue.number}
    assert numbers(client.get(LIST, {"category": categories["ebike"].pk})) == {fresh.number}
    assert numbers(client.get(LIST, {"status": "reported"})) == {fresh.number, other.number}
    assert numbers(client.get(LIST, {"status": "active"})) == {overdue.number, fresh.number, other.number}
    assert numbers(client.get(LIST, {"source": "patrol"})) == {other.number}
    assert numbers(client.get(LIST, {"overdue": "yes"})) == {overdue.number}
    assert numbers(client.get(LIST, {"urgent": "yes"})) == {fresh.number}
    assert numbers(client.get(LIST, {"q": "垃圾箱房"})) == {other.number}
    assert numbers(client.get(LIST, {"q": fresh.number})) == {fresh.number}
    # A malformed filter selects nothing rather than being ignored.
    assert numbers(client.get(LIST, {"estate": "x"})) == set()
    assert numbers(client.get(LIST, {"status": "nonsense"})) == set()


def test_filters_stay_inside_the_scope(as_user, world, three):
    """Asking for another area's estate by id does not widen what a secretary sees."""
    assert numbers(as_user("secretary_a").get(LIST, {"estate": world.estate_b1.pk})) == set()


def test_overdue_rows_are_red_with_days_and_urgent_has_a_badge(as_user, three):
    overdue, fresh, _other = three
    html = as_user("secretary_a").get(LIST).content.decode()
    row = html[html.index(overdue.number) - 200 : html.index(overdue.number) + 2000]
    assert 'class="overdue"' in row
    from django.utils import timezone

    days = (timezone.localdate() - overdue.deadline).days
    assert f"超期 {days} 天" in row
    fresh_row = html[html.index(fresh.number) : html.index(fresh.number) + 1500]
    assert '<span class="badge red">紧急</span>' in fresh_row
    assert 'class="overdue"' not in html[html.index(fresh.number) - 200 : html.index(fresh.number)]


def test_provisional_deadline_is_marked(as_user, world, categories):
    problem = accept(world, report(world, categories))
    type(problem).objects.filter(pk=problem.pk).update(deadline_provisional=True)
    html = as_user("secretary_a").get(LIST).content.decode()
    assert "暂定" in html


def test_the_reporter_is_never_listed(as_user, world, three):
    reporter_name = world.user("owner_a1").display_name
    for persona in ("admin", "secretary_a", "staff_x"):
        html = as_user(persona).get(LIST).content.decode()
        assert reporter_name not in html
        assert "owner_a1" not in html


def test_live_search_returns_only_the_results_fragment(as_user, three):
    response = as_user("admin").get(
        LIST, {"q": "垃圾"}, headers={"HX-Request": "true", "HX-Target": "results"}
    )
    html = response.content.decode()
    assert "<table" in html and "<html" not in html
    assert numbers(response) == {three[2].number}


def test_sort_by_deadline(as_user, world, categories):
    late = accept(world, report(world, categories, days_ago=3), days_ago=3)
    early = accept(world, report(world, categories, code="ebike", days_ago=2), days_ago=2)  # 2 working days
    html = as_user("admin").get(LIST, {"o": "deadline"}).content.decode()
    assert html.index(early.number) < html.index(late.number)
    html = as_user("admin").get(LIST, {"o": "-deadline"}).content.decode()
    assert html.index(late.number) < html.index(early.number)


def test_export_has_the_filtered_rows_with_real_numbers_and_dates(as_user, world, categories, three):
    overdue, _fresh, _other = three
    closed = close(world, accept(world, report(world, categories, days_ago=9), days_ago=9), days_ago=6)
    response = as_user("secretary_a").get(reverse("problems:export"), {"status": "active"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    body = {row[0]: dict(zip(header, row, strict=False)) for row in rows[1:]}
    assert set(body) == {overdue.number, three[1].number}  # B1 is out of scope, the closed one filtered out
    row = body[overdue.number]
    import datetime as dt

    assert isinstance(row["整改期限"], dt.datetime)  # openpyxl reads dates back as datetimes
    assert row["整改期限"].date() == overdue.deadline
    assert isinstance(row["报告时间"], dt.datetime)
    assert isinstance(row["超期天数"], int) and row["超期天数"] > 0
    assert row["责任单位"] == "星河物业" and row["小区"] == "甲一小区"
    assert "报告人" not in header

    response = as_user("secretary_a").get(reverse("problems:export"), {"status": "closed"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    closed_row = dict(zip(rows[0], rows[1], strict=False))
    assert closed_row["编号"] == closed.number
    assert closed_row["销项用时（天）"] == pytest.approx(3.0, abs=0.05)


def test_list_query_count_does_not_grow_with_the_data(as_user, world, categories):
    client = as_user("secretary_a")
    report(world, categories)
    small = count_queries(client, LIST)
    for i in range(12):
        problem = report(world, categories, code=["parking", "ebike", "fund", "other"][i % 4], days_ago=2 + i)
        if i % 2:
            accept(world, problem, days_ago=2 + i)
    assert count_queries(client, LIST) == small
    assert count_queries(client, LIST + "?overdue=yes&o=deadline") <= small
