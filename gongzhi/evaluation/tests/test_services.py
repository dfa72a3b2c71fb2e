"""Evaluation services: templates, campaigns, codes, one response per household, inspections,
branch assessments, the recompute, the elimination workflow and awards."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from gongzhi.core.models import AuditEvent
from gongzhi.core.scopes import visible
from gongzhi.evaluation import rules, selectors, services
from gongzhi.evaluation.models import (
    AccessCode,
    CampaignStatus,
    CandidateStage,
    EliminationCampaign,
    EliminationStatus,
    HouseholdSubmission,
    ScoreKind,
    ScoreSnapshot,
    SurveyAnswer,
    SurveyResponse,
    SurveyTemplate,
)
from gongzhi.evaluation.services import EvaluationError
from gongzhi.evaluation.tests.factories import (
    answers,
    ballots,
    closed_and_recomputed,
    issue_codes,
    open_campaign,
)
from gongzhi.registry import models as r

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


# ---- templates ----------------------------------------------------------------------------------------


def test_default_template_has_four_services_and_twenty_items(world):
    template = services.template_create_default(actor=world.user("admin"), street=world.street)
    structure = selectors.template_structure(template)
    assert [c["name"] for c in structure] == ["保洁", "保绿", "保安", "保修"]
    assert sum(len(c["items"]) for c in structure) == 20
    assert sum(c["weight"] for c in structure) == Decimal("100")


def test_template_with_weights_not_100_is_refused_and_nothing_is_stored(world):
    categories = [
        {"code": "cleaning", "weight": "50", "items": [{"text": "楼道清洁"}]},
        {"code": "greening", "weight": "40", "items": [{"text": "绿化修剪"}]},
    ]
    with pytest.raises(EvaluationError, match="90%"):
        services.template_create(
            actor=world.user("admin"), street=world.street, name="问卷", categories=categories
        )
    assert not SurveyTemplate.objects.exists()


def test_only_the_street_admin_creates_templates(world):
    for name in ("secretary_a", "staff_x", "other_admin", "leader"):
        with pytest.raises(PermissionDenied):
            services.template_create_default(actor=world.user(name), street=world.street)


def test_frozen_template_cannot_change_but_can_be_copied(world):
    campaign = open_campaign(world)
    template = campaign.template
    template.refresh_from_db()
    assert template.frozen
    with pytest.raises(EvaluationError, match="新版本"):
        services.template_update(
            actor=world.user("admin"),
            template=template,
            name=template.name,
            categories=services.YUNTAI_TEMPLATE,
        )
    copy = services.template_new_version(actor=world.user("admin"), template=template)
    assert copy.version == 2 and not copy.frozen and copy.previous == template
    assert sum(len(c["items"]) for c in selectors.template_structure(copy)) == 20


# ---- campaigns ----------------------------------------------------------------------------------------


def test_campaign_open_records_households_and_weights_must_sum_to_100(world):
    campaign = open_campaign(world)
    assert campaign.status == CampaignStatus.OPEN
    assert {row["households"] for row in selectors.campaign_progress(campaign)} == {3}
    with pytest.raises(EvaluationError, match="100%"):
        services.campaign_set_weights(
            actor=world.user("admin"),
            campaign=campaign,
            weights={"survey": 50, "inspection": 20, "branch": 10, "problems": 10},
        )


def test_campaign_refuses_estates_of_another_street(world):
    template = services.template_create_default(actor=world.user("admin"), street=world.street)
    with pytest.raises(EvaluationError, match="丙一小区"):
        services.campaign_create(
            actor=world.user("admin"),
            street=world.street,
            template=template,
            name="测评",
            period_start=TODAY,
            period_end=TODAY,
            opens_on=TODAY,
            closes_on=TODAY,
            estates=[world.estate_a1, world.other_estate],
        )


# ---- codes and responses ------------------------------------------------------------------------------


def test_codes_are_issued_once_per_household_and_stored_only_as_hashes(world):
    campaign = open_campaign(world)
    codes = issue_codes(world, campaign)
    assert len(codes) == 3 and len(set(codes)) == 3
    stored = list(AccessCode.objects.filter(campaign=campaign).values_list("code_hash", flat=True))
    assert sorted(stored) == sorted(rules.hash_code(c) for c in codes)
    assert not any(c in h for c in codes for h in stored)
    # Issuing again gives nothing new: every household has a live code.
    assert issue_codes(world, campaign) == []
    reissued = services.codes_issue(
        actor=world.user("admin"),
        campaign=campaign,
        estate=world.estate_a1,
        units=[world.unit_a1],
        reissue=True,
    )
    assert len(reissued) == 1
    with pytest.raises(EvaluationError, match="无效"):  # the replaced letter no longer works
        services.response_submit_by_code(code=codes[0], answers=answers(campaign))


def test_area_secretary_issues_codes_for_own_area_only(world):
    campaign = open_campaign(world)
    assert services.codes_issue(actor=world.user("secretary_a"), campaign=campaign, estate=world.estate_a1)
    with pytest.raises(PermissionDenied):
        services.codes_issue(actor=world.user("secretary_a"), campaign=campaign, estate=world.estate_b1)
    with pytest.raises(PermissionDenied):
        services.codes_issue(actor=world.user("staff_x"), campaign=campaign, estate=world.estate_a1)


def test_a_code_answers_once(world):
    campaign = open_campaign(world)
    code = issue_codes(world, campaign)[0]
    services.response_submit_by_code(code=rules.format_code(code).lower(), answers=answers(campaign, 5))
    with pytest.raises(EvaluationError, match="已经使用过"):
        services.response_submit_by_code(code=code, answers=answers(campaign, 1))
    # One ballot, waiting in 甲一's box (fewer than k households answered), scored 100 at close.
    assert [list(b.values()) for b in ballots(campaign)] == [[5] * 20]
    services.campaign_close(actor=world.user("admin"), campaign=campaign)
    response = SurveyResponse.objects.get()
    assert response.score == Decimal("100.0000") and response.estate_id == world.estate_a1.pk
    assert SurveyAnswer.objects.filter(response=response).count() == 20


def test_bad_answers_change_nothing(world):
    campaign = open_campaign(world)
    code = issue_codes(world, campaign)[0]
    with pytest.raises(EvaluationError, match="1 到 5"):
        services.response_submit_by_code(code=code, answers=answers(campaign, 6))
    with pytest.raises(EvaluationError, match="至少回答一道题"):
        services.response_submit_by_code(code=code, answers=answers(campaign, None))
    with pytest.raises(EvaluationError, match="不属于本问卷"):
        services.response_submit_by_code(code=code, answers={999999: 3})
    with pytest.raises(EvaluationError, match="12 位"):
        services.response_submit_by_code(code="ABC", answers=answers(campaign))
    assert not AccessCode.objects.filter(used=True).exists()
    assert not SurveyResponse.objects.exists() and not HouseholdSubmission.objects.exists()
    services.response_submit_by_code(code=code, answers=answers(campaign, 3))  # the code still works


def test_owner_answers_once_for_own_unit_and_the_letter_code_is_spent(world):
    campaign = open_campaign(world)
    codes = services.codes_issue(
        actor=world.user("admin"), campaign=campaign, estate=world.estate_a1, units=[world.unit_a1]
    )
    owner = world.user("owner_a1")
    assert selectors.open_campaigns_for_owner(owner)[0][1] == [world.unit_a1]
    services.response_submit_by_owner(
        actor=owner, campaign=campaign, unit=world.unit_a1, answers=answers(campaign)
    )
    assert selectors.open_campaigns_for_owner(owner) == []
    with pytest.raises(EvaluationError, match="每户只能提交一次"):
        services.response_submit_by_owner(
            actor=owner, campaign=campaign, unit=world.unit_a1, answers=answers(campaign)
        )
    with pytest.raises(EvaluationError, match="已经使用过"):
        services.response_submit_by_code(code=codes[0].code, answers=answers(campaign))
    with pytest.raises(PermissionDenied):
        services.response_submit_by_owner(
            actor=owner, campaign=campaign, unit=world.unit_a1_other, answers=answers(campaign)
        )
    assert len(ballots(campaign)) == 1


def test_code_after_owner_answer_is_refused_by_the_household_marker(world):
    campaign = open_campaign(world)
    code = issue_codes(world, campaign)[0]
    unit_id = AccessCode.objects.get(code_hash=rules.hash_code(code)).unit_id
    HouseholdSubmission.objects.create(campaign=campaign, unit_id=unit_id)  # answered by another channel
    with pytest.raises(EvaluationError, match="该户已参加"):
        services.response_submit_by_code(code=code, answers=answers(campaign))
    assert not AccessCode.objects.get(code_hash=rules.hash_code(code)).used  # rolled back


def test_closed_campaign_accepts_nothing(world):
    campaign = open_campaign(world)
    code = issue_codes(world, campaign)[0]
    services.campaign_close(actor=world.user("admin"), campaign=campaign)
    with pytest.raises(EvaluationError, match="不在进行中"):
        services.response_submit_by_code(code=code, answers=answers(campaign))
    with pytest.raises(EvaluationError, match="不在进行中"):
        services.response_submit_by_owner(
            actor=world.user("owner_a1"), campaign=campaign, unit=world.unit_a1, answers=answers(campaign)
        )
    with pytest.raises(EvaluationError, match="已结束"):
        services.codes_issue(actor=world.user("admin"), campaign=campaign, estate=world.estate_a2)
    with pytest.raises(EvaluationError, match="已结束"):
        services.branch_assessment_record(
            actor=world.user("secretary_a"), campaign=campaign, estate=world.estate_a1, score=80
        )
    assert not SurveyResponse.objects.exists()


def test_answer_window_dates_are_enforced(world):
    campaign = open_campaign(world)
    code = issue_codes(world, campaign)[0]
    with pytest.raises(EvaluationError, match="答卷时间"):
        services.response_submit_by_code(
            code=code, answers=answers(campaign), today=TODAY + dt.timedelta(days=30)
        )


def test_a_submission_writes_no_audit_row(world):
    campaign = open_campaign(world)
    code = issue_codes(world, campaign)[0]
    before = AuditEvent.objects.count()
    services.response_submit_by_code(code=code, answers=answers(campaign))
    assert AuditEvent.objects.count() == before  # the release of a batch is audited, by day (test_ballot_box)


# ---- inspections and assessments ----------------------------------------------------------------------


LINES = [
    {"category": "cleaning", "label": "楼道无堆物", "score": "8", "max_score": "10"},
    {"category": "security", "label": "消防通道畅通", "score": "9", "max_score": "10", "remark": "一处堆放"},
]


def test_evaluator_inspects_assigned_estate_only(world):
    campaign = open_campaign(world)
    evaluator = world.user("evaluator_b1")
    inspection = services.inspection_record(
        actor=evaluator, campaign=campaign, estate=world.estate_b1, inspected_on=TODAY, lines=LINES
    )
    assert inspection.score == Decimal("85.00") and inspection.items.count() == 2
    with pytest.raises(PermissionDenied):
        services.inspection_record(
            actor=evaluator, campaign=campaign, estate=world.estate_a1, inspected_on=TODAY, lines=LINES
        )
    with pytest.raises(PermissionDenied):
        services.inspection_record(
            actor=world.user("admin"),
            campaign=campaign,
            estate=world.estate_b1,
            inspected_on=TODAY,
            lines=LINES,
        )


def test_inspection_line_errors_are_named(world):
    campaign = open_campaign(world)
    bad = [{"category": "cleaning", "label": "楼道", "score": "12", "max_score": "10"}, {"category": "x"}]
    with pytest.raises(EvaluationError) as error:
        services.inspection_record(
            actor=world.user("evaluator_b1"),
            campaign=campaign,
            estate=world.estate_b1,
            inspected_on=TODAY,
            lines=bad,
        )
    assert "第 1 项：得分应在 0 到 10 之间" in error.value.message
    assert "第 2 项：请选择类别" in error.value.message


def test_inspection_photo_is_reencoded(world):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(buffer, "PNG")
    campaign = open_campaign(world)
    inspection = services.inspection_record(
        actor=world.user("evaluator_b1"),
        campaign=campaign,
        estate=world.estate_b1,
        inspected_on=TODAY,
        lines=LINES,
        photos=[SimpleUploadedFile("a.png", buffer.getvalue())],
    )
    photo = inspection.photos.get()
    assert photo.image.name.endswith(".jpg") and photo.width == 40
    with pytest.raises(EvaluationError, match="不是有效的图片"):
        services.inspection_record(
            actor=world.user("evaluator_b1"),
            campaign=campaign,
            estate=world.estate_b1,
            inspected_on=TODAY,
            lines=LINES,
            photos=[SimpleUploadedFile("a.jpg", b"not an image")],
        )


def test_branch_assesses_own_area_and_re_recording_replaces(world):
    campaign = open_campaign(world)
    secretary = world.user("secretary_a")
    services.branch_assessment_record(actor=secretary, campaign=campaign, estate=world.estate_a1, score="70")
    assessment = services.branch_assessment_record(
        actor=secretary, campaign=campaign, estate=world.estate_a1, score="82.5", comment="整改及时"
    )
    assert assessment.score == Decimal("82.50") and assessment.company == world.company_x
    assert campaign.branch_assessments.count() == 1
    with pytest.raises(PermissionDenied):
        services.branch_assessment_record(
            actor=secretary, campaign=campaign, estate=world.estate_b1, score=80
        )
    with pytest.raises(PermissionDenied):
        services.branch_assessment_record(
            actor=world.user("staff_x"), campaign=campaign, estate=world.estate_a1, score=100
        )
    with pytest.raises(EvaluationError, match="0 到 100"):
        services.branch_assessment_record(
            actor=secretary, campaign=campaign, estate=world.estate_a1, score="101"
        )


# ---- recompute ----------------------------------------------------------------------------------------


def test_recompute_stores_estate_and_company_scores_that_match_the_rules(world):
    campaign = open_campaign(world)
    services.inspection_record(
        actor=world.user("evaluator_b1"),
        campaign=campaign,
        estate=world.estate_b1,
        inspected_on=TODAY,
        lines=LINES,
    )
    services.branch_assessment_record(
        actor=world.user("secretary_a"), campaign=campaign, estate=world.estate_a1, score=90
    )
    campaign = closed_and_recomputed(world, campaign, values=(5, 4, 2))
    estates = {s.estate_id: s for s in ScoreSnapshot.objects.filter(campaign=campaign, kind=ScoreKind.ESTATE)}
    assert len(estates) == 3
    a1, a2, b1 = estates[world.estate_a1.pk], estates[world.estate_a2.pk], estates[world.estate_b1.pk]
    assert (a1.survey_mean, a2.survey_mean, b1.survey_mean) == (
        Decimal("100.000"),
        Decimal("75.000"),
        Decimal("25.000"),
    )
    assert a1.responses == 3 and a1.response_rate == Decimal("1.0000")
    # Every response of an estate is identical: within variance 0 → k = K_MAX, strong pooling.
    stats = campaign.statistics
    assert stats["street_mean"] == pytest.approx(66.6667, abs=1e-3)
    k = stats["k"]
    expected = (3 * 100 + k * (200 / 3)) / (3 + k)
    assert float(a1.survey_shrunk) == pytest.approx(expected, abs=1e-3)
    # Composite of a1: survey 60 %, branch 10 %, problems 10 % (no inspection at a1: renormalised).
    assert "missing_inspection" in a1.flags
    expected_a1 = (60 * expected + 10 * 90 + 10 * 100) / 80
    assert float(a1.composite) == pytest.approx(expected_a1, abs=2e-3)
    assert float(b1.inspection_score) == 85.0
    assert a1.rank == 1 and b1.rank == 3
    companies = {
        s.company_id: s for s in ScoreSnapshot.objects.filter(campaign=campaign, kind=ScoreKind.COMPANY)
    }
    x = companies[world.company_x.pk]  # serves a1 and b1, 3 households each → the plain mean
    assert float(x.composite) == pytest.approx((float(a1.composite) + float(b1.composite)) / 2, abs=2e-3)
    assert x.estates_count == 2 and x.households == 6 and x.responses == 6
    assert companies[world.company_y.pk].rank == 1 and x.rank == 2
    # Safe to run twice: the same rows, replaced.
    services.campaign_recompute(campaign=campaign)
    assert ScoreSnapshot.objects.filter(campaign=campaign).count() == 5


def test_estate_without_responses_gets_the_prior_and_a_flag(world):
    # 甲一 and 甲二 get five households each: k answers, so their survey figures are shown.
    for building in (world.building_a1, r.Building.objects.get(estate=world.estate_a2)):
        for number in ("401", "501"):
            r.Unit.objects.create(building=building, number=number, area=Decimal("60.00"))
    campaign = open_campaign(world)
    for estate, value in ((world.estate_a1, 5), (world.estate_a2, 3)):
        for code in issue_codes(world, campaign, estate):
            services.response_submit_by_code(code=code, answers=answers(campaign, value))
    services.campaign_close(actor=world.user("admin"), campaign=campaign)  # releases the boxes
    services.campaign_recompute(campaign=campaign, actor=world.user("admin"))
    campaign.refresh_from_db()
    b1 = ScoreSnapshot.objects.get(campaign=campaign, estate=world.estate_b1)
    assert b1.responses == 0 and b1.survey_mean is None
    assert float(b1.survey_shrunk) == pytest.approx(campaign.statistics["street_mean"], abs=1e-3)
    assert "no_responses" in b1.flags
    # The drill-down page.
    admin = world.user("admin")
    assert any("街道均值" in flag for flag in selectors.drilldown(admin, b1)["flags"])
    a1 = selectors.drilldown(admin, ScoreSnapshot.objects.get(campaign=campaign, estate=world.estate_a1))
    assert a1["raw_ok"] and a1["snapshot"].survey_mean == Decimal("100.000")
    assert [str(c["label"]) for c in a1["components"]] == ["居民测评", "第三方检查", "支部考核", "问题整改"]
    assert a1["categories"][0]["name"] == "保洁" and a1["categories"][0]["mean"] == 100.0


def test_problem_tracker_counts_overdue_and_reopened(world):
    from gongzhi.problems.models import Category, Problem

    campaign = open_campaign(world)
    category = Category.objects.create(street=world.street, code="cleaning", name="保洁")
    for i, (overdue, reopened) in enumerate([(True, False), (False, True), (False, False)]):
        Problem.objects.create(
            number=f"P{i}",
            estate=world.estate_a1,
            category=category,
            description="楼道堆物",
            overdue_since=TODAY if overdue else None,
            reopen_count=1 if reopened else 0,
            carriage="company",
            company=world.company_x,
        )
    # A problem of the owners' committee is not the company's record.
    Problem.objects.create(
        number="P9",
        estate=world.estate_a1,
        category=category,
        description="维修资金公示",
        carriage="owners_committee",
        owners_committee=world.committee_a1,
        overdue_since=TODAY,
    )
    services.campaign_recompute(campaign=campaign)
    a1 = ScoreSnapshot.objects.get(campaign=campaign, estate=world.estate_a1)
    assert a1.detail["problems"] == {"total": 3, "bad": 2, "overdue": 1, "reopened": 1}
    assert float(a1.problem_score) == pytest.approx(100 * 3 / 5)


def test_draft_campaign_cannot_be_recomputed(world):
    template = services.template_create_default(actor=world.user("admin"), street=world.street)
    campaign = services.campaign_create(
        actor=world.user("admin"),
        street=world.street,
        template=template,
        name="草稿",
        period_start=TODAY,
        period_end=TODAY,
        opens_on=TODAY,
        closes_on=TODAY,
        estates=[world.estate_a1],
    )
    with pytest.raises(EvaluationError, match="尚未开始"):
        services.campaign_recompute(campaign=campaign)


def _ranked(user, campaign, kind) -> list[ScoreSnapshot]:
    """The snapshots the ranking page (and its Excel file and PDF) shows this user."""
    return [row["s"] for row in selectors.ranking_rows(user, campaign, kind, {})]


def test_company_sees_only_its_own_company_row(world):
    campaign = closed_and_recomputed(world)
    rows = _ranked(world.user("staff_x"), campaign, ScoreKind.COMPANY)
    assert [r.company_id for r in rows] == [world.company_x.pk]
    estate_rows = _ranked(world.user("staff_x"), campaign, ScoreKind.ESTATE)
    assert {r.estate_id for r in estate_rows} == {world.estate_a1.pk, world.estate_b1.pk}
    assert len(_ranked(world.user("admin"), campaign, ScoreKind.COMPANY)) == 2
    # Three responses per estate: raw means and category means stay with the street-wide roles.
    assert {r.survey_mean for r in estate_rows} == {None} and {
        str(r.category_means) for r in estate_rows
    } == {"{}"}
    # Fewer than k answers: withheld from the street-wide roles too (issue 11; test_ballot_box).
    assert {r.survey_mean for r in _ranked(world.user("leader"), campaign, ScoreKind.ESTATE)} == {None}
    hidden = selectors.drilldown(
        world.user("staff_x"), ScoreSnapshot.objects.get(campaign=campaign, estate=world.estate_a1)
    )
    assert hidden["raw_ok"] is False and all(c["mean"] is None for c in hidden["categories"])
    # An area office sees the street's company ranking and its own area's estates.
    assert len(_ranked(world.user("secretary_b"), campaign, ScoreKind.COMPANY)) == 2
    assert [r.estate_id for r in _ranked(world.user("secretary_b"), campaign, ScoreKind.ESTATE)] == [
        world.estate_b1.pk
    ]
    # An evaluator sees no scores; an owners' committee its own estate.
    assert _ranked(world.user("evaluator_b1"), campaign, ScoreKind.ESTATE) == []
    assert [r.estate_id for r in _ranked(world.user("oc_a1"), campaign, ScoreKind.ESTATE)] == [
        world.estate_a1.pk
    ]
    assert _ranked(world.user("outsider"), campaign, ScoreKind.COMPANY) == []
    assert _ranked(world.user("other_admin"), campaign, ScoreKind.COMPANY) == []


# ---- elimination --------------------------------------------------------------------------------------


def _more_companies(world, count: int):
    """Extra companies with one estate each (3 households), so a bottom-N list makes sense."""
    companies = []
    for i in range(count):
        estate = r.Estate.objects.create(area=world.area_b, name=f"补充{i}小区", build_year=1990)
        building = r.Building.objects.create(estate=estate, number="1号")
        for n in range(3):
            r.Unit.objects.create(building=building, number=f"{n + 1}01", area=Decimal("60"))
        company = r.Company.objects.create(street=world.street, name=f"补充{i}物业")
        r.Contract.objects.create(
            company=company,
            estate=estate,
            fee_standard=Decimal("0.8"),
            start_date=TODAY - dt.timedelta(days=800),
            end_date=TODAY + dt.timedelta(days=800),
        )
        companies.append((company, estate))
    return companies


def _round(world, name, period_end, scores):
    """A campaign over every estate of the world's street in which estate → its given answer value."""
    admin = world.user("admin")
    template = SurveyTemplate.objects.filter(street=world.street).first() or services.template_create_default(
        actor=admin, street=world.street
    )
    estates = list(r.Estate.objects.filter(area__street=world.street))
    campaign = services.campaign_create(
        actor=admin,
        street=world.street,
        template=template,
        name=name,
        period_start=period_end - dt.timedelta(days=300),
        period_end=period_end,
        opens_on=TODAY,
        closes_on=TODAY,
        estates=estates,
    )
    services.campaign_open(actor=admin, campaign=campaign)
    for estate in estates:
        for code in issue_codes(world, campaign, estate):
            services.response_submit_by_code(code=code, answers=answers(campaign, scores.get(estate.pk, 4)))
    services.campaign_close(actor=admin, campaign=campaign)
    services.campaign_recompute(campaign=campaign, actor=admin, bottom_n=3)
    return campaign


