"""``/metrics`` for the IT team's Prometheus (core/metrics.py; docs/OPERATIONS.md "Metrics")."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

from gongzhi.core import metrics as metrics_module


@require_GET
def metrics(request):
    """Not a page for people: answered only to an allowed address or the bearer token; everyone else
    gets the same 404 as for a page that does not exist (no hint that something is here)."""
    if not metrics_module.allowed(request):
        raise Http404
    return HttpResponse(metrics_module.exposition(), content_type="text/plain; version=0.0.4; charset=utf-8")
