"""The demo street's evaluation: two survey rounds, inspections, branch assessments, computed scores
and one elimination campaign in progress (docs/DESIGN.md §8; issue 6).

- A 4-category / 20-item template like 云台二's (frozen: used by both rounds).
- Round 1 (last year) and round 2 (this year), both closed, over all 76 estates. Each company has a
  latent service quality and each estate a local deviation; households answer around it. Sample
  sizes vary (about 2–15 % of households) and a few estates have only 2–6 responses, so the
  shrinkage and the intervals have something to show. Responses are written the way the services
  write them: one household marker per response, no link between the two; every household got its
  letter code before the round opened and the households that answered spent theirs.
- Third-party inspections by ``demo_evaluator`` at its assigned estates (no photos: each remark names the
  shortfall of its checklist line and the points taken off); a branch assessment for
  every estate (by ``demo_secretary`` in their area, the street admin elsewhere).
- Scores computed by ``services.campaign_recompute``.
- One elimination campaign based on round 2: the bottom 9 chosen, the fault-finding window open
  (started five days ago), a few faults filed (problems in the tracker, tagged to the campaign).
- The 4 benchmark companies of the demo plan (``CompanyPlan.benchmark``; the seed: 支持 4 家优质物业
  树立服务标杆) serve well, so round 2 ranks them in its top class (标杆候选); ``demo_leader`` then
  names exactly those 4 through ``services.benchmark_name`` (issue 14).

A pure function of (seed, today) and the loaded street; bulk inserts only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections import defaultdict
from decimal import Decimal
from random import Random

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from gongzhi.core.bulk import insert_rows
from gongzhi.evaluation import rules, services
from gongzhi.evaluation.models import (
    AccessCode,
    Award,
    BallotBox,
    Benchmark,
    BranchAssessment,
    Campaign,
    CampaignEstate,
    CampaignStatus,
    CandidateStage,
    CategoryCode,
    EliminationCampaign,
    EliminationCandidate,
    EliminationEvent,
    FaultFinding,
    HouseholdSubmission,
    Inspection,
    InspectionItem,
    OwnersDecisionReferral,
    Replacement,
    ScoreSnapshot,
    SurveyAnswer,
    SurveyCategory,
    SurveyItem,
    SurveyResponse,
    SurveyTemplate,
)
from gongzhi.registry import models as r

# (category, line, the four-services standard item it checks — fees.rules.DEFAULT_STANDARD — or "").
CHECKLIST = (
    (CategoryCode.CLEANING, "楼道、道路无垃圾堆物", "BJ-01"),
    (CategoryCode.CLEANING, "垃圾箱房整洁、分类到位", "BJ-02"),
    (CategoryCode.GREENING, "绿化修剪整齐、无枯死", "LH-01"),
    (CategoryCode.GREENING, "绿地无毁绿、无种菜", ""),
    (CategoryCode.SECURITY, "门岗在岗、来访登记", "BA-01"),
    (CategoryCode.SECURITY, "消防通道畅通、无违规充电", ""),
    (CategoryCode.REPAIR, "公共照明、门禁完好", ""),
    (CategoryCode.REPAIR, "报修台账完整、按时修复", "BX-01"),
)
# What an inspector writes beside a checklist line that lost points: the shortfall of that line (no claim of
# a photo — the demo's inspections have none; data health: evaluation.inspection_photos_as_claimed).
SHORTFALLS = {
    "楼道、道路无垃圾堆物": "楼道有堆物，道路有散落垃圾",
    "垃圾箱房整洁、分类到位": "垃圾箱房有异味，分类投放不到位",
    "绿化修剪整齐、无枯死": "部分灌木未修剪，有枯死苗木",
    "绿地无毁绿、无种菜": "绿地内有毁绿种菜",
    "门岗在岗、来访登记": "检查时门岗无人，来访人员未登记",
    "消防通道畅通、无违规充电": "消防通道有车辆停放，楼道有电动车充电",
    "公共照明、门禁完好": "部分楼道灯不亮，单元门禁损坏",
    "报修台账完整、按时修复": "报修台账缺记录，个别报修超期未修",
}
FAULTS = (
    "垃圾箱房满溢两天无人清运",
    "单元门禁损坏一周未修",
    "夜间门岗无人值守",
    "楼道电动车充电无人劝阻",
    "绿化带枯死苗木未补种",
    "报修电话长期无人接听",
)


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


def _uuid_maker(rng: Random):
    """Deterministic random UUIDs in the form the database column stores (SQLite: 32 hex chars)."""
    native = connection.features.has_native_uuid_field

    def make():
        value = uuid.UUID(int=rng.getrandbits(128), version=4)
        return value if native else value.hex

    return make


def _insert(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """The demo writes ~60,000 answers: far too many for model instances (see bulk.py)."""
    insert_rows(model._meta.db_table, columns, rows)


def _template(street: r.Street, created: dt.datetime) -> tuple[SurveyTemplate, list]:
    template = SurveyTemplate.objects.create(
        street=street,
        name="四保服务满意度测评（四类二十项）",
        version=1,
        scale_max=5,
        frozen=True,
        description="四大类、20 个事项，现场或线上无记名测评",
        created_at=created,
    )
    categories = SurveyCategory.objects.bulk_create(
        SurveyCategory(template=template, code=spec.code, name=spec.name, weight=spec.weight, sort_order=i)
        for i, spec in enumerate(services.YUNTAI_TEMPLATE)
    )
    items = SurveyItem.objects.bulk_create(
        SurveyItem(
            category=category,
            text=item.text,
            weight=item.weight,
            sort_order=j,
            standard_code=item.standard_code,
        )
        for category, spec in zip(categories, services.YUNTAI_TEMPLATE, strict=True)
        for j, item in enumerate(spec.items)
    )
    structure = []
    position = 0
    for category, spec in zip(categories, services.YUNTAI_TEMPLATE, strict=True):
        members = items[position : position + len(spec.items)]
        position += len(spec.items)
        structure.append((category, members))
    return template, structure


def _round(
    *,
    rng: Random,
    street: r.Street,
    template: SurveyTemplate,
    structure: list,
    name: str,
    period_end: dt.date,
    estates: list[r.Estate],
    units_of: dict[int, list[int]],
    quality: dict[int, float],
    users,
    evaluated: set[int],
    company_of: dict[int, int],
    created: dt.datetime,
) -> tuple[Campaign, dict[str, int]]:
    campaign = Campaign.objects.create(
        street=street,
        template=template,
        name=name,
        period_start=period_end - dt.timedelta(days=364),
        period_end=period_end,
        opens_on=period_end - dt.timedelta(days=20),
        closes_on=period_end,
        status=CampaignStatus.CLOSED,
        created_at=created,
    )
    CampaignEstate.objects.bulk_create(
        CampaignEstate(campaign=campaign, estate=e, households=len(units_of.get(e.pk, []))) for e in estates
    )
    item_structure = [(c.weight, [(i.pk, i.weight) for i in items]) for c, items in structure]
    category_of = {i.pk: c.pk for c, items in structure for i in items}
    responses, markers = [], []
    answers_of: dict = {}
    tiny = set(rng.sample([e.pk for e in estates], 4))
    new_id = _uuid_maker(rng)
    for estate in estates:
        units = units_of.get(estate.pk, [])
        if not units:
            continue
        rate = rng.uniform(0.015, 0.07)
        n = _clamp(round(len(units) * rate), 5, len(units))
        if estate.pk in tiny:
            n = min(len(units), rng.randint(2, 4))
        markers.extend((new_id(), campaign.pk, unit_id) for unit_id in sorted(rng.sample(units, n)))
        mood = quality[estate.pk]
        for _n in range(n):
            latent = rng.gauss(mood, 14)
            given = {}
            for _c, items in structure:
                for item in items:
                    value = 1 + (latent + rng.gauss(0, 9)) * 4 / 100
                    given[item.pk] = _clamp(round(value), 1, 5) if rng.random() > 0.03 else None
            if all(v is None for v in given.values()):
                given[structure[0][1][0].pk] = 3
            response_id = new_id()
            score = rules.response_score(given, item_structure, 5)
            responses.append((response_id, campaign.pk, estate.pk, str(score)))
            answers_of[response_id] = [
                (new_id(), response_id, campaign.pk, estate.pk, category_of[item_id], item_id, value)
                for item_id, value in given.items()
            ]
    # The rounds are closed, so every ballot box has been released: responses and their answers are
    # stored in one shuffled order and the markers by unit, so no row order pairs the two (§5).
    rng.shuffle(responses)
    answers = [row for response in responses for row in answers_of[response[0]]]
    _insert(SurveyResponse, ("id", "campaign_id", "estate_id", "score"), responses)
    _insert(
        SurveyAnswer,
        ("id", "response_id", "campaign_id", "estate_id", "category_id", "item_id", "score"),
        answers,
    )
    _insert(HouseholdSubmission, ("id", "campaign_id", "unit_id"), markers)
    # Every household got its letter with a single-use code before the round opened (services.codes_issue);
    # the households that answered spent theirs (data health: evaluation.answers_have_codes). Only hashes
    # are stored, here of random bytes from a stream of its own: no demo code can be typed in, and the
    # answers above do not move.
    answered = {unit_id for _id, _campaign, unit_id in markers}
    code_rng = Random(f"{name}-codes")
    _insert(
        AccessCode,
        ("campaign_id", "estate_id", "unit_id", "code_hash", "batch", "issued_on", "used", "revoked"),
        [
            (
                campaign.pk,
                estate.pk,
                unit_id,
                hashlib.sha256(code_rng.getrandbits(256).to_bytes(32, "big")).hexdigest(),
                1,
                campaign.opens_on - dt.timedelta(days=3),
                unit_id in answered,
                False,
            )
            for estate in estates
            for unit_id in sorted(units_of.get(estate.pk, []))
        ],
    )
    evaluator = users.get("demo_evaluator")
    inspections, lines = [], []
    if evaluator is not None:
        for estate in estates:
            if estate.pk not in evaluated:
                continue
            checks = []
            for code, label, standard_code in CHECKLIST:
                score = Decimal(_clamp(round((quality[estate.pk] + rng.gauss(0, 10)) / 10), 2, 10))
                checks.append((code, label, standard_code, score))
            total = sum(s for _c, _l, _sc, s in checks)
            inspection = Inspection(
                campaign=campaign,
                estate=estate,
                evaluator=evaluator,
                inspected_on=period_end - dt.timedelta(days=rng.randint(5, 40)),
                score=(total * 100 / (10 * len(checks))).quantize(Decimal("0.01")),
                note=f"现场检查{len(checks)}项，其中{sum(1 for c in checks if c[3] < 8)}项扣分。",
                created_at=created,
            )
            inspections.append(inspection)
            lines.append(checks)
    Inspection.objects.bulk_create(inspections)
    InspectionItem.objects.bulk_create(
        InspectionItem(
            inspection=inspection,
            category=code,
            label=label,
            standard_code=standard_code,
            score=score,
            max_score=Decimal("10"),
            remark="" if score >= 8 else f"扣{10 - score}分：{SHORTFALLS[label]}",
        )
        for inspection, checks in zip(inspections, lines, strict=True)
        for code, label, standard_code, score in checks
    )
    secretary = users.get("demo_secretary")
    secretary_areas = set()
    if secretary is not None:
        from gongzhi.core.models import RoleGrant

        secretary_areas = set(RoleGrant.objects.filter(user=secretary).values_list("area_id", flat=True))
    admin = users["demo_admin"]
    BranchAssessment.objects.bulk_create(
        BranchAssessment(
            campaign=campaign,
            estate=estate,
            company_id=company_of.get(estate.pk),
            assessor=secretary if estate.area_id in secretary_areas else admin,
            score=Decimal(_clamp(round(quality[estate.pk] + rng.gauss(3, 7)), 30, 100)),
            comment="支部考核：参与日常巡查与两周例会情况综合评定",
            assessed_at=created,
        )
        for estate in estates
    )
    return campaign, {
        "evaluation.SurveyResponse": len(responses),
        "evaluation.SurveyAnswer": len(answers),
        "evaluation.Inspection": len(inspections),
        "evaluation.BranchAssessment": len(estates),
    }


def _faults(*, rng: Random, elimination: EliminationCampaign, street: r.Street, today: dt.date, users) -> int:
    from gongzhi.problems.models import Category, Problem, ProblemEvent, Source, Status
    from gongzhi.problems.rules import tracking_number

    categories = {c.code: c for c in Category.objects.filter(street=street)}
    if not categories:
        return 0
    candidates = set(elimination.candidates.values_list("company_id", flat=True))
    contracts = list(
        r.Contract.objects.active(on=today)
        .filter(company_id__in=candidates, estate__area__street=street)
        .select_related("estate", "company")
        .order_by("estate_id")
    )
    if not contracts:
        return 0
    codes = ["cleaning", "repair", "security", "security", "greening", "repair"]
    made = 0
    tz = timezone.get_current_timezone()
    for index, text in enumerate(FAULTS):
        contract = contracts[rng.randrange(len(contracts))]
        category = categories.get(codes[index]) or next(iter(categories.values()))
        moment = dt.datetime.combine(
            elimination.fault_opens_on + dt.timedelta(days=index % 5), dt.time(9 + index, 15), tzinfo=tz
        )
        problem = Problem.objects.create(
            number=f"F{elimination.pk}-{index}",
            estate=contract.estate,
            category=category,
            source=Source.RESIDENT,
            description=f"找茬：{text}",
            urgent=category.urgent,
            status=Status.REPORTED,
            created_at=moment,
        )
        problem.number = tracking_number(moment.year, problem.pk)
        problem.save(update_fields=["number"])
        ProblemEvent.objects.create(
            problem=problem,
            at=moment,
            actor_label=str(Source.RESIDENT.label),
            action="report",
            to_status=Status.REPORTED,
            note=problem.description,
        )
        FaultFinding.objects.create(elimination=elimination, company=contract.company, problem=problem)
        made += 1
    return made


@transaction.atomic
def _plan_benchmark_ids(street, *, seed: int, scale: float, today: dt.date) -> list[int]:
    """The street's companies the demo plan flags as benchmarks, in plan order (matched by name: the
    generator creates the plan's companies with the plan's names)."""
    from gongzhi.demo.plan import plan_street

    names = [c.name for c in plan_street(seed, scale=scale, today=today).companies if c.benchmark]
    by_name = dict(r.Company.objects.filter(street=street, name__in=names).values_list("name", "pk"))
    return [by_name[n] for n in names if n in by_name]


def _name_benchmarks(*, street, campaign: Campaign, benchmark_ids: list[int], today: dt.date, users) -> int:
    """The leadership group names the plan's benchmarks that the latest round ranks in its top class (all
    4 by construction; the test says so), for three years from ten days after the round closed."""
    leader = users.get("demo_leader")
    if leader is None or not benchmark_ids:
        return 0
    rows = {
        s.company_id: s
        for s in ScoreSnapshot.objects.filter(
            campaign=campaign, kind="company", company_id__in=benchmark_ids, score_class="benchmark"
        ).select_related("company")
    }
    starts_on = campaign.period_end + dt.timedelta(days=10)
    named = 0
    for company_id in benchmark_ids:
        snapshot = rows.get(company_id)
        if snapshot is None:
            continue
        services.benchmark_name(
            actor=leader,
            street=street,
            company=snapshot.company,
            reason=f"{campaign.name}综合得分{snapshot.composite:.1f}分，排名第{snapshot.rank}位；"
            f"管理{snapshot.estates_count}个小区，居民满意度高，四保服务规范。",
            starts_on=starts_on,
            ends_on=rules.benchmark_term_end_limit(starts_on),
            today=today,
        )
        named += 1
    return named


def demo_create(*, street, seed: int, scale: float = 1.0, today: dt.date, users) -> dict[str, int]:
    rng = Random(seed * 104729 + 6)
    tz = timezone.get_current_timezone()
    estates = list(r.Estate.objects.filter(area__street=street).order_by("pk"))
    if not estates:
        return {}
    units_of: dict[int, list[int]] = defaultdict(list)
    for unit_id, estate_id in (
        r.Unit.objects.filter(building__estate__area__street=street)
        .order_by("pk")
        .values_list("pk", "building__estate_id")
    ):
        units_of[estate_id].append(unit_id)
    company_of = dict(
        r.Contract.objects.active(on=today).filter(estate__in=estates).values_list("estate_id", "company_id")
    )
    companies = sorted(set(company_of.values()))
    company_quality = {c: rng.gauss(68, 9) for c in companies}
    # The plan's benchmark companies are the best served (the ranking then agrees with the titles named
    # below): a few points above the best of the others.
    benchmark_ids = _plan_benchmark_ids(street, seed=seed, scale=scale, today=today)
    others_best = max((q for c, q in company_quality.items() if c not in benchmark_ids), default=68.0)
    for company_id in benchmark_ids:
        if company_id in company_quality:
            company_quality[company_id] = max(company_quality[company_id], others_best + 4 + rng.random() * 3)
    evaluator = users.get("demo_evaluator")
    evaluated: set[int] = set()
    if evaluator is not None:
        from gongzhi.core.models import RoleGrant

        evaluated = set(RoleGrant.objects.filter(user=evaluator).values_list("estate_id", flat=True))
    counts: dict[str, int] = defaultdict(int)
    created = dt.datetime.combine(today - dt.timedelta(days=400), dt.time(9), tzinfo=tz)
    template, structure = _template(street, created)
    counts["evaluation.SurveyTemplate"] += 1
    campaigns = []
    for end, drift in (
        (today - dt.timedelta(days=365 + 30), 0.0),
        (today - dt.timedelta(days=30), 2.0),
    ):
        quality = {
            e.pk: company_quality.get(company_of.get(e.pk), 60.0) + drift + rng.gauss(0, 5) for e in estates
        }
        campaign, made = _round(
            rng=rng,
            street=street,
            template=template,
            structure=structure,
            name=f"{end.year}年度物业服务满意度测评",
            period_end=end,
            estates=estates,
            units_of=units_of,
            quality=quality,
            users=users,
            evaluated=evaluated,
            company_of=company_of,
            created=dt.datetime.combine(end - dt.timedelta(days=25), dt.time(9), tzinfo=tz),
        )
        for key, n in made.items():
            counts[key] += n
        services.campaign_recompute(campaign=campaign)
        campaigns.append(campaign)
        counts["evaluation.Campaign"] += 1
    counts["evaluation.ScoreSnapshot"] = ScoreSnapshot.objects.filter(campaign__street=street).count()
    admin = users["demo_admin"]
    basis = campaigns[-1]
    snapshots = ScoreSnapshot.objects.filter(campaign=basis, kind="company").count()
    if snapshots > rules.DEFAULT_BOTTOM_N:
        elimination = services.elimination_create(
            actor=admin,
            basis_campaign=basis,
            name=f"{today.year}年物业服务末尾淘汰",
            fault_opens_on=today - dt.timedelta(days=5),
            fault_closes_on=today + dt.timedelta(days=25),
        )
        counts["evaluation.EliminationCampaign"] += 1
        counts["evaluation.FaultFinding"] += _faults(
            rng=rng, elimination=elimination, street=street, today=today, users=users
        )
    counts["evaluation.Benchmark"] = _name_benchmarks(
        street=street, campaign=basis, benchmark_ids=benchmark_ids, today=today, users=users
    )
    # Last year's elimination, referred to the owners: one replacement in progress (优胜劣汰).
    for key, n in _past_elimination(street=street, campaigns=campaigns, today=today, users=users).items():
        counts[key] += n
    # 争优评比 of last year's round: the two best companies.
    best = list(
        ScoreSnapshot.objects.filter(campaign=campaigns[0], kind="company").order_by("rank", "pk")[:2]
    )
    Award.objects.bulk_create(
        Award(
            street=street,
            campaign=campaigns[0],
            kind="company",
            company_id=s.company_id,
            title="优秀物业服务企业",
            year=campaigns[0].period_end.year,
            citation="年度测评综合排名前列，居民满意度高",
            granted_by=admin,
            granted_on=campaigns[0].period_end,
        )
        for s in best
    )
    committee = r.OwnersCommittee.objects.filter(estate__area__street=street).order_by("pk").first()
    if committee is not None:
        Award.objects.create(
            street=street,
            campaign=campaigns[0],
            kind="owners_committee",
            committee=committee,
            title="优秀业委会",
            year=campaigns[0].period_end.year,
            citation="按期公开维修资金与公共收益",
            granted_by=admin,
            granted_on=campaigns[0].period_end,
        )
    counts["evaluation.Award"] = Award.objects.filter(street=street).count()
    return dict(counts)


def demo_delete(*, street) -> dict[str, int]:
    """Delete the street's evaluation rows (before the logins and the problems they point at)."""
    deleted: dict[str, int] = defaultdict(int)
    # The owners' decisions drafted by the replacements are this part's (voting's demo part leaves them).
    from gongzhi.voting.models import Decision

    replacement_decisions = list(
        Replacement.objects.filter(referral__elimination__street=street, decision__isnull=False).values_list(
            "decision_id", flat=True
        )
    )
    steps = [
        Benchmark.objects.filter(street=street),
        FaultFinding.objects.filter(elimination__street=street),
        Replacement.objects.filter(referral__elimination__street=street),
        OwnersDecisionReferral.objects.filter(elimination__street=street),
        EliminationEvent.objects.filter(elimination__street=street),
        EliminationCandidate.objects.filter(elimination__street=street),
        EliminationCampaign.objects.filter(street=street),
        Award.objects.filter(street=street),
        ScoreSnapshot.objects.filter(campaign__street=street),
        SurveyAnswer.objects.filter(campaign__street=street),
        SurveyResponse.objects.filter(campaign__street=street),
        HouseholdSubmission.objects.filter(campaign__street=street),
        AccessCode.objects.filter(campaign__street=street),
        InspectionItem.objects.filter(inspection__campaign__street=street),
        Inspection.objects.filter(campaign__street=street),
        BranchAssessment.objects.filter(campaign__street=street),
        BallotBox.objects.filter(campaign__street=street),
        CampaignEstate.objects.filter(campaign__street=street),
        Campaign.objects.filter(street=street),
        SurveyItem.objects.filter(category__template__street=street),
        SurveyCategory.objects.filter(template__street=street),
        SurveyTemplate.objects.filter(street=street),
    ]
    from gongzhi.evaluation.models import InspectionPhoto

    steps.insert(12, InspectionPhoto.objects.filter(inspection__campaign__street=street))
    for queryset in steps:
        for label, n in queryset.delete()[1].items():
            deleted[label] += n
    for label, n in Decision.objects.filter(pk__in=replacement_decisions).delete()[1].items():
        deleted[label] += n
    return {k: v for k, v in deleted.items() if v}


