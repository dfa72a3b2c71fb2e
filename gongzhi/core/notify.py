"""Notifications through an outbox: one call writes the in-app inbox rows and the outbox rows of the
external channels (e-mail, SMS, WeChat) in the caller's transaction — a rolled-back event tells
nobody — and ``deliver_outbox`` (the worker, every minute; or ``gongzhi deliver``) sends them later.

Who is told what, on which channels: ``core/events.py`` EVENTS. Each user chooses the channels they
want (``ChannelPreference``); delivery keeps their quiet hours (SMS and WeChat wait until morning),
the rate limit per user and channel, retries with backoff, and one row per event, recipient and
channel (the dedup key). The rows are the delivery log (/notifications/deliveries/).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import notify_rules
from gongzhi.core.channels import ChannelError, adapter
from gongzhi.core.events import EVENTS
from gongzhi.core.keyed import Keyed
from gongzhi.core.models import Channel, ChannelPreference, Notification, OutboxMessage

log = logging.getLogger("gongzhi.notify")

# SMS and WeChat keep the user's quiet hours; e-mail waits in the mailbox and may arrive at night.
QUIET_CHANNELS = {Channel.SMS.value, Channel.WECHAT.value}
# A claimed message that was neither sent nor failed (the worker died mid-send) is claimed again after this.
CLAIM_LEASE = dt.timedelta(minutes=5)
RATE_WINDOW = dt.timedelta(hours=1)
DUE = (OutboxMessage.Status.PENDING, OutboxMessage.Status.DEFERRED)


def wants(preference: ChannelPreference, channel: str) -> bool:
    return {
        Channel.EMAIL.value: preference.email_on and bool(preference.email),
        Channel.SMS.value: preference.sms_on and bool(preference.phone),
        Channel.WECHAT.value: preference.wechat_on and bool(preference.wechat_openid),
    }.get(channel, False)


def notify(
    users: Iterable,
    text: str | Keyed,
    *,
    url: str = "",
    urgent: bool = False,
    event: str = "general",
    street_id: int | None = None,
    ref: str = "",
) -> int:
    """Inbox rows and outbox rows now, inside the caller's transaction; returns the recipients.

    ``event`` is a key of EVENTS (its channels); ``street_id`` files the outbox rows under a street
    for its admin's delivery log; ``ref`` names the occurrence for deduplication (default: the text
    and link, so the same message twice is sent once). ``text`` is a ``Keyed`` message (rendered in each
    reader's language when the inbox is read; external channels send its Chinese) or, for text a person
    wrote, a plain string."""
    spec = EVENTS[event]
    recipients = {u.pk: u for u in users if u is not None and u.is_active}
    key, params = (text.key, text.params) if isinstance(text, Keyed) else ("", {})
    text = text.chinese() if isinstance(text, Keyed) else text
    Notification.objects.bulk_create(
        [
            Notification(user=u, text=text[:300], text_key=key, text_params=params, url=url, urgent=urgent)
            for u in recipients.values()
        ]
    )
    enabled = [c for c in spec.channels if c in settings.GONGZHI_NOTIFY_CHANNELS]
    if enabled and recipients:
        occurrence = ref or f"{text}\n{url}"
        now = timezone.now()
        rows = [
            OutboxMessage(
                event=event,
                user_id=pref.user_id,
                channel=channel,
                dedup_key=notify_rules.dedup_key(event, occurrence, pref.user_id, channel),
                street_id=street_id,
                text=text[:500],
                url=url[:200],
                created_at=now,
                next_attempt_at=now,
            )
            for pref in ChannelPreference.objects.filter(user_id__in=list(recipients))
            for channel in enabled
            if wants(pref, channel)
        ]
        OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)
    return len(recipients)


def _claim(pk: int, now: dt.datetime) -> bool:
    """Take one due message for this run: an UPDATE that only one worker can win."""
    return bool(
        OutboxMessage.objects.filter(pk=pk, status__in=DUE, next_attempt_at__lte=now).update(
            next_attempt_at=now + CLAIM_LEASE
        )
    )


def _finish(message: OutboxMessage, **fields) -> str:
    OutboxMessage.objects.filter(pk=message.pk).update(**fields)
    return str(fields.get("status", message.status))


def _deliver_one(message: OutboxMessage, preference: ChannelPreference | None, now: dt.datetime) -> str:
    Status = OutboxMessage.Status
    if not message.user.is_active or preference is None or not wants(preference, message.channel):
        return _finish(message, status=Status.SKIPPED, last_error=_("收件人已关闭该渠道或账号已停用。"))
    channel = adapter(message.channel)
    address = channel.address(preference)
    if message.channel in QUIET_CHANNELS:
        local = timezone.localtime(now)
        if notify_rules.in_quiet_hours(local.time(), preference.quiet_start, preference.quiet_end):
            until = notify_rules.quiet_hours_end(local, preference.quiet_start, preference.quiet_end)
            return _finish(
                message, status=Status.DEFERRED, next_attempt_at=until, last_error=_("免打扰时段，推迟发送。")
            )
    limit = settings.GONGZHI_NOTIFY_RATE_PER_HOUR.get(message.channel, 0)
    if limit:
        sent = [
            at
            for at in OutboxMessage.objects.filter(
                user_id=message.user_id,
                channel=message.channel,
                status=Status.SENT,
                sent_at__gt=now - RATE_WINDOW,
            ).values_list("sent_at", flat=True)
            if at is not None
        ]
        free_at = notify_rules.rate_limited_until(sent, limit, now, RATE_WINDOW)
        if free_at is not None:
            return _finish(
                message,
                status=Status.DEFERRED,
                next_attempt_at=free_at,
                last_error=_("超过发送频率上限，推迟发送。"),
            )
    attempts = message.attempts + 1
    try:
        channel.send(message, address)
    except ChannelError as exc:
        final = exc.permanent or attempts >= settings.GONGZHI_NOTIFY_MAX_ATTEMPTS
        wait = notify_rules.backoff_seconds(attempts, settings.GONGZHI_NOTIFY_BACKOFF_SECONDS)
        return _finish(
            message,
            status=Status.FAILED if final else Status.PENDING,
            attempts=attempts,
            address=address,
            last_error=str(exc)[:300],
            next_attempt_at=now if final else now + dt.timedelta(seconds=wait),
        )
    except Exception as exc:  # a bug in an adapter must not stop the other messages
        log.exception("channel %s failed on outbox message %s", message.channel, message.pk)
        wait = notify_rules.backoff_seconds(attempts, settings.GONGZHI_NOTIFY_BACKOFF_SECONDS)
        final = attempts >= settings.GONGZHI_NOTIFY_MAX_ATTEMPTS
        return _finish(
            message,
            status=Status.FAILED if final else Status.PENDING,
            attempts=attempts,
            address=address,
            last_error=(type(exc).__name__ + ": " + str(exc))[:300],
            next_attempt_at=now + dt.timedelta(seconds=wait),
        )
    return _finish(
        message, status=Status.SENT, attempts=attempts, address=address, sent_at=now, last_error=""
    )


def deliver_outbox(*, now: dt.datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Send the due messages (oldest first, at most ``limit``); returns counts by outcome. Safe to
    run in parallel and again: each message is claimed by one run, a sent one is never sent again."""
    now = now or timezone.now()
    due = list(
        OutboxMessage.objects.filter(status__in=DUE, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    counts: Counter[str] = Counter()
    if not due:
        return {}
    messages = {m.pk: m for m in OutboxMessage.objects.filter(pk__in=due).select_related("user")}
    preferences = {
        p.user_id: p
        for p in ChannelPreference.objects.filter(user_id__in={m.user_id for m in messages.values()})
    }
    for pk in due:
        message = messages.get(pk)
        if message is None or not _claim(pk, now):
            continue
        counts[_deliver_one(message, preferences.get(message.user_id), now)] += 1
    return dict(counts)


PREFERENCE_FIELDS = (
    "email_on",
    "email",
    "sms_on",
    "phone",
    "wechat_on",
    "wechat_openid",
    "quiet_start",
    "quiet_end",
)


@transaction.atomic
def channel_preference_save(*, actor, user, values: dict) -> ChannelPreference:
    """A user's own channels (nobody sets another's). Audited by field name only: the addresses are
    personal data and stay out of the trail."""
    from gongzhi.core.audit import audit_record
    from gongzhi.core.errors import UserError
    from gongzhi.core.models import AuditEvent

    if actor is None or actor.pk != user.pk:
        raise UserError(_("只能设置自己的通知方式。"))
    preference, created = ChannelPreference.objects.select_for_update().get_or_create(user=user)
    changed = []
    for name in PREFERENCE_FIELDS:
        value = values[name]
        if getattr(preference, name) != value:
            setattr(preference, name, value)
            changed.append(name)
    for flag, field in (("email_on", "email"), ("sms_on", "phone"), ("wechat_on", "wechat_openid")):
        if getattr(preference, flag) and not getattr(preference, field):
            raise UserError(_("开启该渠道前请先填写地址。"), field=field)
    preference.full_clean()
    preference.save()
    if changed or created:
        audit_record(
            actor=actor,
            action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
            obj=preference,
            changes={"fields": changed},
        )
    return preference
