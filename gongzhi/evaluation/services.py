"""Writes to evaluation: templates, campaigns, household codes, anonymous responses, inspections,
branch assessments, the score recompute, the elimination workflow and awards.

Every service is keyword-only, atomic, checks the actor's right (permissions.py) and writes its
audit row in the same transaction. Survey submissions write no audit row at all: the household
marker says who took part, and each release of a ballot box is audited by day (docs/EVALUATION.md §5)."""

from __future__ import annotations

import datetime as dt
import secrets
import time
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Avg, Count, ExpressionWrapper, FloatField, Q, Sum
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import audit_record
from gongzhi.core.models import AuditEvent
from gongzhi.evaluation import permissions, rules, sealing
from gongzhi.evaluation.bulk import insert_rows
from gongzhi.evaluation.models import (
    AccessCode,
    Award,
    AwardKind,
    BallotBox,
    BranchAssessment,
    Campaign,
    CampaignEstate,
    CampaignStatus,
    CandidateStage,
    CategoryCode,
    EliminationCampaign,
    EliminationCandidate,
    EliminationEvent,
    EliminationStatus,
    FaultFinding,
    HouseholdSubmission,
    Inspection,
    InspectionItem,
    InspectionPhoto,
    OwnersDecisionReferral,
    ScoreKind,
    ScoreSnapshot,
    SurveyAnswer,
    SurveyCategory,
    SurveyItem,
    SurveyResponse,
    SurveyTemplate,
)
from gongzhi.registry.models import Building, Company, Contract, Estate, OwnersCommittee, Street, Unit


class EvaluationError(Exception):
    """A refusal the user can act on; ``message`` is plain Chinese. Nothing was changed."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


# ---- templates ----------------------------------------------------------------------------------------

# 云台二居民区 used "four categories, 20 items" (seed text); this is a plausible such questionnaire.
YUNTAI_TEMPLATE: tuple[rules.CategorySpec, ...] = (
    rules.CategorySpec(
        CategoryCode.CLEANING,
        "保洁",
        Decimal("30"),
        tuple(
            rules.ItemSpec(t)
            for t in (
                "楼道及公共部位清洁",
                "垃圾分类与清运及时",
                "道路与绿地保洁",
                "雨污水井与化粪池清掏",
                "保洁人员工作态度",
            )
        ),
    ),
    rules.CategorySpec(
        CategoryCode.GREENING,
        "保绿",
        Decimal("20"),
        tuple(
            rules.ItemSpec(t)
            for t in ("绿化修剪及时", "病虫害防治", "枯死苗木补种", "绿地无侵占与毁绿", "绿化整体观感")
        ),
    ),
    rules.CategorySpec(
        CategoryCode.SECURITY,
        "保安",
        Decimal("25"),
        tuple(
            rules.ItemSpec(t)
            for t in ("门岗值守与来访登记", "夜间巡逻", "车辆停放管理", "电动车违规充电劝阻", "消防通道畅通")
        ),
    ),
    rules.CategorySpec(
        CategoryCode.REPAIR,
        "保修",
        Decimal("25"),
        tuple(
            rules.ItemSpec(t)
            for t in ("报修响应速度", "维修质量", "公共设施完好", "电梯与水泵运行", "维修收费公开合理")
        ),
    ),
)


def _as_specs(categories: Sequence) -> list[rules.CategorySpec]:
    """Accept CategorySpec objects or plain dicts {code, name, weight, items: [{text, weight}]}."""
    specs = []
    for category in categories:
        if isinstance(category, rules.CategorySpec):
            specs.append(category)
            continue
        items = tuple(
            item
            if isinstance(item, rules.ItemSpec)
            else rules.ItemSpec(item.get("text", ""), item.get("weight", 1))
            for item in category.get("items", ())
        )
        code = category.get("code", "")
        name = category.get("name") or (CategoryCode(code).label if code in CategoryCode.values else "")
        specs.append(rules.CategorySpec(code, str(name), category.get("weight", 0), items))
    return specs


def _write_structure(template: SurveyTemplate, specs: Sequence[rules.CategorySpec]) -> None:
    template.categories.all().delete()
    for order, spec in enumerate(specs):
        category = SurveyCategory.objects.create(
            template=template,
            code=spec.code,
            name=spec.name or CategoryCode(spec.code).label,
            weight=Decimal(str(spec.weight)),
            sort_order=order,
        )
        SurveyItem.objects.bulk_create(
            SurveyItem(
                category=category, text=item.text.strip(), weight=Decimal(str(item.weight)), sort_order=i
            )
            for i, item in enumerate(spec.items)
        )


def _validate_template(name: str, scale_max: int, specs: Sequence[rules.CategorySpec]) -> None:
    errors = []
    if not (name or "").strip():
        errors.append(_("请填写问卷名称。"))
    if scale_max not in (5, 10):
        errors.append(_("评分档数只能是 5 或 10。"))
    errors += rules.template_errors(specs, CategoryCode.values)
    if errors:
        raise EvaluationError(" ".join(errors))


@transaction.atomic
def template_create(
    *,
    actor,
    street: Street,
    name: str,
    categories: Sequence,
    scale_max: int = 5,
    description: str = "",
) -> SurveyTemplate:
    """A new questionnaire (version 1). Category weights must sum to exactly 100 %."""
    _require(permissions.is_street_admin(actor, street.pk))
    specs = _as_specs(categories)
    _validate_template(name, scale_max, specs)
    version = (
        SurveyTemplate.objects.filter(street=street, name=name.strip())
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
        or 0
    ) + 1
    template = SurveyTemplate.objects.create(
        street=street,
        name=name.strip(),
        version=version,
        scale_max=scale_max,
        description=description.strip(),
    )
    _write_structure(template, specs)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=template,
        street_id=street.pk,
        changes={"categories": [(s.code, str(s.weight), len(s.items)) for s in specs]},
    )
    return template


@transaction.atomic
def template_create_default(*, actor, street: Street, name: str = "") -> SurveyTemplate:
    """The four services, 20 items (云台二's structure) — a starting point the admin may copy and edit."""
    return template_create(
        actor=actor, street=street, name=name or _("四保服务满意度测评"), categories=YUNTAI_TEMPLATE
    )


@transaction.atomic
def template_update(
    *,
    actor,
    template: SurveyTemplate,
    name: str,
    categories: Sequence,
    scale_max: int = 5,
    description: str = "",
) -> SurveyTemplate:
    """Edit a template that no campaign has opened on yet; a used (frozen) one must be copied first."""
    template = SurveyTemplate.objects.select_for_update().get(pk=template.pk)
    _require(permissions.is_street_admin(actor, template.street_id))
    if template.frozen:
        raise EvaluationError(_("该问卷已被测评活动使用,不能修改;请“另存为新版本”后再改。"))
    specs = _as_specs(categories)
    _validate_template(name, scale_max, specs)
    template.name, template.scale_max, template.description = name.strip(), scale_max, description.strip()
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError:
        raise EvaluationError(_("本街道已有同名同版本的问卷。")) from None
    _write_structure(template, specs)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=template,
        street_id=template.street_id,
        changes={"categories": [(s.code, str(s.weight), len(s.items)) for s in specs]},
    )
    return template


@transaction.atomic
def template_new_version(*, actor, template: SurveyTemplate) -> SurveyTemplate:
    """Copy a template into the next free version (editable), keeping the frozen one for its campaigns."""
    _require(permissions.is_street_admin(actor, template.street_id))
    specs = [
        rules.CategorySpec(
            c.code, c.name, c.weight, tuple(rules.ItemSpec(i.text, i.weight) for i in c.items.all())
        )
        for c in template.categories.prefetch_related("items")
    ]
    latest = SurveyTemplate.objects.filter(street_id=template.street_id, name=template.name).order_by(
        "-version"
    )
    copy = SurveyTemplate.objects.create(
        street_id=template.street_id,
        name=template.name,
        version=latest.values_list("version", flat=True).first() + 1,
        scale_max=template.scale_max,
        description=template.description,
        previous=template,
    )
    _write_structure(copy, specs)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=copy,
        street_id=template.street_id,
        changes={"copied_from": template.pk},
    )
    return copy


# ---- campaigns ----------------------------------------------------------------------------------------


