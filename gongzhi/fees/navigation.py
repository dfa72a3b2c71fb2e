from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def nav_group(user, scope) -> dict | None:
    if not (scope.is_office and (scope.street_ids or scope.estate_ids)):
        return None
    items = [{"url": reverse("fees:overview"), "label": _("物业费收缴"), "key": "fees"}]
    if scope.admin_street_ids or scope.company_ids:
        items.append({"url": reverse("fees:import"), "label": _("收缴数据导入"), "key": "fees_import"})
    items.append({"url": reverse("fees:intents"), "label": _("调价意向（先质后价）"), "key": "fee_intents"})
    items.append({"url": reverse("fees:price_rhythm"), "label": _("年度议价会议"), "key": "fee_rhythm"})
    items.append({"url": reverse("fees:quality"), "label": _("质价相符"), "key": "fee_quality"})
    items.append({"url": reverse("book:office"), "label": _("公示本维护"), "key": "book"})
    return {"label": _("物业费与公示"), "items": items}
