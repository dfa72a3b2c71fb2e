"""Reads of the wall: only the kept tables (EstateStatus, StatusSnapshot, WallRule) and the registry's
names — never the raw problems, ledgers or answers — in a fixed number of queries whatever the number of
estates."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse

from gongzhi.core.ordering import name_key
from gongzhi.wall import indicators as ind
from gongzhi.wall.models import EstateStatus, WallRule


@dataclass
class Tile:
    estate_id: int
    name: str
    value: Decimal | None
    colour: str
    unit: str
    url: str = ""  # the estate's wall page, made once per grid (reversing per tile cost a third of the page)
    card_url: str = ""

    @property
    def icon(self) -> str:
        return ind.COLOUR_ICON[self.colour]

    @property
    def colour_label(self) -> str:
        return str(ind.COLOUR_LABEL[self.colour])

    @property
    def value_text(self) -> str:
        return ind.number_text(self.value)


@dataclass
class Block:
    area_id: int
    name: str
    tiles: list[Tile] = field(default_factory=list)
    url: str = ""

    @property
    def counts(self) -> dict[str, int]:
        result = {ind.RED: 0, ind.AMBER: 0, ind.GREEN: 0, ind.NONE: 0}
        for tile in self.tiles:
            result[tile.colour] += 1
        return result

    @property
    def worst(self) -> str:
        return ind.worst(t.colour for t in self.tiles)


def chosen_indicator(raw: str | None) -> str:
    return raw if raw in ind.indicator_keys() else ind.OVERALL


def indicator_choices() -> list[tuple[str, str]]:
    return [(key, ind.label_of(key)) for key in ind.indicator_keys()]


def unit_of(key: str) -> str:
    return "" if key == ind.OVERALL else str(ind.REGISTRY[key].unit)


_PK_MARK = 987654321  # a placeholder id: the URL pattern is reversed once and the id put in by replace


def url_maker(name: str):
    """``url_maker("wall:estate")(7)`` → "/wall/estate/7/": one ``reverse`` for a whole grid of tiles."""
    pattern = reverse(name, args=[_PK_MARK])
    mark = str(_PK_MARK)
    return lambda pk: pattern.replace(mark, str(int(pk)))


def grid(estates: QuerySet, indicator: str) -> list[Block]:
    """One block per area, one tile per estate, coloured by the kept status of ``indicator``; areas and
    estates in the order people read them (pinyin, 2号 before 10号). Two queries (the estates with their
    areas, the kept rows)."""
    rows = sorted(
        estates.order_by().values_list("pk", "name", "area_id", "area__name"),
        key=lambda r: (name_key(r[3]), r[2], name_key(r[1])),
    )
    kept = {
        estate_id: (value, colour)
        for estate_id, value, colour in EstateStatus.objects.filter(
            estate_id__in=[r[0] for r in rows], indicator=indicator
        ).values_list("estate_id", "value", "colour")
    }
    unit = unit_of(indicator)
    estate_url, card_url, area_url = url_maker("wall:estate"), url_maker("wall:card"), url_maker("wall:area")
    blocks: dict[int, Block] = {}
    for pk, name, area_id, area_name in rows:
        block = blocks.get(area_id)
        if block is None:
            block = blocks[area_id] = Block(area_id, area_name, url=area_url(area_id))
        value, colour = kept.get(pk, (None, ind.NONE))
        block.tiles.append(Tile(pk, name, value, colour, unit, url=estate_url(pk), card_url=card_url(pk)))
    return list(blocks.values())


def colour_counts(blocks: list[Block]) -> dict[str, int]:
    result = {ind.RED: 0, ind.AMBER: 0, ind.GREEN: 0, ind.NONE: 0}
    for block in blocks:
        for colour, n in block.counts.items():
            result[colour] += n
    return result


def _percent(part: int, whole: int) -> Decimal | None:
    return ind.share(part, whole)


def headline(estates: QuerySet) -> dict[str, Any]:
    """The figures at the top of the wall, from the kept rows: per-indicator aggregates, the committees'
    member counts and the street's party/cross targets (four queries)."""
    ids = estates.values("pk")
    street_id = estates.order_by().values_list("area__street_id", flat=True).first()
    per = {
        row["indicator"]: row
        for row in EstateStatus.objects.filter(estate_id__in=ids)
        .order_by()
        .values("indicator")
        .annotate(
            estates=Count("pk"),
            positive=Count("pk", filter=Q(value__gt=0)),
            total=Sum("value"),
            red=Count("pk", filter=Q(colour=ind.RED)),
            amber=Count("pk", filter=Q(colour=ind.AMBER)),
            green=Count("pk", filter=Q(colour=ind.GREEN)),
        )
    }
    members = party = cross = 0
    for detail in EstateStatus.objects.filter(estate_id__in=ids, indicator="party_share").values_list(
        "detail", flat=True
    ):
        if detail.get("has_committee"):
            members += detail["members"]
            party += detail["party"]
            cross += detail["cross"]
    targets = {key: ind.REGISTRY[key].default.amber for key in ("party_share", "cross_share")}
    if street_id is not None:
        for rule in WallRule.objects.filter(street_id=street_id, indicator__in=list(targets)):
            targets[rule.indicator] = rule.amber

    def row(key: str) -> dict[str, Any]:
        return per.get(key) or {"estates": 0, "positive": 0, "total": 0, "red": 0, "amber": 0, "green": 0}

    return {
        "estates": row(ind.OVERALL)["estates"],
        "fund": row("fund_health"),
        "overdue": row("problems_overdue"),
        "votes": row("votes_short"),
        "disclosure": row("disclosure_overdue"),
        "overall": row(ind.OVERALL),
        "party_share": _percent(party, members),
        "cross_share": _percent(cross, members),
        "party_target": targets["party_share"],
        "cross_target": targets["cross_share"],
        "members": members,
    }


