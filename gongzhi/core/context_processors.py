"""Navigation for the office layout, built from the user's scope (so a menu never offers
a page the user may not open).

Core knows its own pages only (home, inbox, audit trail); every capability app adds its part
through ``<app>/navigation.py`` (see ``gongzhi.core.plugins``), in ``DOMAIN_APPS`` order.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import Notification, Role
from gongzhi.core.plugins import app_modules
from gongzhi.core.scopes import scope_for, visible

# Where a plug-in's group goes: "top" (links without a heading, after home and the inbox),
# "main" (a group of its own, the default), "end" (a group after all main ones: the long
# record lists) or "admin" (links in core's 管理 group, before the audit trail).
PLACES = ("top", "main", "end", "admin")


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = scope_for(user)
    from gongzhi.registry.models import Street

    placed = _plugin_groups(user, scope)
    nav_items = [{"url": reverse("home"), "label": _("首页"), "key": "home"}]
    if scope.is_office:
        unread = getattr(request, "unread_notifications", None)  # the inbox has counted them already
        if unread is None:
            unread = Notification.objects.filter(user=user, read_at__isnull=True).count()
        nav_items.append({"url": reverse("inbox"), "label": _("收件箱"), "key": "inbox", "badge": unread})
    for group in placed["top"]:
        nav_items += group["items"]
    admin_items = [item for group in placed["admin"] for item in group["items"]]
    if scope.is_street_admin():
        admin_items.append({"url": reverse("audit_log"), "label": _("操作记录"), "key": "audit"})
        admin_items.append({"url": reverse("data_health"), "label": _("数据体检"), "key": "data_health"})
        admin_items.append(
            {"url": reverse("notify_deliveries"), "label": _("外发通知记录"), "key": "notify_deliveries"}
        )
        admin_items.append({"url": reverse("notify_events"), "label": _("通知规则"), "key": "notify_events"})
    nav_groups = placed["main"] + placed["end"]
    if admin_items:
        nav_groups.append({"label": _("管理"), "items": admin_items})
    role_labels = "、".join(str(Role(role).label) for role in sorted(scope.roles))
    demo_street = visible(user, Street).filter(is_demo=True).exists()
    return {
        "scope": scope,
        "nav_items": nav_items,
        "nav_groups": nav_groups,
        "role_labels": role_labels,
        "demo_street": demo_street,
    }


def _plugin_groups(user, scope) -> dict[str, list[dict]]:
    """The menu groups of the capability apps by place. ``<app>/navigation.py`` defines
    ``nav_group(user, scope)`` returning a group ``{"label", "items": [{"url", "label", "key"}, …],
    "place"?, "key"?}``, a list of groups, or None, and offers only the pages this user may open.
    A group with the ``key`` of an earlier one adds its items to it (the portal's letters go with
    the votes)."""
    placed: dict[str, list[dict]] = {place: [] for place in PLACES}
    by_key: dict[str, dict] = {}
    for module in app_modules("navigation"):
        groups = module.nav_group(user, scope) or []
        for group in [groups] if isinstance(groups, dict) else groups:
            if not group.get("items"):
                continue
            if group.get("key") in by_key:
                by_key[group["key"]]["items"] = by_key[group["key"]]["items"] + group["items"]
                continue
            if group.get("key"):
                by_key[group["key"]] = group
            placed[group.get("place", "main")].append(group)
    return placed
