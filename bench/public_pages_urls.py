"""URLs for bench/public_pages_bench.py only (see bench/public_pages_settings.py): the production site
plus ``/bench/rows50/`` — 50 rows read by the ORM and rendered in a template on base.html, the ceiling
a public page is compared with. Not part of the product."""

from __future__ import annotations

from django.template import engines
from django.urls import include, path

ROWS_TEMPLATE = """{% extends "base.html" %}
{% block body %}<main><h1>50 rows</h1><table>
{% for e in estates %}<tr><td>{{ e.pk }}</td><td>{{ e.name }}</td><td>{{ e.area.name }}</td>
<td>{{ e.address }}</td></tr>{% endfor %}</table></main>{% endblock %}"""


def rows50(request):
    from django.http import HttpResponse

    from gongzhi.registry.models import Estate

    request.public_page = True  # like the public pages: base.html then holds no CSRF token
    estates = list(Estate.objects.select_related("area").order_by("pk")[:50])
    template = engines["django"].from_string(ROWS_TEMPLATE)
    return HttpResponse(template.render({"estates": estates}, request))


urlpatterns = [
    path("bench/rows50/", rows50),
    path("", include("gongzhi.urls")),
]