def _campaign_errors(
    *,
    street: Street,
    template: SurveyTemplate,
    name: str,
    period_start,
    period_end,
    opens_on,
    closes_on,
    estates: Sequence[Estate],
    weights: Mapping[str, object],
) -> list[str]:
    errors = []
    if not (name or "").strip():
        errors.append(_("请填写活动名称。"))
    if template.street_id != street.pk:
        errors.append(_("所选问卷不属于本街道。"))
    if period_start and period_end and period_end < period_start:
        errors.append(_("考核期结束日期不能早于开始日期。"))
    if opens_on and closes_on and closes_on < opens_on:
        errors.append(_("截止答卷日期不能早于开始答卷日期。"))
    if not estates:
        errors.append(_("请至少选择一个参评小区。"))
    foreign = [e.name for e in estates if e.area.street_id != street.pk]
    if foreign:
        errors.append(_("以下小区不属于本街道:%(names)s。") % {"names": "、".join(foreign)})
    errors += rules.composite_weight_errors(weights)
    return errors


DEFAULT_WEIGHTS = {
    "survey": Decimal("60"),
    "inspection": Decimal("20"),
    "branch": Decimal("10"),
    "problems": Decimal("10"),
}


@transaction.atomic
def campaign_create(
    *,
    actor,
    street: Street,
    template: SurveyTemplate,
    name: str,
    period_start: dt.date,
    period_end: dt.date,
    opens_on: dt.date,
    closes_on: dt.date,
    estates: Sequence[Estate],
    weights: Mapping[str, object] | None = None,
) -> Campaign:
    """A draft campaign over chosen estates; ``weights`` = {survey, inspection, branch, problems} in %,
    summing to 100 (default 60/20/10/10)."""
    _require(permissions.is_street_admin(actor, street.pk))
    weights = dict(weights or DEFAULT_WEIGHTS)
    estates = list(estates)
    errors = _campaign_errors(
        street=street,
        template=template,
        name=name,
        period_start=period_start,
        period_end=period_end,
        opens_on=opens_on,
        closes_on=closes_on,
        estates=estates,
        weights=weights,
    )
    if errors:
        raise EvaluationError(" ".join(errors))
    campaign = Campaign.objects.create(
        street=street,
        template=template,
        name=name.strip(),
        period_start=period_start,
        period_end=period_end,
        opens_on=opens_on,
        closes_on=closes_on,
        **{f"weight_{k}": Decimal(str(weights[k])) for k in rules.COMPONENTS},
    )
    CampaignEstate.objects.bulk_create(CampaignEstate(campaign=campaign, estate=e) for e in estates)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=campaign,
        street_id=street.pk,
        changes={"estates": len(estates), "weights": {k: str(v) for k, v in weights.items()}},
    )
    return campaign


@transaction.atomic
def campaign_update(
    *,
    actor,
    campaign: Campaign,
    name: str,
    template: SurveyTemplate,
    period_start: dt.date,
    period_end: dt.date,
    opens_on: dt.date,
    closes_on: dt.date,
    estates: Sequence[Estate],
    weights: Mapping[str, object],
) -> Campaign:
    """Edit a draft. Once open, only the closing date and the weights may change (campaign_set_weights)."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _require(permissions.is_street_admin(actor, campaign.street_id))
    if campaign.status != CampaignStatus.DRAFT:
        raise EvaluationError(_("测评活动已开始,不能再修改问卷和参评小区。"))
    estates = list(estates)
    errors = _campaign_errors(
        street=campaign.street,
        template=template,
        name=name,
        period_start=period_start,
        period_end=period_end,
        opens_on=opens_on,
        closes_on=closes_on,
        estates=estates,
        weights=weights,
    )
    if errors:
        raise EvaluationError(" ".join(errors))
    campaign.name, campaign.template = name.strip(), template
    campaign.period_start, campaign.period_end, campaign.opens_on, campaign.closes_on = (
        period_start,
        period_end,
        opens_on,
        closes_on,
    )
    for k in rules.COMPONENTS:
        setattr(campaign, f"weight_{k}", Decimal(str(weights[k])))
    campaign.save()
    CampaignEstate.objects.filter(campaign=campaign).delete()
    CampaignEstate.objects.bulk_create(CampaignEstate(campaign=campaign, estate=e) for e in estates)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=campaign,
        street_id=campaign.street_id,
        changes={"estates": len(estates)},
    )
    return campaign


@transaction.atomic
def campaign_set_weights(*, actor, campaign: Campaign, weights: Mapping[str, object]) -> Campaign:
    """Change the composite weights (any status); recompute afterwards to apply them."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _require(permissions.is_street_admin(actor, campaign.street_id))
    errors = rules.composite_weight_errors(weights)
    if errors:
        raise EvaluationError(" ".join(errors))
    before = {k: str(v) for k, v in campaign.component_weights.items()}
    for k in rules.COMPONENTS:
        setattr(campaign, f"weight_{k}", Decimal(str(weights[k])))
    campaign.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=campaign,
        street_id=campaign.street_id,
        changes={"weights": [before, {k: str(weights[k]) for k in rules.COMPONENTS}]},
    )
    return campaign


@transaction.atomic
def campaign_open(*, actor, campaign: Campaign) -> Campaign:
    """Open for answers: freezes the template and records each estate's household count (the
    response-rate base) as it stands today."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _require(permissions.is_street_admin(actor, campaign.street_id))
    if campaign.status != CampaignStatus.DRAFT:
        raise EvaluationError(_("只有草稿状态的测评活动可以开始。"))
    counts = dict(
        Unit.objects.filter(building__estate__in=campaign.estates.all())
        .values("building__estate_id")
        .annotate(n=Count("id"))
        .values_list("building__estate_id", "n")
    )
    rows = list(CampaignEstate.objects.filter(campaign=campaign))
    for row in rows:
        row.households = counts.get(row.estate_id, 0)
    CampaignEstate.objects.bulk_update(rows, ["households"])
    SurveyTemplate.objects.filter(pk=campaign.template_id).update(frozen=True)
    campaign.status = CampaignStatus.OPEN
    campaign.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=campaign,
        street_id=campaign.street_id,
        changes={"status": ["draft", "open"], "households": sum(counts.values())},
    )
    return campaign


@transaction.atomic
def campaign_close(*, actor, campaign: Campaign, rng=None) -> Campaign:
    """Close: from now on nothing is accepted (codes, owners, inspections, assessments), and every
    ballot still waiting in a box is released (``rng`` shuffles; tests inject a deterministic one)."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _require(permissions.is_street_admin(actor, campaign.street_id))
    if campaign.status != CampaignStatus.OPEN:
        raise EvaluationError(_("只有进行中的测评活动可以结束。"))
    campaign.status = CampaignStatus.CLOSED
    campaign.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=campaign,
        street_id=campaign.street_id,
        changes={"status": ["open", "closed"]},
    )
    # Every waiting ballot is released now, each estate's box as one shuffled batch. The estate rows
    # are locked first: a submission that got past its status check before this commit finishes first
    # (its ballot is then released here); one that comes after sees the campaign closed.
    list(CampaignEstate.objects.select_for_update().filter(campaign=campaign).order_by("pk"))
    for box in BallotBox.objects.filter(campaign=campaign).order_by("pk"):
        if rules.release_due(len(box.ballots), release_k(), closing=True):
            _release(campaign, box, rng or BALLOT_RNG)
    return campaign


# ---- household codes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedCode:
    """A plaintext code, handed out exactly once (for the letters PDF); only its hash is stored."""

    unit: Unit
    code: str

    @property
    def printed(self) -> str:
        return rules.format_code(self.code)


