"""City-scale figures (issue 17 "City scale on PostgreSQL", issue 13 "Performance") on the synthetic city of
``gongzhi demo --city``, each beside a ceiling measured in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gongzhi_city .venv/bin/python bench/city_bench.py --scale 0.1
    … --reuse      measure the city already in that database (no generation)
    … --drop       drop the city at the end (the database itself stays; drop it with psql)

Prints: the generation time per stage; every office list page for the street admin of a city street (and,
when the district roles exist, for a district office reader) — server time (median of 5 in-process
requests through Django's test client: middleware, door, queries, template) and query count — beside
/healthz and a 50-row template page of the same process (bench/public_pages_urls.py); the wall; the
nightly full recompute of the wall's kept aggregates over every city estate; the street rankings'
recompute over all of the city's survey answers beside a plain GROUP BY over the same answers.
Not a test: figures for docs/SCALING.md ("城市规模实测") and the closing note.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "public_pages_settings")  # the site + /bench/rows50/
if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    sys.exit("city_bench needs PostgreSQL: set DATABASE_URL=postgres://…")

import django  # noqa: E402

django.setup()

import logging  # noqa: E402

# A district reader's 403s on the street-only pages are expected figures, not tracebacks to print.
logging.getLogger("django.request").setLevel(logging.ERROR)

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

RUNS = 5
OFFICE_PAGES = [
    "/",
    "/overview/",  # the landing page's figures, loaded after today's list
    "/registry/areas/",
    "/registry/estates/",
    "/registry/buildings/",
    "/registry/units/",
    "/registry/units/?q=302",
    "/registry/units/?page=100",
    "/registry/owners/",
    "/registry/companies/",
    "/registry/contracts/",
    "/registry/committees/",
    "/registry/branch-members/",
    "/problems/",
    "/problems/?overdue=yes",
    "/problems/stats/",
    "/finance/",
    "/finance/chain-check/",  # the street admin's check of every chain, loaded after the list
    "/finance/disclosures/",
    "/finance/alerts/",
    "/votes/",
    "/evaluation/",
    "/branch/",
    "/branch/meetings/",
    "/branch/patrols/",
    "/training/exams/",
    "/audit/",
    "/fees/",
    "/elections/",
    "/elections/terms/",
    "/inbox/",
    "/wall/",
]
GOAL_MS, GOAL_QUERIES = 300, 20


def timed(fn, runs: int = RUNS) -> float:
    timings = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - t0) * 1000)
    return statistics.median(timings)


def load() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()  # noqa: S607


def counting(queries: list[str]):
    """An execute wrapper that records every statement (CaptureQueriesContext read 0 after the recompute)."""

    def wrapper(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    return wrapper


def pages(client: Client, urls: list[str], ceiling_ms: float) -> list[tuple[str, int, float, int]]:
    rows = []
    print(f"{'url':34} {'status':>6} {'median ms':>10} {'× rows50':>9} {'queries':>8} {'goal':>5}")
    for url in urls:
        client.get(url)  # warm up
        queries: list[str] = []
        with connection.execute_wrapper(counting(queries)):
            response = client.get(url)
        status = response.status_code
        ms = timed(lambda url=url: client.get(url))
        ok = status == 200 and ms <= GOAL_MS and len(queries) <= GOAL_QUERIES
        mark = "ok" if ok else ("—" if status != 200 else "MISS")
        print(f"{url:34} {status:6d} {ms:10.1f} {ms / ceiling_ms:9.2f} {len(queries):8d} {mark:>5}")
        rows.append((url, status, ms, len(queries)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--drop", action="store_true")
    args = parser.parse_args()

    from gongzhi.core.models import Role, RoleGrant, User
    from gongzhi.demo.city import city_counts, city_create, city_drop, city_exists, city_streets
    from gongzhi.evaluation.models import Campaign
    from gongzhi.evaluation.services.recompute import campaign_recompute, campaigns_recompute
    from gongzhi.registry.models import Estate
    from gongzhi.wall.services import status_refresh

    print(f"load before: {load()}")
    call_command("migrate", verbosity=0)
    if not (args.reuse and city_exists()):
        if city_exists():
            city_drop()
        t0 = time.perf_counter()
        city_create(scale=args.scale, progress=lambda text: print("  " + text, flush=True))
        print(f"city generated at scale {args.scale} in {time.perf_counter() - t0:.1f} s")
    counts = city_counts()
    print("city: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    street_ids = list(city_streets().values_list("pk", flat=True))
    estate_ids = list(Estate.objects.filter(area__street_id__in=street_ids).values_list("pk", flat=True))

    # -- the wall's kept aggregates: the nightly full recompute over every city estate -------------------
    print(f"\nload: {load()}")
    t0 = time.perf_counter()
    rows = status_refresh(estate_ids=estate_ids)
    full = time.perf_counter() - t0
    per = full / len(estate_ids)
    print(
        f"wall full recompute: {rows:,} rows for {len(estate_ids):,} estates in {full:.1f} s "
        f"({per * 1000:.1f} ms per estate; 13,000 estates ≈ {per * 13000 / 60:.1f} min at this rate)"
    )

    # -- office pages for a city street admin, beside /healthz and the 50-row page ----------------------
    client = Client()
    client.force_login(User.objects.get(username="city_admin_001"))
    for _ in range(3):
        client.get("/healthz")
        client.get("/bench/rows50/")
    healthz = timed(lambda: client.get("/healthz"), runs=15)
    rows50 = timed(lambda: client.get("/bench/rows50/"), runs=15)
    print(f"\nload: {load()}")
    print(f"ceilings (same process): /healthz {healthz:.2f} ms, /bench/rows50/ {rows50:.2f} ms")
    print(f"\nstreet admin of {city_streets().order_by('pk').first()} (65 estates, ~25,000 units):")
    measured = pages(client, OFFICE_PAGES, rows50)

    district_role = getattr(Role, "DISTRICT_OFFICE", None)
    if district_role is not None and any(f.name == "district" for f in RoleGrant._meta.get_fields()):
        district = city_streets().order_by("pk").first().district
        reader, _ = User.objects.get_or_create(
            username="city_district_01", defaults={"display_name": "区房管局"}
        )
        RoleGrant.objects.get_or_create(user=reader, role=district_role, district=district)
        client.force_login(reader)
        streets = district.streets.count()
        print(f"\ndistrict office reader of {district} ({streets} streets):")
        measured += pages(client, [*OFFICE_PAGES, "/evaluation/district/"], rows50)
        RoleGrant.objects.filter(user=reader).delete()
        reader.delete()
    else:
        print("\n(no district roles in this tree: the district reader's pages are not measured)")
    misses = [m for m in measured if m[1] == 200 and (m[2] > GOAL_MS or m[3] > GOAL_QUERIES)]
    print(f"pages over {GOAL_MS} ms or {GOAL_QUERIES} queries: {len(misses)} of {len(measured)}")

    # -- the street rankings' aggregation over all the city's answers vs a plain GROUP BY -------------------
    campaigns = list(Campaign.objects.filter(street_id__in=street_ids))
    print(f"\nload: {load()}")

    def rankings() -> None:
        for campaign in campaigns:
            campaign_recompute(campaign=campaign)

    def plain() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")
            cursor.execute("SET work_mem = '64MB'")
            cursor.execute(
                "SELECT campaign_id, estate_id, item_id, count(*), sum(score) FROM evaluation_surveyanswer "
                "WHERE campaign_id = ANY(%s) AND score IS NOT NULL GROUP BY 1, 2, 3",
                [[c.pk for c in campaigns]],
            )
            cursor.fetchall()
            cursor.execute(
                "SELECT campaign_id, estate_id, count(*), sum(score::float8), sum(score::float8 * score::float8) "
                "FROM evaluation_surveyresponse WHERE campaign_id = ANY(%s) GROUP BY 1, 2",
                [[c.pk for c in campaigns]],
            )
            cursor.fetchall()
            cursor.execute("RESET jit")
            cursor.execute("RESET work_mem")

    def league() -> None:
        campaigns_recompute(campaigns=campaigns)

    plain()  # warm both up once (cold caches after the pages)
    rankings()
    group_by = timed(plain, runs=3) / 1000
    recompute = timed(rankings, runs=3) / 1000
    one_pass = timed(league, runs=3) / 1000
    print(
        f"street rankings: {len(campaigns)} campaign recomputes over {counts['survey_answers']:,} answers "
        f"in {recompute:.2f} s (median of 3); plain GROUP BY over the same answers {group_by:.2f} s; "
        f"ratio {recompute / group_by:.2f}"
    )
    print(
        f"  the same {len(campaigns)} campaigns in one pass (campaigns_recompute: the district league, the "
        f"nightly run) {one_pass:.2f} s; ratio {one_pass / group_by:.2f} (goal ≤ 2)"
    )
    from django.db import transaction

    from gongzhi.evaluation.services.recompute import gather_inputs

    def inputs() -> None:
        for campaign in campaigns:
            with transaction.atomic():
                gather_inputs(campaign)

    gathered = timed(inputs, runs=3) / 1000
    print(f"  of which gather_inputs (the aggregates in the database): {gathered:.2f} s")
    print(f"\nload after: {load()}")
    if args.drop:
        city_drop()
        print("city dropped")


if __name__ == "__main__":
    main()
