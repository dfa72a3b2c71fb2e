"""数据体检 plug-in of the evaluation (evaluation/health.py): answers against households and codes, stored
scores against the answers. Data through the services (tests/factories.py); defects planted by hand."""

from __future__ import annotations

from gongzhi.core.health import ERROR, run_health
from gongzhi.evaluation.models import (
    AccessCode,
    HouseholdSubmission,
    ScoreKind,
    ScoreSnapshot,
    SurveyResponse,
)
from gongzhi.evaluation.tests.factories import closed_and_recomputed

ANSWERS = "evaluation.survey_answers_have_households"
SCORES = "evaluation.scores_count_the_answers"


def _findings(world, code):
    (result,) = run_health(street=world.street, only=[code]).results
    return [(f.severity, f.message) for f in result.findings]


def test_a_survey_run_through_the_services_is_clean_and_planted_defects_are_found(world):
    campaign = closed_and_recomputed(world)
    assert _findings(world, ANSWERS) == [] and _findings(world, SCORES) == []
    # Answers without their households' markers (the old demo: 1,460 answers, 0 codes used).
    units = [world.unit_a1.pk, world.unit_a1_other.pk]
    HouseholdSubmission.objects.filter(campaign=campaign, unit_id__in=units).delete()
    ((severity, message), (_s, codes)) = sorted(_findings(world, ANSWERS), key=lambda f: "测评码" in f[1])
    assert severity == ERROR and "甲一小区：有" in message and "份答卷，但登记已答的住户为" in message
    assert "已使用的测评码有" in codes


def test_a_stored_score_counting_other_answers_is_an_error(world):
    campaign = closed_and_recomputed(world)
    snapshot = ScoreSnapshot.objects.get(campaign=campaign, kind=ScoreKind.ESTATE, estate=world.estate_a2)
    counted = SurveyResponse.objects.filter(campaign=campaign, estate=world.estate_a2).count()
    ScoreSnapshot.objects.filter(pk=snapshot.pk).update(responses=counted + 5)
    ((severity, message),) = _findings(world, SCORES)
    assert (
        severity == ERROR and f"甲二小区：得分按{counted + 5}份答卷计算，实有已计分答卷{counted}份" in message
    )
    assert AccessCode.objects.filter(campaign=campaign, used=True).exists()


def test_sample_labels_and_classes_follow_the_rules_and_a_changed_one_is_found(world):
    campaign = closed_and_recomputed(world)
    assert _findings(world, "evaluation.sample_labels_match") == []
    assert _findings(world, "evaluation.classes_follow_the_rule") == []
    estate = ScoreSnapshot.objects.get(campaign=campaign, kind=ScoreKind.ESTATE, estate=world.estate_a1)
    ScoreSnapshot.objects.filter(pk=estate.pk).update(flags=[*estate.flags, "small_sample"])
    ((severity, message),) = _findings(world, "evaluation.sample_labels_match")
    assert severity == ERROR and message.startswith(f"{campaign.name} · 甲一小区：样本标注为")
    best = ScoreSnapshot.objects.filter(campaign=campaign, kind=ScoreKind.COMPANY).order_by("rank").first()
    assert best.score_class == "benchmark"  # 1st of 2 companies: the top third
    ScoreSnapshot.objects.filter(pk=best.pk).update(score_class="improve")
    ((severity, message),) = _findings(world, "evaluation.classes_follow_the_rule")
    assert severity == ERROR and "第1位，分类为“提升”，按规则应为“标杆候选”" in message


