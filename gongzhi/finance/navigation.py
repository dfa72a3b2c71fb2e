"""The finance menu: the ledger list as a top-level link (账本, after the inbox) and the group 财务公开."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongzhi.finance.permissions import may_import


def nav_group(user, scope) -> list[dict]:
    if not (scope.is_office and (scope.street_ids or scope.estate_ids)):
        return []
    ledgers = [{"url": reverse("finance:index"), "label": _("账本"), "key": "finance"}]
    items = [
        {"url": reverse("finance:disclosures"), "label": _("公示进度"), "key": "finance_disclosures"},
        {"url": reverse("finance:alerts"), "label": _("资金预警"), "key": "finance_alerts"},
    ]
    if may_import(user):
        items.append({"url": reverse("finance:import"), "label": _("导入历史账目"), "key": "finance_import"})
    return [{"place": "top", "items": ledgers}, {"label": _("财务公开"), "items": items}]
