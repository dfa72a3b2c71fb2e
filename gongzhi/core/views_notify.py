"""Notification pages: every user's own channels (通知方式), the street admin's delivery log
(外发通知记录, scoped through the door) and the table of who is told what (通知规则)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gongzhi.core.errors import UserError
from gongzhi.core.events import EVENTS
from gongzhi.core.forms import ChannelPreferenceForm
from gongzhi.core.masking import mask_email, mask_phone
from gongzhi.core.models import Channel, ChannelPreference, OutboxMessage
from gongzhi.core.notify import PREFERENCE_FIELDS, channel_preference_save
from gongzhi.core.scopes import scope_for, visible

LOG_PAGE_SIZE = 50


def masked_address(channel: str, address: str) -> str:
    """The log shows where a message went without giving the address away."""
    if channel == Channel.SMS:
        return mask_phone(address)
    if channel == Channel.EMAIL:
        return mask_email(address)
    if channel == Channel.WECHAT and address:
        return address[:4] + "…" + address[-2:]
    return address


def _base_template(user) -> str:
    return "office/base.html" if scope_for(user).is_office else "portal/base.html"


@login_required
def preferences(request):
    """The user's own channels: the inbox always; e-mail, SMS and WeChat when switched on."""
    preference = ChannelPreference.objects.filter(user=request.user).first() or ChannelPreference(
        user=request.user
    )
    form = ChannelPreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        try:
            channel_preference_save(
                actor=request.user,
                user=request.user,
                values={f: form.cleaned_data[f] for f in PREFERENCE_FIELDS},
            )
        except UserError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("通知方式已保存。"))
            return redirect("notify_preferences")
    recent = [
        (m, masked_address(m.channel, m.address))
        for m in OutboxMessage.objects.filter(user=request.user).order_by("-created_at", "-pk")[:20]
    ]
    return render(
        request,
        "core/notify_preferences.html",
        {
            "form": form,
            "recent": recent,
            "base_template": _base_template(request.user),
            "nav_active": "inbox",
        },
    )


@login_required
def deliveries(request):
    """The street's delivery log: who was told what, on which channel, with what result. Street admins
    only, their own street (the door: OutboxMessage hangs on the street like the audit trail)."""
    if not scope_for(request.user).is_street_admin():
        raise PermissionDenied
    rows = visible(request.user, OutboxMessage).select_related("user").order_by("-created_at", "-pk")
    status = request.GET.get("status", "")
    if status in OutboxMessage.Status.values:
        rows = rows.filter(status=status)
    channel = request.GET.get("channel", "")
    if channel in Channel.values:
        rows = rows.filter(channel=channel)
    page = Paginator(rows, LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    lines = [(m, masked_address(m.channel, m.address), EVENTS.get(m.event)) for m in page.object_list]
    return render(
        request,
        "core/notify_deliveries.html",
        {
            "page": page,
            "lines": lines,
            "statuses": OutboxMessage.Status.choices,
            "channels": [c for c in Channel.choices if c[0] != Channel.INBOX],
            "status": status,
            "channel": channel,
            "nav_active": "notify_deliveries",
        },
    )


@login_required
def events(request):
    """Who is told what: the EVENTS table with recipients and channels, for the street admin."""
    if not scope_for(request.user).is_street_admin():
        raise PermissionDenied
    labels = dict(Channel.choices)
    table = [
        (key, event, [labels[c] for c in event.channels]) for key, event in EVENTS.items() if key != "general"
    ]
    return render(request, "core/notify_events.html", {"table": table, "nav_active": "notify_events"})
