"""Time the wall (挂图作战) on the full demo street (76 estates) beside the bare /healthz of the same server,
the extra cost per write of keeping the aggregates, and the full recompute.

    .venv/bin/python bench/wall_bench.py                  # a fresh SQLite file in a temp dir
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gongzhi_bench .venv/bin/python bench/wall_bench.py

Server time is measured in-process through Django's test client (the whole request: middleware, door,
queries, template), the median of 15 requests. Not a test: figures for the closing note.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
if not os.environ.get("DATABASE_URL"):
    os.environ["GONGZHI_VAR_DIR"] = tempfile.mkdtemp(prefix="gongzhi-bench-")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

RUNS = 15


def timed(fn, runs: int = RUNS) -> float:
    timings = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - t0) * 1000)
    return statistics.median(timings)


def main() -> None:
    from gongzhi.core.models import User
    from gongzhi.registry.models import Area, Estate
    from gongzhi.wall.facts import SOURCES
    from gongzhi.wall.services import status_check, status_refresh

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("demo", verbosity=0)
    estates = Estate.objects.count()
    print(
        f"demo street ready in {time.perf_counter() - started:.1f} s ({connection.vendor}, {estates} estates)"
    )

    client = Client()
    client.force_login(User.objects.get(username="demo_admin"))
    area = Area.objects.order_by("pk").first()
    estate = Estate.objects.order_by("pk").first()
    urls = [
        "/healthz",
        "/wall/",
        "/wall/?i=fee_collection",
        f"/wall/area/{area.pk}/",
        f"/wall/estate/{estate.pk}/",
        f"/wall/estate/{estate.pk}/card/",
    ]
    base = None
    print(f"{'url':34} {'median ms':>10} {'× healthz':>10} {'queries':>8} {'bytes':>8}")
    for url in urls:
        for _ in range(3):  # warm up
            client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        statements = len(
            queries
        )  # now: the captured list is read from the connection's log, which the next request empties
        assert response.status_code == 200, (url, response.status_code)
        ms = timed(lambda url=url: client.get(url))
        base = base or ms
        print(f"{url:34} {ms:10.2f} {ms / base:10.1f} {statements:8d} {len(response.content):8d}")

    print("\nkeeping: the refresh a write adds after its commit (one estate, one source)")
    for source in SOURCES:
        ms = timed(lambda source=source: status_refresh(estate_ids=[estate.pk], sources=[source]))
        print(f"  {source:12} {ms:8.2f} ms")
    one = timed(lambda: status_refresh(estate_ids=[estate.pk]), runs=5)
    print(f"  {'all sources':12} {one:8.2f} ms")

    t0 = time.perf_counter()
    rows = status_refresh()
    full = time.perf_counter() - t0
    print(
        f"\nfull recompute: {rows} rows for {estates} estates in {full:.2f} s ({full / estates * 1000:.1f} ms per estate)"
    )
    t0 = time.perf_counter()
    drift = status_check()
    print(f"status --check: {len(drift)} drifts in {time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    main()
