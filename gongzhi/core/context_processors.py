"""Navigation for the office layout, built from the user's scope (so a menu never offers
a page the user may not open)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import Role
from gongzhi.core.scopes import scope_for, visible


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = scope_for(user)
    from gongzhi.registry.models import Street
    from gongzhi.registry.resources import resources_for

    nav_items = [{"url": reverse("home"), "label": _("首页"), "key": "home"}]
    registry_nav = [
        {"url": reverse("registry:list", args=[res.key]), "label": res.title, "key": res.key}
        for res in resources_for(scope)
    ]
    admin_nav = []
    if scope.admin_street_ids:
        admin_nav.append({"url": reverse("registry:import"), "label": _("Excel 导入"), "key": "import"})
        admin_nav.append({"url": reverse("audit_log"), "label": _("操作记录"), "key": "audit"})
    role_labels = "、".join(str(Role(role).label) for role in sorted(scope.roles))
    demo_street = visible(user, Street).filter(is_demo=True).exists()
    return {
        "scope": scope,
        "nav_items": nav_items,
        "registry_nav": registry_nav,
        "admin_nav": admin_nav,
        "role_labels": role_labels,
        "demo_street": demo_street,
    }
