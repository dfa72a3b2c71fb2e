"""Time the demo street's generation on a fresh database (a benchmark, not a test).

    .venv/bin/python bench/demo_bench.py                 # SQLite in a temporary directory
    DATABASE_URL=postgres://… .venv/bin/python bench/demo_bench.py   # also PostgreSQL

For PostgreSQL a scratch database ``<name>_demo_bench`` is created on the same server and
dropped afterwards; the database named in DATABASE_URL itself is never touched. Each backend
runs in its own process because Django reads the database settings once.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def child(seed: int, scale: float) -> None:
    """Runs inside the child process: migrate, generate, run again, reset; print JSON."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from gongzhi.demo.generator import demo_street_ensure

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    first = demo_street_ensure(seed=seed, scale=scale)
    generate = time.perf_counter() - started
    started = time.perf_counter()
    again = demo_street_ensure(seed=seed, scale=scale)
    noop = time.perf_counter() - started
    started = time.perf_counter()
    demo_street_ensure(seed=seed, scale=scale, reset=True)
    reset = time.perf_counter() - started
    assert first.created and not again.created
    print(
        json.dumps(
            {
                "backend": connection.vendor,
                "rows": first.counts,
                "total_rows": sum(v for k, v in first.counts.items() if k != "old_estates") + 1,
                "generate_s": round(generate, 2),
                "second_run_s": round(noop, 3),
                "reset_s": round(reset, 2),
            }
        )
    )


def run_child(env: dict[str, str], seed: int, scale: float) -> dict:
    command = [sys.executable, __file__, "--child", "--seed", str(seed), "--scale", str(scale)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(done.returncode)
    return json.loads(done.stdout.strip().splitlines()[-1])


def sqlite(seed: int, scale: float) -> dict:
    with tempfile.TemporaryDirectory(prefix="gongzhi-demo-bench-") as var_dir:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env["GONGZHI_VAR_DIR"] = var_dir
        return run_child(env, seed, scale)


def postgres(url: str, seed: int, scale: float) -> dict:
    import psycopg

    parts = urlsplit(url)
    name = (parts.path.lstrip("/") or "gongzhi") + "_demo_bench"
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with tempfile.TemporaryDirectory(prefix="gongzhi-demo-bench-") as var_dir:
            env = dict(
                os.environ, DATABASE_URL=urlunsplit(parts._replace(path=f"/{name}")), GONGZHI_VAR_DIR=var_dir
            )
            return run_child(env, seed, scale)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


def report(result: dict) -> None:
    print(f"\n== {result['backend']} ==")
    for key, value in result["rows"].items():
        print(f"  {key:<22}{value:>8}")
    print(f"  {'rows in total':<22}{result['total_rows']:>8}")
    print(f"  generate      {result['generate_s']:>6.2f} s")
    print(f"  second run    {result['second_run_s']:>6.3f} s  (already there: prints the logins only)")
    print(f"  reset         {result['reset_s']:>6.2f} s  (delete + generate)")


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
