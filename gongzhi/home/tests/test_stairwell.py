"""Facts about the stairwell notice (楼道公告): an A4 PDF per building with the estate, the building,
the dates in Chinese with the weekday and a QR code to the page's absolute address."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.pdf import pdf_text
from gongzhi.home.views.stairwell import building_label
from gongzhi.registry.models import Building
from gongzhi.voting.tests.matrix_cases import world_decisions

SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def _pages(content: bytes) -> int:
    return pdf_text(content).count("\f") or 1


@pytest.fixture
def decision(world):
    d = world_decisions(world)["open"]
    d.opens_at = dt.datetime(2026, 12, 6, 9, 0, tzinfo=SH)
    d.closes_at = dt.datetime(2026, 12, 20, 17, 0, tzinfo=SH)
    d.save(update_fields=["opens_at", "closes_at"])
    return d


def test_vote_notice_has_estate_building_chinese_dates_and_absolute_link(as_user, world, decision, settings):
    settings.GONGZHI_PUBLIC_BASE_URL = "https://gongzhi.example.cn"
    building = Building.objects.filter(estate=world.estate_a1).first()
    response = as_user("secretary_a").get(
        reverse("stairwell_vote", args=[decision.pk]), {"building": building.pk}
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert "表决公告" in text and decision.title in text
    assert world.estate_a1.name in text and building_label(building.number) in text and "号楼" in text
    assert "2026年12月6日 星期日" in text and "2026年12月20日 星期日" in text
    assert f"https://gongzhi.example.cn/decide/{decision.pk}/" in text
    assert _pages(response.content) == 1


def test_vote_notice_without_building_has_a_page_per_building(as_user, world, decision):
    response = as_user("oc_a1").get(reverse("stairwell_vote", args=[decision.pk]))
    buildings = Building.objects.filter(estate=world.estate_a1).count()
    assert buildings >= 1
    assert pdf_text(response.content).count("表决公告") == buildings


def test_a_building_of_another_estate_is_not_found(as_user, world, decision):
    other = Building.objects.exclude(estate=world.estate_a1).first()
    response = as_user("secretary_a").get(
        reverse("stairwell_vote", args=[decision.pk]), {"building": other.pk}
    )
    assert response.status_code == 404
    bad = as_user("secretary_a").get(reverse("stairwell_vote", args=[decision.pk]), {"building": "x²"})
    assert bad.status_code == 404


def test_disclosure_notice(as_user, world):
    response = as_user("oc_a1").get(reverse("stairwell_disclosure", args=[world.estate_a1.pk]))
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "公示通知" in text and "公示本已更新" in text and "更新日期" in text
    assert f"/disclosure/{world.estate_a1.pk}/" in text


def test_building_labels():
    assert building_label("12") == "12号楼"
    assert building_label("12号") == "12号楼"
    assert building_label("3幢") == "3幢"


# ---- a satisfaction survey and a fault-finding window (evaluation) -----------------------------------


@pytest.fixture
def evaluation_world(world):
    """Campaign C closed and recomputed (company X, serving A1 and B1, ranks last), campaign O open from
    2026-12-07 to 2026-12-21, and elimination E over C with its fault-finding window 2026-12-08…2026-12-18."""
    from gongzhi.evaluation import services
    from gongzhi.evaluation.tests import factories

    closed = factories.closed_and_recomputed(world)
    running = factories.open_campaign(world, name="2026年第四季度测评", template=closed.template)
    running.opens_on, running.closes_on = dt.date(2026, 12, 7), dt.date(2026, 12, 21)
    running.save(update_fields=["opens_on", "closes_on"])
    today = timezone.localdate()
    elimination = services.elimination_create(
        actor=world.user("admin"),
        basis_campaign=closed,
        name="末尾淘汰",
        fault_opens_on=today - dt.timedelta(days=1),
        fault_closes_on=today + dt.timedelta(days=10),
        bottom_n=1,
        final_m=1,
    )
    elimination.fault_opens_on, elimination.fault_closes_on = dt.date(2026, 12, 8), dt.date(2026, 12, 18)
    elimination.save(update_fields=["fault_opens_on", "fault_closes_on"])
    return {"closed": closed, "open": running, "elimination": elimination}


def test_survey_notice_has_the_campaign_the_window_in_chinese_and_the_survey_link(
    as_user, world, evaluation_world, settings
):
    settings.GONGZHI_PUBLIC_BASE_URL = "https://gongzhi.example.cn"
    campaign = evaluation_world["open"]
    building = Building.objects.filter(estate=world.estate_a1).first()
    response = as_user("secretary_a").get(
        reverse("stairwell_survey", args=[campaign.pk, world.estate_a1.pk]), {"building": building.pk}
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    text = pdf_text(response.content)
    squeezed = "".join(text.split())
    assert "测评公告" in text and "2026年第四季度测评" in squeezed and "满意度测评" in squeezed
    assert world.estate_a1.name in text and building_label(building.number) in text
    assert "2026年12月7日 星期一" in text and "2026年12月21日 星期一" in text
    assert "答卷开始" in text and "答卷截止" in text
    assert "https://gongzhi.example.cn/survey/" in text
    assert "示例街道办事处" in squeezed and "街道街道" not in squeezed  # the street is 示例街道
    assert _pages(response.content) == 1


def test_survey_notice_has_a_page_per_building_of_the_estate(as_user, world, evaluation_world):
    response = as_user("oc_a1").get(
        reverse("stairwell_survey", args=[evaluation_world["open"].pk, world.estate_a1.pk])
    )
    assert response.status_code == 200
    assert (
        pdf_text(response.content).count("测评公告")
        == Building.objects.filter(estate=world.estate_a1).count()
    )


def test_survey_notice_of_an_estate_outside_the_campaign_is_not_found(as_user, world, evaluation_world):
    from gongzhi.core.testing import _estate_with_units

    outside, _building, _units = _estate_with_units(world.area_a, "甲三小区", 1996, "A3", world.street)
    response = as_user("admin").get(
        reverse("stairwell_survey", args=[evaluation_world["open"].pk, outside.pk])
    )
    assert response.status_code == 404


def test_fault_notice_names_the_company_the_window_and_the_fault_form(
    as_user, world, evaluation_world, settings
):
    settings.GONGZHI_PUBLIC_BASE_URL = "https://gongzhi.example.cn"
    elimination = evaluation_world["elimination"]
    response = as_user("admin").get(reverse("stairwell_fault", args=[elimination.pk, world.estate_a1.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    squeezed = "".join(text.split())
    assert "问题征集" in text and "找茬" in squeezed and world.company_x.name in squeezed
    assert world.estate_a1.name in text
    assert "2026年12月8日 星期二" in text and "2026年12月18日 星期五" in text
    assert f"https://gongzhi.example.cn/survey/fault/{elimination.pk}/" in text
    assert (
        pdf_text(response.content).count("问题征集")
        >= Building.objects.filter(estate=world.estate_a1).count()
    )


def test_fault_notice_only_while_the_window_is_the_current_step(as_user, world, evaluation_world):
    from gongzhi.evaluation.models import EliminationStatus

    elimination = evaluation_world["elimination"]
    url = reverse("stairwell_fault", args=[elimination.pk, world.estate_a1.pk])
    assert as_user("admin").get(url).status_code == 200
    elimination.status = EliminationStatus.RECTIFICATION
    elimination.save(update_fields=["status"])
    assert as_user("admin").get(url).status_code == 404


def test_print_buttons_on_the_campaign_and_the_elimination_pages(as_user, world, evaluation_world):
    campaign, elimination = evaluation_world["open"], evaluation_world["elimination"]
    survey = reverse("stairwell_survey", args=[campaign.pk, world.estate_a1.pk])
    fault = reverse("stairwell_fault", args=[elimination.pk, world.estate_a1.pk])
    page = as_user("admin").get(reverse("evaluation:campaign", args=[campaign.pk])).content.decode()
    assert survey in page
    page = as_user("admin").get(reverse("evaluation:elimination", args=[elimination.pk])).content.decode()
    assert fault in page and "楼道公告" in page
    # leader reads both pages but posts no paper: no button (the URL answers 403, see the matrix).
    page = as_user("leader").get(reverse("evaluation:campaign", args=[campaign.pk])).content.decode()
    assert survey not in page
    page = as_user("leader").get(reverse("evaluation:elimination", args=[elimination.pk])).content.decode()
    assert fault not in page
    # a closed campaign has no notice to print
    closed = evaluation_world["closed"]
    page = as_user("admin").get(reverse("evaluation:campaign", args=[closed.pk])).content.decode()
    assert "stairwell/survey" not in page
