"""Office pages of evaluation: the template editor and campaign form refuse bad weights in Chinese,
campaigns open and close, household letters print codes that work, rankings show intervals, ties
and classes within a fixed number of queries, exports and the ranking report carry the figures,
evaluators stay inside their assignment, the branch assesses, awards are granted."""

import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gongzhi.core.pdf import pdf_text
from gongzhi.evaluation.models import (
    AccessCode,
    Award,
    BranchAssessment,
    Campaign,
    CampaignStatus,
    Inspection,
    ScoreKind,
    ScoreSnapshot,
    SurveyTemplate,
)
from gongzhi.evaluation.tests import factories


def editor_post(name="测评问卷", weights=(("cleaning", "60"), ("greening", "40")), items=2):
    data = {"name": name, "scale_max": "5"}
    for code, weight in weights:
        data[f"cat-{code}-on"] = "1"
        data[f"cat-{code}-name"] = ""
        data[f"cat-{code}-weight"] = weight
        data[f"items-{code}-text"] = [f"{code} 第{i}题" for i in range(1, items + 1)] + [""]
        data[f"items-{code}-weight"] = ["1"] * (items + 1)
    return data


def test_the_editor_refuses_weights_that_do_not_sum_to_100(as_user, world):
    client = as_user("admin")
    response = client.post(
        reverse("evaluation:template_create"), editor_post(weights=(("cleaning", "60"), ("greening", "30")))
    )
    assert response.status_code == 400
    assert "各类别权重之和为 90%，必须正好是 100%" in response.content.decode()
    assert not SurveyTemplate.objects.exists()


def test_the_editor_saves_categories_and_items_in_order(as_user, world):
    client = as_user("admin")
    response = client.post(reverse("evaluation:template_create"), editor_post(items=3))
    template = SurveyTemplate.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "evaluation:template_edit", args=[template.pk]
    )
    assert [(c.code, c.weight) for c in template.categories.all()] == [("cleaning", 60), ("greening", 40)]
    assert [i.text for i in template.categories.first().items.all()] == [
        f"cleaning 第{i}题" for i in (1, 2, 3)
    ]


def test_a_used_template_is_locked_and_can_be_copied(as_user, world):
    campaign = factories.open_campaign(world)
    client = as_user("admin")
    url = reverse("evaluation:template_edit", args=[campaign.template_id])
    assert "已锁定" in client.get(url).content.decode()
    refused = client.post(url, editor_post())
    assert refused.status_code == 400 and "另存为新版本" in refused.content.decode()
    copy = client.post(url, {"action": "new_version"})
    assert SurveyTemplate.objects.filter(version=2).count() == 1
    assert copy.status_code == 302


def campaign_post(world, template, **overrides):
    today = timezone.localdate()
    data = {
        "name": "2027年测评",
        "template": template.pk,
        "period_start": today - dt.timedelta(days=90),
        "period_end": today,
        "opens_on": today,
        "closes_on": today + dt.timedelta(days=14),
        "estate_mode": "old",
        "weight_survey": "60",
        "weight_inspection": "20",
        "weight_branch": "10",
        "weight_problems": "10",
    }
    return data | overrides


def test_a_campaign_over_all_old_estates_is_created_as_a_draft(as_user, world):
    template = factories.default_template(world)
    client = as_user("admin")
    response = client.post(reverse("evaluation:campaign_create"), campaign_post(world, template))
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert campaign.status == CampaignStatus.DRAFT
    assert set(campaign.estates.all()) == {world.estate_a1, world.estate_b1}  # built before 1996


def test_campaign_weights_must_sum_to_100(as_user, world):
    template = factories.default_template(world)
    client = as_user("admin")
    response = client.post(
        reverse("evaluation:campaign_create"), campaign_post(world, template, weight_branch="20")
    )
    assert response.status_code == 200
    assert "100" in response.content.decode() and not Campaign.objects.exists()


def test_open_then_close_from_the_campaign_page(as_user, world):
    template = factories.default_template(world)
    client = as_user("admin")
    client.post(reverse("evaluation:campaign_create"), campaign_post(world, template))
    campaign = Campaign.objects.get()
    client.post(reverse("evaluation:campaign_act", args=[campaign.pk, "open"]))
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.OPEN
    client.post(reverse("evaluation:campaign_act", args=[campaign.pk, "close"]))
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSED


def test_a_reader_cannot_open_a_campaign(as_user, world):
    campaign = factories.open_campaign(world)
    assert (
        as_user("leader").post(reverse("evaluation:campaign_act", args=[campaign.pk, "close"])).status_code
        == 403
    )
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.OPEN


