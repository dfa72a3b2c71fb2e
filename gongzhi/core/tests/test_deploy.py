"""Facts about the nginx site of deploy/ (core/deploy.py, ``gongzhi nginx_config``). That it works is
tests/deploy/test_nginx.py (nginx and gunicorn, run); here: the values it takes from the application."""

from __future__ import annotations

import re

import pytest
from django.core.management import CommandError, call_command

from gongzhi.branchwork.services import MAX_EVIDENCE_BYTES
from gongzhi.core import images
from gongzhi.core.deploy import TEMPLATE, nginx_values, render_nginx, upload_max_request_bytes
from gongzhi.finance.services import MAX_DOCUMENT_BYTES
from gongzhi.problems.rules import MAX_PHOTOS

VALUES = {"server_name": "gongzhi.example.gov.cn", "tls_cert": "/etc/ssl/c.pem", "tls_key": "/etc/ssl/k.pem"}


def test_the_proxy_lets_through_every_upload_the_application_accepts(settings):
    """The application refuses oversized files itself, with a message in Chinese; nginx's 413 (an English
    page) must never come first. The largest request is a problem report with all its photos."""
    form_overhead = 1024 * 1024
    needed = max(
        MAX_PHOTOS * images.MAX_BYTES, MAX_EVIDENCE_BYTES, MAX_DOCUMENT_BYTES, settings.IMPORT_MAX_BYTES
    )
    assert upload_max_request_bytes() >= needed + form_overhead
    site = render_nginx(nginx_values(**VALUES))
    (limit,) = re.findall(r"client_max_body_size (\d+)m;", site)
    assert int(limit) * 1024 * 1024 == upload_max_request_bytes() == 64 * 1024 * 1024


def test_the_site_takes_the_static_root_and_timeout_from_the_settings(settings, tmp_path, monkeypatch):
    settings.STATIC_ROOT = tmp_path / "static"
    monkeypatch.setenv("GONGZHI_REQUEST_TIMEOUT", "240")
    site = render_nginx(nginx_values(**VALUES, https_listen="8443"))
    assert f"alias {tmp_path}/static/;" in site
    assert "proxy_read_timeout 240s;" in site
    assert "return 301 https://$host:8443$request_uri;" in site
    assert "@" not in re.sub(r"#.*", "", site)  # every value filled in
    assert "location /media/" not in re.sub(r"#.*", "", site)  # uploads go through the application


def test_the_command_prints_the_site(capsys):
    call_command(
        "nginx_config",
        "--server-name",
        "gongzhi.example.gov.cn",
        "--tls-cert",
        "/c.pem",
        "--tls-key",
        "/k.pem",
    )
    out = capsys.readouterr().out
    assert "server_name gongzhi.example.gov.cn;" in out
    assert "ssl_certificate /c.pem;" in out


@pytest.mark.parametrize("hostile", ["a.example; include /etc/passwd", "a.example}", 'a"b', "a\nb"])
def test_a_value_cannot_add_a_directive(hostile):
    with pytest.raises(ValueError, match="single nginx value"):
        render_nginx(nginx_values(**{**VALUES, "server_name": hostile}))
    with pytest.raises(CommandError):
        call_command("nginx_config", "--server-name", hostile, "--tls-cert", "/c.pem", "--tls-key", "/k.pem")


def test_a_placeholder_without_a_value_is_an_error():
    with pytest.raises(KeyError, match="NEW_THING"):
        render_nginx(nginx_values(**VALUES), template=TEMPLATE.read_text() + "\nlisten @NEW_THING@;\n")
