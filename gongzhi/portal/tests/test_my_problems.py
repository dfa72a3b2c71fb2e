"""Following one's own reports: 我的报事 (list), one report's progress, rating and reopening."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongzhi.core.dates import long_date
from gongzhi.core.models import Role, RoleGrant, User
from gongzhi.core.testing import PASSWORD
from gongzhi.portal.tests.helpers import upload, walk
from gongzhi.problems import services
from gongzhi.problems.models import Problem, ProblemEvent, Status


@pytest.fixture
def neighbour(world):
    """A second resident of estate A1 (owner of the unit next door)."""
    user = User.objects.create_user(username="neighbour", password=PASSWORD, display_name="邻居")
    RoleGrant.objects.create(user=user, role=Role.OWNER, unit=world.unit_a1_other)
    world.users["neighbour"] = user
    return user


def detail(client, problem):
    return client.get(reverse("portal:problem", args=[problem.pk]))


# ---- 我的报事 ------------------------------------------------------------------------------------


def test_my_list_shows_only_my_own_reports(as_user, world, categories, neighbour):
    mine = walk(world, categories["parking"], to="reported")
    theirs = walk(world, categories["cleaning"], to="reported", reporter="neighbour")
    patrol = walk(world, categories["greening"], to="reported", reporter="member_a", source="patrol")
    html = as_user("owner_a1").get(reverse("portal:problems")).content.decode()
    assert mine.number in html
    assert theirs.number not in html and patrol.number not in html
    assert reverse("portal:problem", args=[mine.pk]) in html


def test_my_list_shows_status_deadline_and_marks_overdue(as_user, world, categories):
    late = walk(world, categories["parking"], to="assigned", days_ago=40)  # 10 working days long past
    fresh = walk(world, categories["cleaning"], to="reported")
    assert late.is_overdue and not fresh.is_overdue
    html = as_user("owner_a1").get(reverse("portal:problems")).content.decode()
    cards = {
        m.group(1): m.group(0)
        for m in re.finditer(
            r'<a class="card problem-card[^"]*" href="[^"]*">.*?(WT-\d{4}-\d{6,}).*?</a>', html, re.S
        )
    }
    assert set(cards) == {late.number, fresh.number}
    assert "overdue" in cards[late.number].split(">")[0] and "已超期" in cards[late.number]
    assert long_date(late.deadline) in cards[late.number] and "待整改" in cards[late.number]
    assert "已超期" not in cards[fresh.number] and "待受理" in cards[fresh.number]


def test_my_list_is_empty_for_someone_who_reported_nothing(as_user, world, categories):
    walk(world, categories["parking"], to="reported")
    response = as_user("secretary_a").get(reverse("portal:problems"))
    assert response.status_code == 200
    assert "还没有报过事" in response.content.decode()


def test_my_list_uses_a_fixed_number_of_queries(as_user, world, categories):
    client = as_user("owner_a1")
    walk(world, categories["parking"], to="assigned", days_ago=5)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("portal:problems")).status_code == 200
        return len(captured)

    few = queries()
    for days in range(6, 16):
        walk(world, categories["cleaning"], to="reported", days_ago=days)
    assert Problem.objects.filter(reporter=world.user("owner_a1")).count() == 11
    assert queries() == few


# ---- one report --------------------------------------------------------------------------------


@pytest.mark.parametrize("viewer", ["neighbour", "secretary_a", "staff_x", "admin", "outsider"])
def test_someone_elses_report_is_404(as_user, world, categories, neighbour, viewer):
    problem = walk(world, categories["parking"], to="submitted")
    assert detail(as_user(viewer), problem).status_code == 404


def test_a_report_that_does_not_exist_is_404(as_user, world):
    assert as_user("owner_a1").get(reverse("portal:problem", args=[999999])).status_code == 404


def test_detail_shows_progress_assignee_deadline_timeline_and_photos(as_user, world, categories):
    problem = walk(world, categories["parking"], to="submitted")
    html = detail(as_user("owner_a1"), problem).content.decode()
    steps = re.search(r'<ol class="steps".*?</ol>', html, re.S).group(0)
    assert re.findall(r'<li class="(\w*)"', steps) == ["done", "done", "current", ""]
    assert 'aria-current="step"><span class="dot">3</span>待验收' in steps
    assert problem.number in html
    assert "星河物业" in html  # the assignee organisation
    assert long_date(problem.deadline) in html
    timeline = re.search(r'<ol class="portal-timeline">.*?</ol>', html, re.S).group(0)
    for text in ("报告问题", "受理并派单", "甲居民区联合党支部", "提交验收", "已清理并设置隔离桩"):
        assert text in timeline
    for photo in problem.photos.all():
        assert reverse("problems:photo", args=[photo.pk]) in html
    assert "3号楼东侧消防通道被车辆长期占用" in html


def test_closed_report_has_every_step_done(as_user, world, categories):
    problem = walk(world, categories["parking"], to="closed")
    steps = re.search(
        r'<ol class="steps".*?</ol>', detail(as_user("owner_a1"), problem).content.decode(), re.S
    ).group(0)
    assert re.findall(r'<li class="(\w*)"', steps) == ["done"] * 4
    assert 'aria-current="step"' in steps.split("<li")[-1]  # the last step, 已销项, is where it stands


def test_detail_uses_a_fixed_number_of_queries(as_user, world, categories):
    client = as_user("owner_a1")
    fresh = walk(world, categories["parking"], to="reported")
    rated = walk(world, categories["cleaning"], to="closed")  # five more events, one more photo
    services.problem_rate(actor=world.user("owner_a1"), problem=rated, rating=4)

    def queries(problem):
        with CaptureQueriesContext(connection) as captured:
            assert detail(client, problem).status_code == 200
        return len(captured)

    assert queries(rated) == queries(fresh)


def test_rejected_report_shows_the_reason_instead_of_steps(as_user, world, categories):
    problem = walk(world, categories["parking"], to="rejected")
    html = detail(as_user("owner_a1"), problem).content.decode()
    assert "不予受理" in html and "不属于物业范围" in html
    assert 'class="steps"' not in html


# ---- rating ---------------------------------------------------------------------------------------


def rate(client, problem, **data):
    return client.post(reverse("portal:problem_rate", args=[problem.pk]), data, follow=True)


def test_rate_form_only_on_a_closed_unrated_report(as_user, world, categories):
    client = as_user("owner_a1")
    open_one = walk(world, categories["parking"], to="submitted")
    closed = walk(world, categories["cleaning"], to="closed")
    assert reverse("portal:problem_rate", args=[open_one.pk]) not in detail(client, open_one).content.decode()
    html = detail(client, closed).content.decode()
    assert reverse("portal:problem_rate", args=[closed.pk]) in html
    assert html.count('type="radio" name="rating"') == 5


def test_reporter_rates_a_closed_report_once(as_user, world, categories):
    client = as_user("owner_a1")
    problem = walk(world, categories["parking"], to="closed")
    html = rate(client, problem, rating="5", comment="很及时,谢谢").content.decode()
    problem.refresh_from_db()
    assert (problem.rating, problem.rating_comment) == (5, "很及时,谢谢")
    assert "感谢您的评价" in html and "★★★★★" in html
    assert reverse("portal:problem_rate", args=[problem.pk]) not in html  # the form is gone
    again = rate(client, problem, rating="1").content.decode()
    assert "只能对已销项的问题评价一次。" in again
    problem.refresh_from_db()
    assert problem.rating == 5
    assert ProblemEvent.objects.filter(problem=problem, action="rate").count() == 1


@pytest.mark.parametrize(
    ("rating", "message"),
    [
        ("", "请选择 1 到 5 星。"),
        ("0", "评价为 1 到 5 星。"),
        ("6", "评价为 1 到 5 星。"),
        ("x", "评价为 1 到 5 星。"),
    ],
)
def test_rating_outside_one_to_five_is_refused(as_user, world, categories, rating, message):
    problem = walk(world, categories["parking"], to="closed")
    assert message in rate(as_user("owner_a1"), problem, rating=rating).content.decode()
    problem.refresh_from_db()
    assert problem.rating is None


def test_a_report_not_yet_closed_cannot_be_rated(as_user, world, categories):
    problem = walk(world, categories["parking"], to="submitted")
    assert "只能对已销项的问题评价一次。" in rate(as_user("owner_a1"), problem, rating="4").content.decode()
    problem.refresh_from_db()
    assert problem.rating is None


@pytest.mark.parametrize("persona", ["neighbour", "secretary_a", "staff_x"])
def test_others_cannot_rate(as_user, world, categories, neighbour, persona):
    problem = walk(world, categories["parking"], to="closed")
    response = as_user(persona).post(reverse("portal:problem_rate", args=[problem.pk]), {"rating": "1"})
    assert response.status_code == 404
    problem.refresh_from_db()
    assert problem.rating is None


@pytest.mark.parametrize("name", ["portal:problem_rate", "portal:problem_reopen"])
def test_rate_and_reopen_refuse_get(as_user, world, categories, name):
    problem = walk(world, categories["parking"], to="closed")
    assert as_user("owner_a1").get(reverse(name, args=[problem.pk])).status_code == 405


# ---- reopening ------------------------------------------------------------------------------------


def reopen(client, problem, note="通道又被堵了"):
    return client.post(reverse("portal:problem_reopen", args=[problem.pk]), {"note": note}, follow=True)


def test_reporter_reopens_a_recently_closed_report_once(as_user, world, categories):
    client = as_user("owner_a1")
    problem = walk(world, categories["parking"], to="closed")
    assert reverse("portal:problem_reopen", args=[problem.pk]) in detail(client, problem).content.decode()
    html = reopen(client, problem).content.decode()
    problem.refresh_from_db()
    assert problem.status == Status.ASSIGNED and problem.reopen_count == 1
    assert "问题已重新打开" in html and "通道又被堵了" in html
    # closed again; the one reopening is used up
    services.problem_submit(actor=world.user("staff_x"), problem=problem, note="再次清理", photos=[upload()])
    services.problem_close(actor=world.user("secretary_a"), problem=problem)
    assert reverse("portal:problem_reopen", args=[problem.pk]) not in detail(client, problem).content.decode()
    assert "只能在销项后 30 天内重新打开一次。" in reopen(client, problem).content.decode()
    problem.refresh_from_db()
    assert problem.status == Status.CLOSED and problem.reopen_count == 1


def test_reopening_after_the_window_is_refused(as_user, world, categories):
    client = as_user("owner_a1")
    problem = walk(world, categories["parking"], to="closed", days_ago=31)
    assert reverse("portal:problem_reopen", args=[problem.pk]) not in detail(client, problem).content.decode()
    assert "只能在销项后 30 天内重新打开一次。" in reopen(client, problem).content.decode()
    problem.refresh_from_db()
    assert problem.status == Status.CLOSED


def test_reopening_needs_a_note(as_user, world, categories):
    problem = walk(world, categories["parking"], to="closed")
    assert "请说明为什么要重新打开。" in reopen(as_user("owner_a1"), problem, note="  ").content.decode()
    problem.refresh_from_db()
    assert problem.status == Status.CLOSED


def test_an_open_report_cannot_be_reopened(as_user, world, categories):
    problem = walk(world, categories["parking"], to="submitted")
    html = reopen(as_user("owner_a1"), problem).content.decode()
    assert "不能执行“重新打开”" in html
    problem.refresh_from_db()
    assert problem.status == Status.SUBMITTED


@pytest.mark.parametrize("persona", ["neighbour", "secretary_a", "staff_x"])
def test_others_cannot_reopen(as_user, world, categories, neighbour, persona):
    problem = walk(world, categories["parking"], to="closed")
    response = as_user(persona).post(reverse("portal:problem_reopen", args=[problem.pk]), {"note": "x"})
    assert response.status_code == 404
    problem.refresh_from_db()
    assert problem.status == Status.CLOSED


# ---- navigation -----------------------------------------------------------------------------------


def test_home_and_nav_lead_to_reporting_and_my_reports(as_user, world):
    html = as_user("owner_a1").get(reverse("portal:home")).content.decode()
    nav = re.search(r'<nav class="bottom-nav".*?</nav>', html, re.S).group(0)
    assert reverse("portal:report") in nav and reverse("portal:problems") in nav
    tiles = html.split('<nav class="bottom-nav"')[0]
    assert f'href="{reverse("portal:report")}"' in tiles and f'href="{reverse("portal:problems")}"' in tiles


def test_office_users_in_the_portal_are_not_offered_reporting(as_user, world):
    html = as_user("secretary_a").get(reverse("portal:home")).content.decode()
    assert reverse("portal:report") not in html


def test_estate_page_links_to_the_public_board(as_user, world):
    html = as_user("owner_a1").get(reverse("portal:estate", args=[world.estate_a1.pk])).content.decode()
    assert f'href="{reverse("board:estate", args=[world.estate_a1.pk])}"' in html