def test_household_letters_carry_working_single_use_codes(as_user, world, client):
    campaign = factories.open_campaign(world)
    link = campaign.campaign_estates.get(estate=world.estate_a1)
    response = as_user("secretary_a").post(reverse("evaluation:letters", args=[campaign.pk, link.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "物业服务满意度测评入户告知书" in text and "甲一小区" in text
    codes = re.findall(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", text)
    assert (
        len(set(codes)) == 3 == AccessCode.objects.filter(campaign=campaign, estate=world.estate_a1).count()
    )
    client.logout()
    assert client.get(reverse("survey:answer", args=[codes[0]])).status_code == 200


def test_the_branch_of_another_area_cannot_print_letters(as_user, world):
    campaign = factories.open_campaign(world)
    link = campaign.campaign_estates.get(estate=world.estate_a1)
    assert (
        as_user("secretary_b").post(reverse("evaluation:letters", args=[campaign.pk, link.pk])).status_code
        == 404
    )
    assert not AccessCode.objects.exists()


@pytest.fixture
def closed(world):
    return factories.closed_and_recomputed(world)


def test_the_ranking_shows_scores_intervals_classes_and_links(as_user, world, closed):
    page = as_user("admin").get(reverse("evaluation:ranking", args=[closed.pk])).content.decode()
    assert "月湾物业" in page and "星河物业" in page
    assert 'class="ci"' in page and "class-badge" in page and "chart-scatter" in page
    row = ScoreSnapshot.objects.get(campaign=closed, kind=ScoreKind.COMPANY, company=world.company_x)
    assert reverse("evaluation:score", args=[row.pk]) in page


def test_equal_scores_are_marked_as_ties(as_user, world):
    closed = factories.closed_and_recomputed(world, values=(4, 4, 4))
    page = (
        as_user("admin").get(reverse("evaluation:ranking", args=[closed.pk]) + "?of=estates").content.decode()
    )
    assert page.count('<span class="tie">') == 3


def test_a_company_sees_only_its_own_company_row(as_user, world, closed):
    page = as_user("staff_x").get(reverse("evaluation:ranking", args=[closed.pk])).content.decode()
    assert "星河物业" in page and "月湾物业" not in page
    assert reverse("evaluation:ranking_pdf", args=[closed.pk]) not in page


def test_ranking_and_list_pages_stay_within_a_fixed_query_bound(
    as_user, world, closed, django_assert_max_num_queries
):
    client = as_user("admin")
    for of in ("companies", "estates"):
        with django_assert_max_num_queries(14):
            assert (
                client.get(reverse("evaluation:ranking", args=[closed.pk]) + f"?of={of}").status_code == 200
            )
    with django_assert_max_num_queries(14):
        assert client.get(reverse("evaluation:index")).status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(reverse("evaluation:campaign", args=[closed.pk])).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("evaluation:eliminations")).status_code == 200


def test_the_ranking_exports_to_excel_with_numbers(as_user, world, closed):
    response = as_user("admin").get(reverse("evaluation:ranking_export", args=[closed.pk]) + "?of=estates")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("名次", "名次范围", "小区", "居民区")
    assert {r[2] for r in rows[1:]} == {"甲一小区", "甲二小区", "乙一小区"}
    assert all(isinstance(r[4], float | int) for r in rows[1:])


def test_the_ranking_report_pdf_has_the_chinese_headings(as_user, world, closed):
    response = as_user("leader").get(reverse("evaluation:ranking_pdf", args=[closed.pk]))
    text = pdf_text(response.content)
    for heading in (
        "物业服务测评排名报告",
        "一、计算方法",
        "二、物业服务企业排名",
        "三、小区排名",
        "星河物业",
        "乙一小区",
    ):
        assert heading in text


def test_the_drilldown_explains_the_shrinkage(as_user, world, closed):
    row = ScoreSnapshot.objects.get(campaign=closed, kind=ScoreKind.ESTATE, estate=world.estate_b1)
    page = as_user("admin").get(reverse("evaluation:score", args=[row.pk])).content.decode()
    # In words for the leader (issue 15: no k = 2.2 or 收缩 on the page), the formula under 计算方法.
    words = page.split("<details")[0]
    assert "街道测评均值" in page and "按答卷多少修正" in page
    assert "收缩" not in words and "k =" not in words
    assert "n ÷（n + k）" in page.split("<details")[1]
    # Three answers, fewer than k: no mean, no interval, no category means — for the admin too.
    assert "样本不足" in page and "分类均分" not in page and "测评分区间" not in page


def test_an_evaluator_records_an_inspection_of_an_assigned_estate(as_user, world):
    campaign = factories.open_campaign(world)
    client = as_user("evaluator_b1")
    url = reverse("evaluation:inspection_create", args=[campaign.pk, world.estate_b1.pk])
    data = {
        "inspected_on": timezone.localdate().isoformat(),
        "note": "",
        "line-category": ["cleaning", "security", ""],
        "line-label": ["楼道清洁", "消防通道", ""],
        "line-score": ["8", "3", ""],
        "line-max": ["10", "10", "10"],
        "line-remark": ["", "占用", ""],
    }
    assert client.post(url, data).status_code == 302
    assert Inspection.objects.get().score == 55


def test_an_inspection_with_a_score_above_the_maximum_is_refused(as_user, world):
    campaign = factories.open_campaign(world)
    url = reverse("evaluation:inspection_create", args=[campaign.pk, world.estate_b1.pk])
    data = {
        "inspected_on": timezone.localdate().isoformat(),
        "line-category": ["cleaning"],
        "line-label": ["楼道清洁"],
        "line-score": ["12"],
        "line-max": ["10"],
        "line-remark": [""],
    }
    response = as_user("evaluator_b1").post(url, data)
    assert response.status_code == 400 and "得分应在 0 到 10 之间" in response.content.decode()
    assert not Inspection.objects.exists()


def test_an_evaluator_outside_the_assignment_gets_404(as_user, world):
    campaign = factories.open_campaign(world)
    url = reverse("evaluation:inspection_create", args=[campaign.pk, world.estate_a1.pk])
    assert as_user("evaluator_b1").post(url, {"inspected_on": "2026-01-01"}).status_code == 404
    assert not Inspection.objects.exists()


def test_the_branch_assesses_its_areas_estates(as_user, world):
    campaign = factories.open_campaign(world)
    client = as_user("secretary_a")
    page = client.get(reverse("evaluation:assessments")).content.decode()
    assert "甲一小区" in page and "乙一小区" not in page
    url = reverse("evaluation:assessment_save", args=[campaign.pk, world.estate_a1.pk])
    client.post(url, {"score": "120"})
    assert not BranchAssessment.objects.exists()
    client.post(url, {"score": "85.5", "comment": "响应及时"})
    assert BranchAssessment.objects.get().score == 85.5
    other = reverse("evaluation:assessment_save", args=[campaign.pk, world.estate_b1.pk])
    assert client.post(other, {"score": "50"}).status_code == 404  # another area's estate: not in scope
    assert BranchAssessment.objects.count() == 1


def test_awards_are_granted_by_the_street_admin(as_user, world):
    client = as_user("admin")
    response = client.post(
        reverse("evaluation:awards"),
        {"kind": "company", "company": world.company_y.pk, "title": "标杆物业", "year": 2026, "citation": ""},
    )
    assert response.status_code == 302
    assert Award.objects.get().company == world.company_y
    assert "标杆物业" in as_user("leader").get(reverse("evaluation:awards")).content.decode()
    assert (
        "标杆物业" not in as_user("staff_x").get(reverse("evaluation:awards")).content.decode()
    )  # Y's, not X's
    assert as_user("leader").post(reverse("evaluation:awards"), {"kind": "company"}).status_code == 403


def test_an_award_without_its_company_is_refused(as_user, world):
    response = as_user("admin").post(
        reverse("evaluation:awards"), {"kind": "company", "title": "标杆", "year": 2026}
    )
    assert response.status_code == 400 and "请选择获表彰的物业服务企业" in response.content.decode()
    assert not Award.objects.exists()


def test_the_company_profile_shows_the_score_history(as_user, world, closed):
    page = as_user("staff_x").get(reverse("evaluation:company", args=[world.company_x.pk])).content.decode()
    assert closed.name in page and "chart-history" in page


def test_a_large_estate_is_printed_by_the_worker(as_user, world, monkeypatch):
    from gongzhi.evaluation.views import office
    from gongzhi.jobs.models import Job

    monkeypatch.setattr(office, "MAX_LETTERS", 2)  # the world's estates have 3 households
    campaign = factories.open_campaign(world)
    link = campaign.campaign_estates.get(estate=world.estate_a1)
    client = as_user("admin")
    url = reverse("evaluation:letters", args=[campaign.pk, link.pk])
    queued = client.post(url)
    job = Job.objects.get(task="evaluation.letters")  # test_letters_job.py runs it
    assert queued["Location"] == reverse("jobs:detail", args=[job.pk])
    assert not AccessCode.objects.exists()  # nothing issued before the worker runs
    assert (
        f'<option value="{world.building_a1.pk}">'
        in client.get(reverse("evaluation:campaign", args=[campaign.pk])).content.decode()
    )
    monkeypatch.setattr(office, "MAX_LETTERS", 3)
    response = client.post(url, {"building": world.building_a1.pk})
    assert response["Content-Type"] == "application/pdf"
    assert AccessCode.objects.filter(campaign=campaign).count() == 3
