"""The replacement after elimination at one estate, through the services: the owners' decision (art. 278
matter 4) opened in the voting app, its counted outcome, the committee's choice, the new contract in the
registry with the old one ending the day before; a failed vote keeps the company; every step all-or-nothing,
audited, and read through the door."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from gongzhi.core.models import AuditEvent
from gongzhi.core.scopes import visible
from gongzhi.evaluation import replacement as rules
from gongzhi.evaluation import services
from gongzhi.evaluation.models import (
    EliminationCampaign,
    EliminationStatus,
    OwnersDecisionReferral,
    Replacement,
)
from gongzhi.evaluation.services import EvaluationError
from gongzhi.evaluation.services.replacement import stage_of
from gongzhi.evaluation.tests.factories import closed_and_recomputed
from gongzhi.registry.models import Contract
from gongzhi.voting.models import ElectorateOwner
from gongzhi.voting.services import ballot_enter_paper, decision_close, decision_publish

pytestmark = pytest.mark.django_db


def referred(world) -> Replacement:
    """Company x eliminated; its estate 甲一 (committee oc_a1) referred to the owners."""
    campaign = closed_and_recomputed(world)
    today = timezone.localdate()
    elimination = EliminationCampaign.objects.create(
        street=world.street,
        name="末尾淘汰",
        basis_campaign=campaign,
        bottom_n=1,
        final_m=1,
        status=EliminationStatus.OWNERS_DECISION,
        fault_opens_on=today - dt.timedelta(days=90),
        fault_closes_on=today - dt.timedelta(days=60),
    )
    referral = OwnersDecisionReferral.objects.create(
        elimination=elimination, company=world.company_x, estate=world.estate_a1
    )
    return services.replacement_for(referral)


def past_window():
    closes = timezone.now().replace(microsecond=0) - dt.timedelta(days=2)
    return {"opens_at": closes - dt.timedelta(days=7), "closes_at": closes}


def count(world, decision, choice):
    committee = world.user("oc_a1")
    decision = decision_publish(actor=committee, decision=decision, now=decision.opens_at)
    for voter in ElectorateOwner.objects.filter(decision=decision):
        ballot_enter_paper(
            actor=committee,
            decision=decision,
            voter=voter,
            choice=choice,
            collector_name="王建国",
            now=decision.opens_at,
        )
    return decision_close(actor=committee, decision=decision, now=decision.closes_at)


def test_an_eliminated_companys_estate_is_carried_to_a_new_contract(world):
    rep = referred(world)
    today = timezone.localdate()
    assert stage_of(rep) == rules.REFERRED
    # The committee opens the vote; the street admin may not where a committee sits; the company never.
    for who in ("admin", "staff_x", "leader"):
        with pytest.raises(PermissionDenied):
            services.replacement_open_vote(actor=world.user(who), replacement=rep, **past_window())
    decision = services.replacement_open_vote(actor=world.user("oc_a1"), replacement=rep, **past_window())
    assert decision.matter == 4 and decision.estate == world.estate_a1 and "星河物业" in decision.title
    assert "《民法典》第二百七十八条第一款第（四）项" in decision.text
    rep.refresh_from_db()
    assert rep.decision == decision and stage_of(rep) == rules.VOTING
    with pytest.raises(EvaluationError, match="当前阶段"):
        services.replacement_open_vote(actor=world.user("oc_a1"), replacement=rep, **past_window())
    # Not counted yet: refused, nothing recorded.
    with pytest.raises(EvaluationError, match="尚未截止计票"):
        services.replacement_record_outcome(actor=world.user("admin"), replacement=rep)
    # Counting the vote records its result on the replacement in the same transaction, as the system.
    count(world, decision, "yes")
    rep.refresh_from_db()
    assert rep.outcome_passed is True and stage_of(rep) == rules.SELECTING
    recorded = AuditEvent.objects.get(object_type="evaluation.Replacement", changes__step="record_outcome")
    assert recorded.actor is None and recorded.changes["passed"] is True
    with pytest.raises(EvaluationError, match="当前阶段"):  # nothing left to record by hand
        services.replacement_record_outcome(actor=world.user("admin"), replacement=rep)

    # The choice: not the dismissed company, with a reason, by the committee only.
    with pytest.raises(EvaluationError, match="解聘"):
        services.replacement_choose(
            actor=world.user("oc_a1"), replacement=rep, company=world.company_x, reason="价格低廉"
        )
    with pytest.raises(EvaluationError, match="至少 4 个字"):
        services.replacement_choose(
            actor=world.user("oc_a1"), replacement=rep, company=world.company_y, reason="好"
        )
    with pytest.raises(PermissionDenied):
        services.replacement_choose(
            actor=world.user("admin"), replacement=rep, company=world.company_y, reason="标杆企业服务好"
        )
    services.replacement_choose(
        actor=world.user("oc_a1"), replacement=rep, company=world.company_y, reason="街道标杆企业，综合得分高"
    )
    rep.refresh_from_db()
    assert rep.chosen_company == world.company_y and stage_of(rep) == rules.CHOSEN

    # The contract: the street admin; a gap or a start before the count is refused and nothing changes.
    old = world.contract_a1
    contract = {
        "end_date": today + dt.timedelta(days=3 * 365),
        "fee_standard": "0.95",
        "service_level": "三级",
    }
    with pytest.raises(PermissionDenied):
        services.replacement_contract(
            actor=world.user("oc_a1"), replacement=rep, start_date=today, **contract
        )
    with pytest.raises(EvaluationError, match="中间 1 天"):
        services.replacement_contract(
            actor=world.user("admin"),
            replacement=rep,
            start_date=old.end_date + dt.timedelta(days=2),
            **contract,
        )
    with pytest.raises(EvaluationError, match="计票日"):
        services.replacement_contract(
            actor=world.user("admin"), replacement=rep, start_date=today - dt.timedelta(days=10), **contract
        )
    with pytest.raises(EvaluationError, match="数字"):
        services.replacement_contract(
            actor=world.user("admin"),
            replacement=rep,
            start_date=today,
            **(contract | {"fee_standard": "九毛"}),
        )
    old.refresh_from_db()
    assert (
        old.end_date == today + dt.timedelta(days=365)
        and Contract.objects.filter(estate=world.estate_a1).count() == 1
    )

    new = services.replacement_contract(
        actor=world.user("admin"), replacement=rep, start_date=today, **contract
    )
    old.refresh_from_db()
    assert old.end_date == today - dt.timedelta(days=1)
    assert new.company == world.company_y and new.fee_standard == Decimal("0.95") and new.start_date == today
    rep.refresh_from_db()
    assert rep.new_contract == new and rep.old_contract == old
    # In force from its start day: the registry shows the new company, yesterday the old one.
    assert stage_of(rep, today - dt.timedelta(days=1)) == rules.CONTRACTED
    assert stage_of(rep, today) == rules.DONE
    assert Contract.objects.active(on=today).get(estate=world.estate_a1).company == world.company_y
    assert (
        Contract.objects.active(on=today - dt.timedelta(days=1)).get(estate=world.estate_a1).company
        == world.company_x
    )
    steps = [
        e.changes.get("step")
        for e in AuditEvent.objects.filter(
            object_type="evaluation.Replacement", object_id=str(rep.pk)
        ).order_by("pk")
    ]
    assert steps == ["open_vote", "record_outcome", "choose", "contract"]
    assert AuditEvent.objects.filter(object_type="registry.Contract", object_id=str(new.pk)).exists()
    assert AuditEvent.objects.filter(object_type="registry.Contract", object_id=str(old.pk)).exists()
    with pytest.raises(EvaluationError, match="当前阶段"):
        services.replacement_choose(
            actor=world.user("oc_a1"), replacement=rep, company=world.company_y, reason="再次登记"
        )


def test_a_failed_vote_keeps_the_company(world):
    rep = referred(world)
    decision = services.replacement_open_vote(actor=world.user("oc_a1"), replacement=rep, **past_window())
    count(world, decision, "no")
    rep.refresh_from_db()
    assert rep.outcome_passed is False and stage_of(rep) == rules.KEPT
    with pytest.raises(EvaluationError, match="当前阶段"):
        services.replacement_choose(
            actor=world.user("oc_a1"), replacement=rep, company=world.company_y, reason="标杆企业服务好"
        )
    with pytest.raises(EvaluationError, match="当前阶段"):
        services.replacement_contract(
            actor=world.user("admin"),
            replacement=rep,
            start_date=timezone.localdate(),
            end_date=timezone.localdate() + dt.timedelta(days=700),
            fee_standard="1.00",
        )
    assert Contract.objects.active().get(estate=world.estate_a1).company == world.company_x


def test_a_contract_that_would_overlap_a_later_one_changes_nothing(world):
    rep = referred(world)
    today = timezone.localdate()
    decision = services.replacement_open_vote(actor=world.user("oc_a1"), replacement=rep, **past_window())
    count(world, decision, "yes")
    services.replacement_choose(
        actor=world.user("oc_a1"), replacement=rep, company=world.company_y, reason="标杆企业服务好"
    )
    old = world.contract_a1
    # A renewal already in the registry after the old contract: the new one would overlap it.
    Contract.objects.create(
        company=world.company_x,
        estate=world.estate_a1,
        start_date=old.end_date + dt.timedelta(days=1),
        end_date=old.end_date + dt.timedelta(days=700),
        fee_standard=Decimal("0.80"),
    )
    # The latest contract of the dismissed company is the one cut: starting before it leaves it its days.
    with pytest.raises(EvaluationError):
        services.replacement_contract(
            actor=world.user("admin"),
            replacement=rep,
            start_date=today,
            end_date=today + dt.timedelta(days=1000),
            fee_standard="1.00",
        )
    old.refresh_from_db()
    assert old.end_date == today + dt.timedelta(days=365)
    assert Contract.objects.filter(estate=world.estate_a1).count() == 2
    rep.refresh_from_db()
    assert rep.new_contract is None and stage_of(rep) == rules.CHOSEN


def test_the_door(world):
    rep = referred(world)
    for name in ("admin", "leader", "oc_a1"):
        assert list(visible(world.user(name), Replacement)) == [rep], name
    for name in ("staff_x", "secretary_a", "member_a", "owner_a1", "outsider", "other_admin", "evaluator_b1"):
        assert not visible(world.user(name), Replacement).exists(), name


def test_the_referral_starts_the_replacement(world):
    rep = referred(world)
    # A referral made by the elimination workflow has its replacement (services.elimination._refer).
    assert Replacement.objects.filter(referral=rep.referral).count() == 1
    assert services.replacement_for(rep.referral) == rep
