"""The pages of quality before price: an intent's page through its steps as the committee and the company
see them, the gate page with its evidence, the annual price-meeting rhythm and the A4 PDF."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.pdf import pdf_text
from gongzhi.fees.services import fee_intent_check_gate, fee_intent_submit
from gongzhi.fees.tests.gate_helpers import four_services_problem, gate_met, price_meeting
from gongzhi.fees.tests.test_intents import open_intent

pytestmark = pytest.mark.django_db


def page(client, world, user, url, **kw):
    client.force_login(world.user(user))
    response = client.get(url, **kw)
    assert response.status_code == 200
    return response.content.decode()


def test_the_gate_page_shows_each_condition_with_its_evidence(client, world):
    late = four_services_problem(world, deadline=timezone.localdate() - dt.timedelta(days=1))
    html = page(client, world, "oc_a1", reverse("fees:gate", args=[world.estate_a1.pk]))
    assert html.count("gate-item unmet") == 4  # nothing disclosed, no evaluation, no meeting, a late item
    assert reverse("problems:detail", args=[late.pk]) in html
    assert "质量门槛未满足" in html


def test_an_intent_page_offers_each_side_its_next_step(client, world):
    intent = open_intent(world)
    url = reverse("fees:intent", args=[intent.pk])
    html = page(client, world, "staff_x", url)
    assert "提交调价意向" in html and "1,879.68" in html and "年度成本合计" in html
    assert "提交调价意向" not in page(client, world, "oc_a1", url)  # the company's draft
    fee_intent_submit(actor=world.user("staff_x"), intent=intent)
    gate_met(world)
    fee_intent_check_gate(actor=world.user("staff_x"), intent=intent)
    price_meeting(world, day=timezone.localdate(), title="本年度议价会议")
    html = page(client, world, "oc_a1", url)
    assert "登记议价结果" in html and "本年度议价会议" in html
    assert "登记议价结果" not in page(client, world, "staff_x", url)


def test_the_committee_records_the_meeting_and_opens_the_vote_on_the_page(client, world):
    intent = open_intent(world)
    fee_intent_submit(actor=world.user("staff_x"), intent=intent)
    gate_met(world)
    fee_intent_check_gate(actor=world.user("staff_x"), intent=intent)
    meeting = price_meeting(world, day=timezone.localdate())
    client.force_login(world.user("oc_a1"))
    act = lambda step: reverse("fees:intent_act", args=[intent.pk, step])  # noqa: E731
    response = client.post(act("meeting"), {"meeting": str(meeting.pk), "outcome": "agreed"})
    assert response.status_code == 200 and "这个字段是必填项" in response.content.decode()
    response = client.post(
        act("meeting"),
        {
            "meeting": str(meeting.pk),
            "outcome": "agreed",
            "committee_position": "同意",
            "agreed_amount": "1.05",
        },
    )
    assert response.status_code == 302
    intent.refresh_from_db()
    assert str(intent.agreed_amount) == "1.0500"
    opens = timezone.localtime() + dt.timedelta(days=1)
    response = client.post(
        act("vote"),
        {
            "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (opens + dt.timedelta(days=14)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    intent.refresh_from_db()
    assert intent.status == "vote" and response.url == reverse("voting:detail", args=[intent.decision_id])


def test_the_list_and_the_rhythm_read_in_a_bounded_number_of_queries(
    client, world, django_assert_max_num_queries
):
    open_intent(world)
    price_meeting(world, day=timezone.localdate() - dt.timedelta(days=400))
    client.force_login(world.user("admin"))
    with django_assert_max_num_queries(20):
        html = client.get(reverse("fees:intents")).content.decode()
    assert "甲一小区" in html and "草稿" in html
    with django_assert_max_num_queries(20):
        html = client.get(reverse("fees:price_rhythm")).content.decode()
    assert "已召开 0 / 3 个小区" in html and "未召开" in html


def test_the_price_meeting_pdf_holds_the_cost_account_and_the_gate(client, world):
    intent = open_intent(world)
    client.force_login(world.user("oc_a1"))
    response = client.get(reverse("fees:intent_pdf", args=[intent.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "成本测算" in text and "质量门槛" in text and "1,879.68" in text and "未满足" in text
