"""Time the office pages and API lists on the full demo street (≈36k units).

    .venv/bin/python bench/pages_bench.py                  # a fresh SQLite file in a temp dir
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gongzhi_bench .venv/bin/python bench/pages_bench.py

Prints, per URL, the median of 5 requests in milliseconds and the number of SQL queries.
Not a test: figures for the closing notes and for spotting regressions.
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

URLS = [
    "/",
    "/registry/areas/",
    "/registry/estates/",
    "/registry/estates/?o=-collection",
    "/registry/buildings/",
    "/registry/units/",
    "/registry/units/?q=302",
    "/registry/units/?page=300",
    "/registry/owners/",
    "/registry/companies/",
    "/registry/contracts/",
    "/registry/committees/",
    "/registry/branch-members/",
    "/registry/estates/export.xlsx",
    "/registry/units/export.xlsx",
    "/problems/",
    "/problems/?overdue=yes",
    "/problems/stats/",
    "/problems/export.xlsx",
    "/inbox/",
    "/api/v1/estates",
    "/api/v1/units?limit=200",
    "/api/v1/owners?limit=200",
    "/api/v1/companies",
]


def main() -> None:
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("demo", verbosity=0)
    print(f"demo street ready in {time.perf_counter() - started:.1f} s ({connection.vendor})")
    from gongzhi.core.models import User

    client = Client()
    client.force_login(User.objects.get(username="demo_admin"))
    print(f"{'url':45} {'median ms':>10} {'queries':>8} {'bytes':>10}")
    for url in URLS:
        timings = []
        for _ in range(5 if "export" not in url else 2):
            with CaptureQueriesContext(connection) as queries:
                t0 = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        print(f"{url:45} {statistics.median(timings):10.1f} {len(queries):8d} {len(response.content):10d}")


if __name__ == "__main__":
    main()
