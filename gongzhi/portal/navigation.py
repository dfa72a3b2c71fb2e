"""The portal's office menu item: the owners' activation letters, in the group of owners' decisions
(业主表决, ``voting/navigation.py``) — whoever issues letters also reads votes, so the group is there."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongzhi.portal.permissions import issues_any_letters


def nav_group(user, scope) -> dict | None:
    # Activation letters: the estate's committee, the area secretary or the street admin.
    if not issues_any_letters(user):
        return None
    items = [{"url": reverse("portal:letters"), "label": _("业主激活信"), "key": "letters"}]
    return {"key": "voting", "label": _("业主表决"), "items": items}