@transaction.atomic
def codes_issue(
    *,
    actor,
    campaign: Campaign,
    estate: Estate,
    units: Sequence[Unit] | None = None,
    reissue: bool = False,
    today: dt.date | None = None,
) -> list[IssuedCode]:
    """Issue single-use codes for the households of one estate (all units, or the ones given).

    Units that already answered are skipped; units with a live code are skipped unless ``reissue``
    (a lost letter), which revokes the old code. Returns the plaintext codes — the only time they exist."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _require(permissions.may_issue_codes(actor, estate))
    if campaign.status == CampaignStatus.CLOSED:
        raise EvaluationError(_("测评活动已结束,不能再发放测评码。"))
    if not permissions.in_campaign(campaign, estate.pk):
        raise EvaluationError(_("该小区不在本次测评范围内。"))
    targets = list(
        Unit.objects.filter(building__estate=estate).order_by("building__number", "number")
        if units is None
        else units
    )
    wrong = [str(u) for u in targets if u.building.estate_id != estate.pk]
    if wrong:
        raise EvaluationError(_("以下房屋不在该小区:%(u)s。") % {"u": "、".join(wrong)})
    answered = set(HouseholdSubmission.objects.filter(campaign=campaign).values_list("unit_id", flat=True))
    live = set(
        AccessCode.objects.filter(campaign=campaign, revoked=False, estate=estate).values_list(
            "unit_id", flat=True
        )
    )
    chosen = [u for u in targets if u.pk not in answered and (reissue or u.pk not in live)]
    if reissue:
        AccessCode.objects.filter(campaign=campaign, unit__in=chosen, revoked=False).update(revoked=True)
    batch = (
        AccessCode.objects.filter(campaign=campaign)
        .order_by("-batch")
        .values_list("batch", flat=True)
        .first()
        or 0
    ) + 1
    issued = [IssuedCode(unit=u, code=rules.new_code()) for u in chosen]
    AccessCode.objects.bulk_create(
        AccessCode(
            campaign=campaign,
            estate=estate,
            unit=i.unit,
            code_hash=rules.hash_code(i.code),
            batch=batch,
            issued_on=_today(today),
        )
        for i in issued
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=campaign,
        street_id=campaign.street_id,
        changes={"codes_issued": len(issued), "estate": estate.name, "batch": batch, "reissue": reissue},
    )
    return issued


# ---- anonymous responses ------------------------------------------------------------------------------


def _structure(template: SurveyTemplate):
    """[(category weight, [(item id, item weight)])] and {item id: category id} of a frozen template."""
    structure, category_of = [], {}
    for category in template.categories.prefetch_related("items"):
        items = [(item.pk, item.weight) for item in category.items.all()]
        structure.append((category.weight, items))
        for item_id, _w in items:
            category_of[item_id] = category.pk
    return structure, category_of


def _clean_answers(
    campaign: Campaign, answers: Mapping
) -> tuple[dict[int, int | None], Decimal, dict[int, int]]:
    template = campaign.template
    structure, category_of = _structure(template)
    cleaned: dict[int, int | None] = {}
    for raw_item, raw_score in answers.items():
        try:
            item_id = int(raw_item)
        except (TypeError, ValueError):
            raise EvaluationError(_("答卷中有不属于本问卷的题目。")) from None
        if item_id not in category_of:
            raise EvaluationError(_("答卷中有不属于本问卷的题目。"))
        if raw_score in (None, "", "na"):
            cleaned[item_id] = None
            continue
        try:
            score = int(raw_score)
        except (TypeError, ValueError):
            raise EvaluationError(
                _("评分必须是 1 到 %(m)d 之间的整数。") % {"m": template.scale_max}
            ) from None
        if not 1 <= score <= template.scale_max:
            raise EvaluationError(_("评分必须是 1 到 %(m)d 之间的整数。") % {"m": template.scale_max})
        cleaned[item_id] = score
    try:
        score = rules.response_score(cleaned, structure, template.scale_max)
    except ValueError:
        raise EvaluationError(_("请至少回答一道题。")) from None
    return cleaned, score, category_of


def _check_open(campaign: Campaign, today: dt.date) -> None:
    if campaign.status != CampaignStatus.OPEN:
        raise EvaluationError(_("本次测评不在进行中,不能提交。"))
    if not campaign.opens_on <= today <= campaign.closes_on:
        raise EvaluationError(
            _("本次测评的答卷时间为 %(a)s 至 %(b)s。") % {"a": campaign.opens_on, "b": campaign.closes_on}
        )


def _lock_household(campaign: Campaign, unit_id: int) -> None:
    """Insert the one-household marker; the unique constraint refuses a second one (also concurrently)."""
    try:
        with transaction.atomic():
            HouseholdSubmission.objects.create(campaign=campaign, unit_id=unit_id)
    except IntegrityError:
        raise EvaluationError(_("该户已参加本次测评,每户只能提交一次。")) from None


# Shuffles ballots and picks their place in the box. The OS's CSPRNG: a seeded PRNG's order could be
# replayed by anyone who learns the seed. Tests pass their own ``rng`` to make the order known.
BALLOT_RNG = secrets.SystemRandom()


release_k = rules.release_k


def _drop_in_box(campaign: Campaign, estate_id: int, cleaned, score: Decimal, rng) -> None:
    """Put a ballot at a random place in its estate's box; at k waiting ballots, release the box.

    The estate's campaign row is locked first (one writer per box), then the campaign's status is
    read again: a close that committed meanwhile has emptied the boxes for good."""
    CampaignEstate.objects.select_for_update().get(campaign=campaign, estate_id=estate_id)
    if not Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.OPEN).exists():
        raise EvaluationError(_("本次测评不在进行中,不能提交。"))
    box, _created = BallotBox.objects.get_or_create(campaign=campaign, estate_id=estate_id)
    ballot = {"score": str(score), "answers": [[item_id, value] for item_id, value in cleaned.items()]}
    box.ballots.insert(rng.randrange(len(box.ballots) + 1), sealing.seal(ballot, box=_box_label(box)))
    if rules.release_due(len(box.ballots), release_k(), closing=False):
        _release(campaign, box, rng)
    else:
        box.save(update_fields=["ballots"])


def _box_label(box: BallotBox) -> str:
    return f"{box.campaign_id}:{box.estate_id}"


def box_contents(box: BallotBox) -> list[dict]:
    """The waiting ballots, unsealed, in the box's (random) order — for the release and for tests."""
    return [sealing.unseal(token, box=_box_label(box)) for token in box.ballots]


def _db_uuid():
    value = uuid.uuid4()
    return value if connection.features.has_native_uuid_field else value.hex


def _release(campaign: Campaign, box: BallotBox, rng) -> int:
    """Move a box's ballots into the scored tables: shuffled, random keys, one statement per table
    (PostgreSQL: one COPY), so row order, keys and transaction say nothing about who came when.
    Audited as "n answers of estate X released" dated to the day (midnight), with no actor."""
    ballots = box_contents(box)
    rng.shuffle(ballots)
    category_of = dict(
        SurveyItem.objects.filter(category__template_id=campaign.template_id).values_list("pk", "category_id")
    )
    responses, answers = [], []
    for ballot in ballots:
        response_id = _db_uuid()
        responses.append((response_id, campaign.pk, box.estate_id, ballot["score"]))
        answers.extend(
            (_db_uuid(), response_id, campaign.pk, box.estate_id, category_of[item_id], item_id, value)
            for item_id, value in ballot["answers"]
        )
    insert_rows(SurveyResponse._meta.db_table, ("id", "campaign_id", "estate_id", "score"), responses)
    insert_rows(
        SurveyAnswer._meta.db_table,
        ("id", "response_id", "campaign_id", "estate_id", "category_id", "item_id", "score"),
        answers,
    )
    box.ballots = []
    box.save(update_fields=["ballots"])
    event = audit_record(
        actor=None,
        action=AuditEvent.Action.CREATE,
        obj=campaign,
        street_id=campaign.street_id,
        changes={"estate": Estate.objects.get(pk=box.estate_id).name, "released": len(ballots)},
    )
    if event.pk is not None:
        # The release happens at the k-th household's submission: keep the day, drop the second.
        midnight = dt.datetime.combine(
            timezone.localdate(), dt.time.min, tzinfo=timezone.get_current_timezone()
        )
        AuditEvent.objects.filter(pk=event.pk).update(at=midnight)
    return len(ballots)


