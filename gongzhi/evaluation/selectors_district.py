"""The district league table (区级排行): companies and streets of a district ranked together, from the
street campaigns of one district round, with the same machinery as a street's ranking
(``rules.company_score``, ``rules.rank_with_intervals``, ``rules.classify``). The street's own ranking
page stays the street's; this page only reads the scores each street computed.

A company is one profile across streets: its rows in different streets (each street registers the
companies serving it) are one company when they share the 统一社会信用代码, or — when a code is
blank — the same name (``company_key``).

Cost: the scores are aggregated in the database when each street recomputes (one row per estate and
per company and street, ``ScoreSnapshot``); the league reads those rows in a fixed number of queries
whatever the number of streets, and combines them with the rules. A company's district score is the
household-weighted mean of its estates across streets, which is exactly ``company_score`` over its
per-street rows (Σ H_s·x_s / ΣH_s with x_s = Σ h·x / H_s; the variances combine the same way).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from gongzhi.core.excel import ColumnSpec, SheetSpec
from gongzhi.core.scopes import visible
from gongzhi.evaluation import rules
from gongzhi.evaluation.models import DistrictCampaign, ScoreKind, ScoreSnapshot
from gongzhi.evaluation.selectors import CLASS_CHOICES, SCALE_LABELS
from gongzhi.registry.models import District

NAME_PREFIX = "name:"


def company_key(credit_code: str, name: str) -> str:
    """One company across streets: its credit code, or ``name:<name>`` when the code is blank."""
    code = (credit_code or "").strip().upper()
    return code if code else f"{NAME_PREFIX}{(name or '').strip()}"


def district_rounds(user, district: District) -> list[DistrictCampaign]:
    """The district's rounds the user reads, newest first."""
    return list(visible(user, DistrictCampaign).filter(district=district).order_by("-period_end", "-pk"))


def _member_rows(user, round_: DistrictCampaign) -> list[dict[str, Any]]:
    """Each street's company rows of the round (one query)."""
    return list(
        visible(user, ScoreSnapshot)
        .filter(campaign__district_link__district_campaign=round_, kind=ScoreKind.COMPANY)
        .values(
            "company_id",
            "company__name",
            "company__credit_code",
            "campaign_id",
            "campaign__street_id",
            "campaign__street__name",
            "composite",
            "low",
            "high",
            "households",
            "responses",
            "estates_count",
            "detail",
        )
        .order_by("pk")
    )


def _estate_rows(user, round_: DistrictCampaign, **filters) -> list[dict[str, Any]]:
    """Each street's estate rows of the round (one query)."""
    return list(
        visible(user, ScoreSnapshot)
        .filter(campaign__district_link__district_campaign=round_, kind=ScoreKind.ESTATE, **filters)
        .values(
            "pk",
            "estate_id",
            "estate__name",
            "estate__area__name",
            "campaign_id",
            "campaign__street_id",
            "campaign__street__name",
            "composite",
            "low",
            "high",
            "households",
            "responses",
            "rank",
            "detail",
        )
        .order_by("campaign__street__name", "rank", "pk")
    )


def _estate_variance(detail: dict) -> float:
    # The composite's variance as ``rules.combine`` made it: (the survey's share)² × the survey's variance.
    share = float((detail.get("used_weights") or {}).get("survey", 0.0))
    return share * share * float(detail.get("survey_variance") or 0.0)


def _bar(rows: list[dict], low_key: str = "low", high_key: str = "high", point_key: str = "score") -> None:
    """Positions (in %) of each row's interval and point on a shared axis, as the street's ranking draws."""
    if not rows:
        return
    axis_low = max(0.0, min(r[low_key] for r in rows) - 2)
    axis_high = min(100.0, max(r[high_key] for r in rows) + 2)
    span = (axis_high - axis_low) or 1.0

    def at(value: float) -> float:
        return round(100 * (float(value) - axis_low) / span, 1)

    for r in rows:
        r["bar"] = {
            "left": at(r[low_key]),
            "width": max(0.8, at(r[high_key]) - at(r[low_key])),
            "point": at(r[point_key]),
            "mean": None,
        }