def demo_fingerprint(street) -> str:
    """A digest of what the demo wrote that does not depend on primary keys or the clock."""
    digest = hashlib.sha256()
    rows = [
        SurveyResponse.objects.filter(campaign__street=street)
        .values("campaign__name", "estate__name")
        .annotate(n=Count("id"))
        .values_list("campaign__name", "estate__name", "n"),
        SurveyResponse.objects.filter(campaign__street=street).values_list(
            "campaign__name", "estate__name", "score"
        ),
        ScoreSnapshot.objects.filter(campaign__street=street).values_list(
            "campaign__name", "kind", "estate__name", "company__name", "composite", "low", "high", "rank"
        ),
        EliminationCandidate.objects.filter(elimination__street=street).values_list(
            "elimination__name", "company__name", "basis_rank", "stage"
        ),
        Inspection.objects.filter(campaign__street=street).values_list(
            "campaign__name", "estate__name", "score"
        ),
        BranchAssessment.objects.filter(campaign__street=street).values_list(
            "campaign__name", "estate__name", "score"
        ),
        FaultFinding.objects.filter(elimination__street=street).values_list(
            "company__name", "problem__description"
        ),
        Benchmark.objects.filter(street=street).values_list(
            "company__name", "reason", "starts_on", "ends_on"
        ),
    ]
    for query in rows:
        digest.update(repr(sorted(tuple("" if v is None else str(v) for v in row) for row in query)).encode())
    return digest.hexdigest()