@transaction.atomic
def response_submit_by_code(*, code: str, answers: Mapping, today: dt.date | None = None, rng=None) -> None:
    """Answer with a household code. The code is consumed by a conditional UPDATE (… WHERE used =
    false; 0 rows → refused) and the household marker is inserted under a unique constraint, both in
    this transaction: two simultaneous submissions of one code store exactly one ballot. The ballot
    waits in the estate's box until k households have answered (``_drop_in_box``)."""
    if not rules.code_well_formed(code):
        raise EvaluationError(
            _("测评码应为 %(n)d 位字母和数字(不含 0、O、1、I、L),请核对信上的测评码。")
            % {"n": rules.CODE_LENGTH}
        )
    access = (
        AccessCode.objects.select_related("campaign__template")
        .filter(code_hash=rules.hash_code(code))
        .first()
    )
    if access is None or access.revoked:
        raise EvaluationError(_("测评码无效,请核对信上的测评码。"))
    campaign = access.campaign
    _check_open(campaign, _today(today))
    cleaned, score, _category_of = _clean_answers(campaign, answers)
    consumed = AccessCode.objects.filter(pk=access.pk, used=False, revoked=False).update(used=True)
    if consumed != 1:
        raise EvaluationError(_("该测评码已经使用过,每户只能提交一次。"))
    _lock_household(campaign, access.unit_id)
    # No audit row: it would time-stamp this household's submission (the marker says it took part).
    _drop_in_box(campaign, access.estate_id, cleaned, score, rng or BALLOT_RNG)


@transaction.atomic
def response_submit_by_owner(
    *, actor, campaign: Campaign, unit: Unit, answers: Mapping, today: dt.date | None = None, rng=None
) -> None:
    """A logged-in owner answers for their unit — once per unit per campaign (the same household
    marker as the code), and the unit's letter code is spent too."""
    _require(permissions.may_answer_for_unit(actor, unit))
    campaign = Campaign.objects.select_related("template").get(pk=campaign.pk)
    estate_id = unit.building.estate_id
    if not permissions.in_campaign(campaign, estate_id):
        raise EvaluationError(_("您的小区不在本次测评范围内。"))
    _check_open(campaign, _today(today))
    cleaned, score, _category_of = _clean_answers(campaign, answers)
    # Same lock order as the code channel (the code row first, then the household marker), so a
    # letter code and its owner racing for one unit cannot deadlock: the second simply waits.
    AccessCode.objects.filter(campaign=campaign, unit=unit, used=False).update(used=True)
    _lock_household(campaign, unit.pk)
    # No audit row naming the owner and the second: with it, the owner's answer would be the one
    # that entered the box at that moment.
    _drop_in_box(campaign, estate_id, cleaned, score, rng or BALLOT_RNG)


# ---- inspections and branch assessments ---------------------------------------------------------------


@dataclass(frozen=True)
class ChecklistLine:
    category: str
    label: str
    score: Decimal
    max_score: Decimal
    remark: str = ""


def _open_for_marks(campaign: Campaign) -> None:
    # Read the status from the database: a page may hold a campaign object from before it closed.
    if Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.CLOSED).exists():
        raise EvaluationError(_("测评活动已结束,不能再录入。"))


@transaction.atomic
def inspection_record(
    *,
    actor,
    campaign: Campaign,
    estate: Estate,
    inspected_on: dt.date,
    lines: Sequence,
    note: str = "",
    photos: Sequence = (),
) -> Inspection:
    """A third-party inspection of an assigned estate: checklist lines (score out of max) → 0–100."""
    _require(permissions.may_inspect(actor, campaign, estate))
    _open_for_marks(campaign)
    errors, cleaned = [], []
    if not lines:
        errors.append(_("请至少填写一个检查项。"))
    for number, line in enumerate(lines, start=1):
        if isinstance(line, Mapping):
            line = ChecklistLine(
                line.get("category", ""),
                line.get("label", ""),
                line.get("score"),
                line.get("max_score"),
                line.get("remark", ""),
            )
        score, max_score = rules._decimal(line.score), rules._decimal(line.max_score)
        if line.category not in CategoryCode.values:
            errors.append(_("第 %(n)d 项:请选择类别。") % {"n": number})
        if not (line.label or "").strip():
            errors.append(_("第 %(n)d 项:请填写检查项。") % {"n": number})
        if max_score is None or max_score <= 0:
            errors.append(_("第 %(n)d 项:满分必须大于 0。") % {"n": number})
        elif score is None or not 0 <= score <= max_score:
            errors.append(
                _("第 %(n)d 项:得分应在 0 到 %(m)s 之间。") % {"n": number, "m": rules.plain(max_score)}
            )
        cleaned.append((line, score, max_score))
    if inspected_on is None or inspected_on > timezone.localdate():
        errors.append(_("检查日期不能晚于今天。"))
    if errors:
        raise EvaluationError(" ".join(errors))
    from gongzhi.core.images import ImageRejected, clean_image

    images = []
    if len(photos) > 9:
        raise EvaluationError(_("最多上传 9 张照片。"))
    for upload in photos:
        try:
            images.append(clean_image(upload))
        except ImageRejected as exc:
            raise EvaluationError(exc.message) from exc
    total = sum(s for _l, s, _m in cleaned)
    maximum = sum(m for _l, _s, m in cleaned)
    inspection = Inspection.objects.create(
        campaign=campaign,
        estate=estate,
        evaluator=actor,
        inspected_on=inspected_on,
        note=note.strip(),
        score=(total * 100 / maximum).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
    )
    InspectionItem.objects.bulk_create(
        InspectionItem(
            inspection=inspection,
            category=line.category,
            label=line.label.strip()[:120],
            score=score,
            max_score=max_score,
            remark=(line.remark or "").strip()[:200],
        )
        for line, score, max_score in cleaned
    )
    for index, image in enumerate(images, start=1):
        photo = InspectionPhoto(inspection=inspection, width=image.width, height=image.height)
        photo.image.save(f"{inspection.pk}-{index}.jpg", ContentFile(image.content), save=False)
        photo.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=inspection,
        street_id=campaign.street_id,
        changes={"score": str(inspection.score), "lines": len(cleaned), "photos": len(images)},
    )
    return inspection


def _serving_company(estate: Estate, on: dt.date) -> Company | None:
    contract = Contract.objects.active(on=on).filter(estate=estate).select_related("company").first()
    return contract.company if contract else None


@transaction.atomic
def branch_assessment_record(
    *, actor, campaign: Campaign, estate: Estate, score, comment: str = ""
) -> BranchAssessment:
    """The area branch's mark (0–100) for the company serving the estate; recording again replaces it."""
    _require(permissions.may_assess(actor, estate))
    _open_for_marks(campaign)
    if not permissions.in_campaign(campaign, estate.pk):
        raise EvaluationError(_("该小区不在本次测评范围内。"))
    value = rules._decimal(score)
    if value is None or not 0 <= value <= 100:
        raise EvaluationError(_("考核得分应在 0 到 100 之间。"))
    existing = BranchAssessment.objects.select_for_update().filter(campaign=campaign, estate=estate).first()
    before = str(existing.score) if existing else None
    assessment, _created = BranchAssessment.objects.update_or_create(
        campaign=campaign,
        estate=estate,
        defaults={
            "score": value.quantize(Decimal("0.01")),
            "comment": comment.strip(),
            "assessor": actor,
            "company": _serving_company(estate, campaign.period_end),
            "assessed_at": timezone.now(),
        },
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE if existing else AuditEvent.Action.CREATE,
        obj=assessment,
        street_id=campaign.street_id,
        changes={"score": [before, str(value)]},
    )
    return assessment


# ---- recompute ----------------------------------------------------------------------------------------

THREE = Decimal("0.001")


