"""The resident survey pages: a household code answers once, bad codes and closed campaigns get a
clear page, incomplete forms are refused without spending the code; owners answer for their own unit;
fault-finding files a problem tagged to the elimination campaign."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.evaluation import rules, services
from gongzhi.evaluation.forms import DONT_KNOW, item_field
from gongzhi.evaluation.models import (
    AccessCode,
    FaultFinding,
    HouseholdSubmission,
)
from gongzhi.evaluation.tests import factories


@pytest.fixture
def campaign(world):
    return factories.open_campaign(world)


@pytest.fixture
def code(world, campaign):
    return rules.format_code(factories.issue_codes(world, campaign)[0])


def form_data(campaign, value="4", **overrides):
    return {item_field(pk): overrides.get(str(pk), value) for pk in factories.answers(campaign)}


def test_a_code_opens_the_questionnaire_without_login_and_shows_no_household(client, world, campaign, code):
    response = client.get(reverse("survey:answer", args=[code]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "甲一小区" in page and campaign.name in page
    assert "101" not in page and "业主A1" not in page  # no unit, no owner
    assert page.count('type="radio"') == 20 * 6  # 20 items × (1–5 + 不了解)


def test_a_code_answers_once_and_then_refuses(client, world, campaign, code):
    url = reverse("survey:answer", args=[code])
    response = client.post(url, form_data(campaign))
    assert response.status_code == 302 and response["Location"] == reverse("survey:thanks")
    [ballot] = factories.ballots(campaign)  # waiting in the box until k households have answered
    assert list(ballot.values()) == [4] * 20

    again = client.get(url)
    assert again.status_code == 409 and "该测评码已使用" in again.content.decode()
    resubmit = client.post(url, form_data(campaign, "1"))
    assert resubmit.status_code == 409
    assert len(factories.ballots(campaign)) == 1


def test_the_code_is_accepted_typed_in_lower_case_with_spaces(client, world, campaign, code):
    typed = code.replace("-", " ").lower()
    response = client.post(reverse("survey:start"), {"code": typed})
    assert response.status_code == 302 and response["Location"] == reverse("survey:answer", args=[code])


def test_a_malformed_typed_code_is_explained_on_the_start_page(client, world):
    response = client.post(reverse("survey:start"), {"code": "12"})
    assert response.status_code == 200
    assert "测评码应为 12 位字母和数字" in response.content.decode()


def test_an_incomplete_form_is_refused_and_the_code_stays_unused(client, world, campaign, code):
    data = form_data(campaign)
    first, second = list(data)[:2]
    del data[first]
    data[second] = "9"  # outside 1–5: counts as unanswered
    response = client.post(reverse("survey:answer", args=[code]), data)
    assert response.status_code == 400
    assert "还有 2 题没有选择" in response.content.decode()
    assert factories.ballots(campaign) == []
    assert AccessCode.objects.filter(campaign=campaign, used=True).count() == 0


def test_dont_know_is_stored_as_no_score(client, world, campaign, code):
    data = form_data(campaign)
    first = list(data)[0]
    data[first] = DONT_KNOW
    assert client.post(reverse("survey:answer", args=[code]), data).status_code == 302
    [ballot] = factories.ballots(campaign)
    assert list(ballot.values()).count(None) == 1


@pytest.mark.parametrize(
    ("code", "status", "text"),
    [
        ("ABCD-EFGH-JKMN", 404, "测评码无效"),
        ("ABC", 404, "测评码有误"),
        ("0000-0000-0000", 404, "测评码有误"),
    ],
)
def test_unknown_and_malformed_codes_get_a_clear_page(client, world, campaign, code, status, text):
    response = client.get(reverse("survey:answer", args=[code]))
    assert response.status_code == status
    assert text in response.content.decode()


def test_a_closed_campaign_accepts_nothing(client, world, campaign, code):
    services.campaign_close(actor=world.user("admin"), campaign=campaign)
    url = reverse("survey:answer", args=[code])
    assert "已于" in client.get(url).content.decode()
    response = client.post(url, form_data(campaign))
    assert response.status_code == 409
    assert factories.ballots(campaign) == []


def test_a_revoked_code_no_longer_works_after_a_reprint(client, world, campaign, code):
    services.codes_issue(actor=world.user("admin"), campaign=campaign, estate=world.estate_a1, reissue=True)
    assert client.get(reverse("survey:answer", args=[code])).status_code == 404


def test_an_owner_answers_for_their_own_unit_once(client, world, campaign):
    client.force_login(world.user("owner_a1"))
    mine = client.get(reverse("survey:mine")).content.decode()
    url = reverse("survey:answer_unit", args=[campaign.pk, world.unit_a1.pk])
    assert url in mine
    assert client.post(url, form_data(campaign, "5")).status_code == 302
    assert HouseholdSubmission.objects.filter(campaign=campaign, unit=world.unit_a1).exists()
    assert "已提交" in client.get(reverse("survey:mine")).content.decode()
    assert client.get(url).status_code == 409
    assert client.post(url, form_data(campaign, "1")).status_code == 409
    assert len(factories.ballots(campaign)) == 1


def test_an_owner_cannot_answer_for_a_neighbours_unit(client, world, campaign):
    client.force_login(world.user("owner_a1"))
    url = reverse("survey:answer_unit", args=[campaign.pk, world.unit_a1_other.pk])
    assert client.post(url, form_data(campaign)).status_code == 404
    assert factories.ballots(campaign) == []


def test_the_owners_answer_spends_the_letters_code(client, world, campaign, code):
    client.force_login(world.user("owner_a1"))
    client.post(reverse("survey:answer_unit", args=[campaign.pk, world.unit_a1.pk]), form_data(campaign))
    client.logout()
    assert client.get(reverse("survey:answer", args=[code])).status_code == 409


def test_a_resident_files_a_fault_against_a_bottom_company(client, world):
    from gongzhi.problems.models import Problem

    closed = factories.closed_and_recomputed(world)
    today = timezone.localdate()
    elimination = services.elimination_create(
        actor=world.user("admin"),
        basis_campaign=closed,
        name="末尾淘汰",
        fault_opens_on=today,
        fault_closes_on=today + dt.timedelta(days=5),
        bottom_n=1,
        final_m=1,
    )
    client.force_login(world.user("owner_a1"))
    assert (
        reverse("survey:fault", args=[elimination.pk]) in client.get(reverse("survey:mine")).content.decode()
    )
    url = reverse("survey:fault", args=[elimination.pk])
    page = client.get(url)
    category = page.context["form"].fields["category"].queryset.first()
    bad = client.post(url, {"company": world.estate_a1.pk, "category": category.pk, "description": "脏"})
    assert bad.status_code == 200 and Problem.objects.count() == 0
    response = client.post(
        url, {"company": world.estate_a1.pk, "category": category.pk, "description": "楼道垃圾三天没人清运"}
    )
    assert response.status_code == 302
    fault = FaultFinding.objects.get()
    assert fault.elimination == elimination and fault.company == world.company_x
    assert fault.problem.estate == world.estate_a1 and fault.problem.reporter == world.user("owner_a1")
