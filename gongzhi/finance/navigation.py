"""The finance menu group (the ledger list itself is in the core menu as 账本)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongzhi.finance.permissions import may_import


def nav_group(user, scope) -> dict | None:
    if not (scope.is_office and (scope.street_ids or scope.estate_ids)):
        return None
    items = [
        {"url": reverse("finance:disclosures"), "label": _("公示进度"), "key": "finance_disclosures"},
        {"url": reverse("finance:alerts"), "label": _("资金预警"), "key": "finance_alerts"},
    ]
    if may_import(user):
        items.append({"url": reverse("finance:import"), "label": _("导入历史账目"), "key": "finance_import"})
    return {"label": _("财务公开"), "items": items}