def _ranked(groups: dict[str, list[tuple[float, float, int]]], evidence: dict[str, int]) -> dict[str, Any]:
    scored = {}
    for key, members in groups.items():
        score, variance, low, high = rules.company_score(members)
        scored[key] = (score, variance, low, high)
    ranked = rules.rank_with_intervals(
        [(key, s[0], s[2], s[3], evidence.get(key, 0)) for key, s in scored.items()]
    )
    return {"scored": scored, "ranked": ranked}


def league(user, round_: DistrictCampaign | None) -> dict[str, Any]:
    """Companies and streets of the round ranked, best first (three queries)."""
    if round_ is None:
        return {"companies": [], "streets": [], "campaigns": 0}
    members = _member_rows(user, round_)
    groups: dict[str, list[tuple[float, float, int]]] = defaultdict(list)
    info: dict[str, dict[str, Any]] = {}
    for m in members:
        key = company_key(m["company__credit_code"], m["company__name"])
        groups[key].append(
            (float(m["composite"]), float((m["detail"] or {}).get("variance") or 0.0), m["households"])
        )
        entry = info.setdefault(
            key,
            {
                "key": key,
                "name": m["company__name"],
                "credit_code": (m["company__credit_code"] or "").strip().upper(),
                "streets": set(),
                "estates": 0,
                "households": 0,
                "responses": 0,
            },
        )
        entry["streets"].add(m["campaign__street__name"])
        entry["estates"] += m["estates_count"]
        entry["households"] += m["households"]
        entry["responses"] += m["responses"]
    result = _ranked(groups, {k: v["responses"] for k, v in info.items()})
    ranked = result["ranked"]
    classes = rules.classify([r.position for r in ranked])
    median_households = rules.median([info[r.key]["households"] for r in ranked])
    companies = []
    shared: dict[int, int] = defaultdict(int)
    for r in ranked:
        shared[r.rank] += 1
    for r, klass in zip(ranked, classes, strict=True):
        entry = info[r.key]
        scale = rules.scale_band(entry["households"], median_households)
        companies.append(
            {
                **entry,
                "streets": sorted(entry["streets"]),
                "score": r.score,
                "low": r.low,
                "high": r.high,
                "rank": r.rank,
                "rank_best": r.rank_best,
                "rank_worst": r.rank_worst,
                "tie": shared[r.rank] > 1,
                "overlap": r.rank_best != r.rank_worst,
                "klass": klass,
                "klass_label": str(dict(CLASS_CHOICES).get(klass, "")),
                "scale_label": str(SCALE_LABELS.get(scale, "")),
            }
        )
    _bar(companies)

    # Streets: the household-weighted mean of their estates, with the same rules.
    estates = _estate_rows(user, round_)
    street_groups: dict[str, list[tuple[float, float, int]]] = defaultdict(list)
    street_info: dict[str, dict[str, Any]] = {}
    for e in estates:
        key = str(e["campaign__street_id"])
        street_groups[key].append(
            (float(e["composite"]), _estate_variance(e["detail"] or {}), e["households"])
        )
        s = street_info.setdefault(
            key,
            {
                "name": e["campaign__street__name"],
                "campaign_id": e["campaign_id"],
                "estates": 0,
                "households": 0,
                "responses": 0,
            },
        )
        s["estates"] += 1
        s["households"] += e["households"]
        s["responses"] += e["responses"]
    street_result = _ranked(street_groups, {k: v["responses"] for k, v in street_info.items()})
    shared_streets: dict[int, int] = defaultdict(int)
    for r in street_result["ranked"]:
        shared_streets[r.rank] += 1
    streets = [
        {
            **street_info[r.key],
            "score": r.score,
            "low": r.low,
            "high": r.high,
            "rank": r.rank,
            "rank_best": r.rank_best,
            "rank_worst": r.rank_worst,
            "tie": shared_streets[r.rank] > 1,
            "overlap": r.rank_best != r.rank_worst,
        }
        for r in street_result["ranked"]
    ]
    _bar(streets)
    return {"companies": companies, "streets": streets, "campaigns": len(street_info)}


