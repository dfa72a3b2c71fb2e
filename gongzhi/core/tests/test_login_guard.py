"""Login throttling across usernames and the demo logins on the login page (issue 11, hole 11).

- Per username+IP (django-axes) and per IP across usernames (``core.loginguard``): one address that
  tries many usernames is stopped even though no single username reaches its own limit.
- The demo logins and their password are printed only in demo mode: the demo street is loaded and no
  real (non-demo) street exists.
"""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from gongzhi.core.testing import PASSWORD
from gongzhi.registry import models as r


def post_login(client, username, password, ip="203.0.113.7"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_one_address_trying_many_usernames_is_locked_out(world):
    client = Client()
    limit = settings.GONGZHI_LOGIN_IP_FAILURE_LIMIT
    assert limit > settings.AXES_FAILURE_LIMIT  # a shared address (NAT) may have a few unlucky users
    usernames = [f"guess{i}" for i in range(limit)]
    # each username fails only once: the per-username limit is never reached
    for name in usernames[:-1]:
        assert post_login(client, name, "wrong-password-x").status_code == 200
    last = post_login(client, usernames[-1], "wrong-password-x")
    assert last.status_code == 429
    # now even the right password of a real account is refused from this address …
    locked = post_login(client, "admin", PASSWORD)
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "这个网络地址登录失败次数过多" in html and "15 分钟" in html
    assert "_auth_user_id" not in client.session
    # … but not from another address
    assert post_login(Client(), "admin", PASSWORD, ip="198.51.100.9").status_code == 302


def test_the_address_limit_honours_the_proxy_count(world, settings):
    """Behind a reverse proxy the client is the X-Forwarded-For entry our proxy wrote (core.clientip)."""
    settings.GONGZHI_PROXY_COUNT = 1
    limit = settings.GONGZHI_LOGIN_IP_FAILURE_LIMIT
    client = Client()
    for i in range(limit):
        client.post(
            reverse("login"),
            {"username": f"guess{i}", "password": "wrong-password-x"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.50",
        )
    blocked = client.post(
        reverse("login"),
        {"username": "admin", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.50",
    )
    assert blocked.status_code == 429
    # another client behind the same proxy is not locked out
    other = Client().post(
        reverse("login"),
        {"username": "admin", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.51",
    )
    assert other.status_code == 302


def test_a_few_failures_from_a_shared_address_lock_nobody_else(world):
    client = Client()
    for name in ("guess1", "guess2", "guess3"):
        post_login(client, name, "wrong-password-x")
    assert post_login(Client(), "admin", PASSWORD).status_code == 302


# ---- demo logins on the login page ------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_logins_are_shown_in_demo_mode(client):
    from gongzhi.demo.generator import DEMO_PASSWORD, demo_street_ensure

    demo_street_ensure(scale=0.01)
    assert not r.Street.objects.filter(is_demo=False).exists()
    html = client.get(reverse("login")).content.decode()
    assert "demo_admin" in html and DEMO_PASSWORD in html


@pytest.mark.django_db
def test_demo_logins_are_hidden_as_soon_as_a_real_street_exists(client):
    from gongzhi.demo.generator import DEMO_PASSWORD, demo_street_ensure

    demo_street_ensure(scale=0.01)
    r.Street.objects.create(name="真实街道", district=r.District.objects.get_or_create(name="浦东新区")[0])
    html = client.get(reverse("login")).content.decode()
    assert "demo_admin" not in html and DEMO_PASSWORD not in html


def test_no_demo_logins_without_the_demo_street(client, world):
    html = client.get(reverse("login")).content.decode()
    assert "demo_admin" not in html and "gongzhi-demo-2026" not in html
