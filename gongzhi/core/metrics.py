"""``/metrics``: Prometheus's text exposition format (version 0.0.4), written here by hand — a few
counters and gauges do not need prometheus_client and its multiprocess machinery (docs/OPERATIONS.md
"Metrics").

Two kinds of figure, and why each is right with several gunicorn worker processes:

- **Request counts and latencies** are counted in the process that served the request. Under
  ``gongzhi serve`` every process also writes its figures to a file of its own under
  ``GONGZHI_METRICS_DIR`` after each request (a small file replaced by rename: no locks between
  processes, a reader never sees half a file), and a scrape adds up the files of all processes — so
  whichever worker answers ``/metrics``, the totals are the host's. Without that directory (tests, ``runserver``) the figures are the answering process's.
  ``gongzhi serve`` empties the directory when it starts: the counters start again at 0, which
  Prometheus reads as a counter reset.
- **Queue depth, job failures, the outbox and the worker's heartbeat** are read from the database at
  each scrape: the same figure from every process and every server.

Labels are bounded: the URL pattern's name (``registry:estate``, never ``/registry/estates/12/``) or
``unmatched`` for a path no pattern matched, and the status class (``2xx`` … ``5xx``).
"""

from __future__ import annotations

import ipaddress
import json
import math
import os
import threading
import time
from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from gongzhi.core.clientip import client_ip

UNMATCHED = "unmatched"
# Seconds: from a cached public page (a few ms) to a batch PDF (the 180 s request limit).
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 180.0)

_lock = threading.Lock()
# (view, status class) → [count, sum of seconds, bucket counts …]
_series: dict[tuple[str, str], list[float]] = {}
# One file per process for its life: a later process that reuses the pid writes a file of its own, and a
# process forked after this module was imported (gunicorn --preload) gets its own name and empty figures.
_process: tuple[int, str] = (os.getpid(), f"{os.getpid()}-{time.time_ns()}.json")


def _process_file() -> str:
    global _process
    if _process[0] != os.getpid():
        with _lock:
            _series.clear()
        _process = (os.getpid(), f"{os.getpid()}-{time.time_ns()}.json")
    return _process[1]


def status_class(status: int) -> str:
    return f"{status // 100}xx"


def observe_request(view: str, status: int, seconds: float) -> None:
    key = (view, status_class(status))
    with _lock:
        row = _series.get(key)
        if row is None:
            row = _series[key] = [0.0] * (2 + len(BUCKETS))
        row[0] += 1
        row[1] += seconds
        for index, bound in enumerate(BUCKETS):
            if seconds <= bound:
                row[2 + index] += 1
    _flush()


def _metrics_dir() -> Path | None:
    value = getattr(settings, "GONGZHI_METRICS_DIR", None)
    return Path(value) if value else None


def _snapshot() -> dict[tuple[str, str], list[float]]:
    with _lock:
        return {key: list(row) for key, row in _series.items()}


def _flush() -> None:
    """Write this process's figures to its file (atomically: write, then rename)."""
    directory = _metrics_dir()
    if directory is None:
        return
    rows = [[view, cls, *row] for (view, cls), row in _snapshot().items()]
    try:
        directory.mkdir(parents=True, exist_ok=True)
        name = _process_file()
        partial = directory / f".{name}.partial"
        partial.write_text(json.dumps({"buckets": list(BUCKETS), "series": rows}))
        partial.replace(directory / name)
    except OSError:
        pass  # metrics never fail a request; the scrape then shows this process's last good file


def request_series() -> dict[tuple[str, str], list[float]]:
    """The request figures of every process of this host (see the module's docstring)."""
    directory = _metrics_dir()
    if directory is None:
        return _snapshot()
    _flush()
    total: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0] * (2 + len(BUCKETS)))
    for path in directory.glob("*.json"):
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue  # a file being replaced or damaged: skip it this once
        if data.get("buckets") != list(BUCKETS):
            continue  # written by another version of the program
        for view, cls, *row in data["series"]:
            target = total[(view, cls)]
            for index, value in enumerate(row):
                target[index] += value
    return dict(total)


def reset_process_metrics() -> None:
    """Empty this process's figures (tests) and the shared directory's files (``gongzhi serve``)."""
    with _lock:
        _series.clear()
    directory = _metrics_dir()
    if directory is not None and directory.is_dir():
        for path in directory.glob("*.json"):
            path.unlink(missing_ok=True)


