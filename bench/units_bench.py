"""The registry's units page and export on the full demo street (≈36k units), against a ceiling.

    .venv/bin/python bench/units_bench.py                  # a fresh SQLite file in a temp dir
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gongzhi_bench .venv/bin/python bench/units_bench.py

The ceiling is a plain 50-row page of the same server (bench/public_pages_urls.py ``/bench/rows50/``:
50 estates read by the ORM and rendered on base.html), timed in the same run and process. For each URL
it prints the median server time of N requests (in-process test client: no network), its SQL queries
and its ratio to the ceiling (ceiling time ÷ page time: 1.0 = as fast as the plain page). The export is
also given in rows per second. Not a test: figures for docs/SCALING.md and the closing notes.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))  # public_pages_urls
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
if not os.environ.get("DATABASE_URL"):
    os.environ["GONGZHI_VAR_DIR"] = tempfile.mkdtemp(prefix="gongzhi-bench-")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

CEILING = "/bench/rows50/"
URLS = [
    "/registry/units/",
    "/registry/units/?page=300",
    "/registry/units/?o=-area",
    "/registry/owners/",
    "/registry/buildings/",
    "/registry/estates/",
]
EXPORTS = ["/registry/units/export.xlsx", "/registry/units/export.xlsx?format=import"]


def timed(client: Client, url: str, runs: int) -> tuple[float, int, int]:
    """Median milliseconds, queries of the last run, bytes of the last run."""
    timings = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            t0 = time.perf_counter()
            response = client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            timings.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(timings), len(queries), len(body)


def main() -> None:
    runs = int(os.environ.get("BENCH_RUNS", "9"))
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("demo", verbosity=0)
    print(f"demo street ready in {time.perf_counter() - started:.1f} s ({connection.vendor})")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum does soon after a bulk load: plans from real counts
    from gongzhi.core.models import User
    from gongzhi.registry.models import Unit

    units = Unit.objects.count()
    client = Client()
    client.force_login(User.objects.get(username="demo_admin"))
    with override_settings(ROOT_URLCONF="public_pages_urls"):
        for _ in range(3):  # warm: templates, translations, the scope's first computation
            client.get(CEILING)
            client.get(URLS[0])
        ceiling_ms, ceiling_q, _bytes = timed(client, CEILING, runs)
        print(f"{'url':45} {'median ms':>10} {'queries':>8} {'bytes':>10} {'ratio':>7}")
        print(f"{CEILING + ' (ceiling)':45} {ceiling_ms:10.1f} {ceiling_q:8d} {_bytes:10d} {1:7.2f}")
        for url in URLS:
            ms, queries, size = timed(client, url, runs)
            print(f"{url:45} {ms:10.1f} {queries:8d} {size:10d} {ceiling_ms / ms:7.2f}")
        for url in EXPORTS:
            ms, queries, size = timed(client, url, 3)
            print(
                f"{url:45} {ms:10.1f} {queries:8d} {size:10d} {ceiling_ms / ms:7.3f}"
                f"   {units / ms * 1000:,.0f} units/s of {units:,}"
            )


if __name__ == "__main__":
    main()