def company_profile(user, round_: DistrictCampaign | None, key: str) -> dict[str, Any] | None:
    """One company across the district's streets: its rows in each street and its estates there with
    their scores (three queries), or None when the round has no such company."""
    if round_ is None:
        return None
    members = [
        m
        for m in _member_rows(user, round_)
        if company_key(m["company__credit_code"], m["company__name"]) == key
    ]
    if not members:
        return None
    estate_ids = sorted({e for m in members for e in (m["detail"] or {}).get("estates", [])})
    campaign_ids = {m["campaign_id"] for m in members}
    estates = [
        e for e in _estate_rows(user, round_, estate_id__in=estate_ids) if e["campaign_id"] in campaign_ids
    ]
    score, _variance, low, high = rules.company_score(
        [
            (float(m["composite"]), float((m["detail"] or {}).get("variance") or 0.0), m["households"])
            for m in members
        ]
    )
    for e in estates:
        e["score"] = float(e["composite"])
        e["low"] = float(e["low"])
        e["high"] = float(e["high"])
    _bar(estates)
    return {
        "key": key,
        "name": members[0]["company__name"],
        "credit_code": (members[0]["company__credit_code"] or "").strip().upper(),
        "score": score,
        "low": low,
        "high": high,
        "streets": [
            {
                "name": m["campaign__street__name"],
                "company_id": m["company_id"],
                "score": float(m["composite"]),
                "low": float(m["low"]),
                "high": float(m["high"]),
                "estates": m["estates_count"],
                "households": m["households"],
            }
            for m in sorted(members, key=lambda m: (m["campaign__street__name"], m["company_id"]))
        ],
        "estates": estates,
    }


def league_sheets(companies: Iterable[dict], streets: Iterable[dict]) -> list[SheetSpec]:
    """The league as an Excel workbook: companies, then streets."""
    company_columns = [
        ColumnSpec(_("名次"), number_format="0"),
        ColumnSpec(_("名次范围")),
        ColumnSpec(_("物业公司")),
        ColumnSpec(_("统一社会信用代码")),
        ColumnSpec(_("服务街道")),
        ColumnSpec(_("综合得分"), number_format="0.0"),
        ColumnSpec(_("区间下限"), number_format="0.0"),
        ColumnSpec(_("区间上限"), number_format="0.0"),
        ColumnSpec(_("服务小区数"), number_format="0"),
        ColumnSpec(_("户数"), number_format="0"),
        ColumnSpec(_("答卷数"), number_format="0"),
        ColumnSpec(_("规模")),
        ColumnSpec(_("分类")),
    ]
    street_columns = [
        ColumnSpec(_("名次"), number_format="0"),
        ColumnSpec(_("名次范围")),
        ColumnSpec(_("街道")),
        ColumnSpec(_("综合得分"), number_format="0.0"),
        ColumnSpec(_("区间下限"), number_format="0.0"),
        ColumnSpec(_("区间上限"), number_format="0.0"),
        ColumnSpec(_("参评小区数"), number_format="0"),
        ColumnSpec(_("户数"), number_format="0"),
        ColumnSpec(_("答卷数"), number_format="0"),
    ]

    def company_rows():
        for c in companies:
            yield [
                c["rank"],
                f"{c['rank_best']}–{c['rank_worst']}",
                c["name"],
                c["credit_code"],
                "、".join(c["streets"]),
                round(c["score"], 1),
                round(c["low"], 1),
                round(c["high"], 1),
                c["estates"],
                c["households"],
                c["responses"],
                c["scale_label"],
                c["klass_label"],
            ]

    def street_rows():
        for s in streets:
            yield [
                s["rank"],
                f"{s['rank_best']}–{s['rank_worst']}",
                s["name"],
                round(s["score"], 1),
                round(s["low"], 1),
                round(s["high"], 1),
                s["estates"],
                s["households"],
                s["responses"],
            ]

    return [
        SheetSpec(title=_("企业排名"), columns=company_columns, rows=company_rows()),
        SheetSpec(title=_("街道排名"), columns=street_columns, rows=street_rows()),
    ]
