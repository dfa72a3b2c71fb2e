"""Login protection, headers, CSRF, hashing, language default and the login audit."""

import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from gongzhi.core.models import AuditEvent
from gongzhi.core.testing import PASSWORD, off_site_urls


def post_login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_with_the_right_password_lands_home_and_is_audited(client, world):
    response = post_login(client, "admin", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    assert AuditEvent.objects.filter(action="login", actor=world.user("admin")).count() == 1


def test_failed_logins_are_audited_without_the_password(client, world):
    post_login(client, "admin", "not-the-password")
    event = AuditEvent.objects.get(action="login_failed")
    assert event.object_label == "admin"
    assert "not-the-password" not in str(event.changes)


def test_repeated_failures_lock_the_account_even_for_the_right_password(client, world):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert post_login(client, "admin", "wrong-password-x").status_code == 200
    assert post_login(client, "admin", "wrong-password-x").status_code == 429  # the limit-th failure locks
    locked = post_login(client, "admin", PASSWORD)
    assert locked.status_code == 429
    assert "账号已暂时锁定" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_lock_is_per_username_and_ip(client, world):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, "admin", "wrong-password-x")
    assert post_login(Client(), "leader", PASSWORD).status_code == 302


def test_passwords_are_hashed_with_argon2_in_production_settings():
    """Tests swap in a fast hasher (conftest); the settings file itself names Argon2 first."""
    source = (settings.BASE_DIR / "gongzhi" / "settings.py").read_text()
    assert source.index("Argon2PasswordHasher") < source.index("PBKDF2PasswordHasher")


def test_security_headers(client, world):
    response = client.get(reverse("login"))
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert settings.SESSION_COOKIE_HTTPONLY


def test_pages_have_no_inline_scripts_or_cdn(as_user, world):
    html = as_user("admin").get("/?overview=1").content.decode()
    assert "<script>" not in html  # CSP forbids inline scripts; ours are files
    assert off_site_urls(html) == []  # nothing loaded from another host (a CDN or any other)
    assert "http://" not in html and "https://" not in html


def test_csrf_is_enforced_on_writes(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user("admin"))
    response = client.post(
        reverse("registry:create", args=["areas"]), {"street": world.street.pk, "name": "CSRF区"}
    )
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()


def test_chinese_is_the_default_whatever_the_browser_asks(client, world):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "zh-hans"
    assert "登录" in response.content.decode()


def test_language_choice_is_kept_in_a_cookie(client, world):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert client.get(reverse("login"))["Content-Language"] == "en"


def test_unknown_language_cookie_falls_back_to_chinese(client, world):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert client.get(reverse("login"))["Content-Language"] == "zh-hans"


def test_logout_needs_post(as_user, world):
    client = as_user("admin")
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert client.get("/").status_code == 302


def test_errors_are_friendly_chinese_pages(as_user, world):
    response = as_user("secretary_b").get(reverse("registry:detail", args=["estates", world.estate_a1.pk]))
    assert response.status_code == 404
    assert "不在您的管辖范围内" in response.content.decode()


@pytest.mark.parametrize("argv", [["check", "--system"], ["makemigrations", "--check", "--dry-run"]])
def test_gongzhi_command_wraps_django(argv, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "gongzhi.cli", *argv],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "GONGZHI_VAR_DIR": str(tmp_path)},
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_login_page_hides_demo_logins_beside_real_streets(client, world):
    """The world's streets are real (not demo): the demo logins stay hidden even once the demo street is
    loaded beside them (shown only in demo mode: test_login_guard.py)."""
    assert "demo_admin" not in client.get(reverse("login")).content.decode()
    from gongzhi.demo.generator import demo_street_ensure

    demo_street_ensure(scale=0.01)
    html = client.get(reverse("login")).content.decode()
    assert "demo_admin" not in html and "gongzhi-demo-2026" not in html
