"""The street admin's data-health page (数据体检): the report of ``gongzhi check`` for their own street."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from gongzhi.core.health import SEVERITIES, run_health
from gongzhi.core.scopes import admin_street


@login_required
def data_health(request):
    """Street admins only (others 403), and only for the street they run (the door's ``admin_street``)."""
    street = admin_street(request.user)
    if street is None:
        raise PermissionDenied
    report = run_health(street=street)
    return render(
        request,
        "core/data_health.html",
        {"report": report, "severities": SEVERITIES, "nav_active": "data_health"},
    )