def test_elimination_end_to_end(world):
    from gongzhi.problems.models import Category

    admin, leader = world.user("admin"), world.user("leader")
    extra = _more_companies(world, 4)  # 6 companies in all
    # Round 1: the four extra companies score 1, 2, 2, 3; x and y score 5.
    first = {e.pk: v for (c, e), v in zip(extra, (1, 2, 2, 3), strict=True)}
    basis = _round(world, "初评", TODAY - dt.timedelta(days=200), first)
    classes = dict(
        ScoreSnapshot.objects.filter(campaign=basis, kind="company").values_list("company_id", "score_class")
    )
    assert classes[extra[0][0].pk] == "elimination" and classes[world.company_y.pk] == "benchmark"

    with pytest.raises(PermissionDenied):
        services.elimination_create(
            actor=leader, basis_campaign=basis, name="末尾淘汰", fault_opens_on=TODAY, fault_closes_on=TODAY
        )
    elimination = services.elimination_create(
        actor=admin,
        basis_campaign=basis,
        name="2026年末尾淘汰",
        bottom_n=3,
        final_m=1,
        min_responses=3,  # three households per extra estate (the default 30 is tested below)
        fault_opens_on=TODAY,
        fault_closes_on=TODAY + dt.timedelta(days=30),
    )
    chosen = set(elimination.candidates.values_list("company_id", flat=True))
    assert chosen == {extra[0][0].pk, extra[1][0].pk, extra[2][0].pk}
    assert elimination.events.get().evidence["chosen"][0]["rank"] >= 4

    # Fault-finding: an area secretary files against a candidate's estate; not against company x.
    category = Category.objects.create(street=world.street, code="cleaning", name="保洁")
    fault = services.fault_file(
        actor=world.user("secretary_b"),
        elimination=elimination,
        estate=extra[0][1],
        category=category,
        description="垃圾清运不及时,楼道堆物",
    )
    assert fault.company == extra[0][0] and fault.problem.estate == extra[0][1]
    with pytest.raises(EvaluationError, match="不在本次末位名单"):
        services.fault_file(
            actor=world.user("secretary_b"),
            elimination=elimination,
            estate=world.estate_b1,
            category=category,
            description="门岗无人值守",
        )
    with pytest.raises(EvaluationError, match="找茬期间"):
        services.fault_file(
            actor=world.user("secretary_b"),
            elimination=elimination,
            estate=extra[0][1],
            category=category,
            description="门岗无人值守",
            today=TODAY + dt.timedelta(days=40),
        )

    # Approving now is out of order; the leadership group cannot run the admin's steps.
    with pytest.raises(EvaluationError, match="当前状态"):
        services.elimination_approve(actor=leader, elimination=elimination)
    with pytest.raises(PermissionDenied):
        services.elimination_start_rectification(
            actor=leader, elimination=elimination, rectification_until=TODAY + dt.timedelta(days=60)
        )
    services.elimination_start_rectification(  # the day after the announced window
        actor=admin,
        elimination=elimination,
        rectification_until=TODAY + dt.timedelta(days=60),
        today=TODAY + dt.timedelta(days=31),
    )
    # Re-evaluation: company extra[1] improved a lot, extra[0] and extra[2] did not.
    second = {extra[0][1].pk: 1, extra[1][1].pk: 5, extra[2][1].pk: 2, extra[3][1].pk: 3}
    with pytest.raises(EvaluationError, match="晚于初评"):
        services.elimination_start_reevaluation(
            actor=admin, elimination=elimination, reevaluation_campaign=basis
        )
    re_round = _round(world, "复评", TODAY, second)
    services.elimination_start_reevaluation(
        actor=admin, elimination=elimination, reevaluation_campaign=re_round
    )
    elimination = services.elimination_propose(actor=admin, elimination=elimination)
    stages = dict(elimination.candidates.values_list("company_id", "stage"))
    assert stages[extra[0][0].pk] == CandidateStage.PROPOSED
    assert stages[extra[1][0].pk] == stages[extra[2][0].pk] == CandidateStage.CLEARED
    proposal = elimination.events.get(action="propose").evidence
    assert (
        proposal["candidates"][0]["company"] == extra[0][0].name and proposal["candidates"][0]["faults"] == 1
    )

    # Return needs a reason; then propose again and approve.
    with pytest.raises(EvaluationError, match="理由"):
        services.elimination_return(actor=leader, elimination=elimination, note="")
    with pytest.raises(PermissionDenied):
        services.elimination_approve(actor=admin, elimination=elimination)
    services.elimination_return(actor=leader, elimination=elimination, note="请补充找茬问题整改情况")
    services.elimination_propose(actor=admin, elimination=elimination)
    elimination = services.elimination_approve(actor=leader, elimination=elimination, note="同意")
    assert elimination.status == EliminationStatus.APPROVED and elimination.decided_by == leader
    elimination = services.elimination_refer(actor=admin, elimination=elimination)
    referral = elimination.referrals.get()
    assert referral.estate == extra[0][1] and referral.matter == 4
    services.elimination_close(actor=admin, elimination=elimination)
    assert [e.action for e in elimination.events.order_by("at", "pk")] == [
        "create",
        "start_rectification",
        "start_reevaluation",
        "propose",
        "return",
        "propose",
        "approve",
        "refer",
        "close",
    ]
    # The company sees the campaign it is in, not others' raw data.
    staff = world.user("admin")
    assert visible(staff, EliminationCampaign).count() == 1


