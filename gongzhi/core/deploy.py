"""The nginx site of deploy/nginx/gongzhi.conf with this server's values (``gongzhi nginx_config``; the
deployment test renders it the same way with its own paths and ports).

The template names its values ``@NAME@``; every one must be given, and no ``@NAME@`` may remain (a
forgotten value would otherwise reach nginx as a literal and fail only at reload, on the server). The
values that the application itself decides — where the collected static files are, the largest request
body, the request timeout — are taken from the settings, so proxy and application cannot disagree.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from django.conf import settings

TEMPLATE = Path(settings.BASE_DIR) / "deploy" / "nginx" / "gongzhi.conf"
PLACEHOLDER = re.compile(r"@([A-Z_]+)@")


def upload_max_request_bytes() -> int:
    return settings.GONGZHI_UPLOAD_MAX_REQUEST_MB * 1024 * 1024


def nginx_values(
    *,
    server_name: str,
    tls_cert: str,
    tls_key: str,
    upstream: str = "127.0.0.1:8000",
    http_listen: str = "80",
    https_listen: str = "443",
    access_log: str = "/var/log/nginx/gongzhi.access.log",
) -> dict[str, str]:
    https_port = https_listen.rsplit(":", 1)[-1]
    return {
        "SERVER_NAME": server_name,
        "TLS_CERT": tls_cert,
        "TLS_KEY": tls_key,
        "UPSTREAM": upstream,
        "HTTP_LISTEN": http_listen,
        "HTTPS_LISTEN": https_listen,
        "HTTPS_PORT_SUFFIX": "" if https_port == "443" else f":{https_port}",
        "ACCESS_LOG": access_log,
        "STATIC_ROOT": str(Path(settings.STATIC_ROOT)).rstrip("/"),
        "MAX_BODY": f"{settings.GONGZHI_UPLOAD_MAX_REQUEST_MB}m",
        # the same variable and default as `gongzhi serve` gives gunicorn's --timeout
        "REQUEST_TIMEOUT": f"{int(os.environ.get('GONGZHI_REQUEST_TIMEOUT', '180'))}s",
    }


def render_nginx(values: dict[str, str], template: str | None = None) -> str:
    text = TEMPLATE.read_text(encoding="utf-8") if template is None else template
    missing = sorted(set(PLACEHOLDER.findall(text)) - set(values))
    if missing:
        raise KeyError(f"no value for {', '.join(missing)}")
    for name, value in values.items():
        if any(char in value for char in ";{}\n\"'"):
            # a value is one nginx word: a ; or a brace would end the directive and start another
            raise ValueError(f"{name}: {value!r} is not a single nginx value")
    return PLACEHOLDER.sub(lambda match: values[match[1]], text)
