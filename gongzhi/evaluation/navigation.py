"""The evaluation menu group: only the pages this user may open."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import Role


def nav_group(user, scope) -> dict | None:
    if not scope.is_office:
        return None
    items = []
    street_wide = bool(scope.street_ids)
    area = bool(scope.area_ids)
    if street_wide or area or scope.company_ids or scope.oc_estate_ids:
        items.append({"url": reverse("evaluation:index"), "label": _("测评活动"), "key": "eval_campaigns"})
    if scope.admin_street_ids:
        items.append(
            {"url": reverse("evaluation:templates"), "label": _("测评问卷"), "key": "eval_templates"}
        )
    if Role.EVALUATOR in scope.roles:
        items.append(
            {"url": reverse("evaluation:inspections"), "label": _("第三方检查"), "key": "eval_inspections"}
        )
    if area or scope.admin_street_ids:
        items.append(
            {"url": reverse("evaluation:assessments"), "label": _("支部考核"), "key": "eval_assessments"}
        )
    if street_wide or scope.company_ids:
        items.append(
            {"url": reverse("evaluation:eliminations"), "label": _("末尾淘汰"), "key": "eval_eliminations"}
        )
    if street_wide:
        items.append(
            {"url": reverse("evaluation:benchmarks"), "label": _("标杆企业"), "key": "eval_benchmarks"}
        )
    if street_wide or area or scope.company_ids:
        items.append({"url": reverse("evaluation:awards"), "label": _("争优评比"), "key": "eval_awards"})
    if scope.is_district_reader():
        items.append(
            {"url": reverse("evaluation:district_index"), "label": _("区级排行"), "key": "eval_district"}
        )
    if not items:
        return None
    return {"label": _("测评与排名"), "items": items}
