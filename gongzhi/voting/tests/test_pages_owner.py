"""The owner's voting pages (phone) and the public pages, through HTTP: voting with a confirmation,
changing the vote, the receipt, refusals that change nothing, the public result, the receipt look-up
and the anonymised ballot file."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
import time_machine
from django.urls import reverse

from gongzhi.core.models import Role, RoleGrant
from gongzhi.voting import rules, services
from gongzhi.voting.models import Ballot, BallotCast
from gongzhi.voting.tests.helpers import draft, owner_user, published, voter_of


def cast(client, decision, choice, confirm=True):
    data = {"choice": choice}
    if confirm:
        data["confirm"] = "1"
    return client.post(reverse("voting:cast", args=[decision.pk]), data)


def page(client, decision) -> str:
    return client.get(reverse("voting:owner_decision", args=[decision.pk])).content.decode()


def close_and_publish(world, decision):
    oc = world.user("oc_a1")
    services.decision_close(actor=oc, decision=decision, now=decision.closes_at)
    return services.result_publish_preliminary(actor=oc, decision=decision, now=decision.closes_at)


# ---- my decisions --------------------------------------------------------------------------------


def test_my_decisions_list_open_ones_first_and_no_drafts(as_user, world):
    start = dt.datetime(2020, 3, 1, 9, tzinfo=dt.UTC)
    old = draft(world, opens_at=start, closes_at=start + dt.timedelta(days=5))
    services.decision_publish(actor=world.user("oc_a1"), decision=old, now=start)
    old.title = "旧的表决"
    old.save(update_fields=["title"])
    current = published(world)
    hidden = draft(world)
    hidden.title = "还在起草"
    hidden.save(update_fields=["title"])
    html = as_user("owner_a1").get(reverse("voting:mine")).content.decode()
    assert html.index(reverse("voting:owner_decision", args=[current.pk])) < html.index(
        reverse("voting:owner_decision", args=[old.pk])
    )
    assert "我还没有投票" in html and "还在起草" not in html


def test_the_portal_leads_to_the_votes(as_user, world):
    html = as_user("owner_a1").get(reverse("portal:home")).content.decode()
    assert reverse("voting:mine") in html


# ---- voting ----------------------------------------------------------------------------------------


def test_a_vote_needs_a_confirmation_then_shows_the_receipt(as_user, world):
    decision = published(world)
    client = as_user("owner_a1")
    assert "我的表决意见" in page(client, decision) and "68.50" not in page(client, decision)
    confirm = cast(client, decision, "yes", confirm=False).content.decode()
    assert "确认提交" in confirm and "同意" in confirm
    assert not Ballot.objects.exists()  # not yet
    response = cast(client, decision, "yes")
    assert response.status_code == 302
    ballot = Ballot.objects.get()
    html = page(client, decision)
    assert "投票成功" in html and ballot.receipt in html and "改票" in html
    assert page(client, decision).count(ballot.receipt) == 1  # re-viewable later


def test_changing_the_vote_replaces_it(as_user, world):
    decision = published(world)
    client = as_user("owner_a1")
    cast(client, decision, "yes")
    first = Ballot.objects.get().receipt
    cast(client, decision, "abstain")
    ballot = Ballot.objects.get()
    assert (ballot.choice, ballot.casts) == ("abstain", 2) and ballot.receipt != first
    assert BallotCast.objects.filter(decision=decision).count() == 2
    assert "已改票为“弃权”" in page(client, decision)
    assert services.tally_decision(decision)["participating_owners"] == 1  # replaces, never adds


def test_a_vote_after_the_close_is_refused_and_changes_nothing(as_user, world):
    decision = published(world)
    cast(as_user("owner_a1"), decision, "yes")
    with time_machine.travel(decision.closes_at + dt.timedelta(seconds=1)):
        client = as_user("owner_a1")
        response = cast(client, decision, "no")
        assert response.status_code == 400 and "投票已截止" in response.content.decode()
        assert 'id="vote"' not in page(client, decision)
    assert Ballot.objects.get().choice == "yes"


def test_a_bad_choice_is_refused(as_user, world):
    decision = published(world)
    response = cast(as_user("owner_a1"), decision, "maybe")
    assert response.status_code == 400 and "表决意见只能是同意、反对或弃权。" in response.content.decode()
    assert not Ballot.objects.exists()


@pytest.mark.parametrize("persona", ["oc_a1", "secretary_a", "outsider"])
def test_people_without_a_home_in_the_estate_cannot_reach_the_vote(as_user, world, persona):
    decision = published(world)
    assert as_user(persona).get(reverse("voting:owner_decision", args=[decision.pk])).status_code == 404
    assert cast(as_user(persona), decision, "yes").status_code == 404
    assert not Ballot.objects.exists()


def test_an_owner_of_another_estate_cannot_vote(client, world):
    decision = published(world)
    client.force_login(owner_user("b1owner", world.unit_b1))
    assert cast(client, decision, "yes").status_code == 404
    assert not Ballot.objects.exists()


def test_an_owner_outside_the_chosen_buildings_sees_but_cannot_vote(client, world):
    from gongzhi.registry import models as r

    building2 = r.Building.objects.create(estate=world.estate_a1, number="2号")
    owner = r.Owner.objects.create(street=world.street, ref="A1-7", name="孙二")
    unit = r.Unit.objects.create(building=building2, number="101", area="50.00", owner=owner)
    decision = published(world, buildings=[world.building_a1])
    client.force_login(owner_user("sun", unit))
    html = page(client, decision)
    assert "不在本次表决的业主名册中" in html and 'id="vote"' not in html
    response = cast(client, decision, "yes")
    assert response.status_code == 400 and "您不在本次表决的业主名册中" in response.content.decode()
    assert not Ballot.objects.exists()


def test_after_a_paper_ballot_the_owner_cannot_vote_online(as_user, world):
    decision = published(world)
    services.ballot_enter_paper(
        actor=world.user("oc_a1"),
        decision=decision,
        voter=voter_of(decision, "A1-1"),
        choice="no",
        collector_name="王建国",
    )
    client = as_user("owner_a1")
    html = page(client, decision)
    assert "纸质表决票" in html and 'id="vote"' not in html
    assert "不能再在线投票" in cast(client, decision, "yes").content.decode()
    assert Ballot.objects.get().choice == "no"


def test_one_vote_covers_the_units_of_one_buyer(client, world):
    RoleGrant.objects.create(user=world.user("owner_a1"), role=Role.OWNER, unit=world.unit_a1_other)
    world.unit_a1_other.owner = world.unit_a1.owner
    world.unit_a1_other.save()
    decision = published(world)
    client.force_login(world.user("owner_a1"))
    assert "2 套房屋合计投一票" in page(client, decision)
    cast(client, decision, "yes")
    assert services.tally_decision(decision)["participating_area"] == "140.80"


# ---- results ---------------------------------------------------------------------------------------


def test_the_owner_sees_the_result_once_published(as_user, world):
    decision = published(world)
    cast(as_user("owner_a1"), decision, "yes")
    close_and_publish(world, decision)
    html = page(as_user("owner_a1"), decision)
    assert "初步结果" in html and "未通过：参与表决的业主未达到专有面积和人数的三分之二" in html


# ---- public pages ----------------------------------------------------------------------------------


def test_the_public_page_shows_participation_but_never_the_split_while_open(client, world):
    decision = published(world)
    services.ballot_cast(actor=world.user("owner_a1"), decision=decision, choice="yes")
    url = reverse("decide:decision", args=[decision.pk])
    html = client.get(url).content.decode()
    assert "68.50 / 195.80" in html and "1 / 3" in html
    services.ballot_cast(actor=world.user("owner_a1"), decision=decision, choice="no")
    token = re.compile(r"[A-Za-z0-9]{64}")  # CSRF tokens differ from request to request
    assert token.sub("", client.get(url).content.decode()) == token.sub("", html)
    assert "yes-no" not in html
    assert client.get(reverse("decide:ballot_file", args=[decision.pk])).status_code == 404


def test_the_public_result_with_thresholds_challenge_and_ballot_file(client, world):
    decision = published(world, matter=7)
    services.ballot_cast(actor=world.user("owner_a1"), decision=decision, choice="yes")
    for ref, choice in (("A1-2", "yes"), ("A1-3", "no")):
        services.ballot_enter_paper(
            actor=world.user("oc_a1"),
            decision=decision,
            voter=voter_of(decision, ref),
            choice=choice,
            collector_name="王建国",
        )
    decision = close_and_publish(world, decision)
    html = client.get(reverse("decide:decision", args=[decision.pk])).content.decode()
    # all took part; yes 140.80 of 195.80 = 71.91 % < 3/4 → not passed (matter 7)
    assert "未通过：同意票未达到法定比例" in html and "140.80" in html and "71.91%" in html
    assert "第二百八十条" in html and "第十二条" in html and "一年内" in html
    response = client.get(reverse("decide:ballot_file", args=[decision.pk]))
    document = json.loads(response.content)
    assert document["matter"] == 7 and len(document["units"]) == 3 and len(document["ballots"]) == 3
    assert "业主" not in response.content.decode() and "101" not in json.dumps(document["units"])
    assert rules.tally(document["matter"], document["units"], document["ballots"]) == decision.result


def test_the_receipt_lookup_says_counted_replaced_or_unknown(client, world):
    decision = published(world)
    first = services.ballot_cast(actor=world.user("owner_a1"), decision=decision, choice="yes").receipt
    last = services.ballot_cast(actor=world.user("owner_a1"), decision=decision, choice="no").receipt
    close_and_publish(world, decision)
    url = reverse("decide:receipt", args=[decision.pk])
    counted = client.get(url, {"code": last.lower().replace("-", " ")}).content.decode()
    assert (
        "您的选票已按所投计入" in counted and "反对" not in counted.split('id="lookup"')[1].split("</div>")[0]
    )
    assert "已被之后的投票替换" in client.get(url, {"code": first}).content.decode()
    assert "没有找到这个回执码" in client.get(url, {"code": "ABCD-EFGH-JKMN-PQRS"}).content.decode()
    assert "请输入回执码。" in client.get(url, {"code": ""}).content.decode()


def test_a_receipt_of_another_decision_is_not_found_here(client, world):
    one, other = published(world), published(world)
    receipt = services.ballot_cast(actor=world.user("owner_a1"), decision=one, choice="yes").receipt
    html = client.get(reverse("decide:receipt", args=[other.pk]), {"code": receipt}).content.decode()
    assert "没有找到这个回执码" in html


def test_the_public_estate_list_in_a_bounded_number_of_queries(client, world, django_assert_max_num_queries):
    for _ in range(2):
        services.ballot_cast(actor=world.user("owner_a1"), decision=published(world), choice="yes")
    draft(world)
    url = reverse("decide:estate", args=[world.estate_a1.pk])
    with django_assert_max_num_queries(10) as few:
        client.get(url)
    for _ in range(5):
        published(world)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(url).content.decode()
    assert html.count('class="card decision-card"') == 7  # the draft is not public


def test_drafts_and_their_attachments_are_not_public(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    decision = draft(world)
    attachment = services.decision_attachment_add(
        actor=world.user("oc_a1"),
        decision=decision,
        upload=SimpleUploadedFile("方案.pdf", b"%PDF-1.4\n%x\n", content_type="application/pdf"),
    )
    assert client.get(reverse("decide:decision", args=[decision.pk])).status_code == 404
    assert client.get(reverse("decide:receipt", args=[decision.pk])).status_code == 404
    url = reverse("decide:attachment", args=[attachment.pk])
    assert client.get(url).status_code == 404
    for persona, status in (
        ("owner_a1", 404),
        ("staff_x", 404),
        ("secretary_b", 404),
        ("leader", 200),
        ("oc_a1", 200),
    ):
        client.force_login(world.user(persona))
        assert client.get(url).status_code == status, persona
