from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def nav_group(user, scope) -> dict | None:
    """The wall for the street (admin, leadership group), the area branches and the companies."""
    if not (scope.is_street_wide() or scope.in_branch() or scope.is_company_staff()):
        return None
    items = [{"url": reverse("wall:street"), "label": _("挂图作战"), "key": "wall"}]
    items.append({"url": reverse("wall:trends"), "label": _("趋势判断"), "key": "wall_trends"})
    items.append({"url": reverse("wall:map"), "label": _("挂图地图"), "key": "wall_map"})
    if scope.is_street_admin():
        items.append({"url": reverse("wall:rules"), "label": _("挂图颜色规则"), "key": "wall_rules"})
        items.append(
            {"url": reverse("wall:display_links"), "label": _("大屏与公开挂图"), "key": "wall_screen_links"}
        )
    return {"label": _("挂图作战"), "items": items}