def test_a_benchmark_that_is_an_elimination_candidate_or_past_three_years_is_found(world):
    import datetime as dt

    from django.utils import timezone

    from gongzhi.evaluation import services
    from gongzhi.evaluation.models import Benchmark

    campaign = closed_and_recomputed(world)
    today = timezone.localdate()
    benchmark = services.benchmark_name(
        actor=world.user("leader"),
        street=world.street,
        company=world.company_y,
        reason="测评第一",
        starts_on=today,
        ends_on=today + dt.timedelta(days=364),
    )
    assert _findings(world, "evaluation.benchmarks_hold") == []
    # Planted: the ranking later puts the benchmark in the bottom class, and its term is stretched.
    ScoreSnapshot.objects.filter(campaign=campaign, kind=ScoreKind.COMPANY, company=world.company_y).update(
        score_class="elimination"
    )
    Benchmark.objects.filter(pk=benchmark.pk).update(ends_on=today.replace(year=today.year + 3))
    found = sorted(_findings(world, "evaluation.benchmarks_hold"))
    assert [severity for severity, _m in found] == [ERROR, ERROR]
    assert "同时是末位候选" in found[0][1] and "超过最长 3 年" in found[1][1]
    # A revoked benchmark is no longer live: only the stretched term remains.
    services.benchmark_revoke(actor=world.user("leader"), benchmark=benchmark, reason="排名末位")
    ((severity, message),) = _findings(world, "evaluation.benchmarks_hold")
    assert "超过最长 3 年" in message


def test_answers_beyond_the_codes_used_and_the_owners_are_found(world):
    code = "evaluation.answers_have_codes"
    campaign = closed_and_recomputed(world)  # every household of the three estates answered by its code
    assert _findings(world, code) == []
    # The old demo: the answers and their households, but no code issued at all. owner_a1 (unit_a1) may have
    # answered logged in, so only the other household of 甲一小区 answered through no door.
    units = [world.unit_a1.pk, world.unit_a1_other.pk]
    AccessCode.objects.filter(campaign=campaign, unit_id__in=units).delete()
    ((severity, message),) = _findings(world, code)
    answered = HouseholdSubmission.objects.filter(
        campaign=campaign, unit__building__estate=world.estate_a1
    ).count()
    assert severity == ERROR and message.startswith(f"{campaign.name} · 甲一小区：{answered}户已答卷，")
    assert f"发放测评码{answered - 2}个、已使用{answered - 2}个，其中1户既没有使用测评码" in message
    # A household that answered while its code still reads unused.
    AccessCode.objects.filter(campaign=campaign, estate=world.estate_a2).update(used=False)
    households = HouseholdSubmission.objects.filter(campaign=campaign, unit__building__estate=world.estate_a2)
    found = dict((m.split("：")[0], m) for _s, m in _findings(world, code))
    assert found[f"{campaign.name} · 甲二小区"].endswith(
        f"{households.count()}户已答卷，其测评码却仍显示未使用。"
    )


def test_an_inspection_that_claims_a_photo_holds_one(world):
    import datetime as dt

    from django.utils import timezone

    from gongzhi.evaluation import services
    from gongzhi.evaluation.models import InspectionPhoto
    from gongzhi.evaluation.tests.factories import open_campaign
    from gongzhi.problems.tests.office_helpers import png

    code = "evaluation.inspection_photos_as_claimed"
    campaign = open_campaign(world)
    day = timezone.localdate() - dt.timedelta(days=1)
    lines = [
        {
            "category": "cleaning",
            "label": "楼道无堆物",
            "score": "6",
            "max_score": "10",
            "remark": "楼道堆物，已拍照",
        },
        {
            "category": "security",
            "label": "消防通道畅通",
            "score": "9",
            "max_score": "10",
            "remark": "一处堆放",
        },
    ]
    evaluator = world.user("evaluator_b1")
    services.inspection_record(
        actor=evaluator,
        campaign=campaign,
        estate=world.estate_b1,
        inspected_on=day,
        lines=lines,
        photos=[png()],
    )
    plain = [{**lines[0], "remark": "扣4分：楼道有堆物"}, lines[1]]
    services.inspection_record(
        actor=evaluator, campaign=campaign, estate=world.estate_b1, inspected_on=day, lines=plain
    )
    assert _findings(world, code) == []  # the photo is there; the other remark claims none
    InspectionPhoto.objects.all().delete()
    ((severity, message),) = _findings(world, code)
    assert severity == ERROR and message.startswith(f"{campaign.name} · 乙一小区：")
    assert message.endswith("的检查记录写明已拍照，却没有一张照片。")
