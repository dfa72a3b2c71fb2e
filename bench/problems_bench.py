"""Time the demo street's problem history and the overdue escalation (a benchmark, not a test).

    .venv/bin/python bench/problems_bench.py                 # SQLite in a temporary directory
    DATABASE_URL=postgres://… .venv/bin/python bench/problems_bench.py   # also PostgreSQL

Loads the full demo street on a fresh database and reports: the whole load and the part of it
spent on the problem history; deleting and writing the history again on its own; escalating
overdue problems today, 14 days on (when much of the open work has fallen due) and once more
(nothing left: idempotent); and a reset. For PostgreSQL a scratch database
``<name>_problems_bench`` is created on the same server and dropped afterwards; the database
named in DATABASE_URL itself is never touched.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def child(seed: int, scale: float) -> None:
    """Runs inside the child process; prints one JSON line."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from gongzhi.core.models import User
    from gongzhi.core.plugins import app_modules
    from gongzhi.demo import generator
    from gongzhi.problems import demo_data as problems_demo
    from gongzhi.problems.models import Problem
    from gongzhi.problems.services import problems_escalate_overdue

    call_command("migrate", verbosity=0)
    figures: dict = {"backend": connection.vendor}
    inner: list[float] = []

    def timed(**kwargs):
        started = time.perf_counter()
        try:
            return problems_demo.demo_create(**kwargs)
        finally:
            inner.append(time.perf_counter() - started)

    # The problems' plug-in, timed; the others as they are.
    timed_problems = SimpleNamespace(
        demo_create=timed,
        demo_delete=problems_demo.demo_delete,
        demo_fingerprint=problems_demo.demo_fingerprint,
    )
    plugins = tuple(timed_problems if m is problems_demo else m for m in app_modules("demo_data"))
    started = time.perf_counter()
    result = generator.demo_street_ensure(seed=seed, scale=scale, plugins=plugins)
    figures["load_s"] = time.perf_counter() - started
    figures["history_in_load_s"] = inner[0]
    figures["rows"] = {k: result.counts[k] for k in ("problems", "problem_events", "notifications")}

    today = timezone.localdate()
    street = result.street
    started = time.perf_counter()
    figures["history_delete_rows"] = sum(problems_demo.demo_delete(street=street).values())
    figures["history_delete_s"] = time.perf_counter() - started
    users = {u.username: u for u in User.objects.filter(username__in=generator.DEMO_USERNAMES)}
    started = time.perf_counter()
    problems_demo.demo_create(street=street, seed=seed, scale=scale, today=today, users=users)
    figures["history_again_s"] = time.perf_counter() - started

    figures["open_overdue_today"] = Problem.objects.overdue(today).count()
    runs = []
    later = today + dt.timedelta(days=14)
    for label, day in (("today", today), ("in 14 days", later), ("again", later)):
        started = time.perf_counter()
        escalated = problems_escalate_overdue(today=day)
        runs.append(
            {
                "label": label,
                "day": day.isoformat(),
                "escalated": escalated,
                "s": time.perf_counter() - started,
            }
        )
    figures["escalations"] = runs

    started = time.perf_counter()
    generator.demo_street_ensure(seed=seed, scale=scale, reset=True)
    figures["reset_s"] = time.perf_counter() - started
    print(json.dumps(figures))


def run_child(env: dict[str, str], seed: int, scale: float) -> dict:
    command = [sys.executable, __file__, "--child", "--seed", str(seed), "--scale", str(scale)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(done.returncode)
    return json.loads(done.stdout.strip().splitlines()[-1])


def sqlite(seed: int, scale: float) -> dict:
    with tempfile.TemporaryDirectory(prefix="gongzhi-problems-bench-") as var_dir:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env["GONGZHI_VAR_DIR"] = var_dir
        return run_child(env, seed, scale)


def postgres(url: str, seed: int, scale: float) -> dict:
    import psycopg

    parts = urlsplit(url)
    name = (parts.path.lstrip("/") or "gongzhi") + "_problems_bench"
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with tempfile.TemporaryDirectory(prefix="gongzhi-problems-bench-") as var_dir:
            env = dict(
                os.environ, DATABASE_URL=urlunsplit(parts._replace(path=f"/{name}")), GONGZHI_VAR_DIR=var_dir
            )
            return run_child(env, seed, scale)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


def report(f: dict) -> None:
    rows = f["rows"]
    print(f"\n== {f['backend']} ==")
    print(f"  history rows        {rows['problems']} problems, {rows['problem_events']} events, "
          f"{rows['notifications']} notifications")  # fmt: skip
    print(f"  demo load           {f['load_s']:6.2f} s  (registry + users + history)")
    print(f"  … of it history     {f['history_in_load_s']:6.2f} s")
    print(f"  history delete      {f['history_delete_s']:6.2f} s  ({f['history_delete_rows']} rows)")
    print(f"  history again       {f['history_again_s']:6.2f} s  (on the loaded street)")
    print(f"  overdue today       {f['open_overdue_today']:6d}    (open past the deadline when loaded)")
    for run in f["escalations"]:
        print(
            f"  escalate {run['label']:<11}{run['s']:6.2f} s  {run['escalated']:4d} escalated ({run['day']})"
        )
    print(f"  reset               {f['reset_s']:6.2f} s  (delete the street + load again)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.seed, args.scale)
        return
    report(sqlite(args.seed, args.scale))
    if url := os.environ.get("DATABASE_URL"):
        report(postgres(url, args.seed, args.scale))


if __name__ == "__main__":
    main()
