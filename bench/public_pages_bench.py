"""P1 of issue 17: the anonymous public pages under load, against ceilings measured in the same run.

    .venv/bin/python bench/public_pages_bench.py                 # a fresh SQLite demo street in a temp dir
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gongzhi_bench .venv/bin/python bench/public_pages_bench.py
    … --seconds 5 --connections 8 --workers 2

The demo street is loaded (migrate + ``gongzhi demo``, safe to run twice), then gunicorn serves the site
on 127.0.0.1 exactly as ``gongzhi serve`` does (2 workers × 4 threads), twice: once with Django's cache
replaced by the dummy backend (every public page rendered; "uncached") and once as configured
("cached"). A small load generator (processes × threads, each a keep-alive HTTP/1.1 connection; wrk is
not installed here) requests each URL for a fixed time and prints req/s and p99 latency. Ceilings of
the same run: ``/bench/rows50/`` (50 rows through the ORM into a template on base.html; a bench-only
URL from bench/public_pages_urls.py, not part of the product) and ``/healthz``. Goals (issue 17):
uncached ≥ 0.75 of the 50-row page, cached ≥ 0.70 of /healthz, p99 ≤ 1.5 × the ceiling's.
Not a test: figures for the closing notes. The machine is shared and noisy: read the ratios.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = 8717


def _run(argv: list[str], env: dict, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(argv, env=env, check=True, cwd=ROOT, **kwargs)  # noqa: S603 (our own commands)


def _prepare(env: dict) -> dict:
    """Migrate and load the demo street; return the URLs of its largest estate's public pages."""
    gongzhi = str(Path(sys.executable).with_name("gongzhi"))
    _run([gongzhi, "migrate", "-v0"], env)
    _run([gongzhi, "demo", "-v0"], env)
    script = (
        "import django; django.setup()\n"
        "from django.db.models import Count\n"
        "from gongzhi.registry.models import Estate\n"
        "from gongzhi.voting.models import Decision\n"
        "e = Estate.objects.filter(area__street__is_demo=True).annotate(n=Count('ledger_entries'))"
        ".order_by('-n').first()\n"
        "d = Decision.objects.public().filter(estate__area__street__is_demo=True).first()\n"
        "print(e.pk, e.area_id, d.pk if d else 0)\n"
    )
    out = _run([sys.executable, "-c", script], env, capture_output=True, text=True)
    estate, area, decision = (int(x) for x in out.stdout.split())
    urls = {
        "disclosure book": f"/disclosure/{estate}/",
        "ledger page": f"/ledgers/{estate}/",
        "problem board": f"/board/{estate}/",
        "duty board": f"/duty/{area}/",
        "vote results": f"/decide/estate/{estate}/",
    }
    if decision:
        urls["one decision"] = f"/decide/{decision}/"
    return urls


def _serve(env: dict, workers: int) -> subprocess.Popen:
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    argv = [gunicorn, "gongzhi.wsgi:application", "--bind", f"127.0.0.1:{PORT}"]
    argv += ["--workers", str(workers), "--threads", "4", "--log-level", "warning"]
    server_env = {
        **env,
        "DJANGO_SETTINGS_MODULE": "public_pages_settings",
        "PYTHONPATH": f"{ROOT}/bench:{ROOT}",
    }
    process = subprocess.Popen(argv, env=server_env, cwd=ROOT, start_new_session=True)  # noqa: S603
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", PORT), timeout=0.2):
                break
        except OSError:
            time.sleep(0.1)
    return process


def _stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def _client(path: str, seconds: float, threads: int, queue) -> None:
    """One load process: ``threads`` keep-alive connections, each requesting ``path`` until the end."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def run():
        mine, bad = [], 0
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    bad += 1
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
                continue
            mine.append(time.perf_counter() - started)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    pool = [threading.Thread(target=run) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    queue.put((latencies, errors[0]))


def load(path: str, *, seconds: float, connections: int, processes: int = 2) -> tuple[float, float, int]:
    """(requests per second, p99 in ms, errors) for ``path`` over ``seconds``."""
    # Warm-up: every worker thread loads its templates, translations and the page's cache entry first.
    _client(path, 2.0, connections, multiprocessing.Queue())
    queue: multiprocessing.Queue = multiprocessing.Queue()
    per = max(1, connections // processes)
    started = time.perf_counter()
    pool = [
        multiprocessing.Process(target=_client, args=(path, seconds, per, queue)) for _ in range(processes)
    ]
    for p in pool:
        p.start()
    results = [queue.get() for _ in pool]
    for p in pool:
        p.join()
    elapsed = time.perf_counter() - started
    latencies = sorted(x for lat, _e in results for x in lat)
    errors = sum(e for _lat, e in results)
    if not latencies:
        return 0.0, float("nan"), errors
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    return len(latencies) / elapsed, p99, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "gongzhi.settings", "GONGZHI_LOG_LEVEL": "ERROR"}
    if not env.get("DATABASE_URL"):
        env["GONGZHI_VAR_DIR"] = tempfile.mkdtemp(prefix="gongzhi-public-bench-")
    env.setdefault("GONGZHI_VAR_DIR", tempfile.mkdtemp(prefix="gongzhi-public-bench-"))
    urls = _prepare(env)
    database = "PostgreSQL" if env.get("DATABASE_URL") else "SQLite"
    print(
        f"# {database}, gunicorn {args.workers} workers × 4 threads, {args.connections} connections, "
        f"{args.seconds:g} s per URL"
    )
    for mode in ("off", "on"):
        server = _serve({**env, "BENCH_PUBLIC_CACHE": mode}, args.workers)
        try:
            label = "uncached" if mode == "off" else "cached"
            ceilings = {
                "50-row page": load("/bench/rows50/", seconds=args.seconds, connections=args.connections),
                "/healthz": load("/healthz", seconds=args.seconds, connections=args.connections),
            }
            goal = "50-row page" if mode == "off" else "/healthz"
            base_rate, base_p99, _e = ceilings[goal]
            print(
                f"\n## public pages {label} (ratio to the {goal} of this run; goal "
                f"{'≥ 0.75' if mode == 'off' else '≥ 0.70'}, p99 ≤ 1.5×)"
            )
            print(f"{'page':22} {'url':26} {'req/s':>8} {'p99 ms':>8} {'ratio':>6} {'p99×':>6} {'err':>4}")
            for name, (rate, p99, errors) in ceilings.items():
                print(f"{name:22} {'(ceiling)':26} {rate:8.0f} {p99:8.1f} {'':>6} {'':>6} {errors:4d}")
            for name, url in urls.items():
                rate, p99, errors = load(url, seconds=args.seconds, connections=args.connections)
                print(
                    f"{name:22} {url:26} {rate:8.0f} {p99:8.1f} {rate / base_rate:6.2f} "
                    f"{p99 / base_p99:6.2f} {errors:4d}"
                )
        finally:
            _stop(server)


if __name__ == "__main__":
    main()