def test_a_tie_at_the_cut_is_broken_the_same_way_in_the_class_and_in_the_elimination_list(world):
    admin = world.user("admin")
    extra = _more_companies(world, 4)
    # The two last extra companies tie (same answers, same evidence); the bottom 3 cut runs between them.
    basis = _round(
        world,
        "初评",
        TODAY - dt.timedelta(days=200),
        {e.pk: v for (c, e), v in zip(extra, (1, 2, 3, 3), strict=True)},
    )
    tied = sorted(c.pk for c, _e in extra[2:])
    rows = {s.company_id: s for s in ScoreSnapshot.objects.filter(campaign=basis, kind=ScoreKind.COMPANY)}
    assert rows[tied[0]].rank == rows[tied[1]].rank  # shown as a tie …
    in_class = {c for c, s in rows.items() if s.score_class == "elimination"}
    elimination = services.elimination_create(
        actor=admin,
        basis_campaign=basis,
        name="末尾淘汰",
        bottom_n=3,
        final_m=1,
        fault_opens_on=TODAY,
        fault_closes_on=TODAY + dt.timedelta(days=30),
    )
    listed = set(elimination.candidates.values_list("company_id", flat=True))
    # … broken by the numeric id: the larger id is placed after the smaller one, so it is the one cut.
    assert listed == in_class == {extra[0][0].pk, extra[1][0].pk, tied[1]}
    assert [r["company_id"] for r in elimination.events.get().evidence["chosen"]] == [
        extra[0][0].pk,
        extra[1][0].pk,
        tied[1],
    ]


