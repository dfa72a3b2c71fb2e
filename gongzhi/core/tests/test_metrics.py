"""Facts about /metrics (core/metrics.py; docs/OPERATIONS.md "Metrics"), with known answers: three jobs
enqueued are a queue depth of 3, one request for a missing page adds exactly 1 to the 4xx count, the
labels are URL pattern names (never raw paths), other addresses get 404 unless they bring the token, and
the request counts of several processes add up through GONGZHI_METRICS_DIR."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.utils import timezone

from gongzhi.core import metrics
from gongzhi.core.models import OutboxMessage
from gongzhi.jobs.models import WorkerBeat
from gongzhi.jobs.services import job_enqueue

SAMPLE = re.compile(r"^([a-z_][a-z0-9_]*)(\{[^}]*\})? (\S+)$")


@pytest.fixture(autouse=True)
def _fresh_counts(settings):
    settings.GONGZHI_METRICS_DIR = None
    metrics.reset_process_metrics()
    yield
    metrics.reset_process_metrics()


def scrape(client, **extra) -> dict[str, float]:
    response = client.get("/metrics", **extra)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    samples = {}
    for line in response.content.decode().splitlines():
        if line.startswith("#"):
            continue
        match = SAMPLE.match(line)
        assert match, f"not a sample line: {line!r}"
        samples[f"{match[1]}{match[2] or ''}"] = float(match[3])
    return samples


def test_three_jobs_enqueued_are_a_queue_depth_of_three(db, client):
    before = scrape(client)
    assert before['gongzhi_jobs{status="queued"}'] == 0
    for _ in range(3):
        job_enqueue(task="jobs.prune")
    after = scrape(client)
    assert after['gongzhi_jobs{status="queued"}'] == 3
    assert after["gongzhi_jobs_due"] == 3
    assert after['gongzhi_jobs{status="failed"}'] == 0
    assert after["gongzhi_job_failures_24h"] == 0


def test_a_missing_page_adds_one_to_the_4xx_count_under_a_bounded_label(db, client):
    key = 'gongzhi_http_requests_total{view="unmatched",status="4xx"}'
    before = scrape(client).get(key, 0)
    assert client.get("/no-such-page/4711/").status_code == 404
    after = scrape(client)
    assert after[key] == before + 1
    assert not any("4711" in name for name in after)  # the raw path is never a label


def test_requests_are_counted_by_url_pattern_name_with_a_histogram(db, client):
    for _ in range(2):
        assert client.get("/healthz").status_code == 200
    samples = scrape(client)
    assert samples['gongzhi_http_requests_total{view="healthz",status="2xx"}'] == 2
    assert samples['gongzhi_http_request_duration_seconds_count{view="healthz",status="2xx"}'] == 2
    assert samples['gongzhi_http_request_duration_seconds_bucket{view="healthz",status="2xx",le="+Inf"}'] == 2
    # buckets are cumulative: never fewer requests under a larger bound
    bounds = [
        samples[f'gongzhi_http_request_duration_seconds_bucket{{view="healthz",status="2xx",le="{bound!r}"}}']
        for bound in map(float, metrics.BUCKETS)
    ]
    assert bounds == sorted(bounds)


def test_the_worker_beat_and_the_outbox(db, client, world):
    assert scrape(client)["gongzhi_worker_last_beat_age_seconds"] == float("inf")  # no worker ever beat
    now = timezone.now()
    WorkerBeat.objects.create(name="w1", started_at=now, seen_at=now - dt.timedelta(seconds=90))
    assert 90 <= scrape(client)["gongzhi_worker_last_beat_age_seconds"] < 120
    user = world.user("admin")
    for index, status in enumerate(["pending", "pending", "deferred", "sent"]):
        OutboxMessage.objects.create(
            event="test", user=user, channel="email", dedup_key=f"{index:064d}", status=status
        )
    samples = scrape(client)
    assert samples['gongzhi_outbox_pending{status="pending"}'] == 2
    assert samples['gongzhi_outbox_pending{status="deferred"}'] == 1


def test_other_addresses_get_404_unless_they_bring_the_token(db, client, settings):
    settings.GONGZHI_METRICS_ALLOWED_IPS = ["127.0.0.1", "10.1.0.0/16"]
    settings.GONGZHI_METRICS_TOKEN = "s3cret-token-for-prometheus"
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200  # in the network
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 404
    # without proxies (GONGZHI_PROXY_COUNT=0) a client's own X-Forwarded-For is not believed
    assert (
        client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="127.0.0.1").status_code == 404
    )
    assert (
        client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer wrong").status_code
        == 404
    )
    assert (
        client.get(
            "/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer s3cret-token-for-prometheus"
        ).status_code
        == 200
    )
    settings.GONGZHI_METRICS_TOKEN = ""
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_the_counts_of_several_processes_add_up(db, client, settings, tmp_path):
    """Another gunicorn process's file (as its _flush writes it) is added to this process's counts."""
    settings.GONGZHI_METRICS_DIR = tmp_path / "metrics"
    (tmp_path / "metrics").mkdir()
    other = [0.0] * (2 + len(metrics.BUCKETS))
    other[0], other[1] = 5, 0.5
    other[2:] = [5] * len(metrics.BUCKETS)
    (tmp_path / "metrics" / "999-1.json").write_text(
        json.dumps({"buckets": list(metrics.BUCKETS), "series": [["healthz", "2xx", *other]]})
    )
    assert client.get("/healthz").status_code == 200
    samples = scrape(client)
    assert samples['gongzhi_http_requests_total{view="healthz",status="2xx"}'] == 6
    # this process wrote its own file for the others to read
    assert len(list((tmp_path / "metrics").glob("*.json"))) == 2


def test_behind_the_proxy_the_clients_address_counts_not_the_proxys(db, client, settings):
    """Behind nginx every request comes from 127.0.0.1: the allowed address must be the client's
    (core/clientip.py), or /metrics would be open to anyone through the proxy."""
    settings.GONGZHI_PROXY_COUNT = 1
    assert (
        client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 404
    )
    forged = "127.0.0.1, 203.0.113.9"  # the client's own entry on the left is never trusted
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forged).status_code == 404
    # a scraper on the machine itself, straight to gunicorn (no proxy entry): the socket's address
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
