"""The problems' menu group (问题与销项): office users only; categories for the street admin."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def nav_group(user, scope) -> dict | None:
    if not scope.is_office:
        return None
    items = [
        {"url": reverse("problems:list"), "label": _("问题清单"), "key": "problems"},
        {"url": reverse("problems:stats"), "label": _("问题统计"), "key": "problem_stats"},
    ]
    if scope.is_street_admin():
        items.append(
            {"url": reverse("problems:categories"), "label": _("类别设置"), "key": "problem_categories"}
        )
    return {"label": _("问题与销项"), "items": items}