def test_thin_evidence_is_flagged_but_never_eliminated(world, as_user):
    admin, leader = world.user("admin"), world.user("leader")
    extra = _more_companies(world, 4)  # three households each: at most 3 answers
    basis = _round(
        world,
        "初评",
        TODAY - dt.timedelta(days=200),
        {e.pk: v for (c, e), v in zip(extra, (1, 2, 2, 3), strict=True)},
    )
    elimination = services.elimination_create(
        actor=admin,
        basis_campaign=basis,
        name="末尾淘汰",
        bottom_n=3,
        final_m=1,
        fault_opens_on=TODAY,
        fault_closes_on=TODAY + dt.timedelta(days=30),
    )
    assert (elimination.min_responses, elimination.min_survey_weight) == (30, Decimal("0.50"))
    services.elimination_start_rectification(  # the day after the announced window
        actor=admin,
        elimination=elimination,
        rectification_until=TODAY + dt.timedelta(days=60),
        today=TODAY + dt.timedelta(days=31),
    )
    re_round = _round(world, "复评", TODAY, {extra[0][1].pk: 1, extra[1][1].pk: 5, extra[2][1].pk: 2})
    services.elimination_start_reevaluation(
        actor=admin, elimination=elimination, reevaluation_campaign=re_round
    )
    elimination = services.elimination_propose(actor=admin, elimination=elimination)
    stages = dict(elimination.candidates.values_list("company_id", "stage"))
    # The worst company rests on 3 answers: flagged, not proposed, and nobody is proposed in its place.
    assert stages[extra[0][0].pk] == CandidateStage.INSUFFICIENT
    assert CandidateStage.PROPOSED not in stages.values()
    worst = elimination.events.get(action="propose").evidence["candidates"][0]
    assert (worst["company"], worst["responses"], worst["sufficient"]) == (extra[0][0].name, 3, False)
    # The leadership group sees it before signing off …
    page = as_user("leader").get(f"/evaluation/eliminations/{elimination.pk}/")
    assert page.status_code == 200
    assert "证据不足，不得淘汰" in page.content.decode()
    # … and approving eliminates nobody.
    elimination = services.elimination_approve(actor=leader, elimination=elimination, note="同意")
    assert not elimination.candidates.filter(stage=CandidateStage.ELIMINATED).exists()


