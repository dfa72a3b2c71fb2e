"""Password guessing from one address across many usernames.

django-axes locks a username+address pair after ``AXES_FAILURE_LIMIT`` failures. An attacker who tries
one common password on many usernames never reaches that limit, so this module also counts the recent
failures of the address itself, whatever usernames they were for (axes' own records, within its
cool-off window), and refuses every login from that address at ``GONGZHI_LOGIN_IP_FAILURE_LIMIT`` — a
higher limit, because many residents may share one address behind a carrier's NAT. The address is the
one ``core.clientip`` trusts (``GONGZHI_PROXY_COUNT``)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.utils import timezone

from gongzhi.core.clientip import client_ip


def _address(request) -> str:
    return getattr(request, "axes_ip_address", None) or client_ip(request)


def cool_off_minutes() -> int:
    return round(float(settings.AXES_COOLOFF_TIME) * 60)


def address_failures(request) -> int:
    """Failed logins from the request's address within the cool-off window, over all usernames."""
    from axes.models import AccessAttempt

    address = _address(request)
    if not address:
        return 0
    since = timezone.now() - dt.timedelta(minutes=cool_off_minutes())
    total = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since).aggregate(
        n=Sum("failures_since_start")
    )["n"]
    return total or 0


def address_locked(request) -> bool:
    return request is not None and address_failures(request) >= settings.GONGZHI_LOGIN_IP_FAILURE_LIMIT


class AddressThrottleBackend:
    """Placed before ModelBackend: a locked-out address gets no password checked at all."""

    def authenticate(self, request, **credentials):
        if address_locked(request):
            request.gongzhi_address_locked = True
            raise PermissionDenied
        return None

    # No ``get_user``: sessions (and ``force_login``) belong to ModelBackend, never to this gate.
