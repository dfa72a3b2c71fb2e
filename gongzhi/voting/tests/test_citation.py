"""The vote pages cite the matter of Civil Code art. 278 para. 1 in the official form (core/legal.py)."""

from django.urls import reverse

from gongzhi.voting.tests.helpers import published


def test_the_vote_pages_cite_the_matter_in_the_official_form(client, as_user, world):
    decision = published(world, matter=4)
    citation = "《民法典》第二百七十八条第一款第（四）项：选聘和解聘物业服务企业或者其他管理人"
    office = as_user("oc_a1").get(reverse("voting:detail", args=[decision.pk])).content.decode()
    assert citation in office
    owner = as_user("owner_a1").get(reverse("voting:owner_decision", args=[decision.pk])).content.decode()
    assert citation in owner
    assert "民法典第二百七十八条第（" not in office + owner
