"""Anonymous responses: by household code or by a logged-in owner, one per household, through the
estate's ballot box (released k at a time; docs/EVALUATION.md §5). No audit row names a household."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Mapping
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import audit_record
from gongzhi.core.bulk import insert_rows
from gongzhi.core.models import AuditEvent
from gongzhi.evaluation import permissions, rules, sealing
from gongzhi.evaluation.models import (
    AccessCode,
    BallotBox,
    Campaign,
    CampaignEstate,
    CampaignStatus,
    HouseholdSubmission,
    SurveyAnswer,
    SurveyItem,
    SurveyResponse,
    SurveyTemplate,
)
from gongzhi.evaluation.services.common import EvaluationError, _require, _today
from gongzhi.registry.models import Estate, Unit


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
        raise EvaluationError(_("本次测评不在进行中，不能提交。"))
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
        raise EvaluationError(_("该户已参加本次测评，每户只能提交一次。")) from None


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
        raise EvaluationError(_("本次测评不在进行中，不能提交。"))
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
            _("测评码应为 %(n)d 位字母和数字（不含 0、O、1、I、L），请核对信上的测评码。")
            % {"n": rules.CODE_LENGTH}
        )
    access = (
        AccessCode.objects.select_related("campaign__template")
        .filter(code_hash=rules.hash_code(code))
        .first()
    )
    if access is None or access.revoked:
        raise EvaluationError(_("测评码无效，请核对信上的测评码。"))
    campaign = access.campaign
    _check_open(campaign, _today(today))
    cleaned, score, _category_of = _clean_answers(campaign, answers)
    consumed = AccessCode.objects.filter(pk=access.pk, used=False, revoked=False).update(used=True)
    if consumed != 1:
        raise EvaluationError(_("该测评码已经使用过，每户只能提交一次。"))
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
