"""The score recompute: aggregates in the database, statistics in rules.py, one bulk replace of the
campaign's ScoreSnapshot rows."""

from __future__ import annotations

import datetime as dt
import functools
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, models, transaction
from django.db.models import Avg, Count, ExpressionWrapper, FloatField, Q, Sum, prefetch_related_objects
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import audit_record
from gongzhi.core.bulk import insert_rows
from gongzhi.core.kept import facts_changed_many
from gongzhi.core.models import AuditEvent
from gongzhi.evaluation import permissions, rules
from gongzhi.evaluation.models import (
    BranchAssessment,
    Campaign,
    CampaignEstate,
    CampaignStatus,
    Inspection,
    InspectionItem,
    ScoreKind,
    ScoreSnapshot,
    SurveyAnswer,
    SurveyResponse,
)
from gongzhi.evaluation.services.common import EvaluationError, _require
from gongzhi.registry.models import Contract

THREE = Decimal("0.001")


def _d(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(repr(round(value, 3))).quantize(THREE)


@dataclass
class RecomputeResult:
    estates: int
    companies: int
    responses: int
    seconds: float
    prior: rules.Prior


def _period_bounds(campaign: Campaign):
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(campaign.period_start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(campaign.period_end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def gather_inputs(campaign: Campaign) -> dict:
    """Every input of one campaign's scores (``gather_inputs_many`` for one)."""
    return gather_inputs_many([campaign])[campaign.pk]


def gather_inputs_many(campaigns: Sequence[Campaign]) -> dict[int, dict]:
    """Every input of these campaigns' scores, aggregated in the database: one GROUP BY per kind of input for
    all the campaigns at once (by campaign and estate, and estate × item), not one per campaign — a district
    league recomputes every street's campaign in the same few statements. Problems and contracts, which know
    no campaign, are read once per distinct assessment period. {campaign id: inputs}."""
    from gongzhi.problems.models import Carriage, Problem, Status

    if connection.vendor == "postgresql" and connection.in_atomic_block:
        # One GROUP BY over all answers of a city: a hash table of ~40 MB instead of spilling to disk
        # at the default 4 MB, and no JIT compile (seconds) for a query that runs once. Transaction only.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '64MB'")
            cursor.execute("SET LOCAL jit = off")
    ids = [c.pk for c in campaigns]
    gathered: dict[int, dict] = {
        pk: {
            "households": {},
            "survey": {},
            "item_means": defaultdict(dict),
            "inspections": {},
            "standard_inspections": defaultdict(dict),
            "branch": {},
            "problems": {},
            "serving": defaultdict(list),
        }
        for pk in ids
    }
    members: dict[int, list[int]] = defaultdict(list)  # estate → the campaigns (of this batch) it is in
    for campaign_id, estate_id, households in CampaignEstate.objects.filter(
        campaign_id__any_of=ids
    ).values_list("campaign_id", "estate_id", "households"):
        gathered[campaign_id]["households"][estate_id] = households
        members[estate_id].append(campaign_id)
    as_float = Cast("score", FloatField())
    for row in (
        SurveyResponse.objects.filter(campaign_id__any_of=ids)
        .values("campaign_id", "estate_id")
        .annotate(
            n=Count("id"),
            s=Sum(as_float),
            ss=Sum(ExpressionWrapper(as_float * as_float, output_field=FloatField())),
        )
        .order_by()
    ):
        gathered[row["campaign_id"]]["survey"][row["estate_id"]] = rules.Aggregate(
            row["n"], row["s"] or 0.0, row["ss"] or 0.0
        )
    for campaign_id, estate_id, item_id, n, total in (
        SurveyAnswer.objects.filter(campaign_id__any_of=ids, score__isnull=False)
        .values("campaign_id", "estate_id", "item_id")
        .annotate(n=Count("id"), s=Sum("score"))
        .order_by()
        .values_list("campaign_id", "estate_id", "item_id", "n", "s")
    ):
        gathered[campaign_id]["item_means"][estate_id][item_id] = (n, total)
    for row in (
        Inspection.objects.filter(campaign_id__any_of=ids)
        .values("campaign_id", "estate_id")
        .annotate(avg=Avg(Cast("score", FloatField())), n=Count("id"))
        .order_by()
    ):
        gathered[row["campaign_id"]]["inspections"][row["estate_id"]] = (float(row["avg"]), row["n"])
    # The inspectors' points per four-services standard item (issue 14), summed over the estate's inspections.
    for row in (
        InspectionItem.objects.filter(inspection__campaign_id__any_of=ids)
        .exclude(standard_code="")
        .values("inspection__campaign_id", "inspection__estate_id", "standard_code")
        .annotate(given=Sum("score"), available=Sum("max_score"))
        .order_by()
    ):
        gathered[row["inspection__campaign_id"]]["standard_inspections"][row["inspection__estate_id"]][
            row["standard_code"]
        ] = (row["given"], row["available"])
    for campaign_id, estate_id, score in BranchAssessment.objects.filter(campaign_id__any_of=ids).values_list(
        "campaign_id", "estate_id", "score"
    ):
        gathered[campaign_id]["branch"][estate_id] = score
    by_period: dict[tuple[dt.date, dt.date], list[Campaign]] = defaultdict(list)
    for campaign in campaigns:
        by_period[(campaign.period_start, campaign.period_end)].append(campaign)
    for (_first, last), group in by_period.items():
        start, end = _period_bounds(group[0])
        in_group = {c.pk for c in group}
        in_campaigns = CampaignEstate.objects.filter(campaign_id__in=in_group).values("estate_id")
        for row in (
            # The company's record: problems assigned to the company carriage (not the committees').
            Problem.objects.filter(
                estate_id__in=in_campaigns,
                created_at__gte=start,
                created_at__lt=end,
                carriage=Carriage.COMPANY,
            )
            .exclude(status=Status.REJECTED)
            .values("estate_id")
            .annotate(
                total=Count("id"),
                bad=Count("id", filter=Q(overdue_since__isnull=False) | Q(reopen_count__gt=0)),
                overdue=Count("id", filter=Q(overdue_since__isnull=False)),
                reopened=Count("id", filter=Q(reopen_count__gt=0)),
            )
            .order_by()
        ):
            for campaign_id in members[row["estate_id"]]:
                if campaign_id in in_group:
                    gathered[campaign_id]["problems"][row["estate_id"]] = (
                        row["total"],
                        row["bad"],
                        row["overdue"],
                        row["reopened"],
                    )
        for company_id, estate_id in (
            Contract.objects.active(on=last)
            .filter(estate_id__in=in_campaigns)
            .values_list("company_id", "estate_id")
            .distinct()
            .order_by("company_id", "estate_id")
        ):
            for campaign_id in members[estate_id]:
                if campaign_id in in_group:
                    gathered[campaign_id]["serving"][company_id].append(estate_id)
    return gathered


def compute_scores(campaign: Campaign, inputs: dict, bottom_n: int = rules.DEFAULT_BOTTOM_N) -> dict:
    """Pure computation over the aggregates: estate and company rows for ScoreSnapshot. The only reads are
    the questionnaire's categories and items, and none when the caller prefetched them (campaigns_recompute
    does, for all its campaigns in two queries: per campaign they were 400 queries in a city's league)."""
    template = campaign.template
    prefetch_related_objects([template], "categories__items")  # a no-op when already prefetched
    categories = list(template.categories.all())
    structure = [(c.code, c.weight, [(i.pk, i.weight) for i in c.items.all()]) for c in categories]
    survey_items = {
        i.pk: (i.standard_code, i.weight) for c in categories for i in c.items.all() if i.standard_code
    }
    estate_ids = sorted(inputs["households"])
    empty = rules.Aggregate(0, 0.0, 0.0)
    aggregates = [inputs["survey"].get(e, empty) for e in estate_ids]
    prior = rules.estimate_prior(aggregates)
    surveys = rules.shrink_all(aggregates, prior)
    weights = campaign.component_weights
    estates: dict[int, dict] = {}
    for estate_id, aggregate, survey in zip(estate_ids, aggregates, surveys, strict=True):
        households = inputs["households"][estate_id]
        total, bad, overdue, reopened = inputs["problems"].get(estate_id, (0, 0, 0, 0))
        inspection = inputs["inspections"].get(estate_id)
        branch = inputs["branch"].get(estate_id)
        components = {
            "survey": survey.shrunk if prior.estates_used else None,
            "inspection": inspection[0] if inspection else None,
            "branch": float(branch) if branch is not None else None,
            "problems": rules.problem_score(total, bad),
        }
        composite = rules.combine(components, weights, survey.variance)
        category_means = {}
        means = inputs["item_means"].get(estate_id, {})
        for code, _cw, items in structure:
            weighted, weight_sum, answers = 0.0, 0.0, 0
            for item_id, item_weight in items:
                if item_id in means:
                    n, s = means[item_id]
                    weighted += float(item_weight) * (s / n - 1) * 100 / (template.scale_max - 1)
                    weight_sum += float(item_weight)
                    answers += n
            category_means[code] = {
                "mean": round(weighted / weight_sum, 3) if weight_sum else None,
                "answers": answers,
            }
        weight = rules.survey_weight(aggregate.n, prior.k)
        flags = rules.survey_flags(aggregate.n, households, weight) + [
            f"missing_{m}" for m in composite.missing
        ]
        estates[estate_id] = {
            "households": households,
            "n": aggregate.n,
            "survey_weight": weight,
            "rate": (aggregate.n / households) if households else None,
            "mean": survey.mean,
            "shrunk": survey.shrunk if prior.estates_used else None,
            "survey_low": survey.low,
            "survey_high": survey.high,
            "survey_variance": survey.variance,
            "components": components,
            "problems": {"total": total, "bad": bad, "overdue": overdue, "reopened": reopened},
            "inspections": inspection[1] if inspection else 0,
            "composite": composite,
            "category_means": category_means,
            "standard": rules.standard_item_scores(
                survey_items,
                means,
                template.scale_max,
                inputs.get("standard_inspections", {}).get(estate_id, {}),
            ),
            "flags": flags,
        }
    ranked = rules.rank_with_intervals(
        [
            (e, r["composite"].score, r["composite"].low, r["composite"].high, r["n"])
            for e, r in estates.items()
        ]
    )
    for entry in ranked:
        estates[entry.key]["ranked"] = entry
    companies: dict[int, dict] = {}
    for company_id, members in inputs["serving"].items():
        rows = [estates[e] for e in members if e in estates]
        if not rows:
            continue
        score, variance, low, high = rules.company_score(
            [(r["composite"].score, r["composite"].variance, r["households"]) for r in rows]
        )
        n = sum(r["n"] for r in rows)
        households = sum(r["households"] for r in rows)
        # The share of the company's survey score that is its own answers, weighted as its score is.
        weight = rules.company_survey_weight([(r["n"], r["households"]) for r in rows], prior.k)
        companies[company_id] = {
            "estates": sorted(members),
            "households": households,
            "n": n,
            "rate": n / households if households else None,
            "score": score,
            "variance": variance,
            "low": low,
            "high": high,
            "survey_mean": _weighted([(r["mean"], r["n"]) for r in rows if r["mean"] is not None]),
            "survey_shrunk": _weighted(
                [(r["shrunk"], r["households"] or 1) for r in rows if r["shrunk"] is not None]
            ),
            "components": {
                name: _weighted(
                    [
                        (r["components"][name], r["households"] or 1)
                        for r in rows
                        if r["components"][name] is not None
                    ]
                )
                for name in rules.COMPONENTS
            },
            "survey_weight": weight,
            "flags": rules.survey_flags(n, 0, weight),
        }
    ranked_companies = rules.rank_with_intervals(
        [(c, r["score"], r["low"], r["high"], r["n"]) for c, r in companies.items()]
    )
    classes = rules.classify([r.position for r in ranked_companies], bottom_n)
    median_households = rules.median([r["households"] for r in companies.values()])
    for entry, klass in zip(ranked_companies, classes, strict=True):
        companies[entry.key]["ranked"] = entry
        companies[entry.key]["class"] = klass
        companies[entry.key]["scale"] = rules.scale_band(
            companies[entry.key]["households"], median_households
        )
    return {
        "prior": prior,
        "estates": estates,
        "companies": companies,
        "median_households": median_households,
    }


def _weighted(pairs: Sequence[tuple[float, float]]) -> float | None:
    total = sum(w for _v, w in pairs)
    return sum(v * w for v, w in pairs) / total if total else None


def _prior_json(prior: rules.Prior, median_households: float, bottom_n: int) -> dict:
    return {
        "street_mean": round(prior.mean, 4),
        "within_var": round(prior.within_var, 4),
        "between_var": round(prior.between_var, 4),
        "k": round(prior.k, 4),
        "k_raw": None if prior.k_raw is None else round(prior.k_raw, 4),
        "estates_used": prior.estates_used,
        "note": prior.note,
        "k_min": rules.K_MIN,
        "k_max": rules.K_MAX,
        "z": round(rules.Z_95, 4),
        "median_households": median_households,
        "bottom_n": bottom_n,
    }


@functools.cache
def _snapshot_defaults() -> dict:
    # Read once: the defaults are immutable in use (the rows are only serialised, never changed).
    return {f.attname: f.get_default() for f in ScoreSnapshot._meta.concrete_fields if not f.primary_key}


def _snapshot_row(**values) -> dict:
    """One ScoreSnapshot row as the column values the insert sends (attribute names; the model's defaults
    for the rest): a city recompute makes ~20,000 of them, and a model instance each cost more than the
    statistics."""
    return {**_snapshot_defaults(), **values}


def _insert_snapshots(snapshots: list[dict]) -> None:
    """Insert the snapshot rows with a plain multi-row INSERT (COPY on PostgreSQL): ``bulk_create``'s
    per-field SQL compilation was most of a city recompute's time. Values are taken as they are (ints,
    Decimals, None); only the JSON columns go through their field's preparation."""
    fields = [f for f in ScoreSnapshot._meta.concrete_fields if not f.primary_key]
    json_fields = {f.attname: f for f in fields if isinstance(f, models.JSONField)}
    names = [f.attname for f in fields]
    rows = [
        tuple(
            json_fields[name].get_db_prep_save(s[name], connection) if name in json_fields else s[name]
            for name in names
        )
        for s in snapshots
    ]
    insert_rows(ScoreSnapshot._meta.db_table, [f.column for f in fields], rows)


def _snapshots_of(campaign: Campaign, result: dict) -> list[dict]:
    """The ScoreSnapshot rows of one campaign's computed scores (estates, then companies)."""
    snapshots = []
    # Rows are inserted in the one ranking order (rules.ranking_key), so pages that list by
    # ("rank", "pk") show a tie in the order the classes and the elimination cut use.
    by_position = sorted(result["estates"].items(), key=lambda item: item[1]["ranked"].position)
    for estate_id, r in by_position:
        c, ranked = r["composite"], r["ranked"]
        snapshots.append(
            _snapshot_row(
                campaign_id=campaign.pk,
                kind=ScoreKind.ESTATE,
                estate_id=estate_id,
                households=r["households"],
                estates_count=1,
                responses=r["n"],
                response_rate=None if r["rate"] is None else Decimal(repr(round(r["rate"], 4))),
                survey_mean=_d(r["mean"]),
                survey_shrunk=_d(r["shrunk"]),
                inspection_score=_d(r["components"]["inspection"]),
                branch_score=_d(r["components"]["branch"]),
                problem_score=_d(r["components"]["problems"]),
                composite=_d(c.score),
                low=_d(c.low),
                high=_d(c.high),
                rank=ranked.rank,
                rank_best=ranked.rank_best,
                rank_worst=ranked.rank_worst,
                category_means=r["category_means"],
                flags=r["flags"],
                detail={
                    "survey_low": round(r["survey_low"], 3),
                    "survey_high": round(r["survey_high"], 3),
                    "survey_variance": round(r["survey_variance"], 4),
                    "used_weights": {k: round(v, 4) for k, v in c.used_weights.items()},
                    "problems": r["problems"],
                    "inspections": r["inspections"],
                    "indistinct_from_rank": ranked.indistinct_from_rank,
                    "position": ranked.position,
                    "survey_weight": round(r["survey_weight"], 3),
                    "standard": r["standard"],
                },
            )
        )
    by_position = sorted(result["companies"].items(), key=lambda item: item[1]["ranked"].position)
    for company_id, r in by_position:
        ranked = r["ranked"]
        snapshots.append(
            _snapshot_row(
                campaign_id=campaign.pk,
                kind=ScoreKind.COMPANY,
                company_id=company_id,
                households=r["households"],
                estates_count=len(r["estates"]),
                responses=r["n"],
                response_rate=None if r["rate"] is None else Decimal(repr(round(r["rate"], 4))),
                survey_mean=_d(r["survey_mean"]),
                survey_shrunk=_d(r["survey_shrunk"]),
                inspection_score=_d(r["components"]["inspection"]),
                branch_score=_d(r["components"]["branch"]),
                problem_score=_d(r["components"]["problems"]),
                composite=_d(r["score"]),
                low=_d(r["low"]),
                high=_d(r["high"]),
                rank=ranked.rank,
                rank_best=ranked.rank_best,
                rank_worst=ranked.rank_worst,
                score_class=r["class"],
                flags=r["flags"],
                detail={
                    "estates": r["estates"],
                    "scale": r["scale"],
                    "variance": round(r["variance"], 4),
                    "indistinct_from_rank": ranked.indistinct_from_rank,
                    "position": ranked.position,
                    "survey_weight": round(r["survey_weight"], 3),
                },
            )
        )
    return snapshots


@transaction.atomic
def campaign_recompute(
    *, campaign: Campaign, actor=None, bottom_n: int = rules.DEFAULT_BOTTOM_N
) -> RecomputeResult:
    """Recompute every score of a campaign: aggregates from the database, the statistics in
    rules.py, and one bulk replace of the campaign's ScoreSnapshot rows. Safe to run twice.

    ``actor`` None = the system (the management command); a user must be the street admin."""
    return campaigns_recompute(campaigns=[campaign], actor=actor, bottom_n=bottom_n)[0]


@transaction.atomic
def campaigns_recompute(
    *, campaigns: Sequence[Campaign], actor=None, bottom_n: int = rules.DEFAULT_BOTTOM_N
) -> list[RecomputeResult]:
    """Recompute several campaigns in one pass — a district league, the nightly run over a city: the inputs
    of all of them in a few GROUP BYs (``gather_inputs_many``), each campaign's statistics on its own (a
    street's ranking stays the street's), one delete and one insert of all their snapshots, one wall refresh.
    The same scores as recomputing each alone; all or nothing. Results in the order given.

    ``actor`` None = the system; a user must be the street admin of every campaign's street."""
    started = time.perf_counter()
    ids = [c.pk for c in campaigns]
    locked = {
        c.pk: c
        for c in Campaign.objects.select_for_update()
        .select_related("template")
        .filter(pk__any_of=ids)
        .order_by("pk")  # one lock order for every caller: no deadlock between two runs
    }
    ordered = [locked[pk] for pk in ids]
    for campaign in ordered:
        if actor is not None:
            _require(permissions.is_street_admin(actor, campaign.street_id))
        if campaign.status == CampaignStatus.DRAFT:
            raise EvaluationError(
                _("测评活动“%(name)s”尚未开始，没有可计算的数据。") % {"name": campaign.name}
                if len(ordered) > 1
                else _("测评活动尚未开始，没有可计算的数据。")
            )
    inputs = gather_inputs_many(ordered)
    prefetch_related_objects([c.template for c in ordered], "categories__items")
    results = [(campaign, compute_scores(campaign, inputs[campaign.pk], bottom_n)) for campaign in ordered]
    snapshots = [row for campaign, result in results for row in _snapshots_of(campaign, result)]
    ScoreSnapshot.objects.filter(campaign_id__any_of=ids).delete()
    _insert_snapshots(snapshots)
    now = timezone.now()
    for campaign, result in results:
        campaign.statistics = _prior_json(result["prior"], result["median_households"], bottom_n)
        campaign.recomputed_at = now
    Campaign.objects.bulk_update(ordered, ["statistics", "recomputed_at"])
    facts_changed_many({e for _c, result in results for e in result["estates"]}, "evaluation")
    seconds = time.perf_counter() - started
    out = []
    for campaign, result in results:
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=campaign,
            street_id=campaign.street_id,
            changes={
                "recomputed": {"estates": len(result["estates"]), "companies": len(result["companies"])}
            },
        )
        out.append(
            RecomputeResult(
                estates=len(result["estates"]),
                companies=len(result["companies"]),
                responses=sum(r["n"] for r in result["estates"].values()),
                seconds=seconds,
                prior=result["prior"],
            )
        )
    return out