@dataclass
class CardLine:
    key: str
    label: str
    explanation: str
    value: Decimal | None
    colour: str
    unit: str
    text: str
    evidence: str

    @property
    def icon(self) -> str:
        return ind.COLOUR_ICON[self.colour]

    @property
    def colour_label(self) -> str:
        return str(ind.COLOUR_LABEL[self.colour])

    @property
    def value_text(self) -> str:
        return ind.number_text(self.value)


def evidence_url(key: str, estate_id: int) -> str:
    name, with_id, query = ind.REGISTRY[key].evidence
    url = reverse(name, args=[estate_id]) if with_id else reverse(name)
    return url + query.format(estate=estate_id)


def card(estate_id: int) -> tuple[CardLine | None, list[CardLine], Any]:
    """The estate's health card: the overall line and one line per indicator with the number behind the
    colour and the link to the evidence. One query."""
    kept = {s.indicator: s for s in EstateStatus.objects.filter(estate_id=estate_id)}
    lines = []
    for key, spec in ind.REGISTRY.items():
        s = kept.get(key)
        text = spec.describe(s.detail) if s is not None else ""
        lines.append(
            CardLine(
                key=key,
                label=str(spec.label),
                explanation=str(spec.explanation),
                value=s.value if s else None,
                colour=s.colour if s else ind.NONE,
                unit=str(spec.unit),
                text=text,
                evidence=evidence_url(key, estate_id),
            )
        )
    o = kept.get(ind.OVERALL)
    overall = None
    if o is not None:
        overall = CardLine(
            key=ind.OVERALL,
            label=ind.label_of(ind.OVERALL),
            explanation=ind.explanation_of(ind.OVERALL),
            value=o.value,
            colour=o.colour,
            unit="",
            text=", ".join(ind.label_of(k) for k in o.detail.get("red", []) if k in ind.REGISTRY),
            evidence="",
        )
    computed_at = max((s.computed_at for s in kept.values()), default=None)
    return overall, lines, computed_at


def rule_rows(street_id: int | None) -> list[dict[str, Any]]:
    """Every indicator with its default thresholds and the street's own where set. One query."""
    own = {}
    if street_id is not None:
        own = {r.indicator: r for r in WallRule.objects.filter(street_id=street_id)}
    rows = []
    for key, spec in ind.REGISTRY.items():
        rule = own.get(key)
        bands = ind.Bands(rule.amber, rule.red) if rule else spec.default
        rows.append(
            {
                "key": key,
                "label": spec.label,
                "explanation": spec.explanation,
                "unit": spec.unit,
                "higher_is_worse": spec.higher_is_worse,
                "default": spec.default,
                "default_text": spec.thresholds_text(),
                "bands": bands,
                "text": spec.thresholds_text(bands),
                "own": rule is not None,
                "amber_input": format(bands.amber.normalize(), "f"),
                "red_input": format(bands.red.normalize(), "f"),
            }
        )
    return rows


def estates_by_colour(blocks: list[Block]) -> dict[str, list[Tile]]:
    result: dict[str, list[Tile]] = defaultdict(list)
    for block in blocks:
        for tile in block.tiles:
            result[tile.colour].append(tile)
    return result