def allowed(request) -> bool:
    """From an address of ``GONGZHI_METRICS_ALLOWED_IPS`` (addresses or networks) or with the bearer token
    ``GONGZHI_METRICS_TOKEN``. The address is the client's as core/clientip.py finds it, not the socket's:
    behind nginx every request arrives from 127.0.0.1, and the socket would let the whole internet in."""
    token = getattr(settings, "GONGZHI_METRICS_TOKEN", "")
    if token:
        import hmac

        sent = request.headers.get("Authorization", "")
        if hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
            return True
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    for entry in getattr(settings, "GONGZHI_METRICS_ALLOWED_IPS", []):
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


def _labels(**labels: str) -> str:
    inner = ",".join(f'{name}="{_escape(str(value))}"' for name, value in labels.items())
    return "{" + inner + "}" if inner else ""


def _database_gauges() -> list[tuple[str, str, str, list[tuple[dict[str, str], float]]]]:
    """(name, type, help, [(labels, value)]) read from the database: the same from every process. The
    queue's tables are named through the app registry: core imports no domain app (docs/ARCHITECTURE.md)."""
    import datetime as dt

    from django.apps import apps
    from django.db.models import Count, Max

    from gongzhi.core.models import OutboxMessage

    now = timezone.now()
    families: list[tuple[str, str, str, list[tuple[dict[str, str], float]]]] = []
    if apps.is_installed("gongzhi.jobs"):
        job = apps.get_model("jobs", "Job")
        beat = apps.get_model("jobs", "WorkerBeat")
        statuses = [value for value, _label in job._meta.get_field("status").choices or []]
        counts = dict(job.objects.values_list("status").annotate(n=Count("pk")).order_by())
        families.append(
            (
                "gongzhi_jobs",
                "gauge",
                "Background jobs in the queue table by status (queued includes jobs waiting for a retry).",
                [({"status": status}, counts.get(status, 0)) for status in statuses],
            )
        )
        due = job.objects.filter(status="queued", run_after__lte=now).count()
        families.append(("gongzhi_jobs_due", "gauge", "Queued jobs whose time has come.", [({}, due)]))
        failed = job.objects.filter(status="failed", finished_at__gte=now - dt.timedelta(days=1)).count()
        families.append(
            ("gongzhi_job_failures_24h", "gauge", "Jobs that failed in the last 24 hours.", [({}, failed)])
        )
        last = beat.objects.aggregate(last=Max("seen_at"))["last"]
        age = (now - last).total_seconds() if last else math.inf
        families.append(
            (
                "gongzhi_worker_last_beat_age_seconds",
                "gauge",
                "Seconds since any worker last beat (+Inf: none ever did).",
                [({}, max(age, 0.0))],
            )
        )
    waiting = dict(
        OutboxMessage.objects.filter(status__in=["pending", "deferred"])
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    families.append(
        (
            "gongzhi_outbox_pending",
            "gauge",
            "External notifications not yet sent (pending: due now; deferred: quiet hours, rate limit, retry).",
            [({"status": status}, waiting.get(status, 0)) for status in ("pending", "deferred")],
        )
    )
    return families


def exposition() -> str:
    """The whole page, text format 0.0.4."""
    lines: list[str] = []
    series = sorted(request_series().items())
    lines.append("# HELP gongzhi_http_requests_total HTTP requests by URL pattern name and status class.")
    lines.append("# TYPE gongzhi_http_requests_total counter")
    for (view, cls), row in series:
        lines.append(f"gongzhi_http_requests_total{_labels(view=view, status=cls)} {_number(row[0])}")
    lines.append(
        "# HELP gongzhi_http_request_duration_seconds Time to answer a request, by URL pattern name."
    )
    lines.append("# TYPE gongzhi_http_request_duration_seconds histogram")
    for (view, cls), row in series:
        name = "gongzhi_http_request_duration_seconds"
        for index, bound in enumerate(BUCKETS):
            labels = _labels(view=view, status=cls, le=repr(float(bound)))
            lines.append(f"{name}_bucket{labels} {_number(row[2 + index])}")
        lines.append(f"{name}_bucket{_labels(view=view, status=cls, le='+Inf')} {_number(row[0])}")
        lines.append(f"{name}_sum{_labels(view=view, status=cls)} {row[1]!r}")
        lines.append(f"{name}_count{_labels(view=view, status=cls)} {_number(row[0])}")
    for name, kind, help_text, samples in _database_gauges():
        lines.append(f"# HELP {name} {help_text}")
        lines.append(f"# TYPE {name} {kind}")
        for sample_labels, value in samples:
            lines.append(f"{name}{_labels(**sample_labels)} {_number(value)}")
    return "\n".join(lines) + "\n"