def test_ending_the_fault_window_before_the_announced_date_needs_a_reason_and_a_confirmation(world):
    """Residents were told the window closes on fault_closes_on (issue 15): ending it earlier is
    refused without a reason and an explicit confirmation, changes nothing when refused, and is
    audited with the announced date when done. On or after that day nothing extra is asked."""
    admin = world.user("admin")
    extra = _more_companies(world, 4)
    basis = _round(
        world,
        "初评",
        TODAY - dt.timedelta(days=200),
        {e.pk: v for (c, e), v in zip(extra, (1, 2, 2, 3), strict=True)},
    )

    def window(name):
        return services.elimination_create(
            actor=admin,
            basis_campaign=basis,
            name=name,
            bottom_n=3,
            final_m=1,
            fault_opens_on=TODAY,
            fault_closes_on=TODAY + dt.timedelta(days=10),
        )

    elimination = window("末尾淘汰")
    until = TODAY + dt.timedelta(days=60)
    audits = AuditEvent.objects.count()
    with pytest.raises(EvaluationError, match="提前结束须写明理由"):
        services.elimination_start_rectification(
            actor=admin, elimination=elimination, rectification_until=until
        )
    with pytest.raises(EvaluationError, match="提前结束须勾选确认"):
        services.elimination_start_rectification(
            actor=admin, elimination=elimination, rectification_until=until, note="业委会要求尽快整改"
        )
    elimination.refresh_from_db()
    assert elimination.status == "fault_finding" and elimination.rectification_until is None
    assert elimination.events.count() == 1 and AuditEvent.objects.count() == audits

    services.elimination_start_rectification(
        actor=admin,
        elimination=elimination,
        rectification_until=until,
        note="业委会要求尽快整改",
        confirm_early_end=True,
        today=TODAY + dt.timedelta(days=4),
    )
    elimination.refresh_from_db()
    assert elimination.status == "rectification"
    ended = elimination.events.get(action="start_rectification").evidence["ended_early"]
    assert ended == {
        "announced_close": (TODAY + dt.timedelta(days=10)).isoformat(),
        "ended_on": (TODAY + dt.timedelta(days=4)).isoformat(),
        "days_cut": 6,
        "reason": "业委会要求尽快整改",
    }
    audit = AuditEvent.objects.filter(object_type="evaluation.EliminationCampaign").latest("pk")
    assert audit.changes["ended_early"] == ended

    # On the announced day itself the window may end as planned, with no reason asked.
    on_time = window("末尾淘汰（第二轮）")
    services.elimination_start_rectification(
        actor=admin, elimination=on_time, rectification_until=until, today=TODAY + dt.timedelta(days=10)
    )
    on_time.refresh_from_db()
    assert on_time.status == "rectification"
    assert "ended_early" not in on_time.events.get(action="start_rectification").evidence


