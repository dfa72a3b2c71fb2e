"""Time the disclosure book's A4 PDF for one estate and for all 76 estates of the demo street (a benchmark,
not a test).

    .venv/bin/python bench/disclosure_bench.py            # a fresh SQLite demo street in a temporary GONGZHI_VAR_DIR
    .venv/bin/python bench/disclosure_bench.py --workers 2 # the 76 books also in 2 processes

The demo street (full scale: 76 estates, two years of ledgers, fees and book records) is loaded first; the
first PDF pays for loading WeasyPrint/Pango and the fonts, so it is reported on its own ("cold"). Each book
covers the default period (the last 12 months). Figures are printed as JSON: wall-clock seconds, and the
rendering process's own CPU seconds (what other load on a shared machine does not inflate).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    import django

    django.setup()


def _render(ids: list[int]) -> list[tuple[int, float, int, int]]:
    """(estate id, seconds, bytes, pages) per book, rendered in this process."""
    _setup()
    from django.db import connection

    from gongzhi.disclosure.views.public import render_book
    from gongzhi.registry.models import Estate

    connection.close()
    out = []
    for estate in Estate.objects.filter(pk__in=ids).select_related("area").order_by("pk"):
        started = time.perf_counter()
        content = render_book(estate)
        out.append((estate.pk, time.perf_counter() - started, len(content), content.count(b"/Type /Page\n")))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=1, help="also render the 76 books in N processes")
    args = parser.parse_args()
    var = tempfile.mkdtemp(prefix="gongzhi-disclosure-bench-")
    os.environ["GONGZHI_VAR_DIR"] = var
    os.environ.pop("DATABASE_URL", None)
    _setup()
    from django.core.management import call_command

    from gongzhi.demo.generator import demo_street_ensure
    from gongzhi.disclosure.views.public import render_book
    from gongzhi.registry.models import Estate

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    street = demo_street_ensure().street
    load = time.perf_counter() - started
    estates = list(Estate.objects.filter(area__street=street).select_related("area").order_by("pk"))

    started = time.perf_counter()
    first = render_book(estates[0])
    cold = time.perf_counter() - started
    started = time.perf_counter()
    render_book(estates[0])
    warm = time.perf_counter() - started

    started = time.perf_counter()
    cpu_started = time.process_time()
    timings = []
    sizes = []
    for estate in estates:
        t = time.perf_counter()
        sizes.append(len(render_book(estate)))
        timings.append(time.perf_counter() - t)
    all_serial = time.perf_counter() - started
    all_cpu = time.process_time() - cpu_started  # this process only: the figure other load does not inflate
    result = {
        "estates": len(estates),
        "demo_load_s": round(load, 1),
        "one_book_cold_s": round(cold, 2),
        "one_book_warm_s": round(warm, 2),
        "one_book_bytes": len(first),
        "all_books_serial_s": round(all_serial, 1),
        "all_books_cpu_s": round(all_cpu, 1),
        "per_book_median_s": round(statistics.median(timings), 2),
        "per_book_max_s": round(max(timings), 2),
        "total_mb": round(sum(sizes) / 1e6, 1),
    }
    if args.workers > 1:
        ids = [e.pk for e in estates]
        chunks = [ids[i :: args.workers] for i in range(args.workers)]
        started = time.perf_counter()
        with ProcessPoolExecutor(max_workers=args.workers) as pool:
            list(pool.map(_render, chunks))
        result[f"all_books_{args.workers}_workers_s"] = round(time.perf_counter() - started, 1)
    result["cpus"] = os.cpu_count()
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
