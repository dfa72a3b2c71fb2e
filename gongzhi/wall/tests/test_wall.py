"""The kept aggregates on the demo street and the wall pages that read them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from gongzhi.registry.models import Area, Estate
from gongzhi.wall import indicators as ind
from gongzhi.wall.models import EstateStatus, StatusSnapshot, WallRule
from gongzhi.wall.services import status_check


def _login(client, street, role="demo_admin"):
    from gongzhi.core.models import User

    client.force_login(User.objects.get(username=role))


def test_demo_keeps_every_indicator_of_every_estate(demo):
    street = demo.street
    estates = Estate.objects.filter(area__street=street).count()
    kept = EstateStatus.objects.filter(estate__area__street=street)
    assert kept.count() == estates * len(ind.indicator_keys())
    assert status_check() == []


def test_demo_has_eighteen_months_of_snapshots(demo):
    months = (
        StatusSnapshot.objects.filter(estate__area__street=demo.street).values("month").distinct().count()
    )
    assert months == 19  # 18 past months and this one


def test_a_tampered_row_is_reported_and_the_command_fails(demo):
    row = EstateStatus.objects.filter(estate__area__street=demo.street, indicator="problems_open").first()
    row.value = (row.value or Decimal(0)) + 5
    row.save(update_fields=["value"])
    drift = status_check()
    assert len(drift) == 1
    assert row.estate.name in drift[0] and "重算为" in drift[0]
    with pytest.raises(CommandError, match="1 处不一致"):
        call_command("status", "--check")
    call_command("status", "--recompute")
    assert status_check() == []


def test_a_missing_row_is_reported(demo):
    EstateStatus.objects.filter(estate__area__street=demo.street, indicator="fee_collection").first().delete()
    drift = status_check()
    assert len(drift) == 1 and "缺少" in drift[0]


def test_wall_query_count_does_not_grow_with_the_estates(client, demo, django_assert_max_num_queries):
    _login(client, demo.street)
    area = Area.objects.filter(street=demo.street).order_by("pk").first()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as whole:
        response = client.get(reverse("wall:street") + "?i=fee_collection")
    assert response.status_code == 200
    with CaptureQueriesContext(connection) as one_area:
        assert client.get(reverse("wall:area", args=[area.pk]) + "?i=fee_collection").status_code == 200
    tiles = response.content.decode().count('class="wall-tile ')
    assert tiles == Estate.objects.filter(area__street=demo.street).count()
    assert len(whole) <= len(one_area) + 1  # the area page reads the area itself through the door
    with django_assert_max_num_queries(len(whole)):
        client.get(reverse("wall:street"))


def test_wall_tiles_carry_icon_and_word(client, demo):
    _login(client, demo.street)
    html = client.get(reverse("wall:street") + "?i=problems_overdue").content.decode()
    for colour in ("red", "amber", "green"):
        if f'wall-tile {colour}"' in html:
            assert f"{ind.COLOUR_ICON[colour]}</span>" in html
    assert "个小区有资金预警" in html


def test_the_htmx_chooser_swaps_only_the_grid(client, demo):
    _login(client, demo.street)
    response = client.get(reverse("wall:street") + "?i=party_share", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.startswith('<div id="wall-grid"') and "<html" not in html
    assert "党员比例" in html


def test_the_card_shows_each_indicator_with_its_evidence(client, demo):
    _login(client, demo.street)
    estate = Estate.objects.filter(area__street=demo.street).order_by("pk").first()
    html = client.get(reverse("wall:card", args=[estate.pk])).content.decode()
    assert html.count("查看依据") == len(ind.REGISTRY)
    assert f"/finance/{estate.pk}/" in html and f"/fees/{estate.pk}/" in html


def test_the_admin_sets_a_rule_and_the_estates_are_recoloured(
    client, demo, django_capture_on_commit_callbacks
):
    _login(client, demo.street)
    url = reverse("wall:rules")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"indicator": "fee_collection", "amber": "101", "red": "100"})
    assert response.status_code == 200 and "之间" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"indicator": "fee_collection", "amber": "100", "red": "99.9"})
    assert response.status_code == 302
    assert WallRule.objects.get(street=demo.street, indicator="fee_collection").red == Decimal("99.9")
    kept = EstateStatus.objects.filter(estate__area__street=demo.street, indicator="fee_collection")
    assert not kept.filter(colour="green", value__lt=100).exists()
    assert (
        kept.filter(colour="red").count()
        >= kept.exclude(colour="none").count() - kept.filter(value__gte=Decimal("99.9")).count()
    )
    assert status_check() == []
    from gongzhi.core.models import AuditEvent

    assert AuditEvent.objects.filter(object_type__icontains="wallrule").exists()
