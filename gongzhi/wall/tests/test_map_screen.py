"""The offline map (geometry import/export), the big screen with its revocable display links, and the
street's public wall (docs/WALL.md). Known answers from the persona world and the demo street."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongzhi.core.models import AuditEvent
from gongzhi.registry.models import Estate
from gongzhi.wall import geometry as geo
from gongzhi.wall.models import DisplayLink, EstateGeometry, PublicWall
from gongzhi.wall.services import status_refresh
from gongzhi.wall.services_screen import (
    GUESS_LIMIT,
    GeometryImportError,
    display_link_create,
    display_link_open,
    display_link_revoke,
    geometry_import,
    public_wall_set,
)

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[121.5, 31.2], [121.503, 31.2], [121.503, 31.197], [121.5, 31.2]]],
}


def _collection(*features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}, ensure_ascii=False).encode()


def _feature(geometry, **properties) -> dict:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


# ---- pure rules -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("geometry", "fragment"),
    [
        ({"type": "Point", "coordinates": [121.5, 31.2]}, None),
        (SQUARE, None),
        ({"type": "MultiPolygon", "coordinates": [SQUARE["coordinates"]]}, None),
        ({"type": "LineString", "coordinates": [[0, 0], [1, 1]]}, "不支持“LineString”"),
        ({"type": "Point", "coordinates": [200, 31]}, "超出范围"),
        ({"type": "Point", "coordinates": [121.5, 95]}, "超出范围"),
        ({"type": "Point", "coordinates": ["121", 31]}, "应为数字"),
        ({"type": "Point", "coordinates": [float("nan"), 31]}, "应为数字"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}, "没有闭合"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]}, "至少要有 4 个坐标"),
        ({"type": "Polygon", "coordinates": []}, "没有坐标"),
        (None, "缺少 geometry"),
    ],
)
def test_geometry_rules(geometry, fragment):
    error = geo.geometry_error(geometry)
    if fragment is None:
        assert error is None
    else:
        assert error is not None and fragment in error


def test_an_outline_too_detailed_is_refused():
    ring = [[121.5 + i * 1e-6, 31.2] for i in range(geo.MAX_POSITIONS)] + [[121.5, 31.2]]
    assert "过于细密" in geo.geometry_error({"type": "Polygon", "coordinates": [ring]})


def test_a_file_that_is_not_a_feature_collection_is_refused():
    assert "FeatureCollection" in geo.read_collection(b'{"type": "Feature"}')[1]
    assert "UTF-8" in geo.read_collection(b"\xff\xfe not json")[1]
    assert "太大" in geo.read_collection(b" " * (geo.MAX_FILE_BYTES + 1))[1]
    assert "没有要素" in geo.read_collection(b'{"type": "FeatureCollection", "features": []}')[1]


def test_features_are_matched_by_id_then_by_unique_name():
    estates = [(1, "甲一小区"), (2, "甲二小区"), (3, "同名小区"), (4, "同名小区")]
    report = geo.match_features(
        [
            _feature(SQUARE, estate_id="2", name="随便写的"),
            _feature(SQUARE, name="甲一小区"),
            _feature(SQUARE, name="同名小区"),
            _feature(SQUARE, name="没有这个小区"),
            _feature(SQUARE, estate_id=99),
            _feature(SQUARE, estate_id=1),
        ],
        estates,
    )
    assert [p.estate_id for p in report.placed] == [2, 1]
    assert len(report.errors) == 4
    assert "2 个名为“同名小区”" in report.errors[0]
    assert "没有名为“没有这个小区”" in report.errors[1]
    assert "编号为 99" in report.errors[2]
    assert "与第 2 个要素是同一个小区（甲一小区）" in report.errors[3]


def test_the_demo_layout_is_valid_deterministic_and_separate():
    areas = [(f"第{a}居民区", [(a * 10 + i, f"小区{a}-{i}") for i in range(1 + a % 4)]) for a in range(32)]
    features = geo.demo_layout(areas, seed=7)
    assert features == geo.demo_layout(areas, seed=7)
    assert len(features) == sum(len(e) for _a, e in areas)
    assert all(geo.geometry_error(f["geometry"]) is None for f in features)
    kinds = {f["geometry"]["type"] for f in features}
    assert kinds == {"Polygon", "Point"}
    # No two outlines overlap: their bounding boxes are disjoint.
    boxes = []
    for f in features:
        if f["geometry"]["type"] == "Polygon":
            xs = [p[0] for p in f["geometry"]["coordinates"][0]]
            ys = [p[1] for p in f["geometry"]["coordinates"][0]]
            boxes.append((min(xs), max(xs), min(ys), max(ys)))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert a[1] <= b[0] or b[1] <= a[0] or a[3] <= b[2] or b[3] <= a[2]


def test_a_token_is_stored_as_its_hash():
    assert geo.token_hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert (
        geo.token_shape_ok("A" * 43) and not geo.token_shape_ok("A" * 42) and not geo.token_shape_ok("é" * 43)
    )


# ---- the import service ---------------------------------------------------------------------------------------


def test_import_places_estates_and_is_audited(world):
    raw = _collection(
        _feature(SQUARE, name="甲一小区"),
        _feature({"type": "Point", "coordinates": [121.51, 31.19]}, estate_id=world.estate_b1.pk),
    )
    report = geometry_import(actor=world.user("admin"), street=world.street, raw=raw)
    assert len(report.placed) == 2
    assert EstateGeometry.objects.get(estate=world.estate_a1).geometry == SQUARE
    assert EstateGeometry.objects.get(estate=world.estate_b1).geometry["type"] == "Point"
    event = AuditEvent.objects.filter(object_type="wall.EstateGeometry").get()
    assert event.action == AuditEvent.Action.IMPORT and event.street_id == world.street.pk
    assert event.changes == {"placed": 2, "new": 2, "replaced": 0}


def test_one_bad_feature_refuses_the_whole_file(world):
    geometry_import(
        actor=world.user("admin"), street=world.street, raw=_collection(_feature(SQUARE, name="甲一小区"))
    )
    moved = {"type": "Point", "coordinates": [121.6, 31.3]}
    raw = _collection(
        _feature(moved, name="甲一小区"),
        _feature(moved, name="另一街道的小区"),
        _feature({"type": "Point", "coordinates": [500, 0]}, name="甲二小区"),
    )
    with pytest.raises(GeometryImportError) as caught:
        geometry_import(actor=world.user("admin"), street=world.street, raw=raw)
    assert "2 个要素有问题" in caught.value.message
    assert len(caught.value.errors) == 2
    assert EstateGeometry.objects.get(estate=world.estate_a1).geometry == SQUARE  # nothing changed
    assert not EstateGeometry.objects.filter(estate=world.estate_a2).exists()
    assert AuditEvent.objects.filter(object_type="wall.EstateGeometry").count() == 1


def test_another_streets_estate_cannot_be_placed(world):
    other = Estate.objects.filter(area__street=world.other_street).first()
    raw = _collection(_feature(SQUARE, estate_id=other.pk))
    with pytest.raises(GeometryImportError):
        geometry_import(actor=world.user("admin"), street=world.street, raw=raw)
    with pytest.raises(PermissionDenied):
        geometry_import(actor=world.user("other_admin"), street=world.street, raw=_collection())


def test_export_reads_back_through_the_import(client, world):
    raw = _collection(_feature(SQUARE, name="甲一小区"), _feature(SQUARE, name="乙一小区"))
    geometry_import(actor=world.user("admin"), street=world.street, raw=raw)
    client.force_login(world.user("admin"))
    response = client.get(reverse("wall:geometry_export"))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    exported = json.loads(response.content)
    assert {f["properties"]["estate_id"] for f in exported["features"]} == {
        world.estate_a1.pk,
        world.estate_b1.pk,
    }
    EstateGeometry.objects.all().delete()
    upload = SimpleUploadedFile("street.geojson", response.content, content_type="application/geo+json")
    response = client.post(reverse("wall:geometry"), {"file": upload})
    assert response.status_code == 302
    assert EstateGeometry.objects.count() == 2


def test_the_import_page_lists_every_problem_in_chinese(client, world):
    client.force_login(world.user("admin"))
    raw = _collection(
        _feature(SQUARE, name="不存在的小区"),
        _feature({"type": "Point", "coordinates": [0]}, name="甲一小区"),
    )
    response = client.post(reverse("wall:geometry"), {"file": SimpleUploadedFile("x.geojson", raw)})
    page = response.content.decode()
    assert response.status_code == 200
    assert "文件未导入" in page and "不存在的小区" in page and "坐标应为两个数字" in page
    assert EstateGeometry.objects.count() == 0


# ---- the map respects the door ----------------------------------------------------------------------------------


def test_a_secretarys_map_shows_only_their_area(client, world):
    raw = _collection(
        *(_feature(SQUARE, estate_id=e.pk) for e in (world.estate_a1, world.estate_a2, world.estate_b1))
    )
    geometry_import(actor=world.user("admin"), street=world.street, raw=raw)
    status_refresh(estate_ids=[world.estate_a1.pk, world.estate_a2.pk, world.estate_b1.pk])
    client.force_login(world.user("secretary_a"))
    response = client.get(reverse("wall:map"))
    names = {f["properties"]["name"] for f in response.context["map_geojson"]["features"]}
    assert names == {"甲一小区", "甲二小区"}
    client.force_login(world.user("admin"))
    response = client.get(reverse("wall:map"))
    assert len(response.context["map_geojson"]["features"]) == 3
    assert response.context["unplaced"] == 0
    feature = response.context["map_geojson"]["features"][0]["properties"]
    assert feature["word"] in {"红", "黄", "绿", "无数据"} and feature["icon"] in {"▲", "●", "✓", "—"}


def test_estates_without_geometry_stay_in_the_list(client, world):
    geometry_import(
        actor=world.user("admin"), street=world.street, raw=_collection(_feature(SQUARE, name="甲一小区"))
    )
    client.force_login(world.user("admin"))
    response = client.get(reverse("wall:map"))
    assert response.context["placed"] == 1 and response.context["unplaced"] == 2
    page = response.content.decode()
    assert "甲二小区" in page and "乙一小区" in page and "2 个小区还没有位置" in page


def test_the_demo_street_has_a_place_for_every_estate(demo):
    estates = Estate.objects.filter(area__street=demo.street)
    placed = EstateGeometry.objects.filter(estate__in=estates)
    assert placed.count() == estates.count() > 0
    assert all(geo.geometry_error(g) is None for g in placed.values_list("geometry", flat=True))
    assert AuditEvent.objects.filter(object_type="wall.EstateGeometry", street_id=demo.street.pk).count() <= 1


# ---- display links ----------------------------------------------------------------------------------------------


def test_a_display_link_opens_the_street_read_only_until_revoked(client, world):
    status_refresh(estate_ids=list(Estate.objects.values_list("pk", flat=True)))
    everywhere = [_feature(SQUARE, estate_id=e.pk) for e in Estate.objects.filter(area__street=world.street)]
    geometry_import(actor=world.user("admin"), street=world.street, raw=_collection(*everywhere))
    link, token = display_link_create(actor=world.user("admin"), street=world.street, label="指挥室大屏")
    assert DisplayLink.objects.get().token_hash == geo.token_hash(token) != token
    assert AuditEvent.objects.filter(object_type="wall.DisplayLink", action="create").count() == 1
    url = reverse("wall:screen_display", args=[token])
    response = client.get(url)  # not logged in
    assert response.status_code == 200
    page = response.content.decode()
    assert "示例街道" in page and "甲居民区" in page and "乙居民区" in page
    names = {f["properties"]["name"] for f in response.context["map_geojson"]["features"]}
    assert names == {"甲一小区", "甲二小区", "乙一小区"}
    assert "另一街道" not in page
    assert "/wall/estate/" not in page and "/wall/rules/" not in page  # no cards, no edit links
    assert "private" in response["Cache-Control"]
    link.refresh_from_db()
    assert link.last_used_at is not None
    # htmx polling gets the body only
    assert (
        client.get(url, headers={"HX-Request": "true"}).content.decode().startswith('<div id="screen-body"')
    )
    display_link_revoke(actor=world.user("admin"), link=link)
    assert client.get(url).status_code == 404
    assert AuditEvent.objects.filter(object_type="wall.DisplayLink", action="update").count() == 1
    display_link_revoke(actor=world.user("admin"), link=link)  # twice: no second event
    assert AuditEvent.objects.filter(object_type="wall.DisplayLink", action="update").count() == 1


def test_the_admin_makes_sees_and_revokes_links_on_the_page(client, world):
    client.force_login(world.user("admin"))
    response = client.post(reverse("wall:display_links"), {"label": "  指挥室   大屏 "})
    assert response.status_code == 302
    page = client.get(reverse("wall:display_links")).content.decode()
    link = DisplayLink.objects.get()
    assert link.label == "指挥室 大屏"
    assert "/wall/screen/d/" in page  # shown once, on this answer
    page = client.get(reverse("wall:display_links")).content.decode()
    assert "指挥室 大屏" in page and "/wall/screen/d/" not in page and "未使用" in page
    assert client.post(reverse("wall:display_link_revoke", args=[link.pk])).status_code == 302
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert "已于" in client.get(reverse("wall:display_links")).content.decode()


def test_a_display_link_screen_shows_the_trends_of_its_street_only(client, world):
    """The cycling screen's trends panel over a display link: every indicator's series of the link's
    street (never another street's), read-only — no trends page link, no cards, no chooser."""
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from gongzhi.wall import indicators as ind
    from gongzhi.wall.models import StatusSnapshot
    from gongzhi.wall.services import months_back

    status_refresh(estate_ids=list(Estate.objects.values_list("pk", flat=True)))
    this_month, last_month = months_back(timezone.localdate(), 1)[::-1]
    ours = [world.estate_a1, world.estate_a2, world.estate_b1]
    for month, overdue in ((last_month, 5), (this_month, 2)):  # 3 estates: 15 last month, 6 now
        StatusSnapshot.objects.bulk_create(
            StatusSnapshot(
                month=month, estate=e, indicator="problems_overdue", value=Decimal(overdue), colour="amber"
            )
            for e in ours
        )
    # another street's estate with a huge number must not count
    StatusSnapshot.objects.create(
        month=this_month,
        estate=world.other_estate,
        indicator="problems_overdue",
        value=Decimal(90),
        colour="red",
    )
    _link, token = display_link_create(actor=world.user("admin"), street=world.street, label="大屏")
    response = client.get(reverse("wall:screen_display", args=[token]))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="panel-trends"' in page and 'data-panel="trends"' in page
    assert page.count('class="screen-trend"') == len(ind.indicator_keys())
    overdue = next(t for t, _chart in response.context["trends"] if t.key == "problems_overdue")
    assert overdue.latest.value == 6 and overdue.points[-2].value == 15
    assert overdue.month_change.tone == "better" and "好转" in page
    assert len(overdue.points) == 13 and overdue.points[0].month == this_month.replace(
        year=this_month.year - 1
    )
    assert "/wall/trends/" not in page and "/wall/estate/" not in page  # read-only
    assert isinstance(overdue.points[0].month, dt.date)


def test_a_display_link_needs_a_name(client, world):
    client.force_login(world.user("admin"))
    response = client.post(reverse("wall:display_links"), {"label": "   "})
    assert response.status_code == 200 and "请给链接起个名字" in response.content.decode()
    assert DisplayLink.objects.count() == 0


def test_another_streets_admin_cannot_revoke(client, world):
    link, _token = display_link_create(actor=world.user("admin"), street=world.street, label="大屏")
    client.force_login(world.user("other_admin"))
    assert client.post(reverse("wall:display_link_revoke", args=[link.pk])).status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None


def test_guessing_display_links_is_throttled(client, world):
    _link, token = display_link_create(actor=world.user("admin"), street=world.street, label="大屏")
    for i in range(GUESS_LIMIT):
        assert client.get(reverse("wall:screen_display", args=[f"{i:043d}"])).status_code == 404
    # Now even the right token is refused from this address for a while.
    assert client.get(reverse("wall:screen_display", args=[token])).status_code == 429
    assert display_link_open(token) is not None  # the link itself is fine


# ---- the public wall --------------------------------------------------------------------------------------------


def test_the_public_wall_is_off_until_the_street_turns_it_on(client, world):
    status_refresh(estate_ids=list(Estate.objects.values_list("pk", flat=True)))
    url = reverse("wall:public", args=[world.street.pk])
    assert client.get(url).status_code == 404
    client.force_login(world.user("admin"))
    assert client.post(reverse("wall:public_switch"), {"enabled": "1"}).status_code == 302
    assert PublicWall.objects.get(street=world.street).enabled
    assert AuditEvent.objects.filter(object_type="wall.PublicWall").count() == 1
    client.logout()
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "按期销项率" in page and "甲一小区" in page
    # No internal alerts, no health cards, no personal data, no cookie.
    for hidden in ("资金预警", "排名与淘汰", "综合状态", "/wall/estate/", "业主A1"):
        assert hidden not in page
    assert "Cookie" not in response.get("Vary", "") and not response.cookies
    assert "public" in response["Cache-Control"]
    assert client.get(url, headers={"If-None-Match": response["ETag"]}).status_code == 304
    # A public-safe indicator may be chosen; an internal one falls back to the first public one.
    assert "超期问题" in client.get(url + "?i=problems_overdue").content.decode()
    assert client.get(url + "?i=fund_health").context["indicator"] == "closure_on_time"
    # Off again: 404 at once (the switch is audited, so the cache's change mark moves).
    public_wall_set(actor=world.user("admin"), street=world.street, enabled=False)
    assert client.get(url).status_code == 404


# ---- the query count does not grow with the estates -------------------------------------------------------------


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_map_and_the_screen_read_a_fixed_number_of_queries(client, demo):
    """The whole street (76 estates, the admin) costs no more queries than one area (the secretary)."""
    from gongzhi.core.models import User

    admin = User.objects.get(username="demo_admin")
    client.force_login(admin)
    whole_map = _queries(client, reverse("wall:map"))
    whole_screen = _queries(client, reverse("wall:screen"))
    client.force_login(User.objects.get(username="demo_secretary"))
    area_map = _queries(client, reverse("wall:map"))
    area_screen = _queries(client, reverse("wall:screen"))
    assert whole_map <= area_map + 1 and whole_screen <= area_screen + 1
    _link, token = display_link_create(actor=admin, street=demo.street, label="大屏")
    client.logout()
    assert _queries(client, reverse("wall:screen_display", args=[token])) <= 9  # 8 + the trends' one
