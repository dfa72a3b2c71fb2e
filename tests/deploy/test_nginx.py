"""The deployment recipe, run (issue 16; docs/OPERATIONS.md "The deployment recipe"): Debian's nginx with
the site of deploy/nginx/gongzhi.conf (rendered by core/deploy.py, as ``gongzhi nginx_config`` does) in
front of gunicorn started by ``gongzhi serve`` with the settings of deploy/gongzhi.env.example, both on
free ports of 127.0.0.1, over TLS with a certificate made for the test. Through the proxy:

- the real client address reaches the application: the client connects from 127.0.0.2 (the whole
  127.0.0.0/8 is this machine's loopback) and forges an X-Forwarded-For; the audit trail of a failed
  login records 127.0.0.2 — not nginx's 127.0.0.1, not the forged address (GONGZHI_PROXY_COUNT=1);
- HTTPS: plain HTTP is redirected to HTTPS; the application sees the request as secure (no redirect
  loop, the CSRF cookie is Secure, HSTS is sent); a client's own X-Forwarded-Proto over plain HTTP is
  not believed;
- static files: a vendored asset answers 200 from the collected static root with a cache header, and
  never reaches gunicorn (not in the application's log);
- uploads: a body over the limit is refused by nginx with 413 before gunicorn; one under it reaches the
  application; an uploaded file under var/media is not served by nginx;
- metrics: /metrics is not served to a client through the proxy (its address, not nginx's, counts);
- logs: the application writes JSON lines carrying nginx's $request_id, the same id as the answer's
  X-Request-ID header and nginx's own JSON access line.

A file SQLite database under a temporary var directory, migrated by the test; nothing is shared with the
test database. Marked ``deploy``: it runs in the SQLite pass of ./run test (not the PostgreSQL pass).
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.deploy

NGINX = "/usr/sbin/nginx"
CLIENT = "127.0.0.2"  # the client's address, as nginx sees it
FORGED = "6.6.6.6"
GONGZHI = str(Path(sys.executable).with_name("gongzhi"))
UPLOAD_MAX_MB = 3  # small enough to send twice in a test; the template takes it from the settings


def example_settings() -> dict[str, str]:
    """The active KEY=VALUE lines of deploy/gongzhi.env.example (comments and blank lines skipped)."""
    text = (Path(__file__).resolve().parents[2] / "deploy" / "gongzhi.env.example").read_text(
        encoding="utf-8"
    )
    pairs = (line.split("=", 1) for line in text.splitlines() if line.strip() and not line.startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"port {port} never answered:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Site:
    def __init__(self, root: Path, https_port: int, http_port: int, cert: Path, app_log: Path, access: Path):
        self.root, self.https_port, self.http_port = root, https_port, http_port
        self.app_log, self.access_log = app_log, access
        self.tls = ssl.create_default_context(cafile=str(cert))

    def request(self, method, path, *, headers=None, body=None, tls=True, source=CLIENT):
        if tls:
            conn = http.client.HTTPSConnection(
                "127.0.0.1", self.https_port, context=self.tls, source_address=(source, 0), timeout=30
            )
        else:
            conn = http.client.HTTPConnection(
                "127.0.0.1", self.http_port, source_address=(source, 0), timeout=30
            )
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, response.headers, response.read()
        finally:
            conn.close()

    def app_lines(self) -> list[dict]:
        """The application's JSON log lines so far (gunicorn's own start-up lines are not JSON)."""
        lines = []
        for line in self.app_log.read_text(encoding="utf-8").splitlines():
            if line.startswith("{"):
                lines.append(json.loads(line))
        return lines

    def database(self) -> sqlite3.Connection:
        return sqlite3.connect(self.root / "var" / "gongzhi.sqlite3")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    assert Path(NGINX).exists(), "nginx is missing: ./run test installs it (apt-get install nginx)"
    root = tmp_path_factory.mktemp("deploy")
    root.chmod(0o755)  # nginx's worker processes read the static files
    var = root / "var"
    var.mkdir()
    cert, key = root / "cert.pem", root / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    app_port, https_port, http_port = free_port(), free_port(), free_port()
    # deploy/gongzhi.env.example's deployment settings as written (proxy count, HTTPS, JSON logs, metrics
    # addresses), with this test's places, names and secrets: SQLite in the temporary var directory.
    example = example_settings()
    assert (example["GONGZHI_PROXY_COUNT"], example["GONGZHI_HTTPS"], example["GONGZHI_LOG_FORMAT"]) == (
        "1",
        "1",
        "json",
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GONGZHI_", "DJANGO_")) and k != "DATABASE_URL"
    }
    env |= {k: v for k, v in example.items() if k != "DATABASE_URL"}
    env |= {
        "GONGZHI_VAR_DIR": str(var),
        "GONGZHI_SECRET_KEY": "deploy-test-" + "k" * 50,
        "GONGZHI_ALLOWED_HOSTS": "127.0.0.1",
        "GONGZHI_CSRF_TRUSTED_ORIGINS": f"https://127.0.0.1:{https_port}",
        "GONGZHI_PUBLIC_BASE_URL": f"https://127.0.0.1:{https_port}",
        "GONGZHI_WORKERS": "2",
        "GONGZHI_UPLOAD_MAX_REQUEST_MB": str(UPLOAD_MAX_MB),
    }
    for command in (["migrate", "--no-input", "-v", "0"], ["collectstatic", "--no-input", "-v", "0"]):
        subprocess.run([GONGZHI, *command], env=env, check=True, capture_output=True, timeout=300)
    (var / "media").mkdir(exist_ok=True)
    (var / "media" / "secret-evidence.txt").write_text("合同原件：不公开")

    app_log = root / "app.log"
    with app_log.open("w") as out:
        app = subprocess.Popen(  # noqa: S603
            [GONGZHI, "serve", "--host", "127.0.0.1", "--port", str(app_port)],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    nginx_dir = root / "nginx"
    nginx_dir.mkdir()
    access = nginx_dir / "access.log"
    # The site exactly as an operator renders it, with this test's paths; the settings it reads
    # (static root, body limit) are the server's, so they are computed with the server's environment.
    site_conf = subprocess.run(
        [GONGZHI, "nginx_config", "--server-name", "127.0.0.1", "--tls-cert", str(cert), "--tls-key", str(key),
         "--upstream", f"127.0.0.1:{app_port}", "--http-listen", f"127.0.0.1:{http_port}",
         "--https-listen", f"127.0.0.1:{https_port}", "--access-log", str(access)],
        env=env, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    (nginx_dir / "gongzhi.conf").write_text(site_conf)
    # The frame Debian's /etc/nginx/nginx.conf gives a site, with its own prefix, pid and logs.
    user = "user root;\n" if os.geteuid() == 0 else ""
    (nginx_dir / "nginx.conf").write_text(
        f"{user}worker_processes 1;\npid {nginx_dir}/nginx.pid;\nerror_log {nginx_dir}/error.log warn;\n"
        "events { worker_connections 64; }\n"
        "http {\n  include /etc/nginx/mime.types;\n  default_type application/octet-stream;\n"
        f"  client_body_temp_path {nginx_dir}/body; proxy_temp_path {nginx_dir}/proxy;\n"
        f"  fastcgi_temp_path {nginx_dir}/fastcgi; uwsgi_temp_path {nginx_dir}/uwsgi;\n"
        f"  scgi_temp_path {nginx_dir}/scgi;\n  include {nginx_dir}/gongzhi.conf;\n}}\n"
    )
    nginx_log = nginx_dir / "stderr.log"
    with nginx_log.open("w") as out:
        proxy = subprocess.Popen(  # noqa: S603
            [NGINX, "-p", str(nginx_dir), "-e", str(nginx_dir / "error.log"), "-c", str(nginx_dir / "nginx.conf"),
             "-g", "daemon off;"],
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_for_port(app_port, app, app_log)
        wait_for_port(https_port, proxy, nginx_log)
        yield Site(root, https_port, http_port, cert, app_log, access)
    finally:
        stop(proxy)
        stop(app)


def login_page(site: Site) -> tuple[str, str]:
    """(csrf cookie value, csrf form token) from the login page through the proxy."""
    status, headers, body = site.request("GET", "/accounts/login/")
    assert status == 200
    cookie = next(c for c in headers.get_all("Set-Cookie") if c.startswith("csrftoken="))
    token = body.decode().split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    return cookie, token


def test_plain_http_is_redirected_to_https(site):
    status, headers, _body = site.request("GET", "/accounts/login/?next=/inbox/", tls=False)
    assert status == 301
    assert headers["Location"] == f"https://127.0.0.1:{site.https_port}/accounts/login/?next=/inbox/"


def test_the_application_sees_https_and_answers_with_secure_cookies_and_hsts(site):
    status, headers, _body = site.request("GET", "/accounts/login/")
    assert status == 200  # not a redirect to https: request.is_secure() is true behind the proxy
    assert headers["Strict-Transport-Security"] == "max-age=31536000"
    cookie = next(c for c in headers.get_all("Set-Cookie") if c.startswith("csrftoken="))
    assert "Secure" in cookie.split("; ")


def test_a_clients_own_forwarded_proto_over_plain_http_is_not_believed(site):
    status, headers, _body = site.request(
        "GET", "/healthz", tls=False, headers={"X-Forwarded-Proto": "https"}
    )
    assert status == 301  # nginx answers plain HTTP itself; nothing reaches the application unencrypted
    assert headers["Location"].startswith("https://")


def test_the_real_client_address_reaches_the_audit_trail(site):
    cookie, token = login_page(site)
    body = f"csrfmiddlewaretoken={token}&username=nobody-deploy&password=wrong-password-1"
    status, _headers, _body = site.request(
        "POST",
        "/accounts/login/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookie.split(";", 1)[0],
            "Origin": f"https://127.0.0.1:{site.https_port}",
            "X-Forwarded-For": FORGED,  # the client's own claim: left of nginx's entry, never trusted
        },
    )
    assert status == 200  # the form again, with its error
    with site.database() as db:
        rows = db.execute(
            "SELECT changes FROM core_auditevent WHERE action = 'login_failed' AND object_label = 'nobody-deploy'"
        ).fetchall()
    assert [json.loads(changes)["ip"] for (changes,) in rows] == [CLIENT]


def test_a_vendored_static_file_is_served_by_nginx_with_a_cache_header(site):
    path = "/static/vendor/echarts/echarts.common.min.js"
    status, headers, body = site.request("GET", path)
    assert status == 200
    assert (
        body == (site.root / "var" / "static" / "vendor" / "echarts" / "echarts.common.min.js").read_bytes()
    )
    assert headers.get_all("Cache-Control") == ["public, max-age=3600"]
    assert "javascript" in headers["Content-Type"]
    assert path not in {line.get("path") for line in site.app_lines()}  # gunicorn never saw it


def test_an_uploaded_file_is_not_served_by_nginx(site):
    status, _headers, body = site.request("GET", "/media/secret-evidence.txt")
    assert status == 404
    assert "合同原件".encode() not in body


def test_bodies_over_the_limit_stop_at_nginx_and_smaller_ones_reach_the_application(site):
    def post(size: int):
        return site.request(
            "POST",
            "/accounts/login/",
            body=b"x" * size,
            headers={"Content-Type": "application/octet-stream", "X-Forwarded-For": FORGED},
        )

    before = len(site.app_lines())
    status, _headers, _body = post(UPLOAD_MAX_MB * 1024 * 1024 + 1)
    assert status == 413
    assert [line for line in site.app_lines()[before:] if line.get("path") == "/accounts/login/"] == []
    status, headers, _body = post(UPLOAD_MAX_MB * 1024 * 1024 - 1024)
    assert status == 403  # the application's CSRF refusal: the body got through to Django
    request_id = headers["X-Request-ID"]
    lines = [line for line in site.app_lines() if line["request_id"] == request_id]
    # Django's CSRF warning and the access line, both with the request's id
    assert sorted((line["logger"], line.get("status")) for line in lines) == [
        ("django.security.csrf", None),
        ("gongzhi.request", 403),
    ]


def test_one_request_id_in_the_answer_the_application_log_and_nginx_log(site):
    status, headers, _body = site.request(
        "GET", "/healthz", headers={"X-Request-ID": "forged-by-the-client-0001"}
    )
    assert status == 200
    request_id = headers["X-Request-ID"]
    assert request_id != "forged-by-the-client-0001"  # nginx's $request_id replaces the client's
    assert len(request_id) == 32 and int(request_id, 16) >= 0
    app = [line for line in site.app_lines() if line["request_id"] == request_id]
    assert [(line["logger"], line["method"], line["path"], line["status"]) for line in app] == [
        ("gongzhi.request", "GET", "/healthz", 200)
    ]
    assert "user_id" not in app[0]
    deadline = time.monotonic() + 5  # nginx writes its access line after the answer
    while time.monotonic() < deadline and request_id not in site.access_log.read_text():
        time.sleep(0.1)
    proxy = [json.loads(line) for line in site.access_log.read_text().splitlines()]
    entry = next(line for line in proxy if line["request_id"] == request_id)
    assert (entry["remote_addr"], entry["uri"], entry["status"]) == (CLIENT, "/healthz", 200)


def test_metrics_are_not_open_to_the_world_through_the_proxy(site):
    """nginx connects to gunicorn from 127.0.0.1, an allowed address; the client behind it is not."""
    status, _headers, body = site.request("GET", "/metrics")
    assert status == 404
    assert b"gongzhi_http_requests_total" not in body


def test_metrics_add_up_over_the_gunicorn_processes(site):
    """Two gunicorn processes answer behind nginx; /metrics (asked of gunicorn directly, from 127.0.0.1)
    counts every /healthz request through the proxy, whichever process served it."""
    app_port = int(next(line for line in (site.root / "nginx" / "gongzhi.conf").read_text().splitlines()
                        if "server 127.0.0.1:" in line).split(":")[1].rstrip(";"))  # fmt: skip

    def healthz_count() -> float:
        conn = http.client.HTTPConnection("127.0.0.1", app_port, timeout=30)
        conn.request("GET", "/metrics", headers={"X-Forwarded-Proto": "https"})
        response = conn.getresponse()
        text = response.read().decode()
        conn.close()
        assert response.status == 200
        key = 'gongzhi_http_requests_total{view="healthz",status="2xx"} '
        return sum(float(line[len(key) :]) for line in text.splitlines() if line.startswith(key))

    before = healthz_count()
    for _ in range(20):
        assert site.request("GET", "/healthz")[0] == 200
    assert healthz_count() == before + 20
    assert 1 <= len(list((site.root / "var" / "metrics").glob("*.json"))) <= 2  # one file per process
