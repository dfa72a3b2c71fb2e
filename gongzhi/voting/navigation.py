"""The office menu group of owners' decisions (see gongzhi.core.context_processors)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongzhi.portal.permissions import issues_any_letters
from gongzhi.voting.selectors_ui import reads_votes


def nav_group(user, scope) -> dict | None:
    items = []
    if reads_votes(user):
        items.append({"url": reverse("voting:index"), "label": _("表决事项"), "key": "votes"})
    # Activation letters (gongzhi.portal): the estate's committee, the area secretary or the street admin.
    if issues_any_letters(user):
        items.append({"url": reverse("portal:letters"), "label": _("业主激活信"), "key": "letters"})
    if not items:
        return None
    return {"label": _("业主表决"), "items": items}
