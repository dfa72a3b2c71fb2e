"""The demo street has a closed decision with a final result and an open one demo_owner can vote in."""

from django.utils import timezone

from gongzhi.core.models import User
from gongzhi.demo.plan import SEED
from gongzhi.voting import selectors, services
from gongzhi.voting.demo_data import demo_create, demo_delete, demo_fingerprint
from gongzhi.voting.models import Ballot, BallotCast, Decision, DecisionStatus, Matter
from gongzhi.voting.rules import tally

# The voting part's own decisions: the owners' votes electing committees (matter 3) are the elections part's.
OWN = Decision.objects.exclude(matter=Matter.COMMITTEE)


def test_a_closed_decision_that_recounts_and_an_open_one_demo_owner_can_vote_in(demo):
    closed = OWN.get(estate__area__street=demo.street, status=DecisionStatus.FINAL)
    result = closed.result
    assert 0 < result["participating_owners"] <= result["total_owners"]
    assert closed.buildings.exists()  # the roofs of some buildings: their owners decide (Shanghai art. 69)
    assert closed.total_owners < Decision.objects.get(estate=closed.estate, status="published").total_owners
    assert closed.finalised_at > closed.objection_ends_at > closed.preliminary_at > closed.closes_at
    assert Ballot.objects.filter(decision=closed, channel="paper").exists()
    document = selectors.decision_ballot_file(closed)
    assert tally(document["matter"], document["units"], document["ballots"]) == result
    # A changed vote left two casts and one ballot.
    assert BallotCast.objects.filter(decision=closed).count() > Ballot.objects.filter(decision=closed).count()

    # The open decision: partial participation, paper ballots, demo_owner may still vote.
    current = OWN.get(estate__area__street=demo.street, status=DecisionStatus.PUBLISHED)
    assert current.is_open
    assert current.matter == 8
    part = selectors.participation(current)["overall"]
    assert 0 < part["participating_owners"] < current.total_owners
    assert Ballot.objects.filter(decision=current, channel="paper").exists()
    owner = User.objects.get(username="demo_owner")
    assert selectors.my_ballot(owner, current) is None
    ballot = services.ballot_cast(actor=owner, decision=current, choice="yes")
    assert selectors.receipt_lookup(current, ballot.receipt)["status"] == "counted"
    oc = User.objects.get(username="demo_oc")
    from gongzhi.voting.permissions import can_manage

    assert can_manage(oc, current.estate)


def test_same_seed_and_day_give_the_same_decisions_and_delete_removes_them(demo):
    before = demo_fingerprint(demo.street)
    users = {u.username: u for u in User.objects.filter(username__startswith="demo_")}
    removed = demo_delete(street=demo.street)
    assert removed["voting.Decision"] == 2
    assert not OWN.filter(estate__area__street=demo.street).exists()
    # The committee elections are the elections part's and stay.
    assert Decision.objects.filter(estate__area__street=demo.street, matter=Matter.COMMITTEE).exists()
    demo_create(street=demo.street, seed=SEED, today=timezone.localdate(), users=users)
    assert demo_fingerprint(demo.street) == before


def test_the_demo_ballot_file_cannot_be_joined_with_the_roll(demo):
    """Issue 11: the probe named 18 of the demo's 194 ballots by joining the file with the roll on area."""
    from gongzhi.voting.tests.test_secrecy import join_named

    closed = OWN.get(estate__area__street=demo.street, status=DecisionStatus.FINAL)
    roll = [
        {
            "是否投票": "已投票" if row["voted"] else "未投票",
            "专有面积（m²）": row["area"],
            "套数": row["unit_count"],
        }
        for row in selectors.decision_roll(closed)
    ]
    document = selectors.decision_ballot_file(closed)
    assert len(document["ballots"]) == closed.result["participating_owners"] > 0
    assert join_named(document, roll) == 0
    assert tally(document["matter"], document["units"], document["ballots"]) == closed.result
