"""The interactive API docs, served only from our own static files (no CDN, no network).

django-ninja ships Swagger UI in its ``static/ninja/`` folder, but it uses that copy only
when ``"ninja"`` is in INSTALLED_APPS; otherwise it falls back to a page that loads the
scripts from a CDN. We never render that fallback: without the app we show a plain page
that points at the machine-readable schema instead.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from ninja.openapi.docs import Swagger


class LocalSwagger(Swagger):
    # Swagger UI would otherwise fetch a validator badge from validator.swagger.io.
    default_settings = {**Swagger.default_settings, "validatorUrl": None}

    def render_page(self, request, api, **kwargs):
        if "ninja" in settings.INSTALLED_APPS:
            return super().render_page(request, api, **kwargs)
        html = format_html(
            '<!DOCTYPE html><html lang="zh-Hans"><head><meta charset="utf-8"><title>{}</title></head>'
            '<body><h1>{}</h1><p>{}</p><p><a href="{}">openapi.json</a></p></body></html>',
            api.title,
            api.title,
            _("交互式文档未启用（需要在 INSTALLED_APPS 中加入 ninja）。机器可读的接口说明："),
            self.get_openapi_url(api, kwargs),
        )
        return HttpResponse(html)
