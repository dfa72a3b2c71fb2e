"""Office filing, category settings, the inbox, the navigation and the home page's figures."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongzhi.core.models import AuditEvent, Notification
from gongzhi.problems.models import Category, Problem, ProblemPhoto
from gongzhi.problems.tests.office_helpers import accept, count_queries, png, report

CREATE = reverse("problems:create")
CATEGORIES = reverse("problems:categories")
INBOX = reverse("inbox")
INBOX_READ = reverse("inbox_read")


# ---- filing from the office ------------------------------------------------------------------------


def test_branch_files_a_patrol_finding_with_photos(as_user, world, categories):
    client = as_user("member_a")
    page = client.get(CREATE).content.decode()
    assert "甲一小区" in page and "乙一小区" not in page  # only estates where the member may file
    assert 'value="patrol"' in page and 'value="resident"' not in page and 'value="inspection"' not in page
    response = client.post(
        CREATE,
        {
            "estate": world.estate_a1.pk,
            "source": "patrol",
            "category": categories["ebike"].pk,
            "building": world.building_a1.pk,
            "location": "北侧车棚",
            "description": "车棚内飞线充电,有火灾隐患",
            "photos": [png()],
        },
    )
    problem = Problem.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "problems:detail", args=[problem.pk]
    )
    assert (problem.source, problem.urgent, problem.building, problem.reporter) == (
        "patrol",
        True,
        world.building_a1,
        world.user("member_a"),
    )
    assert problem.photos.filter(kind=ProblemPhoto.Kind.REPORT).count() == 1


def test_evaluator_files_inspections_at_its_estate_only(as_user, world, categories):
    client = as_user("evaluator_b1")
    page = client.get(CREATE).content.decode()
    assert "乙一小区" in page and "甲一小区" not in page
    assert 'value="inspection"' in page and 'value="patrol"' not in page
    response = client.post(
        CREATE,
        {
            "estate": world.estate_a1.pk,
            "source": "inspection",
            "category": categories["cleaning"].pk,
            "description": "垃圾箱房未清理",
        },
    )
    assert response.status_code == 200 and not Problem.objects.exists()  # A1 is not offered: form error
    response = client.post(
        CREATE,
        {
            "estate": world.estate_b1.pk,
            "source": "inspection",
            "category": categories["cleaning"].pk,
            "description": "垃圾箱房未清理",
        },
    )
    assert response.status_code == 302
    assert Problem.objects.get().source == "inspection"


def test_a_source_the_user_may_not_use_is_a_form_error(as_user, world, categories):
    """A secretary cannot file a third-party inspection even if the request claims one."""
    response = as_user("secretary_a").post(
        CREATE,
        {
            "estate": world.estate_a1.pk,
            "source": "inspection",
            "category": categories["cleaning"].pk,
            "description": "垃圾箱房未清理",
        },
    )
    assert response.status_code == 200 and not Problem.objects.exists()


def test_filing_with_a_non_image_shows_the_reason(as_user, world, categories):
    fake = SimpleUploadedFile("x.png", b"GIF89a-but-not-really", content_type="image/png")
    response = as_user("secretary_a").post(
        CREATE,
        {
            "estate": world.estate_a1.pk,
            "source": "patrol",
            "category": categories["parking"].pk,
            "description": "乱停车堵住通道",
            "photos": [fake],
        },
    )
    assert response.status_code == 200
    assert "不是有效的图片文件" in response.content.decode()
    assert not Problem.objects.exists()


def test_building_menu_follows_the_estate(as_user, world, categories):
    response = as_user("admin").get(
        CREATE, {"estate": world.estate_b1.pk}, headers={"HX-Request": "true", "HX-Target": "building-field"}
    )
    html = response.content.decode()
    assert html.startswith('<span id="building-field">')
    assert f'value="{world.building_b1.pk}"' in html and f'value="{world.building_a1.pk}"' not in html


@pytest.mark.parametrize("persona", ["leader", "oc_a1", "staff_x", "owner_a1", "outsider"])
def test_who_does_not_file_here_gets_403(as_user, world, categories, persona):
    assert as_user(persona).get(CREATE).status_code == 403
    response = as_user(persona).post(
        CREATE,
        {
            "estate": world.estate_a1.pk,
            "source": "patrol",
            "category": categories["parking"].pk,
            "description": "乱停车乱停车",
        },
    )
    assert response.status_code == 403 and not Problem.objects.exists()


# ---- category settings -----------------------------------------------------------------------------


def _category_post(categories, **changes) -> dict:
    data = {}
    for category in categories.values():
        data[f"c{category.pk}-deadline_days"] = category.deadline_days
        data[f"c{category.pk}-carriage"] = category.carriage
        if category.urgent:
            data[f"c{category.pk}-urgent"] = "on"
    data.update(changes)
    return data


def test_street_admin_edits_categories_and_it_is_audited(as_user, categories):
    parking = categories["parking"]
    client = as_user("admin")
    assert "停车" in client.get(CATEGORIES).content.decode()
    response = client.post(
        CATEGORIES,
        _category_post(
            categories,
            **{
                f"c{parking.pk}-deadline_days": "7",
                f"c{parking.pk}-carriage": "residents_committee",
                f"c{parking.pk}-urgent": "on",
            },
        ),
    )
    assert response.status_code == 302
    parking.refresh_from_db()
    assert (parking.deadline_days, parking.carriage, parking.urgent) == (7, "residents_committee", True)
    events = AuditEvent.objects.filter(object_type="problems.Category")
    assert events.count() == 1  # only the changed row
    assert events.get().changes["deadline_days"] == [10, 7]


def test_an_out_of_range_deadline_changes_nothing(as_user, categories):
    parking, ebike = categories["parking"], categories["ebike"]
    response = as_user("admin").post(
        CATEGORIES,
        _category_post(
            categories,
            **{
                f"c{ebike.pk}-deadline_days": "3",
                f"c{parking.pk}-deadline_days": "61",
            },
        ),
    )
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert Category.objects.get(pk=ebike.pk).deadline_days == 2  # all rows or none
    assert not AuditEvent.objects.filter(object_type="problems.Category").exists()


def test_other_street_admin_edits_only_its_own_categories(as_user, world, categories):
    html = as_user("other_admin").get(CATEGORIES).content.decode()
    assert f'name="c{categories["parking"].pk}-deadline_days"' not in html
    assert Category.objects.filter(street=world.other_street).exists()  # defaults made for its street


@pytest.mark.parametrize("persona", ["leader", "secretary_a", "staff_x", "owner_a1"])
def test_only_street_admins_open_category_settings(as_user, categories, persona):
    assert as_user(persona).get(CATEGORIES).status_code == 403
    assert as_user(persona).post(CATEGORIES, {}).status_code == 403


# ---- inbox -----------------------------------------------------------------------------------------


def test_inbox_lists_newest_first_and_marks_read(as_user, world, categories):
    first = report(world, categories)  # tells the branch
    second = report(world, categories, code="ebike")  # urgent
    client = as_user("secretary_a")
    html = client.get(INBOX).content.decode()
    assert html.index(second.number) < html.index(first.number)
    assert 'class="unread urgent"' in html
    assert reverse("problems:detail", args=[second.pk]) in html
    assert "2 条未读" in html
    one = Notification.objects.filter(user=world.user("secretary_a")).order_by("at", "id").first()
    assert client.post(INBOX_READ, {"id": one.pk}).status_code == 302
    assert Notification.objects.filter(user=world.user("secretary_a"), read_at__isnull=True).count() == 1
    client.post(INBOX_READ)
    assert not Notification.objects.filter(user=world.user("secretary_a"), read_at__isnull=True).exists()
    assert Notification.objects.filter(user=world.user("member_a"), read_at__isnull=True).count() == 2


def test_nobody_marks_another_users_notification(as_user, world, categories):
    report(world, categories)
    theirs = Notification.objects.get(user=world.user("member_a"))
    as_user("secretary_a").post(INBOX_READ, {"id": theirs.pk})
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_resident_reads_the_inbox_in_the_portal_layout(as_user, world, categories):
    accept(world, report(world, categories))  # tells the reporter it was accepted
    html = as_user("owner_a1").get(INBOX).content.decode()
    assert "已受理" in html and "bottom-nav" in html


def test_inbox_query_count_does_not_grow(as_user, world, categories):
    client = as_user("secretary_a")
    report(world, categories)
    small = count_queries(client, INBOX)
    for i in range(8):
        report(world, categories, days_ago=2 + i)
    assert count_queries(client, INBOX) == small


# ---- navigation and home ---------------------------------------------------------------------------


def test_navigation_offers_problems_and_unread_count(as_user, world, categories):
    report(world, categories)
    html = as_user("secretary_a").get(reverse("problems:list")).content.decode()
    assert reverse("problems:stats") in html and reverse("inbox") in html
    assert '<span class="nav-count" title="未读">1</span>' in html
    assert CATEGORIES not in html  # settings are the street admin's
    assert CATEGORIES in as_user("admin").get(reverse("problems:list")).content.decode()


def test_home_shows_open_and_overdue_problems(as_user, world, categories):
    accept(world, report(world, categories, days_ago=40), days_ago=40)
    report(world, categories, code="ebike")
    report(world, categories, who="secretary_b", estate=world.estate_b1)
    html = as_user("secretary_a").get(reverse("home_overview")).content.decode()
    active = html.split("未办结问题")[1].split("</a>")[0]
    overdue = html.split("超期问题")[1].split("</a>")[0]
    assert active.endswith(">2") and overdue.endswith(">1")
    assert reverse("problems:list") + "?overdue=yes" in html
