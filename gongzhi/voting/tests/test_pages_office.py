"""The committee's pages for owners' decisions, through HTTP: drafting, publishing with the frozen
totals, live participation without the split, the door-to-door list, paper and proxy ballots, close,
results, the roll. Estate A1: units 101 (68.50 m², A1-1 = owner_a1), 201 (72.30, A1-2), 301 (55.00,
A1-3): 195.80 m², 3 owners."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gongzhi.voting import services
from gongzhi.voting.models import Ballot, Decision, DecisionStatus
from gongzhi.voting.tests.helpers import draft, published, voter_of


def form_data(**overrides):
    opens = timezone.localtime() + dt.timedelta(hours=1)
    data = {
        "title": "更换小区大门门禁系统",
        "matter": "8",
        "text": "使用公共收益更换大门门禁。",
        "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (opens + dt.timedelta(days=10)).strftime("%Y-%m-%dT%H:%M"),
        "objection_days": "7",
    }
    data.update(overrides)
    return data


def section(html: str, element_id: str) -> str:
    match = re.search(rf'<section class="panel" id="{element_id}">(.*?)</section>', html, re.S)
    return match.group(1) if match else ""


# ---- drafting ------------------------------------------------------------------------------------


def test_the_committee_drafts_a_decision(as_user, world):
    response = as_user("oc_a1").post(reverse("voting:create", args=[world.estate_a1.pk]), form_data())
    decision = Decision.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "voting:detail", args=[decision.pk]
    )
    assert (decision.title, decision.matter, decision.status) == (
        "更换小区大门门禁系统",
        8,
        DecisionStatus.DRAFT,
    )
    assert decision.estate == world.estate_a1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "请填写表决事项名称。"),
        ({"matter": "10"}, "事项类别必须是《民法典》第二百七十八条第一款所列的第（一）至（九）项。"),
        ({"text": " "}, "请填写表决事项全文。"),
        ({"closes_at": "2020-01-01T00:00"}, "投票截止时间必须晚于开始时间。"),
        ({"opens_at": "昨天"}, "投票开始时间格式不对。"),
        ({"objection_days": "0"}, "异议期天数应在 1 到 60 天之间。"),
    ],
)
def test_bad_draft_input_is_refused_in_chinese(as_user, world, overrides, message):
    response = as_user("oc_a1").post(
        reverse("voting:create", args=[world.estate_a1.pk]), form_data(**overrides)
    )
    assert response.status_code == 200 and message in response.content.decode()
    assert not Decision.objects.exists()


def test_a_building_of_another_estate_cannot_be_chosen(as_user, world):
    data = form_data(buildings=[world.building_b1.pk])
    response = as_user("oc_a1").post(reverse("voting:create", args=[world.estate_a1.pk]), data)
    assert "所选楼栋不在该小区。" in response.content.decode()
    assert not Decision.objects.exists()


def test_the_draft_lists_the_legal_matters(as_user, world):
    html = as_user("oc_a1").get(reverse("voting:create", args=[world.estate_a1.pk])).content.decode()
    assert (
        "(6) 筹集建筑物及其附属设施的维修资金" in html and "(9) 有关共有和共同管理权利的其他重大事项" in html
    )


def test_matter_labels_are_not_frozen_in_the_language_that_first_imported_the_form():
    # The server imports the forms on its first request; that request may be an English one.
    import importlib

    from django.utils import translation

    from gongzhi.registry.models import Building
    from gongzhi.voting import forms as voting_forms

    try:
        with translation.override("en"):
            module = importlib.reload(voting_forms)
        with translation.override("zh-hans"):
            labels = [
                label
                for _value, label in module.DecisionForm(buildings=Building.objects.none())
                .fields["matter"]
                .choices
            ]
        assert "(6) 筹集建筑物及其附属设施的维修资金" in labels
    finally:
        importlib.reload(voting_forms)


def test_a_draft_is_edited_but_a_published_decision_is_not(as_user, world):
    client = as_user("oc_a1")
    decision = draft(world)
    client.post(reverse("voting:edit", args=[decision.pk]), form_data(title="续聘星河物业三年"))
    decision.refresh_from_db()
    assert decision.title == "续聘星河物业三年"
    services.decision_publish(actor=world.user("oc_a1"), decision=decision, now=decision.opens_at)
    response = client.post(reverse("voting:edit", args=[decision.pk]), form_data(title="改名"), follow=True)
    assert "已发布的表决不能再修改。" in response.content.decode()
    decision.refresh_from_db()
    assert decision.title == "续聘星河物业三年"


def test_attachments_are_added_to_a_draft_and_bad_files_refused(as_user, world):
    client = as_user("oc_a1")
    decision = draft(world)
    url = reverse("voting:attachment_add", args=[decision.pk])
    pdf = SimpleUploadedFile("报价.pdf", b"%PDF-1.4\n%x\n", content_type="application/pdf")
    client.post(url, {"name": "报价单", "file": pdf})
    bad = SimpleUploadedFile("virus.pdf", b"MZ not a pdf", content_type="application/pdf")
    html = client.post(url, {"name": "坏文件", "file": bad}, follow=True).content.decode()
    assert "既不是 PDF，也不是可识别的照片" in html
    assert list(decision.attachments.values_list("name", flat=True)) == ["报价单"]
    attachment = decision.attachments.get()
    assert client.get(reverse("decide:attachment", args=[attachment.pk]))["Content-Type"] == "application/pdf"


# ---- publishing ------------------------------------------------------------------------------------


def test_the_publish_screen_shows_the_totals_and_thresholds_before_freezing(as_user, world):
    client = as_user("oc_a1")
    decision = draft(world, matter=6)
    html = client.get(reverse("voting:publish", args=[decision.pk])).content.decode()
    assert "195.80" in html and "业主 3 人" in html
    # 2/3 of 195.80 = 130.5333… → at least 130.54 m²; 2/3 of 3 owners = 2
    assert "专有面积至少 130.54 m²，且人数至少 2 人" in html
    assert "四分之三以上" in html  # matter (6)
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.DRAFT  # looking is not publishing
    response = client.post(reverse("voting:publish", args=[decision.pk]))
    decision.refresh_from_db()
    assert response.status_code == 302 and decision.status == DecisionStatus.PUBLISHED
    assert str(decision.total_area) == "195.80" and decision.total_owners == 3


def test_a_majority_matter_says_exactly_half_fails(as_user, world):
    html = as_user("oc_a1").get(reverse("voting:publish", args=[draft(world, matter=4).pk])).content.decode()
    assert "超过参与表决的二分之一（恰好一半不通过）" in html


def test_publishing_an_expired_window_is_refused(as_user, world):
    past = timezone.now() - dt.timedelta(days=10)
    decision = draft(world, opens_at=past, closes_at=past + dt.timedelta(days=1))
    html = as_user("oc_a1").post(reverse("voting:publish", args=[decision.pk]), follow=True).content.decode()
    assert "投票截止时间已过" in html
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.DRAFT


# ---- during the window ---------------------------------------------------------------------------


def test_live_participation_never_shows_the_split(as_user, world):
    decision = published(world)
    client = as_user("oc_a1")
    services.ballot_cast(actor=world.user("owner_a1"), decision=decision, choice="yes")
    first = section(
        client.get(reverse("voting:detail", args=[decision.pk])).content.decode(), "participation"
    )
    assert "68.50 / 195.80" in first and "1 / 3" in first
    services.ballot_cast(actor=world.user("owner_a1"), decision=decision, choice="no")
    html = client.get(reverse("voting:detail", args=[decision.pk])).content.decode()
    assert section(html, "participation") == first  # a changed vote changes nothing anyone else sees
    assert 'id="result"' not in html and "yes-no" not in html


def test_gaps_to_the_quorum_overall_and_by_building(as_user, world):
    decision = published(world)
    services.ballot_cast(actor=world.user("owner_a1"), decision=decision, choice="yes")
    html = section(
        as_user("secretary_a").get(reverse("voting:detail", args=[decision.pk])).content.decode(),
        "participation",
    )
    # 130.5333… needed, 68.50 in: 62.04 m² missing (rounded up), 1 owner missing
    assert "62.04" in html and ">1</td>" in html
    assert "1号" in html


def test_the_door_to_door_list_names_who_has_not_voted_masked_for_those_without_personal_data(as_user, world):
    decision = published(world)
    services.ballot_cast(actor=world.user("owner_a1"), decision=decision, choice="yes")
    url = reverse("voting:canvass", args=[decision.pk])
    committee = as_user("oc_a1").get(url).content.decode()
    assert "业主A12" in committee and "业主A13" in committee and "业主A11" not in committee
    assert "13800000002" in committee
    leader = as_user("leader").get(url).content.decode()
    assert "业主A12" not in leader and "业***" in leader and "138****0002" in leader
    assert "还有 2 位业主未投票" in leader


def paper(client, decision, **data):
    return client.post(
        reverse("voting:paper", args=[decision.pk]), {f"paper-{k}": v for k, v in data.items()}
    )


def test_a_paper_ballot_is_entered_with_its_collector(as_user, world):
    decision = published(world)
    voter = voter_of(decision, "A1-2")
    response = paper(as_user("oc_a1"), decision, voter=voter.pk, choice="no", collector_name="王建国")
    assert response.status_code == 302
    ballot = Ballot.objects.get(voter=voter)
    assert (ballot.channel, ballot.choice, ballot.collector_name) == ("paper", "no", "王建国")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"choice": "no", "collector_name": "王建国"}, "请选择业主。"),
        ({"choice": "maybe", "collector_name": "王建国"}, "表决意见只能是同意、反对或弃权。"),
        ({"choice": "no", "collector_name": ""}, "纸质表决票必须填写收票人。"),
    ],
)
def test_bad_paper_ballots_are_refused(as_user, world, data, message):
    decision = published(world)
    fields = dict(data)
    if message != "请选择业主。":
        fields["voter"] = voter_of(decision, "A1-2").pk
    response = paper(as_user("oc_a1"), decision, **fields)
    assert response.status_code == 400 and message in response.content.decode()
    assert not Ballot.objects.exists()


def test_an_owner_who_voted_online_cannot_get_a_paper_ballot(as_user, world):
    decision = published(world)
    services.ballot_cast(actor=world.user("owner_a1"), decision=decision, choice="yes")
    voter = voter_of(decision, "A1-1")
    response = paper(as_user("oc_a1"), decision, voter=voter.pk, choice="no", collector_name="王建国")
    assert "该业主已在线投票" in response.content.decode()
    assert Ballot.objects.get(voter=voter).choice == "yes"


def test_a_voter_of_another_decision_cannot_be_chosen(as_user, world):
    decision = published(world)
    other = published(world)
    response = paper(
        as_user("oc_a1"), decision, voter=voter_of(other, "A1-2").pk, choice="no", collector_name="王建国"
    )
    assert "所选业主不在本次表决的业主名册中。" in response.content.decode()
    assert not Ballot.objects.exists()


def test_a_proxy_ballot_needs_the_written_authorisation(as_user, world):
    decision = published(world)
    client = as_user("oc_a1")
    url = reverse("voting:proxy", args=[decision.pk])
    voter = voter_of(decision, "A1-3")
    base = {"proxy-voter": voter.pk, "proxy-choice": "abstain", "proxy-proxy_name": "赵受托"}
    response = client.post(url, base)
    assert (
        response.status_code == 400 and "委托投票必须上传业主签名的书面委托书。" in response.content.decode()
    )
    assert not Ballot.objects.exists()
    letter = SimpleUploadedFile("委托书.pdf", b"%PDF-1.4\n%signed\n", content_type="application/pdf")
    assert client.post(url, {**base, "proxy-authorisation": letter}).status_code == 302
    ballot = Ballot.objects.get(voter=voter)
    assert (ballot.channel, ballot.proxy_name) == ("proxy", "赵受托") and ballot.authorisation.name
    listed = section(client.get(reverse("voting:ballots", args=[decision.pk])).content.decode(), "entered")
    assert "赵受托" in listed and "委托投票" in listed and "弃权" not in listed  # never the choice
    document = client.get(reverse("voting:authorisation", args=[ballot.pk]))
    assert document["Content-Type"] == "application/pdf" and document.content.startswith(b"%PDF-")


def test_ballots_outside_the_window_are_refused(as_user, world):
    decision = published(world)
    voter = voter_of(decision, "A1-2")
    with time_machine.travel(decision.closes_at + dt.timedelta(minutes=1)):
        response = paper(as_user("oc_a1"), decision, voter=voter.pk, choice="no", collector_name="王建国")
    assert "投票已截止" in response.content.decode()
    assert not Ballot.objects.exists()


# ---- close, results, roll ------------------------------------------------------------------------


def test_close_before_the_end_is_refused(as_user, world):
    decision = published(world)
    html = as_user("oc_a1").post(reverse("voting:close", args=[decision.pk]), follow=True).content.decode()
    assert "未到，不能提前计票" in html
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.PUBLISHED


def test_close_shows_every_figure_then_preliminary_then_final(as_user, world):
    decision = published(world)
    services.ballot_cast(actor=world.user("owner_a1"), decision=decision, choice="yes")
    paper(as_user("oc_a1"), decision, voter=voter_of(decision, "A1-2").pk, choice="no", collector_name="王")
    with time_machine.travel(decision.closes_at + dt.timedelta(hours=1)):
        client = as_user("oc_a1")  # log in again: the session of a week ago has expired
        client.post(reverse("voting:close", args=[decision.pk]))
        html = client.get(reverse("voting:detail", args=[decision.pk])).content.decode()
        result = section(html, "result")
        # participation 140.80/195.80 (≥ 2/3) and 2/3 owners; yes 68.50 of 140.80: not more than half
        assert "140.80" in result and "68.50" in result and "72.30" in result
        assert "未通过：同意票未达到法定比例" in result
        bad = client.post(
            reverse("voting:preliminary", args=[decision.pk]), {"objection_days": "0"}, follow=True
        )
        assert "异议期天数应在 1 到 60 天之间。" in bad.content.decode()
        client.post(reverse("voting:preliminary", args=[decision.pk]), {"objection_days": "3"})
        decision.refresh_from_db()
        assert decision.status == DecisionStatus.PRELIMINARY
        early = client.post(reverse("voting:finalise", args=[decision.pk]), follow=True).content.decode()
        assert "结束前不能公布最终结果" in early
    with time_machine.travel(decision.closes_at + dt.timedelta(days=4)):
        as_user("oc_a1").post(reverse("voting:finalise", args=[decision.pk]))
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.FINAL and decision.passed is False


def test_the_roll_lists_who_voted_and_how_but_not_what(as_user, world):
    decision = published(world)
    services.ballot_cast(actor=world.user("owner_a1"), decision=decision, choice="yes")
    with time_machine.travel(decision.closes_at + dt.timedelta(minutes=5)):
        services.decision_close(actor=world.user("oc_a1"), decision=decision)
    response = as_user("oc_a1").get(reverse("voting:roll", args=[decision.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    flat = " ".join(str(c) for row in rows for c in row if c is not None)
    assert "业主A11" in flat and "网上投票" in flat and "未投票" in flat
    assert "同意" not in flat and "yes" not in flat


def test_the_roll_is_not_there_while_the_vote_is_open(as_user, world):
    decision = published(world)
    assert as_user("oc_a1").get(reverse("voting:roll", args=[decision.pk])).status_code == 403


# ---- the list ----------------------------------------------------------------------------------------


def test_the_list_shows_status_window_and_participation_in_a_bounded_number_of_queries(
    as_user, world, django_assert_max_num_queries
):
    client = as_user("oc_a1")
    decision = published(world)
    services.ballot_cast(actor=world.user("owner_a1"), decision=decision, choice="yes")
    draft(world)
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("voting:index"))
    for _ in range(6):
        services.ballot_cast(actor=world.user("owner_a1"), decision=published(world), choice="no")
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(reverse("voting:index")).content.decode()
    assert html.count("投票中") >= 7 and "草稿" in html and "34.98%" in html  # 68.50 / 195.80


def test_the_list_filters_by_estate_and_status(as_user, world):
    published(world)
    draft(world)
    client = as_user("admin")
    html = client.get(reverse("voting:index"), {"status": "draft"}).content.decode()
    assert html.count('href="/votes/') - html.count('href="/votes/estate') >= 1
    assert "已发布（表决中）</span>" not in html
    empty = client.get(reverse("voting:index"), {"estate": world.estate_b1.pk}).content.decode()
    assert "暂无表决事项" in empty


def test_the_street_admin_drafts_only_where_no_committee_sits(as_user, world):
    html = as_user("admin").get(reverse("voting:index")).content.decode()
    assert reverse("voting:create", args=[world.estate_b1.pk]) in html
    assert reverse("voting:create", args=[world.estate_a1.pk]) not in html