def _d(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(repr(round(value, 3))).quantize(THREE)


@dataclass
class RecomputeResult:
    estates: int
    companies: int
    responses: int
    seconds: float
    prior: rules.Prior


def _period_bounds(campaign: Campaign):
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(campaign.period_start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(campaign.period_end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def gather_inputs(campaign: Campaign) -> dict:
    """Every input of the scores, aggregated in the database (GROUP BY estate, and estate × item)."""
    from gongzhi.problems.models import Carriage, Problem, Status

    if connection.vendor == "postgresql" and connection.in_atomic_block:
        # One GROUP BY over all answers of a city: a hash table of ~40 MB instead of spilling to disk
        # at the default 4 MB, and no JIT compile (seconds) for a query that runs once. Transaction only.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '64MB'")
            cursor.execute("SET LOCAL jit = off")
    in_campaign = CampaignEstate.objects.filter(campaign=campaign).values("estate_id")
    households = dict(CampaignEstate.objects.filter(campaign=campaign).values_list("estate_id", "households"))
    as_float = Cast("score", FloatField())
    survey = {
        row["estate_id"]: rules.Aggregate(row["n"], row["s"] or 0.0, row["ss"] or 0.0)
        for row in SurveyResponse.objects.filter(campaign=campaign)
        .values("estate_id")
        .annotate(
            n=Count("id"),
            s=Sum(as_float),
            ss=Sum(ExpressionWrapper(as_float * as_float, output_field=FloatField())),
        )
        .order_by()
    }
    item_means = defaultdict(dict)
    for row in (
        SurveyAnswer.objects.filter(campaign=campaign, score__isnull=False)
        .values("estate_id", "item_id")
        .annotate(n=Count("id"), s=Sum("score"))
        .order_by()
    ):
        item_means[row["estate_id"]][row["item_id"]] = (row["n"], row["s"])
    inspections = {
        row["estate_id"]: (float(row["avg"]), row["n"])
        for row in Inspection.objects.filter(campaign=campaign)
        .values("estate_id")
        .annotate(avg=Avg(Cast("score", FloatField())), n=Count("id"))
        .order_by()
    }
    branch = dict(BranchAssessment.objects.filter(campaign=campaign).values_list("estate_id", "score"))
    start, end = _period_bounds(campaign)
    problems = {
        row["estate_id"]: (row["total"], row["bad"], row["overdue"], row["reopened"])
        # The company's record: problems assigned to the company carriage (not the committees').
        for row in Problem.objects.filter(
            estate_id__in=in_campaign, created_at__gte=start, created_at__lt=end, carriage=Carriage.COMPANY
        )
        .exclude(status=Status.REJECTED)
        .values("estate_id")
        .annotate(
            total=Count("id"),
            bad=Count("id", filter=Q(overdue_since__isnull=False) | Q(reopen_count__gt=0)),
            overdue=Count("id", filter=Q(overdue_since__isnull=False)),
            reopened=Count("id", filter=Q(reopen_count__gt=0)),
        )
        .order_by()
    }
    serving = defaultdict(list)
    for company_id, estate_id in (
        Contract.objects.active(on=campaign.period_end)
        .filter(estate_id__in=in_campaign)
        .values_list("company_id", "estate_id")
        .distinct()
    ):
        serving[company_id].append(estate_id)
    return {
        "households": households,
        "survey": survey,
        "item_means": item_means,
        "inspections": inspections,
        "branch": branch,
        "problems": problems,
        "serving": serving,
    }


def compute_scores(campaign: Campaign, inputs: dict, bottom_n: int = rules.DEFAULT_BOTTOM_N) -> dict:
    """Pure computation over the aggregates (no queries): estate and company rows for ScoreSnapshot."""
    template = campaign.template
    structure = [
        (c.code, c.weight, [(i.pk, i.weight) for i in c.items.all()])
        for c in template.categories.prefetch_related("items")
    ]
    estate_ids = sorted(inputs["households"])
    empty = rules.Aggregate(0, 0.0, 0.0)
    aggregates = [inputs["survey"].get(e, empty) for e in estate_ids]
    prior = rules.estimate_prior(aggregates)
    surveys = rules.shrink_all(aggregates, prior)
    weights = campaign.component_weights
    estates: dict[int, dict] = {}
    for estate_id, aggregate, survey in zip(estate_ids, aggregates, surveys, strict=True):
        households = inputs["households"][estate_id]
        total, bad, overdue, reopened = inputs["problems"].get(estate_id, (0, 0, 0, 0))
        inspection = inputs["inspections"].get(estate_id)
        branch = inputs["branch"].get(estate_id)
        components = {
            "survey": survey.shrunk if prior.estates_used else None,
            "inspection": inspection[0] if inspection else None,
            "branch": float(branch) if branch is not None else None,
            "problems": rules.problem_score(total, bad),
        }
        composite = rules.combine(components, weights, survey.variance)
        category_means = {}
        means = inputs["item_means"].get(estate_id, {})
        for code, _cw, items in structure:
            weighted, weight_sum, answers = 0.0, 0.0, 0
            for item_id, item_weight in items:
                if item_id in means:
                    n, s = means[item_id]
                    weighted += float(item_weight) * (s / n - 1) * 100 / (template.scale_max - 1)
                    weight_sum += float(item_weight)
                    answers += n
            category_means[code] = {
                "mean": round(weighted / weight_sum, 3) if weight_sum else None,
                "answers": answers,
            }
        weight = rules.survey_weight(aggregate.n, prior.k)
        flags = rules.survey_flags(aggregate.n, households, weight) + [
            f"missing_{m}" for m in composite.missing
        ]
        estates[estate_id] = {
            "households": households,
            "n": aggregate.n,
            "survey_weight": weight,
            "rate": (aggregate.n / households) if households else None,
            "mean": survey.mean,
            "shrunk": survey.shrunk if prior.estates_used else None,
            "survey_low": survey.low,
            "survey_high": survey.high,
            "survey_variance": survey.variance,
            "components": components,
            "problems": {"total": total, "bad": bad, "overdue": overdue, "reopened": reopened},
            "inspections": inspection[1] if inspection else 0,
            "composite": composite,
            "category_means": category_means,
            "flags": flags,
        }
    ranked = rules.rank_with_intervals(
        [
            (e, r["composite"].score, r["composite"].low, r["composite"].high, r["n"])
            for e, r in estates.items()
        ]
    )
    for entry in ranked:
        estates[entry.key]["ranked"] = entry
    companies: dict[int, dict] = {}
    for company_id, members in inputs["serving"].items():
        rows = [estates[e] for e in members if e in estates]
        if not rows:
            continue
        score, variance, low, high = rules.company_score(
            [(r["composite"].score, r["composite"].variance, r["households"]) for r in rows]
        )
        n = sum(r["n"] for r in rows)
        households = sum(r["households"] for r in rows)
        # The share of the company's survey score that is its own answers, weighted as its score is.
        weight = rules.company_survey_weight([(r["n"], r["households"]) for r in rows], prior.k)
        companies[company_id] = {
            "estates": sorted(members),
            "households": households,
            "n": n,
            "rate": n / households if households else None,
            "score": score,
            "variance": variance,
            "low": low,
            "high": high,
            "survey_mean": _weighted([(r["mean"], r["n"]) for r in rows if r["mean"] is not None]),
            "survey_shrunk": _weighted(
                [(r["shrunk"], r["households"] or 1) for r in rows if r["shrunk"] is not None]
            ),
            "components": {
                name: _weighted(
                    [
                        (r["components"][name], r["households"] or 1)
                        for r in rows
                        if r["components"][name] is not None
                    ]
                )
                for name in rules.COMPONENTS
            },
            "survey_weight": weight,
            "flags": rules.survey_flags(n, 0, weight),
        }
    ranked_companies = rules.rank_with_intervals(
        [(c, r["score"], r["low"], r["high"], r["n"]) for c, r in companies.items()]
    )
    classes = rules.classify([r.position for r in ranked_companies], bottom_n)
    median_households = rules.median([r["households"] for r in companies.values()])
    for entry, klass in zip(ranked_companies, classes, strict=True):
        companies[entry.key]["ranked"] = entry
        companies[entry.key]["class"] = klass
        companies[entry.key]["scale"] = rules.scale_band(
            companies[entry.key]["households"], median_households
        )
    return {
        "prior": prior,
        "estates": estates,
        "companies": companies,
        "median_households": median_households,
    }


def _weighted(pairs: Sequence[tuple[float, float]]) -> float | None:
    total = sum(w for _v, w in pairs)
    return sum(v * w for v, w in pairs) / total if total else None


def _prior_json(prior: rules.Prior, median_households: float, bottom_n: int) -> dict:
    return {
        "street_mean": round(prior.mean, 4),
        "within_var": round(prior.within_var, 4),
        "between_var": round(prior.between_var, 4),
        "k": round(prior.k, 4),
        "k_raw": None if prior.k_raw is None else round(prior.k_raw, 4),
        "estates_used": prior.estates_used,
        "note": prior.note,
        "k_min": rules.K_MIN,
        "k_max": rules.K_MAX,
        "z": round(rules.Z_95, 4),
        "median_households": median_households,
        "bottom_n": bottom_n,
    }


def _insert_snapshots(snapshots: list[ScoreSnapshot]) -> None:
    """Insert the snapshot rows with a plain multi-row INSERT: a city recompute writes ~14,000 rows
    and ``bulk_create``'s per-field SQL compilation was most of its time. Values are taken as they
    are (ints, Decimals, None); only the JSON columns go through their field's preparation."""
    fields = [f for f in ScoreSnapshot._meta.concrete_fields if not f.primary_key]
    prepared = {f.attname for f in fields if isinstance(f, models.JSONField)}
    rows = [
        tuple(
            f.get_db_prep_save(getattr(s, f.attname), connection)
            if f.attname in prepared
            else getattr(s, f.attname)
            for f in fields
        )
        for s in snapshots
    ]
    insert_rows(ScoreSnapshot._meta.db_table, [f.column for f in fields], rows)


@transaction.atomic
def campaign_recompute(
    *, campaign: Campaign, actor=None, bottom_n: int = rules.DEFAULT_BOTTOM_N
) -> RecomputeResult:
    """Recompute every score of a campaign: aggregates from the database, the statistics in
    rules.py, and one bulk replace of the campaign's ScoreSnapshot rows. Safe to run twice.

    ``actor`` None = the system (the management command); a user must be the street admin."""
    started = time.perf_counter()
    campaign = Campaign.objects.select_for_update().select_related("template").get(pk=campaign.pk)
    if actor is not None:
        _require(permissions.is_street_admin(actor, campaign.street_id))
    if campaign.status == CampaignStatus.DRAFT:
        raise EvaluationError(_("测评活动尚未开始,没有可计算的数据。"))
    result = compute_scores(campaign, gather_inputs(campaign), bottom_n)
    snapshots = []
    # Rows are inserted in the one ranking order (rules.ranking_key), so pages that list by
    # ("rank", "pk") show a tie in the order the classes and the elimination cut use.
    by_position = sorted(result["estates"].items(), key=lambda item: item[1]["ranked"].position)
    for estate_id, r in by_position:
        c, ranked = r["composite"], r["ranked"]
        snapshots.append(
            ScoreSnapshot(
                campaign=campaign,
                kind=ScoreKind.ESTATE,
                estate_id=estate_id,
                households=r["households"],
                estates_count=1,
                responses=r["n"],
                response_rate=None if r["rate"] is None else Decimal(repr(round(r["rate"], 4))),
                survey_mean=_d(r["mean"]),
                survey_shrunk=_d(r["shrunk"]),
                inspection_score=_d(r["components"]["inspection"]),
                branch_score=_d(r["components"]["branch"]),
                problem_score=_d(r["components"]["problems"]),
                composite=_d(c.score),
                low=_d(c.low),
                high=_d(c.high),
                rank=ranked.rank,
                rank_best=ranked.rank_best,
                rank_worst=ranked.rank_worst,
                category_means=r["category_means"],
                flags=r["flags"],
                detail={
                    "survey_low": round(r["survey_low"], 3),
                    "survey_high": round(r["survey_high"], 3),
                    "survey_variance": round(r["survey_variance"], 4),
                    "used_weights": {k: round(v, 4) for k, v in c.used_weights.items()},
                    "problems": r["problems"],
                    "inspections": r["inspections"],
                    "indistinct_from_rank": ranked.indistinct_from_rank,
                    "position": ranked.position,
                    "survey_weight": round(r["survey_weight"], 3),
                },
            )
        )
    by_position = sorted(result["companies"].items(), key=lambda item: item[1]["ranked"].position)
    for company_id, r in by_position:
        ranked = r["ranked"]
        snapshots.append(
            ScoreSnapshot(
                campaign=campaign,
                kind=ScoreKind.COMPANY,
                company_id=company_id,
                households=r["households"],
                estates_count=len(r["estates"]),
                responses=r["n"],
                response_rate=None if r["rate"] is None else Decimal(repr(round(r["rate"], 4))),
                survey_mean=_d(r["survey_mean"]),
                survey_shrunk=_d(r["survey_shrunk"]),
                inspection_score=_d(r["components"]["inspection"]),
                branch_score=_d(r["components"]["branch"]),
                problem_score=_d(r["components"]["problems"]),
                composite=_d(r["score"]),
                low=_d(r["low"]),
                high=_d(r["high"]),
                rank=ranked.rank,
                rank_best=ranked.rank_best,
                rank_worst=ranked.rank_worst,
                score_class=r["class"],
                flags=r["flags"],
                detail={
                    "estates": r["estates"],
                    "scale": r["scale"],
                    "variance": round(r["variance"], 4),
                    "indistinct_from_rank": ranked.indistinct_from_rank,
                    "position": ranked.position,
                    "survey_weight": round(r["survey_weight"], 3),
                },
            )
        )
    ScoreSnapshot.objects.filter(campaign=campaign).delete()
    _insert_snapshots(snapshots)
    campaign.statistics = _prior_json(result["prior"], result["median_households"], bottom_n)
    campaign.recomputed_at = timezone.now()
    campaign.save(update_fields=["statistics", "recomputed_at"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=campaign,
        street_id=campaign.street_id,
        changes={"recomputed": {"estates": len(result["estates"]), "companies": len(result["companies"])}},
    )
    return RecomputeResult(
        estates=len(result["estates"]),
        companies=len(result["companies"]),
        responses=sum(r["n"] for r in result["estates"].values()),
        seconds=time.perf_counter() - started,
        prior=result["prior"],
    )


# ---- elimination (末尾淘汰) ------------------------------------------------------------------------------


def _event(elimination, actor, action, from_status, note="", evidence=None) -> EliminationEvent:
    return EliminationEvent.objects.create(
        elimination=elimination,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=str(actor) if actor else _("系统"),
        action=action,
        from_status=from_status,
        to_status=elimination.status,
        note=note,
        evidence=evidence or {},
    )


def _company_rows(campaign: Campaign) -> list[ScoreSnapshot]:
    return list(
        ScoreSnapshot.objects.filter(campaign=campaign, kind=ScoreKind.COMPANY).select_related("company")
    )


def _evidence_row(s: ScoreSnapshot) -> dict:
    return {
        "company": s.company.name,
        "company_id": s.company_id,
        "rank": s.rank,
        "rank_range": [s.rank_best, s.rank_worst],
        "score": str(s.composite),
        "interval": [str(s.low), str(s.high)],
        "responses": s.responses,
        "survey_weight": _snapshot_weight(s),
    }


def _snapshot_weight(s: ScoreSnapshot) -> float:
    """The survey weight stored at recompute (rules.company_survey_weight); 0 when a snapshot predates it."""
    return float((s.detail or {}).get("survey_weight", 0.0))


def _standing(s: ScoreSnapshot) -> tuple:
    """A snapshot as an entry of rules.rank_with_intervals / rules.bottom (the one ranking order)."""
    return (s.company_id, float(s.composite), float(s.low), float(s.high), s.responses)


@transaction.atomic
def elimination_create(
    *,
    actor,
    basis_campaign: Campaign,
    name: str,
    fault_opens_on: dt.date,
    fault_closes_on: dt.date,
    bottom_n: int = rules.DEFAULT_BOTTOM_N,
    final_m: int = rules.DEFAULT_FINAL_M,
    min_responses: int = rules.MIN_EVIDENCE_RESPONSES,
    min_survey_weight: Decimal | float | str = Decimal("0.50"),
) -> EliminationCampaign:
    """Pick the bottom N companies of a closed, recomputed campaign and open their fault-finding window.
    ``min_responses`` / ``min_survey_weight``: the evidence a company needs before it can be eliminated."""
    basis_campaign = Campaign.objects.get(pk=basis_campaign.pk)
    _require(permissions.is_street_admin(actor, basis_campaign.street_id))
    errors = []
    if not (name or "").strip():
        errors.append(_("请填写名称。"))
    if basis_campaign.status != CampaignStatus.CLOSED:
        errors.append(_("依据的测评活动必须已结束。"))
    rows = _company_rows(basis_campaign)
    if not rows:
        errors.append(_("依据的测评活动还没有计算企业排名,请先重新计算。"))
    if not 1 <= final_m <= bottom_n:
        errors.append(_("拟淘汰家数应至少为 1 且不超过末位家数。"))
    elif rows and bottom_n >= len(rows):
        errors.append(_("末位家数(%(n)d)必须少于参评企业数(%(c)d)。") % {"n": bottom_n, "c": len(rows)})
    if fault_opens_on is None or fault_closes_on is None or fault_closes_on < fault_opens_on:
        errors.append(_("找茬截止日期不能早于开始日期。"))
    try:
        min_weight: Decimal | None = Decimal(str(min_survey_weight).strip())
    except ArithmeticError:
        min_weight = None
    if min_weight is not None and not min_weight.is_finite():
        min_weight = None
    if not isinstance(min_responses, int) or not 0 <= min_responses <= 10000:
        errors.append(_("淘汰所需最少答卷数应是 0 到 10000 之间的整数。"))
    if min_weight is None or not 0 <= min_weight <= 1:
        errors.append(_("最低自身权重应在 0 到 1 之间。"))
    if errors:
        raise EvaluationError(" ".join(errors))
    # The bottom N in the one ranking order (rules.ranking_key): the same cut as the class on the page.
    chosen_ids = rules.bottom([_standing(s) for s in rows], bottom_n)
    by_company = {s.company_id: s for s in rows}
    chosen = [by_company[c] for c in chosen_ids]
    # Honesty at the cut: the companies spared whose interval overlaps the best one chosen.
    spared = [by_company[c] for c in rules.bottom([_standing(s) for s in rows], len(rows))[bottom_n:]]
    boundary = []
    if spared:
        last = chosen[-1]
        boundary = [_evidence_row(s) for s in spared if s.low <= last.high and last.low <= s.high]
    elimination = EliminationCampaign.objects.create(
        street_id=basis_campaign.street_id,
        name=name.strip(),
        basis_campaign=basis_campaign,
        bottom_n=bottom_n,
        final_m=final_m,
        min_responses=min_responses,
        min_survey_weight=min_weight.quantize(Decimal("0.01")),
        fault_opens_on=fault_opens_on,
        fault_closes_on=fault_closes_on,
    )
    EliminationCandidate.objects.bulk_create(
        EliminationCandidate(
            elimination=elimination,
            company_id=s.company_id,
            basis_rank=s.rank,
            basis_score=s.composite,
            basis_low=s.low,
            basis_high=s.high,
            basis_responses=s.responses,
            basis_weight=_d(_snapshot_weight(s)),
        )
        for s in chosen
    )
    _event(
        elimination,
        actor,
        "create",
        "",
        evidence={
            "basis_campaign": basis_campaign.name,
            "companies_ranked": len(rows),
            "chosen": [_evidence_row(s) for s in chosen],
            "overlapping_at_cut": boundary,
        },
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=elimination,
        street_id=elimination.street_id,
        changes={
            "bottom_n": bottom_n,
            "min_responses": min_responses,
            "min_survey_weight": str(elimination.min_survey_weight),
            "chosen": [s.company.name for s in chosen],
        },
    )
    return elimination


def _candidate_company_ids(elimination: EliminationCampaign) -> set[int]:
    return set(elimination.candidates.values_list("company_id", flat=True))


@transaction.atomic
def fault_file(
    *,
    actor,
    elimination: EliminationCampaign,
    estate: Estate,
    category,
    description: str,
    building: Building | None = None,
    location: str = "",
    photos: Sequence = (),
    today: dt.date | None = None,
) -> FaultFinding:
    """A resident (or office user) files a fault (找茬) against the bottom-N company serving the estate:
    it becomes a problem in the tracker, tagged to the elimination campaign."""
    from gongzhi.problems import permissions as problem_permissions
    from gongzhi.problems.services import ProblemError, problem_report

    elimination = EliminationCampaign.objects.select_for_update().get(pk=elimination.pk)
    day = _today(today)
    if elimination.status != EliminationStatus.FAULT_FINDING or not (
        elimination.fault_opens_on <= day <= elimination.fault_closes_on
    ):
        raise EvaluationError(
            _("找茬期间为 %(a)s 至 %(b)s,现在不能提交。")
            % {"a": elimination.fault_opens_on, "b": elimination.fault_closes_on}
        )
    if estate.area.street_id != elimination.street_id:
        raise PermissionDenied
    company = _serving_company(estate, day)
    if company is None or company.pk not in _candidate_company_ids(elimination):
        raise EvaluationError(_("该小区的物业公司不在本次末位名单中。"))
    sources = problem_permissions.report_sources(actor, estate)
    _require(bool(sources))
    try:
        problem = problem_report(
            actor=actor,
            estate=estate,
            category=category,
            description=description,
            source=sources[0],
            building=building,
            location=location,
            photos=photos,
        )
    except ProblemError as exc:
        raise EvaluationError(exc.message) from exc
    fault = FaultFinding.objects.create(elimination=elimination, company=company, problem=problem)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=fault,
        street_id=elimination.street_id,
        object_label=f"{elimination.name} · {problem.number}",
        changes={"company": company.name},
    )
    return fault


def _require_actor(actor, elimination: EliminationCampaign, action: str) -> None:
    transition = rules.ELIMINATION_TRANSITIONS[action]
    if transition.actor == rules.LEADERSHIP:
        _require(permissions.is_leadership(actor, elimination.street_id))
    else:
        _require(permissions.is_street_admin(actor, elimination.street_id))


@transaction.atomic
def elimination_advance(
    *,
    actor,
    elimination: EliminationCampaign,
    action: str,
    note: str = "",
    reevaluation_campaign: Campaign | None = None,
    rectification_until: dt.date | None = None,
    today: dt.date | None = None,
) -> EliminationCampaign:
    """One step of the workflow (rules.ELIMINATION_TRANSITIONS), with the evidence it rests on:

    start_rectification (admin; ``rectification_until``) · start_reevaluation (admin;
    ``reevaluation_campaign``, a later campaign) · propose (admin: the bottom M of the candidates in
    the re-evaluation; needs it closed and recomputed) · approve / return (leadership group; return
    needs a note) · refer (admin: each affected estate → an owners' decision, art. 278 matter 4) · close."""
    elimination = EliminationCampaign.objects.select_for_update().get(pk=elimination.pk)
    if action not in rules.ELIMINATION_TRANSITIONS:
        raise EvaluationError(_("未知的操作。"))
    _require_actor(actor, elimination, action)
    target = rules.elimination_target(elimination.status, action)
    if target is None:
        raise EvaluationError(
            _("当前状态“%(s)s”下不能执行该操作。") % {"s": elimination.get_status_display()}
        )
    note = (note or "").strip()
    if rules.ELIMINATION_TRANSITIONS[action].needs_note and len(note) < 4:
        raise EvaluationError(_("退回时请写明理由(至少 4 个字)。"))
    day = _today(today)
    evidence: dict = {}
    from_status = elimination.status
    if action == "start_rectification":
        if rectification_until is None or rectification_until <= day:
            raise EvaluationError(_("请填写晚于今天的整改期限。"))
        elimination.rectification_until = rectification_until
        faults = FaultFinding.objects.filter(elimination=elimination)
        evidence["faults"] = {
            str(row["company__name"]): row["n"]
            for row in faults.values("company__name").annotate(n=Count("id"))
        }
    elif action == "start_reevaluation":
        campaign = Campaign.objects.filter(pk=getattr(reevaluation_campaign, "pk", None)).first()
        if campaign is None or campaign.street_id != elimination.street_id:
            raise EvaluationError(_("请选择本街道的复评测评活动。"))
        if (
            campaign.pk == elimination.basis_campaign_id
            or campaign.period_end <= elimination.basis_campaign.period_end
        ):
            raise EvaluationError(_("复评必须是考核期晚于初评的另一次测评。"))
        elimination.reevaluation_campaign = campaign
        evidence["reevaluation_campaign"] = campaign.name
    elif action == "propose":
        evidence = _propose(elimination)
    elif action in ("approve", "return"):
        elimination.decided_by = actor
        elimination.decided_at = timezone.now()
        elimination.decision_note = note
        if action == "approve":
            proposed = list(
                elimination.candidates.filter(stage=CandidateStage.PROPOSED).select_related("company")
            )
            thin = [c.company.name for c in proposed if not _enough_evidence(elimination, c)]
            if thin:
                raise EvaluationError(
                    _("证据不足，不得淘汰：%(n)s。请退回，待补充测评后重新提出。") % {"n": "、".join(thin)}
                )
            elimination.candidates.filter(stage=CandidateStage.PROPOSED).update(
                stage=CandidateStage.ELIMINATED
            )
            evidence["eliminated"] = list(
                elimination.candidates.filter(stage=CandidateStage.ELIMINATED).values_list(
                    "company__name", flat=True
                )
            )
        else:
            elimination.candidates.update(stage=CandidateStage.SELECTED)
    elif action == "refer":
        evidence["referrals"] = _refer(elimination, day)
    elimination.status = target
    elimination.save()
    _event(elimination, actor, action, from_status, note=note, evidence=evidence)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=elimination,
        street_id=elimination.street_id,
        changes={"status": [from_status, target], "action": action},
    )
    return elimination


def _propose(elimination: EliminationCampaign) -> dict:
    campaign = elimination.reevaluation_campaign
    if campaign is None or campaign.status != CampaignStatus.CLOSED or campaign.recomputed_at is None:
        raise EvaluationError(_("复评测评活动须已结束并完成计算,才能提出拟淘汰名单。"))
    rows = {s.company_id: s for s in _company_rows(campaign)}
    candidates = list(elimination.candidates.select_related("company"))
    missing = [c.company.name for c in candidates if c.company_id not in rows]
    if missing:
        raise EvaluationError(_("以下企业在复评中没有得分:%(n)s。") % {"n": "、".join(missing)})
    for c in candidates:
        s = rows[c.company_id]
        c.re_rank, c.re_score, c.re_low, c.re_high = s.rank, s.composite, s.low, s.high
        c.re_responses, c.re_weight = s.responses, _d(_snapshot_weight(s))
    # The bottom M in the one ranking order. A company among them without enough evidence is flagged
    # "证据不足，不得淘汰" and kept; nobody else is proposed in its place (it was not among the worst M).
    worst = set(rules.bottom([_standing(rows[c.company_id]) for c in candidates], elimination.final_m))
    for c in candidates:
        if c.company_id not in worst:
            c.stage = CandidateStage.CLEARED
        elif _enough_evidence(elimination, c):
            c.stage = CandidateStage.PROPOSED
        else:
            c.stage = CandidateStage.INSUFFICIENT
    EliminationCandidate.objects.bulk_update(
        candidates, ["re_rank", "re_score", "re_low", "re_high", "re_responses", "re_weight", "stage"]
    )
    proposed = [c for c in candidates if c.stage == CandidateStage.PROPOSED]
    cleared = [c for c in candidates if c.stage == CandidateStage.CLEARED]
    overlapping = []
    if proposed:
        best_proposed = min(proposed, key=lambda c: c.re_rank)
        overlapping = [
            c.company.name
            for c in cleared
            if c.re_low <= best_proposed.re_high and best_proposed.re_low <= c.re_high
        ]
    faults = dict(
        FaultFinding.objects.filter(elimination=elimination)
        .values("company_id")
        .annotate(n=Count("id"))
        .values_list("company_id", "n")
    )
    return {
        "reevaluation_campaign": campaign.name,
        "candidates": [
            {
                "company": c.company.name,
                "basis_rank": c.basis_rank,
                "basis_score": str(c.basis_score),
                "re_rank": c.re_rank,
                "re_score": str(c.re_score),
                "re_interval": [str(c.re_low), str(c.re_high)],
                "responses": c.re_responses,
                "survey_weight": str(c.re_weight),
                "sufficient": _enough_evidence(elimination, c),
                "faults": faults.get(c.company_id, 0),
                "stage": c.stage,
            }
            for c in sorted(
                candidates,
                key=lambda c: rules.ranking_key(c.company_id, c.re_score, c.re_low, c.re_responses or 0),
                reverse=True,
            )
        ],
        "minimum_evidence": {
            "responses": elimination.min_responses,
            "survey_weight": str(elimination.min_survey_weight),
        },
        # Companies spared whose interval overlaps a proposed one: the leadership group should know.
        "overlapping_at_cut": overlapping,
    }


def _enough_evidence(elimination: EliminationCampaign, candidate: EliminationCandidate) -> bool:
    """The candidate's re-evaluation meets the campaign's minimum evidence (rules.evidence_sufficient)."""
    if candidate.re_responses is None or candidate.re_weight is None:
        return False
    return rules.evidence_sufficient(
        candidate.re_responses,
        float(candidate.re_weight),
        elimination.min_responses,
        float(elimination.min_survey_weight),
    )


def _refer(elimination: EliminationCampaign, day: dt.date) -> list[dict]:
    eliminated = list(
        elimination.candidates.filter(stage=CandidateStage.ELIMINATED).values_list("company_id", flat=True)
    )
    contracts = Contract.objects.active(on=day).filter(
        company_id__in=eliminated, estate__area__street_id=elimination.street_id
    )
    referrals = []
    for contract in contracts.select_related("estate", "company"):
        referral, _c = OwnersDecisionReferral.objects.get_or_create(
            elimination=elimination,
            estate=contract.estate,
            defaults={
                "company": contract.company,
                "matter": 4,
                "referred_on": day,
                "note": _(
                    "经末尾淘汰审定,提请业主大会决定解聘/选聘物业服务企业(民法典第二百七十八条第四项)。"
                ),
            },
        )
        referrals.append({"estate": contract.estate.name, "company": contract.company.name})
    return referrals


def elimination_start_rectification(*, actor, elimination, rectification_until, note="", today=None):
    return elimination_advance(
        actor=actor,
        elimination=elimination,
        action="start_rectification",
        note=note,
        rectification_until=rectification_until,
        today=today,
    )


def elimination_start_reevaluation(*, actor, elimination, reevaluation_campaign, note=""):
    return elimination_advance(
        actor=actor,
        elimination=elimination,
        action="start_reevaluation",
        note=note,
        reevaluation_campaign=reevaluation_campaign,
    )


def elimination_propose(*, actor, elimination, note=""):
    return elimination_advance(actor=actor, elimination=elimination, action="propose", note=note)


def elimination_approve(*, actor, elimination, note=""):
    return elimination_advance(actor=actor, elimination=elimination, action="approve", note=note)


def elimination_return(*, actor, elimination, note):
    return elimination_advance(actor=actor, elimination=elimination, action="return", note=note)


def elimination_refer(*, actor, elimination, note="", today=None):
    return elimination_advance(actor=actor, elimination=elimination, action="refer", note=note, today=today)


def elimination_close(*, actor, elimination, note=""):
    return elimination_advance(actor=actor, elimination=elimination, action="close", note=note)


# ---- awards -------------------------------------------------------------------------------------------


@transaction.atomic
def award_grant(
    *,
    actor,
    street: Street,
    kind: str,
    title: str,
    year: int,
    company: Company | None = None,
    committee: OwnersCommittee | None = None,
    campaign: Campaign | None = None,
    citation: str = "",
) -> Award:
    """争优评比: honour a company or an owners' committee of this street."""
    _require(permissions.is_street_admin(actor, street.pk))
    errors = []
    if kind not in AwardKind.values:
        errors.append(_("请选择表彰类型。"))
    if not (title or "").strip():
        errors.append(_("请填写称号。"))
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors.append(_("年度应在 2000 至 2100 之间。"))
    if kind == AwardKind.COMPANY and (company is None or committee is not None):
        errors.append(_("请选择获表彰的物业服务企业。"))
    if kind == AwardKind.OWNERS_COMMITTEE and (committee is None or company is not None):
        errors.append(_("请选择获表彰的业委会。"))
    if company is not None and company.street_id != street.pk:
        errors.append(_("该企业不属于本街道。"))
    if committee is not None and committee.estate.area.street_id != street.pk:
        errors.append(_("该业委会不属于本街道。"))
    if campaign is not None and campaign.street_id != street.pk:
        errors.append(_("所选测评活动不属于本街道。"))
    if errors:
        raise EvaluationError(" ".join(errors))
    award = Award.objects.create(
        street=street,
        campaign=campaign,
        kind=kind,
        company=company,
        committee=committee,
        title=title.strip(),
        year=year,
        citation=citation.strip(),
        granted_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=award,
        street_id=street.pk,
        changes={"kind": kind, "title": award.title, "year": year},
    )
    return award
