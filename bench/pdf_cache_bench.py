"""Anonymous disclosure-book PDFs against a running server (a benchmark, not a test; issue 11, hole 9).

Since issue 16 a visitor's request never renders: without a worker every cold PDF request here answers 202
"being prepared" (the prewarm below waits for a 200 only while a render slot is busy). The figures of the
queue — 16 cold requests, one render by the worker, the cached copy after — are bench/public_pdf_bench.py's.

    .venv/bin/python bench/pdf_cache_bench.py                 # demo street (scale 0.2) in a temporary var dir,
                                                              # served by `gongzhi serve` (2 workers × 4 threads)
    .venv/bin/python bench/pdf_cache_bench.py --url http://127.0.0.1:8000 --ids 1,2,3   # an existing server

Phases, each with /healthz polled every 50 ms from another thread while it runs:
  idle      /healthz alone (the baseline)
  single    one book PDF alone, cold (what one render costs on this machine)
  rush-same 16 parallel requests for one book, cold
  rush-many 16 parallel requests for 16 different books, cold
  warm      the same 16 requests again after each book was rendered once (all served from the cache)
  rush-html 16 parallel requests for the same books' public HTML pages (the ceiling: any page costs that)
Prints JSON: per phase the wall time, the status codes, and /healthz latency (median and max), and the
ceilings derived from this same run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def get(url: str, timeout: float = 120) -> tuple[int, float, int]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 — a local bench URL
            body = response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        body, status = error.read(), error.code
    return status, time.perf_counter() - started, len(body)


class HealthProbe:
    """Polls /healthz every 50 ms until stopped; keeps each latency."""

    def __init__(self, base: str):
        self.base, self.latencies, self._stop = base, [], threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            started = time.perf_counter()
            with contextlib.suppress(OSError):  # a timed-out probe counts with the time it waited
                get(f"{self.base}/healthz", timeout=60)
            self.latencies.append(time.perf_counter() - started)
            self._stop.wait(0.05)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def figures(self) -> dict:
        values = self.latencies or [0.0]
        return {
            "healthz_median_ms": round(statistics.median(values) * 1000, 1),
            "healthz_max_ms": round(max(values) * 1000, 1),
            "healthz_samples": len(values),
        }


def phase(base: str, urls: list[str], *, hold: float = 0.0) -> dict:
    with HealthProbe(base) as probe:
        started = time.perf_counter()
        if urls:
            with ThreadPoolExecutor(max_workers=len(urls)) as pool:
                results = list(pool.map(get, urls))
        else:
            results = []
        wall = time.perf_counter() - started
        if hold:
            time.sleep(hold)
    codes: dict[str, int] = {}
    for status, _s, _n in results:
        codes[str(status)] = codes.get(str(status), 0) + 1
    slowest = max((s for _c, s, _n in results), default=0.0)
    return {
        "wall_s": round(wall, 2),
        "slowest_request_s": round(slowest, 2),
        "codes": codes,
        **probe.figures(),
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(scale: float) -> tuple[subprocess.Popen, str, list[int], str]:
    var = tempfile.mkdtemp(prefix="gz-pdf-bench-")
    env = {**os.environ, "GONGZHI_VAR_DIR": var, "DJANGO_SETTINGS_MODULE": "gongzhi.settings"}
    env.pop("DATABASE_URL", None)
    python = sys.executable
    prepare = (
        "import django; django.setup(); from django.core.management import call_command; "
        f"call_command('migrate', verbosity=0); call_command('demo', scale={scale}, verbosity=0); "
        "from gongzhi.registry.models import Estate; "
        "print(','.join(str(pk) for pk in Estate.objects.order_by('pk').values_list('pk', flat=True)[:16]))"
    )
    started = time.perf_counter()
    ids = (
        subprocess.run(  # noqa: S603 — our interpreter, our code
            [python, "-c", prepare], env=env, cwd=ROOT, check=True, capture_output=True, text=True
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    print(f"demo street (scale {scale}) ready in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    port = free_port()
    server = subprocess.Popen(  # noqa: S603
        [python, "-m", "gongzhi.cli", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if get(f"{base}/healthz", timeout=2)[0] == 200:
                break
        except OSError:
            time.sleep(0.2)
    return server, base, [int(x) for x in ids.split(",")], var


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="an already running server (else one is started on a demo street)")
    parser.add_argument("--ids", help="comma-separated estate ids (with --url)")
    parser.add_argument("--scale", type=float, default=0.2)
    args = parser.parse_args()
    server = var = None
    if args.url:
        base, ids = args.url.rstrip("/"), [int(x) for x in args.ids.split(",")]
    else:
        server, base, ids, var = start_server(args.scale)
    try:
        get(f"{base}/disclosure/{ids[-1]}/book.pdf?months=24")  # loads WeasyPrint in one worker, not measured
        book = lambda pk, months=12: f"{base}/disclosure/{pk}/book.pdf?months={months}"  # noqa: E731
        report = {"idle": phase(base, [], hold=1.0)}
        report["single"] = phase(base, [book(ids[0], 6)])
        report["rush_same"] = phase(base, [book(ids[1])] * 16)
        many = [book(ids[i % len(ids)], (6, 12, 24)[i // len(ids)]) for i in range(17)]
        many = [u for u in many if u != book(ids[1])][:16]
        report["rush_many"] = phase(base, many)
        started = time.perf_counter()
        for url in many:  # render every book once, one at a time (retrying while the slot is busy)
            while get(url)[0] == 503:
                time.sleep(0.5)
        report["prewarm_s"] = round(time.perf_counter() - started, 2)
        report["warm"] = phase(base, many)
        # The same 16 estates' public HTML book pages (the same data, no PDF): what any 16-request rush
        # costs this server, the ceiling the PDF endpoint is held to.
        report["rush_html_pages"] = phase(base, [u.replace("book.pdf", "") for u in many])
        single = report["single"]["slowest_request_s"]
        report["ceilings"] = {
            "one_render_s": single,
            "rush_same_wall_at_most_s": round(single * 1.5 + 0.5, 2),
            "warm_wall_at_most_s": report["rush_html_pages"]["wall_s"] * 1.5,
            "healthz_max_at_most_ms": max(250.0, report["rush_html_pages"]["healthz_max_ms"] * 1.5),
            "note": "from this run: a same-book rush ≈ one render; a warm rush and /healthz during any rush "
            "within 1.5× of a rush on the HTML pages of the same books",
        }
        print(json.dumps(report, ensure_ascii=False, indent=1))
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        if var:
            shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main()
