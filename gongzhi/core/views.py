"""Login/logout, language switch, the audit trail page and the error pages."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.http.request import RawPostDataException
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from gongzhi.core import loginguard
from gongzhi.core.excel import ColumnSpec, SheetSpec, build_workbook, xlsx_response
from gongzhi.core.models import AuditEvent
from gongzhi.core.scopes import scope_for, visible
from gongzhi.core.today import today_for
from gongzhi.core.validators import is_id, parse_day, parse_id


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form):
        # The address has failed too often over all usernames (core/loginguard.py): say so plainly.
        if getattr(self.request, "gongzhi_address_locked", False) or loginguard.address_locked(self.request):
            return render(
                self.request,
                "core/locked_out.html",
                {"address_locked": True, "minutes": loginguard.cool_off_minutes()},
                status=429,
            )
        return super().form_invalid(form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Only in demo mode — the (fictional) demo street is loaded and no real street exists: its
        # logins are public by design, and must never be printed on a real deployment's login page.
        from gongzhi.core.demo_mode import DEMO_PASSWORD, demo_logins, demo_mode, find_demo_street

        street = find_demo_street() if demo_mode() else None
        if street is not None:
            context["demo_logins"] = demo_logins(street)
            context["demo_password"] = DEMO_PASSWORD
        return context


@require_POST
def logout_view(request):
    logout(request)
    return redirect("login")


set_language = django_set_language


def healthz(request):
    """Terse and fast for load balancers and monitoring; ``?verbose`` shows a street admin the checks
    of ``gongzhi doctor`` (core/doctor.py). Anonymous callers get the terse answer either way."""
    if "verbose" not in request.GET or not request.user.is_authenticated:
        return HttpResponse("ok", content_type="text/plain")
    if not scope_for(request.user).is_street_admin():
        raise PermissionDenied
    from gongzhi.core.doctor import is_healthy, run_checks

    results = run_checks()
    return render(
        request,
        "core/doctor.html",
        {"results": results, "healthy": is_healthy(results), "now": timezone.now(), "nav_active": "doctor"},
    )


AUDIT_PAGE_SIZE = 50


def _audit_queryset(request):
    events = visible(request.user, AuditEvent).select_related("actor")
    applied = {}
    for key, lookup in (("action", "action"), ("type", "object_type"), ("id", "object_id")):
        value = request.GET.get(key, "").strip()[:60]
        if value:
            events = events.filter(**{lookup: value})
            applied[key] = value
    text = request.GET.get("q", "").strip()[:100]
    if text:
        events = events.filter(actor_label__icontains=text) | events.filter(object_label__icontains=text)
        applied["q"] = text
    for key, lookup in (("from", "at__date__gte"), ("to", "at__date__lte")):
        day = parse_day(request.GET.get(key, ""))  # 2024-02-30 or 0001-01-01: no filter, not a 500
        if day:
            events = events.filter(**{lookup: day})
            applied[key] = day.isoformat()
    return events.order_by("-at", "-id"), applied


@login_required
def audit_log(request):
    """Who changed what and when — street admins, for their own street."""
    if not scope_for(request.user).is_street_admin():
        raise PermissionDenied
    events, applied = _audit_queryset(request)
    if request.GET.get("format") == "xlsx":
        headers = [_("时间"), _("操作人"), _("操作"), _("对象类型"), _("对象编号"), _("对象"), _("变更内容")]
        rows = (
            [
                timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
                e.actor_label,
                e.get_action_display(),
                e.object_type,
                e.object_id,
                e.object_label,
                str(e.changes),
            ]
            for e in events[:100_000].iterator(chunk_size=2000)
        )
        content = build_workbook([SheetSpec(_("操作记录"), [ColumnSpec(h) for h in headers], rows)])
        return xlsx_response(content, f"{_('操作记录')}.xlsx")
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "core/audit_log.html",
        {
            "page": page,
            "applied": applied,
            "query": urlencode(applied),
            "actions": AuditEvent.Action.choices,
            "nav_active": "audit",
        },
    )


def bad_request(request, exception=None):
    return render(
        request, "core/error.html", {"code": 400, "message": _("请求无效，请检查后重试。")}, status=400
    )


def permission_denied(request, exception=None):
    return render(
        request, "core/error.html", {"code": 403, "message": _("您没有权限执行此操作。")}, status=403
    )


def page_not_found(request, exception=None):
    return render(
        request,
        "core/error.html",
        {"code": 404, "message": _("页面不存在，或不在您的管辖范围内。")},
        status=404,
    )


def server_error(request):
    return render(
        request,
        "core/error.html",
        {"code": 500, "message": _("系统出错了，我们已记录，请稍后再试。")},
        status=500,
    )


def csrf_failure(request, reason=""):
    """The refusal of a form whose page has expired. What is left of the body is read first: an
    application server that answers before reading a large upload (a photo sent from a page left open
    too long) closes a connection with unread data, the kernel resets it, and the proxy in front shows
    its own 502 instead of this page (tests/deploy/test_nginx.py). The body is bounded by the proxy's
    and Django's upload limits."""
    _drain_body(request)
    return render(
        request, "core/error.html", {"code": 403, "message": _("页面已过期，请刷新后重新提交。")}, status=403
    )


def _drain_body(request) -> None:
    try:
        while request.read(64 * 1024):
            pass
    except (OSError, ValueError, RawPostDataException):  # already read as .body, or the client is gone
        pass


INBOX_PAGE_SIZE = 50


@login_required
def inbox(request):
    """The user's own notifications, newest first: every hand-over, escalation and answer."""
    from gongzhi.core.models import Notification

    notes = Notification.objects.filter(user=request.user).order_by("-at", "-id")
    totals = notes.aggregate(total=Count("pk"), unread=Count("pk", filter=Q(read_at__isnull=True)))
    paginator = Paginator(notes, INBOX_PAGE_SIZE)
    paginator.count = totals["total"]  # both counts in one statement (``count`` is a cached property)
    request.unread_notifications = totals["unread"]  # the menu's badge reads it (context_processors)
    page = paginator.get_page(request.GET.get("page"))
    office = scope_for(request.user).is_office
    return render(
        request,
        "core/inbox.html",
        {
            "page": page,
            "unread": totals["unread"],
            # The same list the landing page starts with (core/today.py), as a count and a link.
            "today_count": len(today_for(request.user)),
            "today_url": reverse("home") if office else reverse("portal:home"),
            # Residents read their inbox inside the mobile portal, office users in the office layout.
            "base_template": "office/base.html" if office else "portal/base.html",
            "nav_active": "inbox",
        },
    )


@login_required
@require_POST
def inbox_read(request):
    """Mark one notification (``id``) or all of the user's notifications as read. The user's own
    reading state, so no audit row; nobody can touch another user's inbox (filtered by user)."""
    from gongzhi.core.models import Notification

    unread = Notification.objects.filter(user=request.user, read_at__isnull=True)
    raw = request.POST.get("id", "")
    if raw:
        unread = unread.filter(pk=parse_id(raw)) if is_id(raw) else unread.none()
    unread.update(read_at=timezone.now())
    return redirect("inbox")
