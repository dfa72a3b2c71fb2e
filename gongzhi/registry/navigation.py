"""The registry's menu: the record lists this user may read (台账, after the other apps' groups)
and, for the street admin, the Excel import (in the 管理 group, beside core's audit trail)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongzhi.registry.resources import resources_for


def nav_group(user, scope) -> list[dict]:
    records = [
        {"url": reverse("registry:list", args=[res.key]), "label": res.title, "key": res.key}
        for res in resources_for(scope)
    ]
    groups = [{"label": _("台账"), "place": "end", "items": records}]
    if scope.is_street_admin():
        imports = [{"url": reverse("registry:import"), "label": _("Excel 导入"), "key": "import"}]
        groups.append({"place": "admin", "items": imports})
    return groups
