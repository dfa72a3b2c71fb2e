"""One meaning of quality (issue 14): survey questions and inspection lines name the four-services standard item
they score (BJ-01 楼道清扫 …), the recompute keeps each estate's scores per item, and the commitment check shows
the company's promise beside how the same item scored."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from gongzhi.core.health import ERROR, run_health
from gongzhi.core.models import AuditEvent
from gongzhi.evaluation import rules, services
from gongzhi.evaluation.models import InspectionItem, ScoreSnapshot, SurveyItem
from gongzhi.evaluation.services.common import EvaluationError
from gongzhi.evaluation.tests.factories import answers, issue_codes, open_campaign
from gongzhi.fees.services import commitments_set, service_standard_load_defaults
from gongzhi.registry.models import Contract

D = Decimal


def test_standard_item_scores_known_answer():
    # BJ-01 is asked twice: weight 1 with mean 4 of 5 (→ 75) and weight 3 with mean 3 (→ 50):
    # (1 × 75 + 3 × 50) / 4 = 56.25 → 56.3 (half up), from 4 + 2 answers. LH-01 had no answer.
    # The inspectors gave BJ-01 7 of 10 points and BX-01 17 of 20.
    scores = rules.standard_item_scores(
        {1: ("BJ-01", D("1")), 2: ("BJ-01", D("3")), 3: ("LH-01", D("1")), 4: ("", D("1"))},
        {1: (4, 16), 2: (2, 6), 4: (9, 45)},
        5,
        {"BJ-01": (D("7"), D("10")), "BX-01": (D("17"), D("20"))},
    )
    assert scores == {
        "BJ-01": {"survey": "56.3", "answers": 6, "inspection": "70.0"},
        "BX-01": {"survey": None, "answers": 0, "inspection": "85.0"},
    }
    # On a 10-point scale a mean of 10 is 100 and a mean of 1 is 0.
    assert (
        rules.standard_item_scores({1: ("BA-01", D("1"))}, {1: (3, 30)}, 10, {})["BA-01"]["survey"] == "100.0"
    )
    assert rules.standard_item_scores({1: ("BA-01", D("1"))}, {1: (3, 3)}, 10, {})["BA-01"]["survey"] == "0.0"


def test_a_question_names_an_item_of_its_own_service():
    standard = {"BJ-01": "cleaning", "LH-01": "greening"}
    good = rules.CategorySpec("cleaning", "保洁", D("100"), (rules.ItemSpec("楼道清洁", D("1"), "BJ-01"),))
    assert rules.template_errors([good], ["cleaning"], standard) == []
    wrong_service = rules.CategorySpec(
        "cleaning", "保洁", D("100"), (rules.ItemSpec("修剪", D("1"), "LH-01"),)
    )
    assert rules.template_errors([wrong_service], ["cleaning"], standard) == [
        "类别“保洁”第 1 题：四保标准 LH-01 不属于这一类别。"
    ]
    unknown = rules.CategorySpec("cleaning", "保洁", D("100"), (rules.ItemSpec("楼道清洁", D("1"), "BJ-99"),))
    assert rules.template_errors([unknown], ["cleaning"], standard) == [
        "类别“保洁”第 1 题：本街道的四保标准中没有编号 BJ-99。"
    ]


@pytest.fixture
def standard_world(world):
    """The world's street keeps the default standard; 乙一小区's contract names 三级."""
    service_standard_load_defaults(actor=world.user("admin"), street=world.street)
    Contract.objects.filter(pk=world.contract_b1.pk).update(service_level="三级")
    return world


def _line(category, label, score, code="", max_score="10"):
    return {
        "category": category,
        "label": label,
        "score": score,
        "max_score": max_score,
        "standard_code": code,
    }


@pytest.mark.django_db
def test_the_default_questionnaire_names_the_streets_standard_items(world, standard_world):
    template = services.template_create_default(actor=world.user("admin"), street=world.street)
    codes = dict(SurveyItem.objects.filter(category__template=template).values_list("text", "standard_code"))
    assert codes["楼道及公共部位清洁"] == "BJ-01" and codes["报修响应速度"] == "BX-01"
    assert codes["维修质量"] == ""  # no standard item: the question stands alone


@pytest.mark.django_db
def test_without_a_standard_the_default_questionnaire_names_none(world):
    template = services.template_create_default(actor=world.user("admin"), street=world.street)
    assert not SurveyItem.objects.filter(category__template=template).exclude(standard_code="").exists()


@pytest.mark.django_db
def test_an_editor_cannot_give_a_question_another_services_item(world, standard_world):
    categories = [
        {
            "code": "cleaning",
            "name": "保洁",
            "weight": "100",
            "items": [{"text": "修剪", "standard_code": "LH-01"}],
        }
    ]
    with pytest.raises(EvaluationError, match="四保标准 LH-01 不属于这一类别"):
        services.template_create(
            actor=world.user("admin"), street=world.street, name="自拟问卷", categories=categories
        )
    categories[0]["items"][0]["standard_code"] = "BJ-02"
    template = services.template_create(
        actor=world.user("admin"), street=world.street, name="自拟问卷", categories=categories
    )
    assert SurveyItem.objects.get(category__template=template).standard_code == "BJ-02"
    event = AuditEvent.objects.filter(object_type="evaluation.SurveyTemplate").latest("pk")
    assert event.changes["standard_items"] == ["BJ-02"]
    copy = services.template_new_version(actor=world.user("admin"), template=template)
    assert SurveyItem.objects.get(category__template=copy).standard_code == "BJ-02"


@pytest.mark.django_db
def test_an_inspection_line_names_a_known_item_of_its_own_service(world, standard_world):
    campaign = open_campaign(world)
    evaluator = world.user("evaluator_b1")
    day = timezone.localdate() - dt.timedelta(days=1)
    for lines, message in (
        ([_line("cleaning", "楼道清扫", "7", "BJ-99")], "第 1 项：本街道的四保标准中没有编号 BJ-99。"),
        (
            [_line("cleaning", "楼道清扫", "7", "BJ-01"), _line("security", "绿化", "5", "LH-01")],
            "第 2 项：四保标准 LH-01 不属于所选类别。",
        ),
    ):
        with pytest.raises(EvaluationError, match=message):
            services.inspection_record(
                actor=evaluator, campaign=campaign, estate=world.estate_b1, inspected_on=day, lines=lines
            )
    assert not InspectionItem.objects.exists()  # all or nothing
    services.inspection_record(
        actor=evaluator,
        campaign=campaign,
        estate=world.estate_b1,
        inspected_on=day,
        lines=[_line("cleaning", "楼道清扫", "7", "BJ-01"), _line("attitude", "接待礼貌", "9")],
    )
    assert dict(InspectionItem.objects.values_list("label", "standard_code")) == {
        "楼道清扫": "BJ-01",
        "接待礼貌": "",
    }


@pytest.mark.django_db
def test_the_inspection_form_starts_from_the_contracts_level(world, standard_world, client):
    campaign = open_campaign(world)
    client.force_login(world.user("evaluator_b1"))
    url = f"/evaluation/inspections/{campaign.pk}/{world.estate_b1.pk}/"
    page = client.get(url).content.decode()
    # one line per standard item of 三级 (10 items), each with its code chosen and its requirement shown
    assert page.count("selected>BJ-01 楼道清扫</option>") == 1
    assert "标准要求：5 次/周" in page and "标准要求：12 小时" in page
    assert (
        page.count('name="line-label" value=""') >= 2
    )  # room for what the inspector finds beyond the standard
    post = {"inspected_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat(), "note": ""}
    data = {
        **post,
        "line-category": ["cleaning", "repair"],
        "line-code": ["BJ-01", "BX-01"],
        "line-label": ["楼道清扫", "报修上门响应"],
        "line-score": ["8", "6"],
        "line-max": ["10", "10"],
        "line-remark": ["", "两次超时"],
    }
    assert client.post(url, data).status_code == 302
    assert sorted(InspectionItem.objects.values_list("standard_code", "score")) == [
        ("BJ-01", D("8")),
        ("BX-01", D("6")),
    ]


def _score_the_campaign(world):
    """乙一小区 (three more households, six in all: enough answers to disclose) answered 4 of 5 on every question
    and was inspected on BJ-01 and BX-01."""
    from gongzhi.registry.models import Building, Owner, Unit

    building = Building.objects.get(estate=world.estate_b1)
    for i in range(4, 7):
        owner = Owner.objects.create(
            street=world.street, ref=f"B1-{i}", name=f"业主B1{i}", phone=f"1380000{i:04d}"
        )
        Unit.objects.create(building=building, number=f"{i}01", area=D("60.00"), owner=owner)
    campaign = open_campaign(world)
    for code in issue_codes(world, campaign, world.estate_b1):
        services.response_submit_by_code(code=code, answers=answers(campaign, 4))
    services.inspection_record(
        actor=world.user("evaluator_b1"),
        campaign=campaign,
        estate=world.estate_b1,
        inspected_on=timezone.localdate() - dt.timedelta(days=1),
        lines=[
            _line("cleaning", "楼道清扫", "7", "BJ-01"),
            _line("repair", "报修上门响应", "3", "BX-01", max_score="5"),
            _line("attitude", "接待礼貌", "9"),
        ],
    )
    services.campaign_close(actor=world.user("admin"), campaign=campaign)
    services.campaign_recompute(campaign=campaign, actor=world.user("admin"))
    return campaign


@pytest.mark.django_db
def test_the_recompute_keeps_each_estates_scores_per_standard_item(world, standard_world):
    campaign = _score_the_campaign(world)
    snapshot = ScoreSnapshot.objects.get(campaign=campaign, estate=world.estate_b1)
    standard = snapshot.detail["standard"]
    answered = snapshot.responses
    # every answer is 4 of 5 → (4 − 1) × 100 / 4 = 75; the inspectors: 7 / 10 and 3 / 5
    assert standard["BJ-01"] == {"survey": "75.0", "answers": answered, "inspection": "70.0"}
    assert standard["BX-01"] == {"survey": "75.0", "answers": answered, "inspection": "60.0"}
    assert standard["LH-01"] == {"survey": "75.0", "answers": answered, "inspection": None}
    assert "BJ-03" not in standard  # staffing: neither residents nor this inspection scored it


@pytest.mark.django_db
def test_the_commitment_check_shows_how_the_same_items_scored(world, standard_world, client):
    campaign = _score_the_campaign(world)
    commitments_set(actor=world.user("admin"), estate=world.estate_b1, values={"BJ-01": "5"})
    client.force_login(world.user("admin"))
    page = client.get(f"/fees/{world.estate_b1.pk}/services/").content.decode()
    assert f"取自最近一次结束的测评“{campaign.name}”" in page
    row = page[page.index('<td class="nowrap col-code">BJ-01</td>') :].split("</tr>")[0]
    assert "达标" in row and '<td class="num">70.0</td><td class="num">75.0</td>' in row
    snapshot = ScoreSnapshot.objects.get(campaign=campaign, estate=world.estate_b1)
    score_page = client.get(f"/evaluation/scores/{snapshot.pk}/").content.decode()
    assert "四保标准项目得分" in score_page and "报修上门响应" in score_page


@pytest.mark.django_db
def test_a_small_sample_hides_the_residents_figure_per_item_too(world, standard_world, client):
    campaign = _score_the_campaign(world)
    snapshot = ScoreSnapshot.objects.get(campaign=campaign, estate=world.estate_b1)
    # fewer answers than the disclosure floor: the survey figure goes, the inspectors' stays
    ScoreSnapshot.objects.filter(pk=snapshot.pk).update(responses=rules.release_k() - 1)
    client.force_login(world.user("admin"))
    page = client.get(f"/fees/{world.estate_b1.pk}/services/").content.decode()
    row = page[page.index('<td class="nowrap col-code">BJ-01</td>') :].split("</tr>")[0]
    assert '<td class="num">70.0</td><td class="num">—</td>' in row


@pytest.mark.django_db
def test_data_health_finds_an_orphan_standard_code(world, standard_world):
    code = "evaluation.standard_codes_known"
    _score_the_campaign(world)
    assert not [
        f for r in run_health(street=world.street).results if r.invariant.code == code for f in r.findings
    ]
    InspectionItem.objects.filter(standard_code="BX-01").update(standard_code="BX-09")
    SurveyItem.objects.filter(standard_code="LH-01").update(standard_code="BJ-01")  # a 保绿 question as 保洁
    findings = [
        f for r in run_health(street=world.street).results if r.invariant.code == code for f in r.findings
    ]
    assert [f.severity for f in findings] == [ERROR, ERROR]
    messages = sorted(f.message for f in findings)
    assert "检查项“报修上门响应”对应的四保标准 BX-09 不在本街道标准的这一类别中。" in messages[0]
    assert "的题目“绿化修剪及时”对应的四保标准 BJ-01 不在本街道标准的这一类别中。" in messages[1]
