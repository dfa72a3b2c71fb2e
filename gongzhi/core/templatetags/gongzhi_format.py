"""Display filters shared by every page: ``{% load gongzhi_format %}``.

``{{ rate|percent }}`` → "87.5%" (or "—" when there is no figure); ``{{ rate|percent:1 }}`` rounds
as ``floatformat:1`` does first. ``{{ amount|yuan }}`` → "1234.50 元" (the unit translated).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.defaultfilters import floatformat
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()

MISSING = "—"


@register.filter
def percent(value: Any, digits: Any = None) -> SafeString | str:
    if value is None:
        return MISSING
    shown = value if digits is None else floatformat(value, digits)
    return format_html("{}%", shown)


@register.filter
def yuan(value: Any) -> SafeString:
    return format_html("{} {}", value, _("元"))
