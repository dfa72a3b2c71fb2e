"""Pure rules of the street's offline map (docs/WALL.md): what GeoJSON an estate's place may be, how an
imported FeatureCollection is read and matched to estates, the display-link token, and the demo street's
schematic layout. No ORM here: the services pass in the estates and write the result.

The map is the street's own drawing, not a survey: coordinates are longitude/latitude in WGS 84 as
GeoJSON (RFC 7946) writes them, checked only for sanity (inside −180…180 / −90…90, a ring closed and of
at least four positions) and size, so a mistaken file is refused with a reason instead of drawing nonsense.
"""

from __future__ import annotations

import hashlib
import json
import math
import string
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

GEOMETRY_TYPES = ("Polygon", "MultiPolygon", "Point")
MAX_FILE_BYTES = 2 * 1024 * 1024  # a street of a few hundred estates drawn in detail stays far below
MAX_POSITIONS = 2000  # per estate: an outline, not a cadastral survey
MAX_FEATURES = 5000
MATCH_PROPERTIES = ("estate_id", "name")  # the export writes both; the import matches by either


def _position_error(position: Any) -> str | None:
    if not isinstance(position, list) or len(position) not in (2, 3):
        return _("坐标应为两个数字：经度，纬度。")
    for number in position:
        if isinstance(number, bool) or not isinstance(number, int | float) or not math.isfinite(number):
            return _("坐标应为数字。")
    lon, lat = position[0], position[1]
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return _("坐标超出范围（经度 −180 至 180，纬度 −90 至 90）。")
    return None


def _ring_error(ring: Any) -> str | None:
    if not isinstance(ring, list) or len(ring) < 4:
        return _("多边形的每一圈至少要有 4 个坐标（首尾相同）。")
    for position in ring:
        error = _position_error(position)
        if error:
            return error
    if ring[0][:2] != ring[-1][:2]:
        return _("多边形没有闭合：第一个坐标和最后一个坐标应相同。")
    return None


def _polygon_error(rings: Any) -> tuple[str | None, int]:
    if not isinstance(rings, list) or not rings:
        return _("多边形没有坐标。"), 0
    count = 0
    for ring in rings:
        error = _ring_error(ring)
        if error:
            return error, 0
        count += len(ring)
    return None, count


def geometry_error(geometry: Any) -> str | None:
    """None when ``geometry`` is a GeoJSON Polygon, MultiPolygon or Point the map can draw; else why not,
    in plain Chinese."""
    if not isinstance(geometry, dict):
        return _("缺少 geometry（位置）。")
    kind = geometry.get("type")
    if kind not in GEOMETRY_TYPES:
        return _("位置类型应为 Polygon、MultiPolygon 或 Point，不支持“%(type)s”。") % {"type": str(kind)[:30]}
    coordinates = geometry.get("coordinates")
    if kind == "Point":
        return _position_error(coordinates)
    polygons = [coordinates] if kind == "Polygon" else coordinates
    if not isinstance(polygons, list) or not polygons:
        return _("多边形没有坐标。")
    total = 0
    for rings in polygons:
        error, count = _polygon_error(rings)
        if error:
            return error
        total += count
    if total > MAX_POSITIONS:
        return _("轮廓过于细密：最多 %(max)d 个坐标，这里有 %(n)d 个。") % {"max": MAX_POSITIONS, "n": total}
    return None


def clean_geometry(geometry: dict[str, Any]) -> dict[str, Any]:
    """Only ``type`` and ``coordinates`` are kept (no foreign members, no CRS)."""
    return {"type": geometry["type"], "coordinates": geometry["coordinates"]}


@dataclass
class Placed:
    estate_id: int
    geometry: dict[str, Any]


@dataclass
class ImportReport:
    """What an import found: the geometries to write, and every refused feature with its reason."""

    placed: list[Placed] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.placed)


def _feature_label(index: int, properties: dict[str, Any]) -> str:
    name = properties.get("name")
    if isinstance(name, str) and name.strip():
        return _("第 %(n)d 个要素（%(name)s）") % {"n": index, "name": name.strip()[:40]}
    return _("第 %(n)d 个要素") % {"n": index}


