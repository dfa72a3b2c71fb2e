"""The client's address, for throttling and the audit trail.

Behind ``GONGZHI_PROXY_COUNT`` reverse proxies the socket address is the nearest proxy's, the same for
everyone; the client is then the address that the outermost of our proxies appended to
``X-Forwarded-For``: the ``GONGZHI_PROXY_COUNT``-th entry from the right. Entries further left were
written by the client itself and are never trusted."""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    if request is None:
        return ""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = getattr(settings, "GONGZHI_PROXY_COUNT", 0)
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
    ]
    if len(forwarded) < proxies:
        return remote  # not (fully) behind our proxies: the socket is the best we know
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
