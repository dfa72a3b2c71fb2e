"""The branch's menu group: only pages this user may open."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongzhi.branchwork import permissions


def nav_group(user, scope) -> dict | None:
    items = []
    if scope.street_ids or scope.area_ids:
        if scope.area_ids and not scope.street_ids:
            items.append({"url": reverse("branchwork:home"), "label": _("本周工作"), "key": "branch_home"})
        items += [
            {"url": reverse("branchwork:compliance"), "label": _("工作节奏"), "key": "branch_compliance"},
            {"url": reverse("branchwork:meetings"), "label": _("会议"), "key": "branch_meetings"},
            {"url": reverse("branchwork:bodies"), "label": _("议事机构"), "key": "branch_bodies"},
            {"url": reverse("branchwork:actions"), "label": _("决议落实"), "key": "branch_actions"},
            {"url": reverse("branchwork:patrols"), "label": _("日巡"), "key": "branch_patrols"},
            {"url": reverse("branchwork:duty"), "label": _("值班公示"), "key": "branch_duty"},
            {"url": reverse("branchwork:receptions"), "label": _("首问接待"), "key": "branch_receptions"},
        ]
    if permissions.may_read_security_log(user):
        items.append(
            {"url": reverse("branchwork:security"), "label": _("保安工作日志"), "key": "branch_security"}
        )
    if scope.street_ids or scope.secretary_area_ids:
        items.append({"url": reverse("branchwork_plan:plan"), "label": _("工作计划"), "key": "plan"})
    if scope.admin_street_ids:
        items.append({"url": reverse("branchwork:rules"), "label": _("节奏规则"), "key": "branch_rules"})
    if not items:
        return None
    return {"label": _("联合党支部"), "items": items}
