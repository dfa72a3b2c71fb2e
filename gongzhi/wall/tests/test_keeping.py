"""Kept = recomputed after every kind of write: each service that changes facts the wall reads refreshes
the estate's kept status when its transaction commits (core/kept.py), one test per fact source."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from gongzhi.core.models import Role, RoleGrant, User
from gongzhi.registry.models import CommitteeMember, Estate, OwnersCommittee
from gongzhi.wall.models import EstateStatus
from gongzhi.wall.services import status_check


def kept(estate_id: int, indicator: str) -> EstateStatus:
    return EstateStatus.objects.get(estate_id=estate_id, indicator=indicator)


@pytest.fixture
def admin(demo):
    return User.objects.get(username="demo_admin")


@pytest.fixture
def estate(demo):
    return Estate.objects.filter(area__street=demo.street).select_related("area").order_by("pk").first()


def test_a_reported_problem_is_kept(admin, estate, django_capture_on_commit_callbacks):
    from gongzhi.problems.models import Category, Source
    from gongzhi.problems.services import problem_report

    before = kept(estate.pk, "problems_open").value
    category = Category.objects.filter(street_id=estate.area.street_id).first()
    with django_capture_on_commit_callbacks(execute=True):
        problem_report(
            actor=admin,
            estate=estate,
            category=category,
            description="楼道灯不亮，已两周。",
            source=Source.PATROL,
        )
    assert kept(estate.pk, "problems_open").value == before + 1
    assert status_check(estate_ids=[estate.pk]) == []


def test_a_rolled_back_write_refreshes_nothing(admin, estate, django_capture_on_commit_callbacks):
    from django.db import transaction

    from gongzhi.problems.models import Category, Source
    from gongzhi.problems.services import problem_report

    category = Category.objects.filter(street_id=estate.area.street_id).first()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        try:
            with transaction.atomic():
                problem_report(
                    actor=admin,
                    estate=estate,
                    category=category,
                    description="楼道灯不亮。",
                    source=Source.PATROL,
                )
                raise RuntimeError
        except RuntimeError:
            pass
    assert callbacks == []


def test_a_fund_use_without_decision_is_kept(admin, demo, django_capture_on_commit_callbacks):
    from gongzhi.finance.models import LedgerEntry
    from gongzhi.finance.services import ledger_post

    last = (
        LedgerEntry.objects.filter(
            estate__area__street=demo.street, ledger="maintenance_fund", balance__gt=Decimal("1000")
        )
        .order_by("-seq")
        .first()
    )
    estate = last.estate
    before = kept(estate.pk, "fund_health").value
    with django_capture_on_commit_callbacks(execute=True):
        ledger_post(
            actor=admin,
            estate=estate,
            ledger="maintenance_fund",
            date=timezone.localdate(),
            direction="out",
            amount="500.00",
            summary="屋面防水维修",
        )
    assert kept(estate.pk, "fund_health").value == before + 2  # no decision, no price audit
    assert status_check(estate_ids=[estate.pk]) == []


def test_a_fee_collection_is_kept(admin, estate, django_capture_on_commit_callbacks):
    from gongzhi.fees.services import collection_record

    month = timezone.localdate().replace(day=1)
    with django_capture_on_commit_callbacks(execute=True):
        collection_record(
            actor=admin, estate=estate, month=month, billed="100000.00", collected="0.00", replace=True
        )
    row = kept(estate.pk, "fee_collection")
    assert row.detail["months"] >= 1
    assert status_check(estate_ids=[estate.pk]) == []


def test_a_paper_ballot_is_kept(admin, demo, django_capture_on_commit_callbacks):
    from gongzhi.voting.models import Decision, DecisionStatus, ElectorateOwner
    from gongzhi.voting.services import ballot_enter_paper

    now = timezone.now()
    decision = Decision.objects.filter(
        estate__area__street=demo.street,
        status=DecisionStatus.PUBLISHED,
        opens_at__lte=now,
        closes_at__gt=now,
    ).first()
    if decision is None:
        pytest.skip("the demo street has no live vote today")
    voter = ElectorateOwner.objects.filter(decision=decision, ballot__isnull=True).first()
    member = User.objects.create(username="oc_for_wall_test")
    RoleGrant.objects.create(user=member, role=Role.OC_MEMBER, estate=decision.estate)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        ballot_enter_paper(actor=member, decision=decision, voter=voter, choice="yes", collector_name="张三")
    assert callbacks
    assert status_check(estate_ids=[decision.estate_id]) == []


def test_a_committee_member_added_in_the_registry_is_kept(admin, demo, django_capture_on_commit_callbacks):
    from gongzhi.registry.services import record_create

    today = timezone.localdate()
    committee = OwnersCommittee.objects.filter(
        estate__area__street=demo.street, term_start__lte=today, term_end__gte=today
    ).first()
    before = kept(committee.estate_id, "party_share").detail["members"]
    with django_capture_on_commit_callbacks(execute=True):
        record_create(
            actor=admin,
            obj=CommitteeMember(committee=committee, name="李四", position="member", is_party_member=True),
        )
    assert kept(committee.estate_id, "party_share").detail["members"] == before + 1
    assert status_check(estate_ids=[committee.estate_id]) == []


def test_an_evaluation_recompute_is_kept(demo, django_capture_on_commit_callbacks):
    from gongzhi.evaluation.models import Campaign
    from gongzhi.evaluation.services.recompute import campaign_recompute

    row = EstateStatus.objects.filter(
        estate__area__street=demo.street, indicator="ranking", value__isnull=False
    ).first()
    EstateStatus.objects.filter(pk=row.pk).update(value=Decimal(99))
    campaign = Campaign.objects.get(name=row.detail["campaign"], street=demo.street)
    with django_capture_on_commit_callbacks(execute=True):
        campaign_recompute(campaign=campaign)
    assert kept(row.estate_id, "ranking").value == row.value != 99
    assert status_check() == []


def test_a_refresh_rewrites_only_what_changed(admin, estate, django_capture_on_commit_callbacks):
    """Unchanged rows stay as they were (their computed_at too); the overall row says when the estate was
    last checked; a changed figure is written with its estate's overall state."""
    import datetime as dt

    from gongzhi.problems.models import Category, Source
    from gongzhi.problems.services import problem_report
    from gongzhi.wall import indicators as ind
    from gongzhi.wall.services import status_refresh

    long_ago = timezone.now() - dt.timedelta(days=3)
    EstateStatus.objects.filter(estate=estate).update(computed_at=long_ago)
    status_refresh(estate_ids=[estate.pk])
    rows = {s.indicator: s for s in EstateStatus.objects.filter(estate=estate)}
    assert {key for key, s in rows.items() if s.computed_at != long_ago} == {ind.OVERALL}
    assert rows[ind.OVERALL].computed_at > long_ago
    category = Category.objects.filter(street_id=estate.area.street_id).first()
    with django_capture_on_commit_callbacks(execute=True):
        problem_report(
            actor=admin, estate=estate, category=category, description="井盖松动。", source=Source.PATROL
        )
    moved = {s.indicator for s in EstateStatus.objects.filter(estate=estate) if s.computed_at != long_ago}
    assert "problems_open" in moved and ind.OVERALL in moved
    assert not moved & {"fund_health", "committee_term", "fee_collection"}  # other sources: untouched
    assert status_check(estate_ids=[estate.pk]) == []
