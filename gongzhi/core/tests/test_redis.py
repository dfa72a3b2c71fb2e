"""The shared cache and sessions in Redis (settings.py with GONGZHI_REDIS_URL; docs/SCALING.md).

Against the Redis server on 127.0.0.1:6379, in the PostgreSQL pass (skipped on SQLite, and outside CI where no Redis
answers): a public page rendered by one app server is served to the next from Redis, and a login made on
one app server is known to another — what makes app servers interchangeable."""

from __future__ import annotations

import os
import socket
import uuid

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.urls import reverse

REDIS = ("127.0.0.1", 6379)


def _redis_answers() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=0.5):
            return True
    except OSError:
        return False


pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="runs in the PostgreSQL pass"),
    # In CI a missing Redis is a failure (./run test starts it), never a silent skip.
    pytest.mark.skipif(
        not _redis_answers() and os.environ.get("CI") != "true", reason="no Redis on 127.0.0.1:6379"
    ),
    pytest.mark.django_db,
]


@pytest.fixture
def redis_settings(settings):
    """settings.py's Redis configuration, under a key prefix of this test's own."""
    pytest.importorskip("redis")
    prefix = f"gongzhi-test-{uuid.uuid4().hex[:12]}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://{REDIS[0]}:{REDIS[1]}/15",
            "KEY_PREFIX": prefix,
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    yield prefix
    caches["default"].clear()


def _keys(prefix: str) -> list[bytes]:
    import redis

    return redis.Redis(host=REDIS[0], port=REDIS[1], db=15).keys(f"{prefix}:*")


def test_a_public_page_rendered_by_one_app_server_is_served_to_the_next_from_redis(
    redis_settings, world, django_assert_max_num_queries
):
    url = reverse("board:estate", args=[world.estate_a1.pk])
    first = Client().get(url)
    assert first.status_code == 200
    assert any(b"public-page:" in key for key in _keys(redis_settings))
    with django_assert_max_num_queries(1):  # the change mark only: the page itself comes from Redis
        second = Client().get(url)
    assert second.content == first.content


def test_a_login_on_one_app_server_is_known_to_another(redis_settings, world):
    one, other = Client(), Client()
    one.force_login(world.user("admin"))
    other.cookies = one.cookies  # the load balancer sends the next request elsewhere
    assert other.get(reverse("registry:list", args=["estates"])).status_code == 200
    assert any(b"django.contrib.sessions.cached_db" in key for key in _keys(redis_settings))
