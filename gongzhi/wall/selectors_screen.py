"""Reads of the map, the big screen and the public wall: the kept status (through ``selectors.grid``), the
estates' geometry and the street's display links — a fixed number of queries whatever the number of
estates. No personal data ever reaches these pages: the kept rows hold counts and names of estates only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Max, OuterRef, QuerySet, Subquery
from django.urls import NoReverseMatch, reverse

from gongzhi.core.publicpages import street_changes
from gongzhi.registry.models import Estate, Street
from gongzhi.wall import indicators as ind
from gongzhi.wall import selectors
from gongzhi.wall.models import DisplayLink, EstateGeometry, EstateStatus, PublicWall

# The indicators the public may see: how the street's work is done in the open (problems closed on time,
# overdue problems the public board already shows, accounts disclosed on time). Not money alerts, not the
# ranking or elimination stage, not the committees' make-up, not the overall state (which sums them).
PUBLIC_INDICATORS = ("closure_on_time", "problems_overdue", "disclosure_overdue")

MAP_COLOURS = {ind.RED: "#c62828", ind.AMBER: "#e0a526", ind.GREEN: "#2e7d32", ind.NONE: "#9aa0a6"}


def map_features(blocks: list[selectors.Block], *, links: bool) -> tuple[dict[str, Any], int]:
    """The estates of ``blocks`` that have a place on the map as a FeatureCollection for ECharts'
    ``registerMap`` (polygons) and its scatter layer (points), each with its colour, icon, state word and
    value; and how many estates have no place yet (they stay on the grid). One query."""
    tiles = {t.estate_id: (t, b.name) for b in blocks for t in b.tiles}
    shapes = dict(
        EstateGeometry.objects.filter(estate_id__in=list(tiles)).values_list("estate_id", "geometry")
    )
    taken: set[str] = set()
    features = []
    for estate_id, (tile, area_name) in tiles.items():
        geometry = shapes.get(estate_id)
        if geometry is None:
            continue
        # ECharts names a region by its ``name``: two estates of one name (in two areas) must differ.
        name = tile.name if tile.name not in taken else f"{tile.name}（{area_name}）"
        taken.add(name)
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "name": name,
                    "estate_id": estate_id,
                    "area": area_name,
                    "colour": tile.colour,
                    "fill": MAP_COLOURS[tile.colour],
                    "icon": tile.icon,
                    "word": tile.colour_label,
                    "value": tile.value_text + (tile.unit if tile.value is not None else ""),
                    "url": reverse("wall:estate", args=[estate_id]) if links else "",
                },
                "geometry": geometry,
            }
        )
    return {"type": "FeatureCollection", "features": features}, len(tiles) - len(features)


@dataclass
class AreaRow:
    area_id: int
    name: str
    estates: int
    red: int
    amber: int
    green: int
    none: int
    worst: str

    @property
    def icon(self) -> str:
        return ind.COLOUR_ICON[self.worst]

    @property
    def word(self) -> str:
        return str(ind.COLOUR_LABEL[self.worst])


def area_rows(blocks: list[selectors.Block]) -> list[AreaRow]:
    """The area table of the big screen: per area the estates by colour, worst areas first."""
    order = {ind.RED: 0, ind.AMBER: 1, ind.NONE: 2, ind.GREEN: 3}
    rows = []
    for b in blocks:
        c = b.counts
        rows.append(
            AreaRow(
                b.area_id, b.name, len(b.tiles), c[ind.RED], c[ind.AMBER], c[ind.GREEN], c[ind.NONE], b.worst
            )
        )
    return sorted(rows, key=lambda r: (order[r.worst], -r.red, -r.amber, r.name))


def red_estates(blocks: list[selectors.Block], indicator: str) -> list[dict[str, Any]]:
    """Today's red estates for ``indicator`` with, for the overall state, the red indicators that make
    them so (from the kept detail). One query."""
    red = [(t, b.name) for b in blocks for t in b.tiles if t.colour == ind.RED]
    reasons: dict[int, list[str]] = {}
    if indicator == ind.OVERALL and red:
        for estate_id, detail in EstateStatus.objects.filter(
            estate_id__in=[t.estate_id for t, _a in red], indicator=ind.OVERALL
        ).values_list("estate_id", "detail"):
            reasons[estate_id] = [ind.label_of(k) for k in detail.get("red", []) if k in ind.REGISTRY]
    rows = [
        {
            "name": t.name,
            "area": area,
            "value": t.value_text,
            "unit": t.unit,
            "reasons": reasons.get(t.estate_id, []),
        }
        for t, area in red
    ]
    return sorted(rows, key=lambda r: (-len(r["reasons"]), r["area"], r["name"]))


def computed_at(estates: QuerySet):
    """When the kept status of these estates was last computed (one query)."""
    return EstateStatus.objects.filter(estate_id__in=estates.values("pk")).aggregate(at=Max("computed_at"))[
        "at"
    ]


def trends_url() -> str:
    """The trends page when the app has one (issue 13 builds it beside this), else ""."""
    try:
        return reverse("wall:trends")
    except NoReverseMatch:
        return ""


def street_estates(street_id: int) -> QuerySet:
    """Every estate of the street: what a display link and the public wall show (the link or the
    street's switch is the permission, not a user)."""
    return Estate.objects.filter(area__street_id=street_id)


def display_links(street_id: int) -> list[DisplayLink]:
    return list(
        DisplayLink.objects.filter(street_id=street_id).select_related("created_by").order_by("-created_at")
    )


def public_wall_enabled(street_id: int) -> bool:
    return PublicWall.objects.filter(street_id=street_id, enabled=True).exists()


def public_choice(raw: str | None) -> str:
    return raw if raw in PUBLIC_INDICATORS else PUBLIC_INDICATORS[0]


def public_choices() -> list[tuple[str, str]]:
    return [(key, ind.label_of(key)) for key in PUBLIC_INDICATORS]


def public_wall_mark(pk: int) -> tuple | None:
    """The public wall's change mark: the street's recent audit events (switching the wall, every write
    that changes the kept status) and the newest computation of its kept status (the nightly recompute is
    not audited); None when the street does not exist or has not turned the wall on (the view answers 404).
    One query."""
    newest = (
        EstateStatus.objects.filter(estate__area__street_id=OuterRef("pk"))
        .order_by("-computed_at")
        .values("computed_at")[:1]
    )
    row = (
        Street.objects.filter(pk=pk, pk__in=PublicWall.objects.filter(enabled=True).values("street_id"))
        .annotate(changes=street_changes("pk"), kept=Subquery(newest))
        .values_list("changes", "kept")
        .first()
    )
    return None if row is None else (int(row[0]), str(row[1]))
