"""Notifications: one call writes the in-app inbox rows and hands the message to the external
channels (SMS, WeChat …) after the transaction commits.

A channel is any object with ``name`` and ``send(user, text, url)``; the list comes from
``settings.GONGZHI_NOTIFY_CHANNELS`` (dotted paths). The default logging channel writes one
log line per message, so a real gateway is one class away.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import cache
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from gongzhi.core.models import Notification

log = logging.getLogger("gongzhi.notify")


class Channel(Protocol):
    name: str

    def send(self, user, text: str, url: str) -> None: ...


class LoggingChannel:
    """Stands in for an SMS/WeChat gateway: records what would be sent."""

    name = "logging"

    def send(self, user, text: str, url: str) -> None:
        log.info("notify user=%s text=%s url=%s", user.pk, text, url)


@cache
def channels() -> tuple[Channel, ...]:
    paths = getattr(settings, "GONGZHI_NOTIFY_CHANNELS", ["gongzhi.core.notify.LoggingChannel"])
    return tuple(import_string(path)() for path in paths)


def notify(users: Iterable, text: str, *, url: str = "", urgent: bool = False) -> int:
    """Inbox rows now (inside the caller's transaction), external messages after commit."""
    recipients = {u.pk: u for u in users if u is not None and u.is_active}
    Notification.objects.bulk_create(
        [Notification(user=u, text=text[:300], url=url, urgent=urgent) for u in recipients.values()]
    )

    def send_external():
        for channel in channels():
            for user in recipients.values():
                try:
                    channel.send(user, text, url)
                except Exception:  # a gateway outage must not undo or block the hand-over
                    log.exception("notification channel %s failed", channel.name)

    transaction.on_commit(send_external)
    return len(recipients)
