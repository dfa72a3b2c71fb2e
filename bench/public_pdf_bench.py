"""Visitors asking for a disclosure book that is not rendered yet (issue 16): a benchmark, not a test.

    .venv/bin/python bench/public_pdf_bench.py     # demo street (scale 0.2) in a temporary var dir, served by
                                                   # `gongzhi serve` (2 workers × 4 threads) with `gongzhi worker`

A visitor's request never renders: it gets the cached file of the current content or a 202 "being
prepared" page, and the first such request queues ONE render job (its key is the hash of the book's HTML)
that the worker runs (gongzhi/jobs/pdf.py). Phases, each with /healthz polled every 50 ms meanwhile:

  html        16 parallel requests for one book's public HTML page, served from the public-page cache (the
              ceiling of a warm rush: a cached PDF should cost what a cached page does)
  cold        16 parallel requests for the same book's PDF, not rendered yet
  ready       polling the PDF every 0.25 s until the worker has rendered it (what a visitor waits)
  warm        the 16 requests again, served from the cache
  changed     a new ledger entry changes the book: one request (202, a new job), ready again

The ceiling of a cold rush is one render of the same book by the worker in this run (from its job's
start and end): a visitor must be answered before a render could finish, i.e. never wait for one.
Renders are counted from the queue's rows (task core.render_pdf, result "rendered": true): the web
processes have no render path for a visitor, so every render is a job's. Prints JSON: each figure beside
its ceiling from the same run, and whether it is within it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pdf_cache_bench import ROOT, get, phase, start_server  # noqa: E402 — the bench folder is no package

ESTATE_INDEX = 1  # the second estate of the demo street


def render_counts(var: str) -> dict:
    with sqlite3.connect(Path(var) / "gongzhi.sqlite3") as db:
        rows = db.execute(
            "SELECT status, attempts, result, started_at, finished_at FROM jobs_job "
            "WHERE task = 'core.render_pdf' ORDER BY id"
        ).fetchall()
    rendered = [row for row in rows if row[2] and json.loads(row[2]).get("rendered")]
    last = None
    if rendered and rendered[-1][3] and rendered[-1][4]:
        started, finished = (dt.datetime.fromisoformat(str(v)) for v in rendered[-1][3:5])
        last = round((finished - started).total_seconds(), 2)
    return {
        "jobs": len(rows),
        "attempts": sum(row[1] for row in rows),
        "renders": len(rendered),
        "last_s": last,
    }


def wait_ready(url: str, *, limit: float = 300) -> tuple[float, int]:
    started, polls = time.perf_counter(), 0
    while time.perf_counter() - started < limit:
        polls += 1
        if get(url)[0] == 200:
            return round(time.perf_counter() - started, 2), polls
        time.sleep(0.25)
    raise SystemExit(f"{url} not ready after {limit} s: is the worker running?")


def post_ledger_entry(var: str, estate_id: int) -> None:
    """A new maintenance-fund entry (through the service, as the committee would) changes the book."""
    env = {**os.environ, "GONGZHI_VAR_DIR": var, "DJANGO_SETTINGS_MODULE": "gongzhi.settings"}
    env.pop("DATABASE_URL", None)
    code = (
        "import django; django.setup(); import datetime as dt; from django.utils import timezone; "
        "from gongzhi.core.scopes import holders_of; from gongzhi.finance.services import ledger_post; "
        "from gongzhi.registry.models import Estate; "
        f"e = Estate.objects.get(pk={estate_id}); "
        "actor = holders_of('street_admin', street=e.area.street).first(); "
        "ledger_post(actor=actor, estate=e, ledger='maintenance_fund', date=timezone.localdate() - "
        "dt.timedelta(days=1), direction='in', amount='1234.56', summary='利息收入（测试）')"
    )
    subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True)  # noqa: S603


def main() -> None:
    server, base, ids, var = start_server(0.2)
    env = {**os.environ, "GONGZHI_VAR_DIR": var, "DJANGO_SETTINGS_MODULE": "gongzhi.settings"}
    env.pop("DATABASE_URL", None)
    worker = subprocess.Popen(  # noqa: S603 — our interpreter, our code
        [sys.executable, "-m", "gongzhi.cli", "worker", "--poll", "0.2", "-v", "0"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        estate = ids[ESTATE_INDEX]
        pdf = f"{base}/disclosure/{estate}/book.pdf?months=12"
        page = f"{base}/disclosure/{estate}/?months=12"
        warm_up = f"{base}/disclosure/{ids[0]}/book.pdf?months=24"  # loads WeasyPrint in the worker
        get(warm_up)
        wait_ready(warm_up)
        get(page)  # loads the book's templates in one web worker, not measured
        before = render_counts(var)
        report: dict = {"idle": phase(base, [], hold=1.0)}
        report["html"] = phase(base, [page] * 16)
        report["cold"] = phase(base, [pdf] * 16)
        report["cold"]["renders_during_rush"] = render_counts(var)["renders"] - before["renders"]
        report["ready_s"], report["ready_polls"] = wait_ready(pdf)
        after_cold = render_counts(var)
        report["warm"] = phase(base, [pdf] * 16)
        after_warm = render_counts(var)
        post_ledger_entry(var, estate)
        report["changed"] = phase(base, [pdf])
        report["changed_ready_s"], _polls = wait_ready(pdf)
        final = render_counts(var)
        renders_cold = after_cold["renders"] - before["renders"]
        renders_warm = after_warm["renders"] - after_cold["renders"]
        renders_changed = final["renders"] - after_warm["renders"]
        html, cold, warm = report["html"], report["cold"], report["warm"]
        healthz_ceiling = max(250.0, html["healthz_max_ms"] * 1.5)
        one_render = after_cold["last_s"] or 0.0  # the worker's render of this very book, in this run
        report["one_render_s"] = one_render
        figures = [
            ("renders for 16 cold requests", renders_cold, 1),
            ("render jobs for 16 cold requests", after_cold["jobs"] - before["jobs"], 1),
            (
                "renders while the 16 cold requests ran (in web processes: none possible)",
                cold["renders_during_rush"],
                0,
            ),
            (
                "cold rush wall s (ceiling: one render of this book by the worker: nobody waits for it)",
                cold["wall_s"],
                one_render,
            ),
            ("cold rush slowest request s (ceiling: one render)", cold["slowest_request_s"], one_render),
            ("cold rush /healthz max ms", cold["healthz_max_ms"], healthz_ceiling),
            ("warm rush renders", renders_warm, 0),
            (
                "warm rush wall s (ceiling: 1.5 × the same rush on the book's cached HTML page)",
                warm["wall_s"],
                round(html["wall_s"] * 1.5, 2),
            ),
            ("warm rush /healthz max ms", warm["healthz_max_ms"], healthz_ceiling),
            ("renders after the data changed", renders_changed, 1),
        ]
        report["figures"] = [
            {"figure": name, "value": value, "ceiling": ceiling, "within": value <= ceiling}
            for name, value, ceiling in figures
        ]
        report["codes"] = {
            "cold": cold["codes"],
            "warm": warm["codes"],
            "changed": report["changed"]["codes"],
        }
        print(json.dumps(report, ensure_ascii=False, indent=1))
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main()