def read_collection(raw: bytes) -> tuple[list[Any] | None, str | None]:
    """The features of a GeoJSON FeatureCollection file, or None and why not."""
    if len(raw) > MAX_FILE_BYTES:
        return None, _("文件太大：最多 %(mb)d MB。") % {"mb": MAX_FILE_BYTES // (1024 * 1024)}
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None, _("文件不是 UTF-8 编码的 GeoJSON（JSON）文件。")
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        return None, _("文件应是 GeoJSON 的 FeatureCollection（要素集合）。")
    features = data.get("features")
    if not isinstance(features, list) or not features:
        return None, _("文件中没有要素（features 为空）。")
    if len(features) > MAX_FEATURES:
        return None, _("要素太多：最多 %(max)d 个。") % {"max": MAX_FEATURES}
    return features, None


def match_features(features: list[Any], estates: list[tuple[int, str]]) -> ImportReport:
    """Match each feature to one of ``estates`` ((id, name) of the street's estates) by its ``estate_id``
    property, else by its ``name`` (which must then be unique in the street), and validate its geometry.
    A feature that matches nothing, matches an estate a second time or has a bad geometry is reported."""
    by_id = {pk: name for pk, name in estates}
    by_name: dict[str, list[int]] = {}
    for pk, name in estates:
        by_name.setdefault(name, []).append(pk)
    report = ImportReport()
    seen: dict[int, int] = {}
    for index, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            report.errors.append(_("第 %(n)d 个要素：不是 GeoJSON Feature。") % {"n": index})
            continue
        raw_properties = feature.get("properties")
        properties: dict[str, Any] = raw_properties if isinstance(raw_properties, dict) else {}
        label = _feature_label(index, properties)
        estate_id = _match(properties, by_id, by_name)
        if isinstance(estate_id, str):
            report.errors.append(_("%(feature)s：%(reason)s") % {"feature": label, "reason": estate_id})
            continue
        error = geometry_error(feature.get("geometry"))
        if error:
            report.errors.append(_("%(feature)s：%(reason)s") % {"feature": label, "reason": error})
            continue
        if estate_id in seen:
            report.errors.append(
                _("%(feature)s：与第 %(first)d 个要素是同一个小区（%(name)s）。")
                % {"feature": label, "first": seen[estate_id], "name": by_id[estate_id]}
            )
            continue
        seen[estate_id] = index
        report.placed.append(Placed(estate_id, clean_geometry(feature["geometry"])))
    return report


def _match(properties: dict[str, Any], by_id: dict[int, str], by_name: dict[str, list[int]]) -> int | str:
    """The estate's id, or the reason (a str) why the feature matches none."""
    raw_id = properties.get("estate_id")
    if raw_id not in (None, ""):
        try:
            pk = int(str(raw_id).strip())
        except ValueError:
            return _("estate_id“%(id)s”不是数字。") % {"id": str(raw_id)[:20]}
        if pk not in by_id:
            return _("本街道没有编号为 %(id)d 的小区。") % {"id": pk}
        return pk
    name = properties.get("name")
    if not isinstance(name, str) or not name.strip():
        return _("没有 estate_id 或 name 属性，无法对应到小区。")
    found = by_name.get(name.strip(), [])
    if not found:
        return _("本街道没有名为“%(name)s”的小区。") % {"name": name.strip()[:40]}
    if len(found) > 1:
        return _("本街道有 %(n)d 个名为“%(name)s”的小区，请用 estate_id 区分。") % {
            "n": len(found),
            "name": name.strip()[:40],
        }
    return found[0]


def feature_collection(rows: list[tuple[int, str, str, dict[str, Any]]]) -> dict[str, Any]:
    """The export: (estate id, name, area name, geometry) → a FeatureCollection the import reads back."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"estate_id": pk, "name": name, "area": area},
                "geometry": geometry,
            }
            for pk, name, area, geometry in rows
        ],
    }


# ---- the display link's token ----------------------------------------------------------------------------------


def token_hash(token: str) -> str:
    """What is stored of a display link's token: its SHA-256 (the token itself carries 256 random bits,
    so a plain hash is enough — there is nothing to brute-force)."""
    return hashlib.sha256(token.encode()).hexdigest()


_TOKEN_ALPHABET = frozenset(string.ascii_letters + string.digits + "-_")


def token_shape_ok(token: str) -> bool:
    """A token as ``secrets.token_urlsafe(32)`` makes it: 43 URL-safe characters."""
    return len(token) == 43 and set(token) <= _TOKEN_ALPHABET


# ---- the demo street's schematic layout ------------------------------------------------------------------------

# A fictional town centre (the coordinates are a made-up spot; nothing here is surveyed).
DEMO_ORIGIN = (121.500, 31.200)
BLOCK_DEG = 0.0030  # one block of the street grid, about 300 m
ROAD_DEG = 0.0006  # the road between blocks


def demo_layout(areas: list[tuple[str, list[tuple[int, str]]]], seed: int) -> list[dict[str, Any]]:
    """Plausible FICTIONAL geometry for the demo street, deterministic in ``seed``: the areas as districts
    of a town grid (about 16:9, for the big screen), each area's estates as rectangular blocks along its
    side streets, every seventh estate only a centre point (a surveyed outline still missing).
    ``areas``: (area name, [(estate id, estate name)]). Returns the features of a FeatureCollection."""
    features: list[dict[str, Any]] = []
    columns = max((math.ceil(math.sqrt(len(estates))) for _name, estates in areas), default=1) or 1
    rows = max((math.ceil(len(estates) / columns) for _name, estates in areas), default=1) or 1
    step_x = columns * (BLOCK_DEG + ROAD_DEG) + 2 * ROAD_DEG
    step_y = rows * (BLOCK_DEG + ROAD_DEG) + 2 * ROAD_DEG
    per_row = _areas_per_row(len(areas), step_x, step_y)
    for area_index, (_area_name, estates) in enumerate(areas):
        area_row, area_col = divmod(area_index, per_row)
        x0 = DEMO_ORIGIN[0] + area_col * step_x
        y0 = DEMO_ORIGIN[1] - area_row * step_y
        for i, (pk, name) in enumerate(estates):
            r, c = divmod(i, columns)
            # A small, seeded irregularity so that the blocks look drawn, not stamped.
            jitter = (((seed * 31 + area_index * 17 + i * 7) % 9) - 4) * BLOCK_DEG / 40
            w = BLOCK_DEG * (0.78 + ((seed + i * 13 + area_index) % 4) * 0.06)
            h = BLOCK_DEG * (0.74 + ((seed + i * 5 + area_index * 3) % 4) * 0.06)
            left = x0 + ROAD_DEG + c * (BLOCK_DEG + ROAD_DEG) + jitter
            top = y0 - ROAD_DEG - r * (BLOCK_DEG + ROAD_DEG)
            geometry: dict[str, Any]
            if (area_index * 5 + i) % 7 == 6:
                geometry = {"type": "Point", "coordinates": [round(left + w / 2, 6), round(top - h / 2, 6)]}
            else:
                corners = [(left, top), (left + w, top + jitter / 2), (left + w, top - h), (left, top - h)]
                ring = [[round(x, 6), round(y, 6)] for x, y in corners]
                geometry = {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}
            features.append(
                {"type": "Feature", "properties": {"estate_id": pk, "name": name}, "geometry": geometry}
            )
    return features


def _areas_per_row(count: int, step_x: float, step_y: float) -> int:
    """How many areas side by side make the whole street closest to 16:9 on screen (a degree of longitude
    is drawn about 0.86 of a degree of latitude at this latitude)."""
    if count <= 1:
        return 1

    def misfit(per_row: int) -> float:
        width = per_row * step_x * 0.86
        height = math.ceil(count / per_row) * step_y
        return abs(math.log(width / height / (16 / 9)))

    return min(range(1, count + 1), key=misfit)