def _past_elimination(*, street, campaigns: list[Campaign], today: dt.date, users) -> dict[str, int]:
    """Last year's elimination carried through to the owners (issue 14: 优胜劣汰): the bottom 6 of round 1,
    a month of fault-finding, rectification, round 2 as the re-evaluation, the bottom 1 proposed and approved
    by the leadership group, its estates referred to the owners (art. 278 matter 4). At the first referred
    estate whose owners' decision a demo login may open (voting's can_manage: the estate's committee, the
    street admin where none sits), the owners' decision to dismiss and hire is drafted — one replacement in
    progress; the others wait at 已移交业主大会. Through the services; deterministic for (seed, today).
    """
    from gongzhi.evaluation.services.replacement import replacement_for
    from gongzhi.voting.permissions import can_manage

    admin, leader = users.get("demo_admin"), users.get("demo_leader")
    if admin is None or leader is None or len(campaigns) < 2:
        return {}
    first, second = campaigns[0], campaigns[-1]
    if ScoreSnapshot.objects.filter(campaign=first, kind="company").count() < 6:
        return {}
    # The minimum evidence: 10 answers and a survey weight of 0.5, lowered to what the worst of the bottom 6 has
    # in round 2 when it has less (the small street of the tests), so that the demo's story always reaches the
    # owners — read from the data, the same for the same seed and day at any scale.
    bottom = list(
        ScoreSnapshot.objects.filter(campaign=first, kind="company")
        .order_by("-rank", "pk")
        .values_list("company_id", flat=True)[:6]
    )
    worst = (
        ScoreSnapshot.objects.filter(campaign=second, kind="company", company_id__in=bottom)
        .order_by("-rank", "pk")
        .first()
    )
    min_responses, min_weight = 10, Decimal("0.50")
    if worst is not None:
        min_responses = min(min_responses, worst.responses)
        weight = Decimal(str((worst.detail or {}).get("survey_weight", 0))).quantize(
            Decimal("0.01"), "ROUND_DOWN"
        )
        min_weight = min(min_weight, weight)
    opens = first.period_end + dt.timedelta(days=15)
    elimination = services.elimination_create(
        actor=admin,
        basis_campaign=first,
        name=f"{first.period_end.year}年物业服务末尾淘汰",
        fault_opens_on=opens,
        fault_closes_on=opens + dt.timedelta(days=30),
        bottom_n=6,
        final_m=1,
        min_responses=min_responses,
        min_survey_weight=min_weight,
    )
    services.elimination_start_rectification(
        actor=admin,
        elimination=elimination,
        rectification_until=opens + dt.timedelta(days=150),
        today=opens + dt.timedelta(days=31),
    )
    services.elimination_start_reevaluation(
        actor=admin, elimination=elimination, reevaluation_campaign=second
    )
    services.elimination_propose(actor=admin, elimination=elimination)
    if not elimination.candidates.filter(stage=CandidateStage.PROPOSED).exists():
        return {"evaluation.EliminationCampaign": 1}
    services.elimination_approve(actor=leader, elimination=elimination, note="同意。")
    services.elimination_refer(actor=admin, elimination=elimination, today=today - dt.timedelta(days=12))
    drafted = 0
    tz = timezone.get_current_timezone()
    referrals = OwnersDecisionReferral.objects.filter(elimination=elimination).select_related("estate__area")
    for referral in referrals.order_by("estate__name", "pk"):
        actor = next((u for u in (users.get("demo_oc"), admin) if u and can_manage(u, referral.estate)), None)
        if actor is None:
            continue
        opens_at = dt.datetime.combine(today + dt.timedelta(days=3), dt.time(9), tzinfo=tz)
        services.replacement_open_vote(
            actor=actor,
            replacement=replacement_for(referral),
            opens_at=opens_at,
            closes_at=opens_at + dt.timedelta(days=21),
        )
        drafted += 1
        break
    return {
        "evaluation.EliminationCampaign": 1,
        "evaluation.OwnersDecisionReferral": referrals.count(),
        "evaluation.Replacement": Replacement.objects.filter(referral__elimination=elimination).count(),
        "voting.Decision (replacement)": drafted,
    }
