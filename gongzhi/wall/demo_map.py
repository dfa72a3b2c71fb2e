"""The demo street's map: plausible FICTIONAL geometry for every estate (``geometry.demo_layout``, a
schematic town grid, deterministic in the seed), written through the same import service a street admin
uses, so the demo proves the import path too."""

from __future__ import annotations

import json

from gongzhi.core.models import Role
from gongzhi.core.scopes import holders_of
from gongzhi.registry.models import Area, Estate
from gongzhi.wall import geometry as geo
from gongzhi.wall.models import DisplayLink, EstateGeometry, PublicWall
from gongzhi.wall.services_screen import geometry_import


def demo_map_create(*, street, seed: int, users) -> int:
    admin = users.get("demo_admin") or holders_of(Role.STREET_ADMIN, street=street).order_by("pk").first()
    if admin is None:
        return 0
    estates: dict[int, list[tuple[int, str]]] = {}
    for pk, name, area_id in (
        Estate.objects.filter(area__street=street)
        .order_by("area__name", "name", "pk")
        .values_list("pk", "name", "area_id")
    ):
        estates.setdefault(area_id, []).append((pk, name))
    areas = [
        (name, estates[pk])
        for pk, name in Area.objects.filter(street=street).order_by("name", "pk").values_list("pk", "name")
        if pk in estates
    ]
    if not areas:
        return 0
    features = geo.demo_layout(areas, seed)
    raw = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode()
    return len(geometry_import(actor=admin, street=street, raw=raw).placed)


def demo_map_delete(*, street) -> dict[str, int]:
    shapes, _ = EstateGeometry.objects.filter(estate__area__street=street).delete()
    links, _ = DisplayLink.objects.filter(street=street).delete()
    public, _ = PublicWall.objects.filter(street=street).delete()
    return {"wall_geometry": shapes, "wall_display_links": links, "wall_public": public}
