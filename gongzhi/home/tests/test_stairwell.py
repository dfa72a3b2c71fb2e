"""Facts about the stairwell notice (楼道公告): an A4 PDF per building with the estate, the building,
the dates in Chinese with the weekday and a QR code to the page's absolute address."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse

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
