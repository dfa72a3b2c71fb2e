"""Time the full score recompute of an evaluation campaign (a benchmark, not a test).

    .venv/bin/python bench/evaluation_bench.py demo                       # demo street, SQLite (temp dir)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/evaluation_bench.py demo
    DATABASE_URL=postgres://… .venv/bin/python bench/evaluation_bench.py city --answers 10000000

``demo``: loads the demo street (76 estates, 28 companies, two survey rounds) on a fresh database
and times ``services.campaign_recompute`` for each round.

``city`` (PostgreSQL only): a synthetic city of ``--estates`` estates (default 13,000) in areas of
four, one company per ten estates, one closed campaign with ``--answers`` answers (default
10,000,000 = 500,000 responses × 20 items, sample sizes skewed so that some estates have very few),
one inspection and one branch assessment per estate and ten problems per estate in the period.
Responses and answers are generated inside PostgreSQL (``INSERT … SELECT generate_series``), the
rest with ``bulk_create``. Then it times, three times each: the database aggregation
(``gather_inputs``), the statistics in Python (``compute_scores``) and the whole recompute
(aggregation + statistics + replacing ~14,300 snapshot rows, in one transaction).

For PostgreSQL a scratch database ``<name>_evaluation_bench`` is created on the same server and
dropped afterwards (``--keep`` keeps it); the database named in DATABASE_URL is never touched.
Prints one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def _scratch(url: str, suffix: str) -> tuple[str, str, str]:
    parts = urlsplit(url)
    name = (parts.path.lstrip("/") or "gongzhi") + suffix
    admin = urlunsplit(parts._replace(path="/postgres"))
    return urlunsplit(parts._replace(path="/" + name)), admin, name


def _admin_sql(admin_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql)


def _setup(database_url: str | None, var_dir: str) -> None:
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ["GONGZHI_VAR_DIR"] = var_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _timed(fn, repeat: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def run_demo() -> dict:
    from django.db import connection
    from django.utils import timezone

    from gongzhi.demo import generator
    from gongzhi.evaluation import demo_data
    from gongzhi.evaluation.models import Campaign
    from gongzhi.evaluation.services import campaign_recompute
    from gongzhi.finance import demo_data as finance_demo
    from gongzhi.problems import demo_data as problems_demo

    # Only the evaluation demo rows on top of the street, its problems and ledgers (other apps' demo
    # data is irrelevant here).
    plugins = (problems_demo, finance_demo, demo_data)
    started = time.perf_counter()
    demo = generator.demo_street_ensure(today=timezone.localdate(), plugins=plugins)
    figures: dict = {"backend": connection.vendor, "street_load_s": round(time.perf_counter() - started, 2)}
    for campaign in Campaign.objects.filter(street=demo.street).order_by("period_end"):
        seconds, result = _timed(lambda c=campaign: campaign_recompute(campaign=c))
        figures[campaign.name] = {
            "estates": result.estates,
            "companies": result.companies,
            "responses": result.responses,
            "answers": campaign.responses.count() and _answers(campaign),
            "recompute_median_s": round(seconds, 3),
        }
    return figures


def _answers(campaign) -> int:
    from gongzhi.evaluation.models import SurveyAnswer

    return SurveyAnswer.objects.filter(campaign=campaign).count()


def run_city(estates: int, answers: int) -> dict:
    import datetime as dt
    from decimal import Decimal
    from random import Random

    from django.db import connection, transaction
    from django.utils import timezone

    from gongzhi.core.models import User
    from gongzhi.evaluation import demo_data
    from gongzhi.evaluation.models import (
        BranchAssessment,
        Campaign,
        CampaignEstate,
        CampaignStatus,
        Inspection,
        ScoreSnapshot,
        SurveyAnswer,
        SurveyResponse,
    )
    from gongzhi.evaluation.services import campaign_recompute, compute_scores, gather_inputs
    from gongzhi.problems.models import Category, Problem
    from gongzhi.registry import models as r

    if connection.vendor != "postgresql":
        raise SystemExit("city: PostgreSQL only (set DATABASE_URL=postgres://…)")
    rng = Random(13000)
    figures: dict = {
        "backend": "postgresql",
        "server_version": connection.cursor().connection.info.server_version,
    }
    today = timezone.localdate()
    build = time.perf_counter()
    with transaction.atomic():
        street = r.Street.objects.create(name="合成城市", district="基准测试")
        areas = r.Area.objects.bulk_create(
            r.Area(street=street, name=f"居民区{i:05d}") for i in range(estates // 4 + 1)
        )
        estate_rows = r.Estate.objects.bulk_create(
            (
                r.Estate(area=areas[i // 4], name=f"小区{i:05d}", build_year=1970 + i % 50)
                for i in range(estates)
            ),
            batch_size=5000,
        )
        companies = r.Company.objects.bulk_create(
            (r.Company(street=street, name=f"物业{i:05d}") for i in range(estates // 10 + 1)), batch_size=5000
        )
        r.Contract.objects.bulk_create(
            (
                r.Contract(
                    company=companies[i // 10],
                    estate=e,
                    start_date=today - dt.timedelta(days=900),
                    end_date=today + dt.timedelta(days=900),
                    fee_standard=Decimal("0.80"),
                )
                for i, e in enumerate(estate_rows)
            ),
            batch_size=5000,
        )
        created = timezone.now()
        template, structure = demo_data._template(street, created)
        campaign = Campaign.objects.create(
            street=street,
            template=template,
            name="合成城市年度测评",
            period_start=today - dt.timedelta(days=364),
            period_end=today,
            opens_on=today - dt.timedelta(days=20),
            closes_on=today,
            status=CampaignStatus.CLOSED,
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO evaluation_campaignestate (campaign_id, estate_id, households) "
                "SELECT %s, e.id, 150 + (e.id %% 700) FROM registry_estate e JOIN registry_area a ON a.id = e.area_id "
                "WHERE a.street_id = %s",
                [campaign.pk, street.pk],
            )
        evaluator = User.objects.create_user(username="bench_evaluator")
        Inspection.objects.bulk_create(
            (
                Inspection(
                    campaign=campaign,
                    estate=e,
                    evaluator=evaluator,
                    inspected_on=today,
                    score=Decimal(rng.randint(50, 100)),
                )
                for e in estate_rows
            ),
            batch_size=5000,
        )
        BranchAssessment.objects.bulk_create(
            (
                BranchAssessment(
                    campaign=campaign, estate=e, assessor=evaluator, score=Decimal(rng.randint(50, 100))
                )
                for e in estate_rows
            ),
            batch_size=5000,
        )
        category = Category.objects.create(street=street, code="cleaning", name="保洁")
        moment = timezone.now() - dt.timedelta(days=30)
        Problem.objects.bulk_create(
            (
                Problem(
                    number=f"B{i}-{j}",
                    estate=e,
                    category=category,
                    description="合成问题",
                    status="closed",
                    carriage="company",
                    company=companies[i // 10],
                    deadline=today,
                    created_at=moment,
                    overdue_since=today if rng.random() < 0.1 else None,
                    reopen_count=1 if rng.random() < 0.05 else 0,
                )
                for i, e in enumerate(estate_rows)
                for j in range(10)
            ),
            batch_size=5000,
        )
    figures["build_registry_s"] = round(time.perf_counter() - build, 1)
    items = len([i for _c, members in structure for i in members])
    responses = answers // items
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        # Skewed sample sizes: estate index = floor(E · u^1.6), so low indices get many responses
        # and high ones very few (a few get none at all).
        cursor.execute(
            """
            WITH est AS (
                SELECT estate_id, (row_number() OVER (ORDER BY estate_id) - 1)::int AS k
                FROM evaluation_campaignestate WHERE campaign_id = %(c)s
            ), draws AS (
                SELECT floor(%(e)s * power(random(), 1.6))::int AS k FROM generate_series(1, %(r)s)
            )
            INSERT INTO evaluation_surveyresponse (id, campaign_id, estate_id, score)
            SELECT gen_random_uuid(), %(c)s, est.estate_id,
                   round(least(100, greatest(0, 40 + (est.k %% 41) + (random() - 0.5) * 60))::numeric, 4)
            FROM draws JOIN est USING (k)
            """,
            {"c": campaign.pk, "e": estates, "r": responses},
        )
        figures["insert_responses_s"] = round(time.perf_counter() - started, 1)
        # Bulk load the usual way: drop the answer table's keys, indexes and foreign keys, insert,
        # then build them again (each foreign key is validated over all rows when it is re-added).
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'evaluation_surveyanswer'::regclass ORDER BY contype = 'f', conname"
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'evaluation_surveyanswer' "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint "
            "WHERE conrelid = 'evaluation_surveyanswer'::regclass)"
        )
        indexes = cursor.fetchall()
        for name, _definition in reversed(constraints):
            cursor.execute(f'ALTER TABLE evaluation_surveyanswer DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        started = time.perf_counter()
        cursor.execute(
            """
            INSERT INTO evaluation_surveyanswer (id, response_id, campaign_id, estate_id, category_id, item_id, score)
            SELECT gen_random_uuid(), r.id, r.campaign_id, r.estate_id, i.category_id, i.id,
                   greatest(1, least(5, round(1 + r.score / 25 + (random() - 0.5) * 2)))::smallint
            FROM evaluation_surveyresponse r
            CROSS JOIN (SELECT id, category_id FROM evaluation_surveyitem WHERE category_id = ANY(%(cats)s)) i
            WHERE r.campaign_id = %(c)s
            """,
            {"c": campaign.pk, "cats": [c.pk for c, _m in structure]},
        )
        figures["insert_answers_s"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE evaluation_surveyanswer ADD CONSTRAINT "{name}" {definition}')
        for _name, definition in indexes:
            cursor.execute(definition)
        figures["rebuild_answer_indexes_s"] = round(time.perf_counter() - started, 1)
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('evaluation_surveyanswer'))")
        figures["answer_table_size"] = cursor.fetchone()[0]
        cursor.execute("ANALYZE evaluation_surveyresponse")
        cursor.execute("ANALYZE evaluation_surveyanswer")
        cursor.execute("ANALYZE problems_problem")
    figures["estates"] = CampaignEstate.objects.filter(campaign=campaign).count()
    figures["companies"] = len(companies)
    figures["responses"] = SurveyResponse.objects.filter(campaign=campaign).count()
    figures["answers"] = SurveyAnswer.objects.filter(campaign=campaign).count()
    figures["problems"] = Problem.objects.filter(estate__area__street=street).count()
    gather_s, inputs = _timed(lambda: gather_inputs(campaign))
    compute_s, _result = _timed(lambda: compute_scores(campaign, inputs))
    full_s, result = _timed(lambda: campaign_recompute(campaign=campaign))
    figures.update(
        {
            "gather_inputs_median_s": round(gather_s, 2),
            "compute_scores_median_s": round(compute_s, 2),
            "full_recompute_median_s": round(full_s, 2),
            "snapshots": ScoreSnapshot.objects.filter(campaign=campaign).count(),
            "estates_without_responses": sum(1 for e in inputs["households"] if e not in inputs["survey"]),
            "k": round(result.prior.k, 3),
        }
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("mode", choices=["demo", "city"])
    parser.add_argument("--estates", type=int, default=13000)
    parser.add_argument("--answers", type=int, default=10_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the scratch PostgreSQL database")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    with tempfile.TemporaryDirectory() as var_dir:
        scratch = admin = name = None
        if url.startswith("postgres"):
            scratch, admin, name = _scratch(url, "_evaluation_bench")
            _admin_sql(admin, f'DROP DATABASE IF EXISTS "{name}"')
            _admin_sql(admin, f'CREATE DATABASE "{name}"')
        try:
            _setup(scratch, var_dir)
            figures = run_demo() if args.mode == "demo" else run_city(args.estates, args.answers)
        finally:
            if scratch and not args.keep:
                from django.db import connections

                connections.close_all()
                _admin_sql(admin, f'DROP DATABASE IF EXISTS "{name}"')
    print(json.dumps(figures, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
