"""The office menu group of owners' decisions (see gongzhi.core.context_processors)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongzhi.voting.permissions import reads_votes


def nav_group(user, scope) -> dict | None:
    if not reads_votes(user):
        return None
    # The portal adds its activation letters to this group (``"key": "voting"``, portal/navigation.py).
    items = [{"url": reverse("voting:index"), "label": _("表决事项"), "key": "votes"}]
    return {"key": "voting", "label": _("业主表决"), "items": items}
