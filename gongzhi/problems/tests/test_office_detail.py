"""The problem page and its action forms, through HTTP: who sees the reporter, each workflow
step by its party, refusals that change nothing, photo upload and the private photo download."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongzhi.core.dates import long_date
from gongzhi.core.models import AuditEvent
from gongzhi.problems.models import Problem, ProblemEvent, ProblemPhoto, Status
from gongzhi.problems.tests.office_helpers import accept, count_queries, png, report


def detail(problem) -> str:
    return reverse("problems:detail", args=[problem.pk])


def act(problem, action: str) -> str:
    return reverse("problems:act", args=[problem.pk, action])


def snapshot(problem) -> tuple:
    fresh = Problem.objects.get(pk=problem.pk)
    return fresh.status, fresh.carriage, fresh.deadline, ProblemEvent.objects.filter(problem=problem).count()


# ---- reading ---------------------------------------------------------------------------------------


def test_reporter_is_shown_to_the_branch_only(as_user, world, categories):
    problem = accept(world, report(world, categories))
    name = world.user("owner_a1").display_name
    assert name in as_user("secretary_a").get(detail(problem)).content.decode()
    assert name in as_user("admin").get(detail(problem)).content.decode()
    for persona in ("staff_x", "oc_a1", "leader"):
        html = as_user(persona).get(detail(problem)).content.decode()
        assert name not in html, persona
        assert "报告人" not in html.split("办理过程")[0], persona  # no reporter field at all


def test_a_patrolling_member_is_not_named_to_the_company(as_user, world, categories):
    """An office reporter is as anonymous to the assignee as a resident: the timeline shows the
    source (日常巡查), never the person, even on the steps that person takes later."""
    problem = report(world, categories, who="member_a")
    accept(world, problem, who="member_a")
    html = as_user("staff_x").get(detail(problem)).content.decode()
    assert world.user("member_a").display_name not in html
    assert "日常巡查" in html


def test_detail_shows_deadline_assignee_timeline_and_photos(as_user, world, categories):
    problem = accept(world, report(world, categories, photos=[png()]))
    html = as_user("staff_x").get(detail(problem)).content.decode()
    assert long_date(problem.deadline) in html
    assert "剩 " in html and "个工作日" in html
    assert "星河物业" in html
    assert "受理并派单" in html and "甲居民区联合党支部" in html
    photo = problem.photos.get()
    assert reverse("problems:photo", args=[photo.pk]) in html


def test_overdue_detail_says_by_how_many_days(as_user, world, categories):
    problem = accept(world, report(world, categories, days_ago=30), days_ago=30)
    from django.utils import timezone

    days = (timezone.localdate() - problem.deadline).days
    assert days > 0
    assert f"超期 {days} 天" in as_user("secretary_a").get(detail(problem)).content.decode()


def test_forms_offered_are_the_ones_the_user_may_use_now(as_user, world, categories):
    problem = report(world, categories)
    html = as_user("secretary_a").get(detail(problem)).content.decode()
    assert act(problem, "accept") in html and act(problem, "reject") in html
    assert act(problem, "submit") not in html
    assert act(problem, "accept") not in as_user("leader").get(detail(problem)).content.decode()
    accept(world, problem)
    html = as_user("staff_x").get(detail(problem)).content.decode()
    assert act(problem, "progress") in html and act(problem, "submit") in html
    assert act(problem, "close") not in html
    assert "/act/" not in as_user("oc_a1").get(detail(problem)).content.decode()  # reads, does not act


def test_accept_form_defaults_come_from_the_category(as_user, world, categories):
    problem = report(world, categories, code="ebike")
    html = as_user("secretary_a").get(detail(problem)).content.decode()
    assert 'name="deadline_days" value="2"' in html
    assert '<option value="company" selected>' in html


# ---- the loop through HTTP -------------------------------------------------------------------------


def test_the_whole_loop_through_the_forms(as_user, world, categories, client):
    problem = report(world, categories)
    client = as_user("secretary_a")
    response = client.post(
        act(problem, "accept"), {"carriage": "company", "deadline_days": "5", "note": "尽快处理"}
    )
    assert response.status_code == 302 and response["Location"] == detail(problem)
    problem.refresh_from_db()
    assert problem.status == Status.ASSIGNED and problem.company == world.company_x
    followed = client.get(detail(problem))
    assert "已受理并派给星河物业" in followed.content.decode()

    staff = as_user("staff_x")
    assert staff.post(act(problem, "progress"), {"note": "已联系车主"}).status_code == 302
    response = staff.post(
        act(problem, "submit"), {"note": "已划线", "photos": [png("a.png"), png("b.png", "blue")]}
    )
    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.status == Status.SUBMITTED
    assert problem.photos.filter(kind=ProblemPhoto.Kind.EVIDENCE).count() == 2

    secretary = as_user("secretary_a")
    assert secretary.post(act(problem, "send_back"), {"note": "隔离桩未装"}).status_code == 302
    problem.refresh_from_db()
    assert problem.status == Status.IN_PROGRESS
    as_user("staff_x").post(act(problem, "submit"), {"note": "隔离桩已装", "photos": [png()]})
    secretary = as_user("secretary_a")
    assert secretary.post(act(problem, "close"), {"note": "现场核实"}).status_code == 302
    problem.refresh_from_db()
    assert problem.status == Status.CLOSED
    assert list(problem.events.values_list("action", flat=True)) == [
        "report",
        "accept",
        "progress",
        "submit",
        "send_back",
        "submit",
        "close",
    ]
    assert AuditEvent.objects.filter(object_type="problems.Problem", object_id=str(problem.pk)).count() == 7


def test_reject_needs_a_reason(as_user, world, categories):
    problem = report(world, categories)
    before = snapshot(problem)
    response = as_user("secretary_a").post(act(problem, "reject"), {"reason": ""})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert snapshot(problem) == before
    response = as_user("secretary_a").post(act(problem, "reject"), {"reason": "属于市政道路,已转城管"})
    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.status == Status.REJECTED and problem.reject_reason == "属于市政道路,已转城管"


def test_a_step_the_workflow_forbids_is_explained_and_changes_nothing(as_user, world, categories):
    problem = accept(world, report(world, categories))
    before = snapshot(problem)
    response = as_user("secretary_a").post(act(problem, "close"), {"note": "直接销项"})  # no submission yet
    assert response.status_code == 200
    assert "不能执行" in response.content.decode()
    assert snapshot(problem) == before


def test_accept_without_a_contract_shows_the_service_message(as_user, world, categories):
    world.contract_a1.delete()
    problem = report(world, categories)
    before = snapshot(problem)
    response = as_user("secretary_a").post(
        act(problem, "accept"), {"carriage": "company", "deadline_days": "10"}
    )
    assert response.status_code == 200
    assert "没有在管的物业服务合同" in response.content.decode()
    assert snapshot(problem) == before


@pytest.mark.parametrize(
    ("persona", "action", "status"),
    [
        ("staff_x", "close", 403),  # the assignee cannot verify its own work
        ("leader", "accept", 403),  # leadership reads, does not act
        ("oc_a1", "send_back", 403),
        ("secretary_a", "submit", 403),  # the branch cannot submit for the company
        ("secretary_b", "close", 404),  # another area: as if it did not exist
        ("other_admin", "accept", 404),
        ("evaluator_b1", "close", 404),
        ("owner_a1", "close", 403),  # residents use the portal
    ],
)
def test_wrong_party_is_refused_and_nothing_changes(as_user, world, categories, persona, action, status):
    problem = accept(world, report(world, categories))
    as_user("staff_x").post(act(problem, "submit"), {"note": "已整改", "photos": [png()]})
    before = snapshot(problem)
    response = as_user(persona).post(
        act(problem, action), {"note": "x", "carriage": "company", "deadline_days": "3"}
    )
    assert response.status_code == status
    assert snapshot(problem) == before


def test_get_on_an_action_is_405(as_user, world, categories):
    problem = report(world, categories)
    assert as_user("secretary_a").get(act(problem, "accept")).status_code == 405


def test_unknown_action_is_404(as_user, world, categories):
    problem = report(world, categories)
    assert as_user("secretary_a").post(act(problem, "reopen"), {"note": "x"}).status_code == 404


# ---- photos ----------------------------------------------------------------------------------------


def test_a_non_image_upload_gets_the_chinese_reason_and_nothing_changes(as_user, world, categories):
    problem = accept(world, report(world, categories))
    before = snapshot(problem)
    fake = SimpleUploadedFile("evidence.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    response = as_user("staff_x").post(act(problem, "submit"), {"note": "已整改", "photos": [fake]})
    assert response.status_code == 200
    assert "不是有效的图片文件" in response.content.decode()
    assert snapshot(problem) == before
    assert not ProblemPhoto.objects.filter(problem=problem).exists()


def test_more_than_six_photos_are_refused(as_user, world, categories):
    problem = accept(world, report(world, categories))
    photos = [png(f"{i}.png") for i in range(7)]
    response = as_user("staff_x").post(act(problem, "progress"), {"note": "进展", "photos": photos})
    assert response.status_code == 200
    assert "最多上传 6 张照片" in response.content.decode()
    assert not ProblemPhoto.objects.filter(problem=problem).exists()


def test_photo_download_is_private_and_scoped(as_user, world, categories):
    problem = accept(world, report(world, categories, photos=[png()]))
    photo = problem.photos.get()
    url = reverse("problems:photo", args=[photo.pk])
    response = as_user("staff_x").get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"].startswith("private")
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"  # a re-encoded JPEG
    assert as_user("owner_a1").get(url).status_code == 200  # the reporter's own photo
    assert as_user("secretary_b").get(url).status_code == 404
    assert as_user("outsider").get(url).status_code == 404
    assert as_user("admin").get(reverse("problems:photo", args=[photo.pk + 99])).status_code == 404


def test_detail_query_count_does_not_grow_with_the_history(as_user, world, categories):
    problem = accept(world, report(world, categories, photos=[png()]))
    client = as_user("secretary_a")
    small = count_queries(client, detail(problem))
    staff = as_user("staff_x")
    for i in range(6):
        staff.post(act(problem, "progress"), {"note": f"第 {i} 次进展", "photos": [png()]})
    client = as_user("secretary_a")
    assert count_queries(client, detail(problem)) == small


# ---- progress vs submission for verification (issue 15) --------------------------------------------


def test_progress_and_submission_panels_say_what_happens_and_share_no_element_id(as_user, world, categories):
    import re
    from collections import Counter

    problem = accept(world, report(world, categories))
    html = as_user("staff_x").get(detail(problem)).content.decode()
    ids = Counter(re.findall(r'\sid="([^"]+)"', html))
    assert [i for i, n in ids.items() if n > 1] == []
    assert 'id="id_progress_note"' in html and 'id="id_submit_note"' in html
    assert 'id="id_submit_photos"' in html
    assert "记录整改进展（不提交验收）" in html and "整改完成，提交验收" in html
    assert "保存进展" in html  # the progress button no longer reads like the submission one
    assert "须附至少一张整改后的现场照片" in html  # said before the clerk presses the button


def test_submission_without_a_photo_comes_back_with_the_reason_and_nothing_changes(
    as_user, world, categories
):
    problem = accept(world, report(world, categories))
    before = snapshot(problem)
    staff = as_user("staff_x")  # logging in is audited itself: count after it
    audits = AuditEvent.objects.count()
    response = staff.post(act(problem, "submit"), {"note": "已整改"})
    assert response.status_code == 200
    assert "提交验收须附至少一张整改后的现场照片。" in response.content.decode()
    assert snapshot(problem) == before
    assert AuditEvent.objects.count() == audits


def test_progress_without_a_photo_is_still_fine(as_user, world, categories):
    problem = accept(world, report(world, categories))
    assert as_user("staff_x").post(act(problem, "progress"), {"note": "已联系车主"}).status_code == 302
    assert Problem.objects.get(pk=problem.pk).status == Status.IN_PROGRESS