def test_a_company_is_labelled_small_sample_by_its_weight_not_by_its_smallest_estate(world):
    # A company with 445 answers in one big estate and 8 in a small one: its survey score is 97 % its own
    # answers (k = 10 with two estates), so it is not "样本较少"; the small estate alone is.
    campaign = open_campaign(world)
    a1, b1 = world.estate_a1.pk, world.estate_b1.pk
    inputs = {
        "households": {a1: 2000, b1: 40},
        "survey": {
            a1: rules.Aggregate(445, 445 * 70.0, 445 * 4950.0),
            b1: rules.Aggregate(8, 8 * 60.0, 8 * 3650.0),
        },
        "item_means": {},
        "inspections": {},
        "branch": {},
        "problems": {},
        "serving": {world.company_x.pk: [a1, b1]},
    }
    result = services.compute_scores(campaign, inputs)
    assert result["prior"].k == rules.K_DEFAULT
    assert "small_sample" in result["estates"][b1]["flags"]  # 8 / 18 = 0.44
    assert "small_sample" not in result["estates"][a1]["flags"]
    company = result["companies"][world.company_x.pk]
    assert company["survey_weight"] == pytest.approx(2000 / 2040 * 445 / 455 + 40 / 2040 * 8 / 18)
    assert company["flags"] == []


