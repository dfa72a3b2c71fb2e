"""The office menu group of owners' decisions (see gongzhi.core.context_processors)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongzhi.voting.selectors_ui import reads_votes


def nav_group(user, scope) -> dict | None:
    items = []
    if reads_votes(user):
        items.append({"url": reverse("voting:index"), "label": _("表决事项"), "key": "votes"})
    # Activation letters (gongzhi.portal): the estate's owners' committee or the street admin print them.
    if scope.oc_estate_ids or scope.admin_street_ids:
        items.append({"url": reverse("portal:letters"), "label": _("业主激活信"), "key": "letters"})
    if not items:
        return None
    return {"label": _("业主表决"), "items": items}
