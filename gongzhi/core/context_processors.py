"""Navigation for the office layout, built from the user's scope (so a menu never offers
a page the user may not open)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongzhi.core.scopes import scope_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = scope_for(user)
    from gongzhi.registry.resources import RESOURCES, resources_for

    items = [{"url": reverse("home"), "label": _("首页"), "key": "home"}]
    registry_items = [
        {"url": reverse("registry:list", args=[r.key]), "label": r.title, "key": r.key}
        for r in resources_for(scope)
    ]
    if scope.admin_street_ids:
        items.append({"url": reverse("registry:import"), "label": _("Excel 导入"), "key": "import"})
        items.append({"url": reverse("audit_log"), "label": _("操作记录"), "key": "audit"})
    return {
        "scope": scope,
        "nav_items": items,
        "registry_nav": registry_items,
        "registry_resource_count": len(RESOURCES),
    }
