"""The public problem board of an estate (board:estate): no login, counts and a list with
ages and deadlines, evidence photos of closed problems — and no personal data at all."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongzhi.core.dates import long_date
from gongzhi.portal.tests.helpers import walk
from gongzhi.problems.models import ProblemPhoto


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def board(client, estate, **params):
    return client.get(reverse("board:estate", args=[estate.pk]), params)


def counts(html: str) -> dict[str, int]:
    return {
        key: int(value)
        for key, value in re.findall(r'href="\?s=(\w+)"[^>]*><span class="value">(\d+)</span>', html)
    }


@pytest.fixture
def loop(world, categories):
    """One problem of estate A1 in each state, plus one in estate A2."""
    return {
        "reported": walk(world, categories["cleaning"], to="reported", days_ago=5, location="2号楼302室门口"),
        "overdue": walk(world, categories["parking"], to="assigned", days_ago=40, building=world.building_a1),
        "submitted": walk(world, categories["parking"], to="submitted", days_ago=3),
        "closed": walk(world, categories["parking"], to="closed", days_ago=2),
        "closed2": walk(world, categories["security"], to="closed", days_ago=1),
        "rejected": walk(world, categories["other"], to="rejected", days_ago=4),
        "elsewhere": walk(
            world,
            categories["parking"],
            to="reported",
            reporter="secretary_a",
            source="patrol",
            estate=world.estate_a2,
        ),
    }


def test_anonymous_visitor_sees_counts_by_state(client, world, loop):
    response = board(client, world.estate_a1)
    assert response.status_code == 200
    assert counts(response.content.decode()) == {"reported": 1, "in_progress": 2, "closed": 2, "overdue": 1}


def test_list_has_number_category_building_status_age_and_deadline(client, world, loop):
    html = board(client, world.estate_a1).content.decode()
    cards = {
        m.group(1): m.group(0) for m in re.finditer(r"<article.*?(WT-\d{4}-\d{6,}).*?</article>", html, re.S)
    }
    shown = {loop[k].number for k in ("reported", "overdue", "submitted", "closed", "closed2")}
    assert set(cards) == shown
    late = cards[loop["overdue"].number]
    assert "停车" in late and "1号" in late and "待整改" in late and "已超期" in late and "overdue" in late
    assert (
        f"整改期限 {long_date(loop['overdue'].deadline)}" in late and "已 40 天" in late
    )  # 2026年11月11日 星期三
    assert "已 5 天" in cards[loop["reported"].number] and "已超期" not in cards[loop["reported"].number]
    assert "已销项" in cards[loop["closed"].number]
    assert "星河物业" in late  # the organisation that has to fix it


def test_rejected_reports_and_other_estates_are_not_listed(client, world, loop):
    html = board(client, world.estate_a1).content.decode()
    assert loop["rejected"].number not in html and "不属于物业范围" not in html
    assert loop["elsewhere"].number not in html


def test_no_personal_data_on_the_board(client, world, loop):
    owner = world.user("owner_a1")
    loop["closed"].rating_comment = "王建国 13912345678 说很及时"
    loop["closed"].save()
    html = board(client, world.estate_a1).content.decode()
    for secret in (
        owner.username,
        owner.display_name,
        world.unit_a1.owner.name,
        world.unit_a1.owner.phone,
        "3号楼东侧消防通道被车辆长期占用",  # the free-text description of every problem above
        "2号楼302室门口",  # a free-text location
        "王建国",
        "13912345678",
        "secretary_a",
        "甲书记",
        "现场核实通道畅通",  # free text of the timeline is not shown either
    ):
        assert secret not in html, secret


def test_evidence_photos_of_closed_problems_are_shown_and_report_photos_are_not(client, world, loop):
    html = board(client, world.estate_a1).content.decode()
    photos = ProblemPhoto.objects.filter(problem__estate=world.estate_a1)
    for photo in photos:
        url = reverse("board:photo", args=[photo.pk])
        if photo.kind == "evidence" and photo.problem.status == "closed":
            assert f'src="{url}"' in html
        else:
            assert url not in html
        assert reverse("problems:photo", args=[photo.pk]) not in html
    assert html.count('src="/board/photo/') == 2


def test_tabs_list_one_state(client, world, loop):
    html = board(client, world.estate_a1, s="closed").content.decode()
    assert loop["closed"].number in html and loop["closed2"].number in html
    assert loop["reported"].number not in html and loop["overdue"].number not in html
    overdue = board(client, world.estate_a1, s="overdue").content.decode()
    assert loop["overdue"].number in overdue and loop["submitted"].number not in overdue


def test_unknown_estate_is_404(client, world):
    assert client.get(reverse("board:estate", args=[999999])).status_code == 404


def test_board_refuses_post(client, world):
    assert client.post(reverse("board:estate", args=[world.estate_a1.pk])).status_code == 405


def test_board_lists_at_most_the_newest_limit(client, world, categories, monkeypatch):
    monkeypatch.setattr("gongzhi.problems.views.public.BOARD_LIMIT", 2)
    made = [walk(world, categories["cleaning"], to="reported", days_ago=d) for d in (3, 2, 1)]
    html = board(client, world.estate_a1).content.decode()
    assert made[2].number in html and made[1].number in html and made[0].number not in html
    assert "只列出最新的 2 件" in html
    assert counts(html)["reported"] == 3


def test_board_uses_a_fixed_number_of_queries(client, world, categories):
    walk(world, categories["parking"], to="closed", days_ago=1)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert board(client, world.estate_a1).status_code == 200
        return len(captured)

    few = queries()
    for days in range(2, 12):
        walk(world, categories["parking"], to="closed", days_ago=days)
        walk(world, categories["cleaning"], to="assigned", days_ago=days)
    assert world.estate_a1.problems.count() == 21
    assert queries() == few <= 5