def test_elimination_needs_more_companies_than_bottom_n(world):
    campaign = closed_and_recomputed(world)
    with pytest.raises(EvaluationError, match="必须少于参评企业数"):
        services.elimination_create(
            actor=world.user("admin"),
            basis_campaign=campaign,
            name="末尾淘汰",
            fault_opens_on=TODAY,
            fault_closes_on=TODAY,
        )


# ---- awards -------------------------------------------------------------------------------------------


def test_award_grant_checks_target_and_street(world):
    admin = world.user("admin")
    award = services.award_grant(
        actor=admin, street=world.street, kind="company", title="标杆物业", year=2026, company=world.company_y
    )
    assert award.company == world.company_y
    services.award_grant(
        actor=admin,
        street=world.street,
        kind="owners_committee",
        title="优秀业委会",
        year=2026,
        committee=world.committee_a1,
    )
    with pytest.raises(EvaluationError, match="不属于本街道"):
        services.award_grant(
            actor=admin,
            street=world.street,
            kind="company",
            title="标杆",
            year=2026,
            company=world.other_company,
        )
    with pytest.raises(EvaluationError, match="请选择获表彰的业委会"):
        services.award_grant(
            actor=admin, street=world.street, kind="owners_committee", title="优秀", year=2026
        )
    with pytest.raises(PermissionDenied):
        services.award_grant(
            actor=world.user("leader"),
            street=world.street,
            kind="company",
            title="标杆",
            year=2026,
            company=world.company_y,
        )
