from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongzhi.elections import permissions


def nav_group(user, scope) -> dict | None:
    if not permissions.reads_slates(user):
        return None
    items = [
        {"url": reverse("elections:list"), "label": _("换届人选把关"), "key": "elections"},
        {"url": reverse("elections:terms"), "label": _("业委会任期提醒"), "key": "election_terms"},
    ]
    if scope.admin_street_ids:
        items.append(
            {"url": reverse("elections:targets"), "label": _("把关目标设置"), "key": "election_targets"}
        )
    return {"label": _("人选把关"), "items": items}
