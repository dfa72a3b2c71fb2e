"""Drafting, publishing, casting, paper and proxy ballots, closing and results (issue 5)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gongzhi.core.append_only import AppendOnlyError
from gongzhi.core.models import AuditEvent
from gongzhi.core.scopes import visible
from gongzhi.registry import models as r
from gongzhi.voting import selectors, services
from gongzhi.voting.models import (
    Ballot,
    BallotCast,
    Decision,
    DecisionStatus,
    ElectorateOwner,
    ElectorateUnit,
)
from gongzhi.voting.services import VotingError
from gongzhi.voting.tests.helpers import HOUR, draft, owner_user, published, voter_of

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_upload(name="委托书.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def close(world, decision, actor="oc_a1"):
    return services.decision_close(actor=world.user(actor), decision=decision, now=decision.closes_at)


# ---- drafting and who may manage --------------------------------------------------------------


def test_committee_drafts_and_edits_only_while_draft(world):
    decision = draft(world)
    assert decision.status == DecisionStatus.DRAFT
    services.decision_update(actor=world.user("oc_a1"), decision=decision, title="改聘物业", matter=7)
    decision.refresh_from_db()
    assert (decision.title, decision.matter) == ("改聘物业", 7)
    services.decision_publish(actor=world.user("oc_a1"), decision=decision, now=decision.opens_at)
    with pytest.raises(VotingError):
        services.decision_update(actor=world.user("oc_a1"), decision=decision, title="再改")
    assert Decision.objects.get(pk=decision.pk).title == "改聘物业"


@pytest.mark.parametrize(
    "username", ["admin", "secretary_a", "staff_x", "owner_a1", "outsider", "other_admin"]
)
def test_only_the_committee_manages_an_estate_that_has_one(world, username):
    with pytest.raises(PermissionDenied):
        draft(world, actor=username)
    assert Decision.objects.count() == 0


def test_street_admin_manages_an_estate_without_a_committee(world):
    decision = draft(world, actor="admin", estate=world.estate_b1)
    assert decision.estate == world.estate_b1
    with pytest.raises(PermissionDenied):
        draft(world, actor="oc_a1", estate=world.estate_b1)
    with pytest.raises(PermissionDenied):
        draft(world, actor="other_admin", estate=world.estate_b1)


def test_bad_draft_fields_are_refused_in_chinese(world):
    opens = timezone.now()
    with pytest.raises(VotingError, match="截止时间必须晚于"):
        draft(world, opens_at=opens, closes_at=opens - HOUR)
    with pytest.raises(VotingError, match="第（一）至（九）项"):
        draft(world, matter=10)
    with pytest.raises(VotingError, match="带时区"):
        draft(world, opens_at=dt.datetime(2030, 1, 1, 8), closes_at=dt.datetime(2030, 1, 2, 8))  # noqa: DTZ001
    assert Decision.objects.count() == 0


def test_attachments_accept_pdf_and_refuse_other_files(world):
    decision = draft(world)
    attachment = services.decision_attachment_add(
        actor=world.user("oc_a1"), decision=decision, upload=pdf_upload()
    )
    assert attachment.file.name.endswith(".pdf")
    with pytest.raises(VotingError, match="既不是 PDF"):
        services.decision_attachment_add(
            actor=world.user("oc_a1"), decision=decision, upload=SimpleUploadedFile("x.exe", b"MZ\x90\x00")
        )
    assert decision.attachments.count() == 1


# ---- publication freezes the electorate -------------------------------------------------------


def test_publication_freezes_the_electorate_and_thresholds(world):
    decision = published(world, matter=6)
    assert decision.status == DecisionStatus.PUBLISHED
    assert decision.total_area == Decimal("195.80")
    assert (decision.total_owners, decision.total_units) == (3, 3)
    assert (decision.quorum_ratio, decision.approval_ratio, decision.approval_strict) == ("2/3", "3/4", False)
    # The registry changes afterwards; the frozen electorate does not.
    r.Unit.objects.filter(pk=world.unit_a1.pk).update(area=Decimal("99.00"))
    r.Unit.objects.create(building=world.building_a1, number="401", area=Decimal("80.00"))
    assert ElectorateUnit.objects.get(decision=decision, unit=world.unit_a1).area == Decimal("68.50")
    assert ElectorateUnit.objects.filter(decision=decision).count() == 3
    audit = AuditEvent.objects.filter(object_type="voting.Decision", object_id=str(decision.pk)).first()
    assert audit.changes["total_owners"] == 3


def test_one_buyer_and_the_developer_each_count_once(world):
    b2 = r.Building.objects.create(estate=world.estate_a1, number="2号")
    developer = r.Owner.objects.create(street=world.street, ref="KF-1", name="开发商", kind="developer")
    for n in ("101", "102", "103"):
        r.Unit.objects.create(building=b2, number=n, area=Decimal("90.00"), owner=developer)
    buyer = r.Owner.objects.get(ref="A1-2")
    r.Unit.objects.create(
        building=b2, number="201", area=Decimal("40.00"), owner=buyer, area_source="surveyed"
    )
    r.Unit.objects.create(building=b2, number="202", area=Decimal("30.00"))  # owner unknown
    decision = published(world)
    assert decision.total_units == 8
    assert decision.total_owners == 5  # A1-1, A1-2 (two units), A1-3, the developer, the unknown owner
    assert decision.total_area == Decimal("195.80") + Decimal("270.00") + Decimal("40.00") + Decimal("30.00")
    dev = voter_of(decision, "KF-1")
    assert (dev.is_developer, dev.unit_count, dev.total_area) == (True, 3, Decimal("270.00"))
    assert voter_of(decision, "A1-2").total_area == Decimal("112.30")
    assert ElectorateUnit.objects.get(decision=decision, label="2号 201").area_basis == "surveyed"
    assert ElectorateOwner.objects.filter(decision=decision, owner__isnull=True).get().unit_count == 1


def test_a_subset_of_buildings_has_its_own_electorate(world):
    b2 = r.Building.objects.create(estate=world.estate_a1, number="2号")
    owner = r.Owner.objects.create(street=world.street, ref="A1-9", name="业主九")
    r.Unit.objects.create(building=b2, number="101", area=Decimal("50.00"), owner=owner)
    decision = published(world, buildings=[b2])
    assert (decision.total_owners, decision.total_area) == (1, Decimal("50.00"))
    # owner_a1 lives in building 1: not in this electorate.
    with pytest.raises(VotingError, match="不在本次表决的业主名册"):
        services.ballot_cast(actor=world.user("owner_a1"), decision=decision, choice="yes")


def test_a_building_of_another_estate_is_refused(world):
    with pytest.raises(VotingError, match="不属于"):
        draft(world, buildings=[world.building_b1])


def test_publication_needs_a_future_end_and_units(world):
    decision = draft(world)
    with pytest.raises(VotingError, match="截止时间已过"):
        services.decision_publish(actor=world.user("oc_a1"), decision=decision, now=decision.closes_at)
    empty = r.Building.objects.create(estate=world.estate_a1, number="空楼")
    decision2 = draft(world, buildings=[empty])
    with pytest.raises(VotingError, match="没有房屋"):
        services.decision_publish(actor=world.user("oc_a1"), decision=decision2, now=decision2.opens_at)
    assert Decision.objects.filter(status=DecisionStatus.DRAFT).count() == 2
    assert ElectorateOwner.objects.count() == 0


def test_a_window_that_already_began_opens_at_publication(world):
    decision = draft(world)
    later = decision.opens_at + HOUR
    services.decision_publish(actor=world.user("oc_a1"), decision=decision, now=later)
    decision.refresh_from_db()
    assert decision.opens_at == later


# ---- online ballots ---------------------------------------------------------------------------


def test_an_owner_votes_and_a_second_vote_replaces_the_first(world):
    decision = published(world)
    owner = world.user("owner_a1")
    first = services.ballot_cast(actor=owner, decision=decision, choice="yes")
    second = services.ballot_cast(actor=owner, decision=decision, choice="no")
    assert Ballot.objects.filter(decision=decision).count() == 1
    assert (second.pk, second.choice, second.casts, second.channel) == (first.pk, "no", 2, "online")
    assert BallotCast.objects.filter(decision=decision).count() == 2
    assert selectors.receipt_lookup(decision, first.receipt)["status"] == "replaced"
    assert selectors.receipt_lookup(decision, second.receipt.lower().replace("-", " "))["status"] == "counted"
    assert selectors.receipt_lookup(decision, "AAAA-BBBB-CCCC-DDDD")["status"] == "unknown"
    assert selectors.my_ballot(owner, decision).choice == "no"
    assert first.receipt != second.receipt and len(second.receipt) == 19


def test_one_vote_covers_all_units_of_one_buyer(world):
    # owner_a1 also holds the owner role on a second unit of the same buyer.
    second = r.Unit.objects.create(
        building=world.building_a1, number="102", area=Decimal("40.00"), owner=world.unit_a1.owner
    )
    from gongzhi.core.models import Role, RoleGrant

    RoleGrant.objects.create(user=world.user("owner_a1"), role=Role.OWNER, unit=second)
    decision = published(world)
    services.ballot_cast(actor=world.user("owner_a1"), decision=decision, choice="yes")
    part = selectors.participation(decision)["overall"]
    assert (part["participating_owners"], part["participating_area"]) == (1, "108.50")


@pytest.mark.parametrize("username", ["outsider", "oc_a1", "admin", "secretary_a"])
def test_non_owners_cannot_vote(world, username):
    decision = published(world)
    with pytest.raises(VotingError, match="不在本次表决的业主名册"):
        services.ballot_cast(actor=world.user(username), decision=decision, choice="yes")
    assert Ballot.objects.count() == 0


def test_an_owner_of_another_estate_cannot_vote(world):
    decision = published(world)
    neighbour = owner_user("owner_b1", world.unit_b1)
    with pytest.raises(VotingError):
        services.ballot_cast(actor=neighbour, decision=decision, choice="yes")
    assert Ballot.objects.count() == 0


def test_votes_outside_the_window_or_on_a_closed_decision_change_nothing(world):
    decision = published(world)
    owner = world.user("owner_a1")
    with pytest.raises(VotingError, match="尚未开始"):
        services.ballot_cast(actor=owner, decision=decision, choice="yes", now=decision.opens_at - HOUR)
    with pytest.raises(VotingError, match="已截止"):
        services.ballot_cast(actor=owner, decision=decision, choice="yes", now=decision.closes_at)
    services.ballot_cast(actor=owner, decision=decision, choice="yes")
    close(world, decision)
    with pytest.raises(VotingError, match="已不在投票中"):
        services.ballot_cast(actor=owner, decision=decision, choice="no", now=decision.opens_at + HOUR)
    assert [ballot.choice for ballot in Ballot.objects.all()] == ["yes"]
    assert BallotCast.objects.count() == 1


def test_a_draft_cannot_be_voted_on(world):
    decision = draft(world)
    with pytest.raises(VotingError):
        services.ballot_cast(actor=world.user("owner_a1"), decision=decision, choice="yes")


def test_an_unknown_choice_is_refused(world):
    decision = published(world)
    with pytest.raises(VotingError, match="同意、反对或弃权"):
        services.ballot_cast(actor=world.user("owner_a1"), decision=decision, choice="maybe")
    assert Ballot.objects.count() == 0


# ---- paper and proxy ballots; the channel rule --------------------------------------------------


def test_committee_enters_paper_ballots_and_the_owner_cannot_then_vote_online(world):
    decision = published(world)
    voter = voter_of(decision, "A1-1")
    ballot = services.ballot_enter_paper(
        actor=world.user("oc_a1"), decision=decision, voter=voter, choice="no", collector_name="王建国"
    )
    assert (ballot.channel, ballot.collector_name) == ("paper", "王建国")
    with pytest.raises(VotingError, match="不能再在线投票"):
        services.ballot_cast(actor=world.user("owner_a1"), decision=decision, choice="yes")
    # A newer signed form entered by the committee replaces the paper ballot.
    again = services.ballot_enter_paper(
        actor=world.user("oc_a1"), decision=decision, voter=voter, choice="yes", collector_name="王建国"
    )
    assert (again.pk, again.choice, again.casts) == (ballot.pk, "yes", 2)
    assert Ballot.objects.count() == 1


def test_paper_is_refused_for_an_owner_who_voted_online(world):
    decision = published(world)
    services.ballot_cast(actor=world.user("owner_a1"), decision=decision, choice="yes")
    with pytest.raises(VotingError, match="已在线投票"):
        services.ballot_enter_paper(
            actor=world.user("oc_a1"),
            decision=decision,
            voter=voter_of(decision, "A1-1"),
            choice="no",
            collector_name="王建国",
        )
    assert Ballot.objects.get().choice == "yes"


def test_paper_needs_a_collector_and_a_manager(world):
    decision = published(world)
    voter = voter_of(decision, "A1-2")
    with pytest.raises(VotingError, match="收票人"):
        services.ballot_enter_paper(
            actor=world.user("oc_a1"), decision=decision, voter=voter, choice="no", collector_name=" "
        )
    for username in ("secretary_a", "admin", "owner_a1"):
        with pytest.raises(PermissionDenied):
            services.ballot_enter_paper(
                actor=world.user(username), decision=decision, voter=voter, choice="no", collector_name="某"
            )
    other = published(world)
    with pytest.raises(VotingError, match="不在本次表决"):
        services.ballot_enter_paper(
            actor=world.user("oc_a1"), decision=other, voter=voter, choice="no", collector_name="某"
        )
    assert Ballot.objects.count() == 0


def test_a_proxy_votes_only_with_a_written_authorisation(world):
    decision = published(world)
    voter = voter_of(decision, "A1-3")
    with pytest.raises(VotingError, match="书面委托书"):
        services.ballot_enter_proxy(
            actor=world.user("oc_a1"),
            decision=decision,
            voter=voter,
            choice="yes",
            proxy_name="李四",
            authorisation=None,
        )
    with pytest.raises(VotingError, match="既不是 PDF"):
        services.ballot_enter_proxy(
            actor=world.user("oc_a1"),
            decision=decision,
            voter=voter,
            choice="yes",
            proxy_name="李四",
            authorisation=SimpleUploadedFile("a.txt", b"I authorise"),
        )
    assert Ballot.objects.count() == 0
    ballot = services.ballot_enter_proxy(
        actor=world.user("oc_a1"),
        decision=decision,
        voter=voter,
        choice="yes",
        proxy_name="李四",
        authorisation=pdf_upload(),
    )
    assert ballot.channel == "proxy"
    assert ballot.authorisation.name.endswith(".pdf")
    assert ballot.authorisation.read() == PDF


# ---- close, results, objection period -----------------------------------------------------------


def test_close_counts_exactly_and_the_phases_follow_in_order(world):
    decision = published(world)
    services.ballot_cast(actor=world.user("owner_a1"), decision=decision, choice="yes")  # 68.50
    services.ballot_enter_paper(
        actor=world.user("oc_a1"),
        decision=decision,
        voter=voter_of(decision, "A1-2"),
        choice="no",
        collector_name="王建国",
    )  # 72.30
    with pytest.raises(VotingError, match="未到"):
        services.decision_close(actor=world.user("oc_a1"), decision=decision, now=decision.closes_at - HOUR)
    decision = close(world, decision)
    assert decision.status == DecisionStatus.CLOSED
    result = decision.result
    assert (result["participating_area"], result["participating_owners"]) == ("140.80", 2)
    assert (result["agreeing_area"], result["agreeing_owners"]) == ("68.50", 1)
    assert result["quorum_met"] is True  # 140.80/195.80 ≥ 2/3 and 2/3 owners
    assert result["approved"] is False  # one of two owners: exactly half is not more than half
    assert decision.passed is False
    services.result_publish_preliminary(
        actor=world.user("oc_a1"), decision=decision, objection_days=5, now=decision.closes_at
    )
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.PRELIMINARY
    assert decision.objection_ends_at - decision.preliminary_at == dt.timedelta(days=5)
    with pytest.raises(VotingError, match="异议"):
        services.result_finalise(actor=world.user("oc_a1"), decision=decision, now=decision.closes_at + HOUR)
    final = services.result_finalise(
        actor=world.user("oc_a1"), decision=decision, now=decision.objection_ends_at
    )
    assert final.status == DecisionStatus.FINAL


def test_close_needs_a_manager_and_an_open_decision(world):
    decision = published(world)
    with pytest.raises(PermissionDenied):
        services.decision_close(actor=world.user("owner_a1"), decision=decision, now=decision.closes_at)
    with pytest.raises(VotingError):
        services.result_finalise(actor=world.user("oc_a1"), decision=decision, now=decision.closes_at)
    closed = services.decision_close(
        actor=None, decision=decision, now=decision.closes_at
    )  # the system timer
    assert closed.status == DecisionStatus.CLOSED
    with pytest.raises(VotingError):
        close(world, closed)


# ---- secrecy, participation, the roll -----------------------------------------------------------


def test_participation_never_shows_the_split_and_the_audit_never_holds_the_choice(world):
    decision = published(world)
    services.ballot_cast(actor=world.user("owner_a1"), decision=decision, choice="yes")
    part = selectors.participation(decision)
    text = repr(part)
    assert "yes" not in text and "agree" not in text
    assert part["overall"]["participating_owners"] == 1
    assert part["overall"]["owners_missing"] == 1
    assert part["buildings"][0]["number"] == "1号"
    for event in AuditEvent.objects.filter(object_type="voting.Ballot"):
        assert "yes" not in repr(event.changes) and "choice" not in event.changes


def test_ballots_are_visible_through_the_door_only_to_their_owner(world):
    decision = published(world)
    services.ballot_cast(actor=world.user("owner_a1"), decision=decision, choice="yes")
    assert visible(world.user("owner_a1"), Ballot).count() == 1
    for username in ("admin", "oc_a1", "secretary_a", "leader", "outsider"):
        assert visible(world.user(username), Ballot).count() == 0
        assert visible(world.user(username), BallotCast).count() == 0


def test_door_to_door_lists_the_owners_who_have_not_voted(world):
    decision = published(world)
    services.ballot_cast(actor=world.user("owner_a1"), decision=decision, choice="abstain")
    rows = selectors.door_to_door(decision)
    assert [row["unit"] for row in rows] == ["1号 201", "1号 301"]
    assert rows[0]["phone"] == "13800000002"


def test_the_roll_after_close_shows_who_voted_and_how_not_what(world):
    decision = published(world)
    services.ballot_cast(actor=world.user("owner_a1"), decision=decision, choice="yes")
    with pytest.raises(ValueError):
        selectors.decision_roll(decision)
    decision = close(world, decision)
    roll = {row["owner_name"]: row for row in selectors.decision_roll(decision)}
    assert roll["业主A11"]["voted"] is True and roll["业主A11"]["channel"] == "online"
    assert roll["业主A12"]["voted"] is False
    assert "choice" not in roll["业主A11"]


def test_drafts_are_hidden_from_owners_and_published_decisions_shown(world):
    decision = draft(world)
    assert visible(world.user("owner_a1"), Decision).count() == 0
    assert visible(world.user("oc_a1"), Decision).count() == 1
    assert visible(world.user("staff_x"), Decision).count() == 0  # the company sees published ones only
    services.decision_publish(actor=world.user("oc_a1"), decision=decision, now=decision.opens_at)
    assert visible(world.user("owner_a1"), Decision).count() == 1
    assert visible(world.user("other_admin"), Decision).count() == 0
    rows = selectors.decisions_for_owner(world.user("owner_a1"))
    assert rows[0]["can_vote"] is True and rows[0]["ballot"] is None


def test_the_timer_closes_due_decisions_once(world):
    import io

    from django.core.management import call_command

    decision = published(world)
    Decision.objects.filter(pk=decision.pk).update(
        closes_at=timezone.now() - HOUR, opens_at=timezone.now() - 3 * HOUR
    )
    out = io.StringIO()
    call_command("voting_close_due", stdout=out)
    assert Decision.objects.get(pk=decision.pk).status == DecisionStatus.CLOSED
    assert "共截止 1 项" in out.getvalue()
    call_command("voting_close_due", stdout=out)
    assert "共截止 0 项" in out.getvalue()


def test_paper_ballots_are_entered_only_inside_the_window(world):
    decision = published(world)
    voter = voter_of(decision, "A1-2")
    with pytest.raises(VotingError, match="已截止"):
        services.ballot_enter_paper(
            actor=world.user("oc_a1"),
            decision=decision,
            voter=voter,
            choice="yes",
            collector_name="王建国",
            now=decision.closes_at,
        )
    assert Ballot.objects.count() == 0


def test_the_street_admin_runs_a_vote_where_no_committee_sits(world):
    decision = published(world, estate=world.estate_b1, actor="admin")
    voter = ElectorateOwner.objects.get(decision=decision, key="B1-1")
    ballot = services.ballot_enter_paper(
        actor=world.user("admin"), decision=decision, voter=voter, choice="yes", collector_name="街道工作人员"
    )
    assert ballot.channel == "paper"
    closed = services.decision_close(actor=world.user("admin"), decision=decision, now=decision.closes_at)
    assert closed.result["participating_owners"] == 1


def test_a_draft_can_be_deleted_but_a_published_decision_cannot(world):
    decision = draft(world)
    services.decision_delete(actor=world.user("oc_a1"), decision=decision)
    assert not Decision.objects.filter(pk=decision.pk).exists()
    kept = published(world)
    with pytest.raises(VotingError):
        services.decision_delete(actor=world.user("oc_a1"), decision=kept)
    assert Decision.objects.filter(pk=kept.pk).exists()


def test_a_login_tied_to_two_registry_owners_is_sent_to_paper(world):
    decision = published(world)
    both = owner_user("two_owners", world.unit_a1, world.unit_a1_other)
    with pytest.raises(VotingError, match="多位登记业主"):
        services.ballot_cast(actor=both, decision=decision, choice="yes")
    assert Ballot.objects.count() == 0


def test_the_cast_log_is_append_only(world):
    decision = published(world)
    services.ballot_cast(actor=world.user("owner_a1"), decision=decision, choice="yes")
    cast = BallotCast.objects.get()
    cast.seal = "0" * 64
    with pytest.raises(AppendOnlyError):
        cast.save()
    with pytest.raises(AppendOnlyError):
        cast.delete()
    with pytest.raises(AppendOnlyError):
        BallotCast.objects.update(seal="0" * 64)
    with pytest.raises(AppendOnlyError):
        BallotCast.objects.all().delete()
    assert BallotCast.objects.get().choice == "yes"


def test_the_database_refuses_ballot_changes_after_the_close_and_edits_of_casts(world):
    from django.db import DatabaseError, connection, transaction

    decision = published(world)
    services.ballot_cast(actor=world.user("owner_a1"), decision=decision, choice="yes")
    close(world, decision)
    with pytest.raises(DatabaseError), transaction.atomic():
        Ballot.objects.filter(decision=decision).update(seal="0" * 64)  # plain ORM: the trigger refuses
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE voting_ballotcast SET seal = 'x'")
    voter = voter_of(decision, "A1-2")
    with pytest.raises(DatabaseError), transaction.atomic():
        Ballot.objects.create(
            decision=decision,
            voter=voter,
            seal="0" * 64,
            channel="online",
            cast_at=timezone.now(),
            receipt="X",
        )
    assert [ballot.choice for ballot in Ballot.objects.all()] == ["yes"]
    assert [cast.choice for cast in BallotCast.objects.all()] == ["yes"]


def test_two_developer_records_in_one_estate_freeze_as_one_owner(world):
    """SPC interpretation art. 9: the developer's unsold units together count as ONE owner, even when
    the registry holds two developer records (e.g. two phases, or a renamed project company)."""
    b2 = r.Building.objects.create(estate=world.estate_a1, number="2号")
    first = r.Owner.objects.create(street=world.street, ref="KF-1", name="浦江置业一期", kind="developer")
    second = r.Owner.objects.create(street=world.street, ref="KF-2", name="浦江置业二期", kind="developer")
    for n, owner in (("101", first), ("102", first), ("103", second)):
        r.Unit.objects.create(building=b2, number=n, area=Decimal("90.00"), owner=owner)
    decision = published(world)
    assert (decision.total_owners, decision.total_units) == (4, 6)  # A1-1, A1-2, A1-3, the developer
    dev = ElectorateOwner.objects.get(decision=decision, is_developer=True)
    assert (dev.unit_count, dev.total_area) == (3, Decimal("270.00"))
    assert decision.total_area == Decimal("195.80") + Decimal("270.00")


def test_the_publish_preview_counts_two_developer_records_as_one_owner(world):
    for ref in ("KF-1", "KF-2"):
        developer = r.Owner.objects.create(street=world.street, ref=ref, name=ref, kind="developer")
        r.Unit.objects.create(building=world.building_a1, number=ref, area=Decimal("90.00"), owner=developer)
    preview = selectors.electorate_preview(draft(world))
    assert (preview["total_owners"], preview["total_units"], preview["developer_units"]) == (4, 5, 2)
