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
    problems_nav = []
    if scope.is_office:
        from gongzhi.core.models import Notification

        unread = Notification.objects.filter(user=user, read_at__isnull=True).count()
        nav_items.append({"url": reverse("inbox"), "label": _("收件箱"), "key": "inbox", "badge": unread})
        if scope.street_ids or scope.estate_ids:
            nav_items.append({"url": reverse("finance:index"), "label": _("账本"), "key": "finance"})
        problems_nav = [
            {"url": reverse("problems:list"), "label": _("问题清单"), "key": "problems"},
            {"url": reverse("problems:stats"), "label": _("问题统计"), "key": "problem_stats"},
        ]
        if scope.admin_street_ids:
            problems_nav.append(
                {"url": reverse("problems:categories"), "label": _("类别设置"), "key": "problem_categories"}
            )
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
        "app_nav_groups": _app_nav_groups(user, scope),
        "scope": scope,
        "nav_items": nav_items,
        "registry_nav": registry_nav,
        "problems_nav": problems_nav,
        "admin_nav": admin_nav,
        "role_labels": role_labels,
        "demo_street": demo_street,
    }


def _app_nav_groups(user, scope) -> list[dict]:
    """Menu groups of the capability apps: ``<app>/navigation.py`` defines
    ``nav_group(user, scope) -> {"label": ..., "items": [{"url", "label", "key"}, ...]} | None``
    and offers only the pages this user may open."""
    from gongzhi.core.plugins import app_modules

    groups = []
    for module in app_modules("navigation"):
        group = module.nav_group(user, scope)
        if group and group.get("items"):
            groups.append(group)
    return groups
