"""An approved slate, elected by the owners' vote, becomes the registry's owners' committee
(services.committee_install_from_election): term from the vote's day, members and director from the slate,
the sitting committee's term closed, audited; refused for a vote that cannot elect it."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.models import AuditEvent
from gongzhi.elections import services
from gongzhi.elections.models import SlateEvent, SlateStatus
from gongzhi.registry.models import OwnersCommittee
from gongzhi.voting.models import Decision, DecisionStatus, Matter

CLEAR = {"unpaid_fees": "clear", "illegal_construction": "clear", "close_relative": "clear"}


def _approved_slate(world, n=6, size=5):
    secretary = world.user("secretary_a")
    slate = services.slate_create(
        actor=secretary,
        estate=world.estate_a1,
        election_date=timezone.localdate() - dt.timedelta(days=20),
        planned_size=size,
        now=timezone.now() - dt.timedelta(days=60),
    )
    for i in range(n):
        services.candidate_save(
            actor=secretary, slate=slate, name=f"候选人{i}", is_party_member=i < 4, checks=CLEAR
        )
    services.slate_submit(actor=secretary, slate=slate)
    services.slate_approve(
        actor=world.user("leader"), slate=slate, now=timezone.now() - dt.timedelta(days=40)
    )
    slate.refresh_from_db()
    return slate


def _vote(
    world, estate=None, *, matter=Matter.COMMITTEE, status=DecisionStatus.FINAL, passed=True, ended=None
):
    ended = ended or timezone.now() - dt.timedelta(days=20)
    return Decision.objects.create(
        estate=estate or world.estate_a1,
        title="选举第三届业主委员会",
        matter=matter,
        text="选举业主委员会委员五名。",
        opens_at=ended - dt.timedelta(days=14),
        closes_at=ended,
        status=status,
        passed=passed,
        created_by=world.user("oc_a1"),
    )


def _ids(slate):
    return list(slate.candidates.order_by("pk").values_list("pk", flat=True))


def test_the_elected_slate_becomes_the_committee(world):
    slate = _approved_slate(world)
    vote = _vote(world)
    ids = _ids(slate)
    old = world.committee_a1
    committee = services.committee_install_from_election(
        actor=world.user("admin"), slate=slate, vote=vote, members=ids[:5], director=ids[2], deputies=[ids[0]]
    )
    day = timezone.localdate(vote.closes_at)
    assert (committee.term_start, committee.elected_on, committee.election_vote) == (day, day, vote)
    assert committee.term_end == dt.date(day.year + 5, day.month, day.day) - dt.timedelta(days=1)
    assert committee.filed_on == timezone.localdate()
    members = {m.name: m.position for m in committee.members.all()}
    assert members == {
        "候选人0": "deputy",
        "候选人1": "member",
        "候选人2": "director",
        "候选人3": "member",
        "候选人4": "member",
    }
    assert committee.members.filter(is_party_member=True).count() == 4
    old.refresh_from_db()
    assert old.term_end == day - dt.timedelta(days=1)  # one committee at a time
    slate.refresh_from_db()
    assert slate.committee == committee
    assert slate.events.filter(action=SlateEvent.Action.INSTALL).count() == 1
    audited = AuditEvent.objects.filter(object_type="registry.OwnersCommittee")
    assert set(audited.values_list("object_id", "action")) == {
        (str(committee.pk), AuditEvent.Action.CREATE),
        (str(old.pk), AuditEvent.Action.UPDATE),
    }


def test_the_registry_page_links_the_committee_to_its_election(world, client):
    slate = _approved_slate(world)
    vote = _vote(world)
    ids = _ids(slate)
    committee = services.committee_install_from_election(
        actor=world.user("admin"), slate=slate, vote=vote, members=ids[:5], director=ids[0]
    )
    client.force_login(world.user("admin"))
    page = client.get(reverse("registry:detail", args=["committees", committee.pk])).content.decode()
    assert reverse("decide:decision", args=[vote.pk]) in page
    listing = client.get(reverse("registry:list", args=["committees"])).content.decode()
    assert reverse("decide:decision", args=[vote.pk]) in listing


@pytest.mark.parametrize(
    ("vote_kwargs", "message"),
    [
        ({"matter": Matter.USE_FUND}, "不是“选举业主委员会”事项"),
        ({"status": DecisionStatus.PRELIMINARY}, "尚未最终公布"),
        ({"passed": False}, "未通过"),
    ],
)
def test_a_vote_that_cannot_elect_it_is_refused(world, vote_kwargs, message):
    slate = _approved_slate(world)
    ids = _ids(slate)
    with pytest.raises(services.SlateError) as refused:
        services.committee_install_from_election(
            actor=world.user("admin"),
            slate=slate,
            vote=_vote(world, **vote_kwargs),
            members=ids[:5],
            director=ids[0],
        )
    assert message in refused.value.message
    assert OwnersCommittee.objects.filter(estate=world.estate_a1).count() == 1


def test_another_estates_vote_and_wrong_members_are_refused(world):
    slate = _approved_slate(world)
    ids = _ids(slate)
    with pytest.raises(services.SlateError) as refused:
        services.committee_install_from_election(
            actor=world.user("admin"),
            slate=slate,
            vote=_vote(world, world.estate_b1),
            members=ids[:4],
            director=ids[5],
        )
    text = refused.value.message
    assert (
        "不是本小区" in text
        and "人数应与拟设委员人数相同" in text
        and "主任、副主任须从当选委员中产生" in text
    )


def test_one_vote_elects_one_committee_and_a_slate_is_installed_once(world):
    slate = _approved_slate(world)
    vote = _vote(world)
    ids = _ids(slate)
    services.committee_install_from_election(
        actor=world.user("admin"), slate=slate, vote=vote, members=ids[:5], director=ids[0]
    )
    with pytest.raises(services.SlateError) as refused:
        services.committee_install_from_election(
            actor=world.user("admin"), slate=slate, vote=vote, members=ids[:5], director=ids[0]
        )
    assert "已经产生了业委会" in refused.value.message and "已经产生过一届业委会" in refused.value.message


def test_only_the_street_admin_files_the_committee(world):
    slate = _approved_slate(world)
    ids = _ids(slate)
    for name in ("secretary_a", "leader", "oc_a1", "other_admin"):
        with pytest.raises(PermissionDenied):
            services.committee_install_from_election(
                actor=world.user(name), slate=slate, vote=_vote(world), members=ids[:5], director=ids[0]
            )
    assert slate.status == SlateStatus.APPROVED


def test_the_street_admin_files_the_committee_on_the_slate_page(world, client):
    slate = _approved_slate(world)
    vote = _vote(world)
    ids = _ids(slate)
    client.force_login(world.user("admin"))
    page = client.get(reverse("elections:detail", args=[slate.pk])).content.decode()
    assert "备案新一届业委会" in page and vote.title in page
    answer = client.post(
        reverse("elections:install", args=[slate.pk]),
        {"vote": vote.pk, "members": ids[1:], "director": ids[1], "deputies": [ids[2]], "years": 5},
    )
    assert answer.status_code == 302
    committee = OwnersCommittee.objects.get(election_vote=vote)
    assert sorted(committee.members.values_list("name", flat=True)) == [f"候选人{i}" for i in range(1, 6)]
    page = client.get(reverse("elections:detail", args=[slate.pk])).content.decode()
    assert "备案新一届业委会" not in page  # filed once
    assert reverse("registry:detail", args=["committees", committee.pk]) in page


def test_a_refused_filing_says_why_on_the_page(world, client):
    slate = _approved_slate(world)
    vote = _vote(world)
    ids = _ids(slate)
    client.force_login(world.user("admin"))
    answer = client.post(
        reverse("elections:install", args=[slate.pk]),
        {"vote": vote.pk, "members": ids[:3], "director": ids[0], "years": 5},
        follow=True,
    )
    assert "当选委员人数应与拟设委员人数相同" in answer.content.decode()
    assert not OwnersCommittee.objects.filter(election_vote=vote).exists()
