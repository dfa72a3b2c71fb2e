"""Owner account activation pages.

- ``activate`` / ``activate_account`` (no login, on a phone): the code from the letter (typed, or filled in
  by the QR code) → the owner chooses a login and a password → logged in → the portal home.
- ``letters`` / ``letters_estate`` / ``letters_issue`` (office layout): the estate's owners' committee, its
  area secretary or the street admin (``gongzhi.portal.permissions``) sees who has activated and prints a
  batch of letters (one PDF, a page per owner).
Writes go through ``gongzhi.portal.services`` only. The phone pages never name an existing account."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.core.channels import absolute_url
from gongzhi.core.clientip import client_ip
from gongzhi.core.masking import mask_name
from gongzhi.core.pdf import pdf_response
from gongzhi.core.scopes import scope_for, units_with_owner_accounts
from gongzhi.portal import permissions, services
from gongzhi.portal.documents import letters_issuer, letters_pdf
from gongzhi.portal.forms import ActivationCodeForm, IssueLettersForm, NewAccountForm
from gongzhi.portal.models import ActivationCode
from gongzhi.portal.services import ActivationError
from gongzhi.registry.models import Building, Estate, OwnerKind, Unit

SESSION_KEY = "activation_code"
SESSION_MINUTES = 30  # a checked code waits this long for the owner to choose a password


def _ip(request) -> str:
    return client_ip(request) or "unknown"


# ---- the owner's side (phone, no login) ------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def activate(request):
    """Step 1: the code."""
    if request.method == "POST":
        form = ActivationCodeForm(request.POST)
        if form.is_valid():
            try:
                code = services.activation_check(raw_code=form.cleaned_data["code"], ip=_ip(request))
            except ActivationError as exc:
                form.add_error("code", exc.message)
            else:
                request.session[SESSION_KEY] = {"id": code.pk, "at": timezone.now().isoformat()}
                return redirect("portal:activate_account")
    else:
        form = ActivationCodeForm(initial={"code": request.GET.get("code", "")[:40]})
    return render(request, "portal/activate.html", {"form": form, "step": 1})


def _checked_code(request) -> ActivationCode | None:
    held = request.session.get(SESSION_KEY)
    if not isinstance(held, dict):
        return None
    try:
        at = dt.datetime.fromisoformat(held["at"])
    except (KeyError, TypeError, ValueError):
        return None
    if timezone.now() - at > dt.timedelta(minutes=SESSION_MINUTES):
        return None
    return (
        ActivationCode.objects.usable(timezone.now())
        .select_related("owner", "estate__area")
        .filter(pk=held.get("id"))
        .first()
    )


@never_cache
@require_http_methods(["GET", "POST"])
def activate_account(request):
    """Step 2: choose a login and password (or, logged in as an owner, attach to that account). The page
    is the same whether or not some account already holds these units: it never names one."""
    code = _checked_code(request)
    if code is None:
        request.session.pop(SESSION_KEY, None)
        messages.error(request, _("请先输入激活码（验证后 30 分钟内有效）。"))
        return redirect("portal:activate")
    attach_to = request.user if request.user.is_authenticated else None
    form = None if attach_to else NewAccountForm(request.POST if request.method == "POST" else None)

    if request.method == "POST" and (form is None or form.is_valid()):
        data = form.cleaned_data if form is not None else {}
        try:
            user = services.activation_complete(
                code_id=code.pk,
                ip=_ip(request),
                username=data.get("username", ""),
                password=data.get("password1", ""),
                attach_to=attach_to,
            )
        except ActivationError as exc:
            if form is not None and exc.field in form.fields:
                form.add_error(exc.field if exc.field != "password" else "password1", exc.message)
            elif form is not None and exc.field == "password":
                form.add_error("password1", exc.message)
            else:
                request.session.pop(SESSION_KEY, None)
                messages.error(request, exc.message)
                return redirect("portal:activate")
        else:
            request.session.pop(SESSION_KEY, None)
            if attach_to is None:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request, _("激活成功！您的房屋已关联到账号 %(name)s。") % {"name": user.username}
            )
            return redirect("portal:home")

    units = Unit.objects.filter(building__estate=code.estate, owner=code.owner).select_related("building")
    return render(
        request,
        "portal/activate_account.html",
        {
            "form": form,
            "code": code,
            "owner_name": mask_name(code.owner.name),
            "units": units.order_by("building__number", "number"),
            "attach_to": attach_to,
            "office_account": attach_to is not None and permissions.is_office_account(attach_to),
            "password_min_length": services.password_min_length(),
            "step": 2,
        },
    )


# ---- the office side: printing letters -------------------------------------------------------------


@login_required
def letters(request):
    """Estates whose letters this user prints, with owners, activated owners and live codes."""
    estates = list(
        permissions.issuing_estates(request.user).select_related("area").order_by("area__name", "name", "pk")
    )
    if not estates:
        raise PermissionDenied
    ids = [e.pk for e in estates]
    owners = dict(
        Unit.objects.filter(building__estate_id__in=ids, owner__isnull=False)
        .exclude(owner__kind=OwnerKind.DEVELOPER)
        .order_by()
        .values_list("building__estate_id")
        .annotate(n=Count("owner_id", distinct=True))
    )
    activated = dict(
        Unit.objects.filter(
            building__estate_id__in=ids,
            owner__isnull=False,
            pk__in=units_with_owner_accounts().values("pk"),
        )
        .order_by()
        .values_list("building__estate_id")
        .annotate(n=Count("owner_id", distinct=True))
    )
    live = dict(
        ActivationCode.objects.usable(timezone.now())
        .filter(estate_id__in=ids)
        .order_by()
        .values_list("estate_id")
        .annotate(n=Count("pk"))
    )
    last = dict(
        ActivationCode.objects.filter(estate_id__in=ids)
        .order_by()
        .values_list("estate_id")
        .annotate(at=Max("issued_at"))
    )
    rows = [
        {
            "estate": e,
            "owners": owners.get(e.pk, 0),
            "activated": activated.get(e.pk, 0),
            "live": live.get(e.pk, 0),
            "last": last.get(e.pk),
        }
        for e in estates
    ]
    return render(request, "portal/letters.html", {"rows": rows, "nav_active": "letters"})


def letters_direct_max() -> int:
    """The largest batch rendered inside the request; a larger one goes to the worker (a letter costs
    0.05–0.2 s of WeasyPrint, a whole estate minutes)."""
    return int(getattr(settings, "GONGZHI_LETTERS_DIRECT_MAX", 100))


def _estate_for_letters(request, pk: int) -> Estate:
    return permissions.get_estate_for_letters(request.user, pk)


def _issue_form(estate: Estate, data=None) -> IssueLettersForm:
    return IssueLettersForm(
        data,
        buildings=Building.objects.filter(estate=estate).order_by("number"),
        owners=services.letter_owners(estate),
    )


@login_required
def letters_estate(request, pk: int):
    estate = _estate_for_letters(request, pk)
    return _render_estate(request, estate, _issue_form(estate))


def _render_estate(request, estate: Estate, form: IssueLettersForm, status: int = 200):
    now = timezone.now()
    owners = list(services.letter_owners(estate))
    units: dict[int, list[Unit]] = {o.pk: [] for o in owners}
    for unit in (
        Unit.objects.filter(building__estate=estate, owner_id__in=units)
        .select_related("building")
        .order_by("building__number", "number")
    ):
        units[unit.owner_id].append(unit)
    latest: dict[int, ActivationCode] = {}
    for code in ActivationCode.objects.filter(estate=estate).order_by("owner_id", "-issued_at", "-pk"):
        latest.setdefault(code.owner_id, code)
    activated = services.activated_owner_ids(estate)
    personal = scope_for(request.user).sees_personal_data(estate.pk)
    rows = []
    for owner in owners:
        code = latest.get(owner.pk)
        if owner.pk in activated:
            state, colour = _("已激活"), "green"
        elif code is None:
            state, colour = _("未发放"), ""
        elif code.used_at is None and code.revoked_at is None and code.expires_at > now:
            state, colour = _("已发放，待激活"), "blue"
        else:
            state, colour = _("激活码已失效"), "amber"
        rows.append(
            {
                "owner": owner,
                "name": owner.name if personal else mask_name(owner.name),
                "units": units[owner.pk],
                "state": state,
                "colour": colour,
                "code": code,
            }
        )
    counts = {
        "owners": len(rows),
        "activated": sum(1 for o in owners if o.pk in activated),
        "live": sum(1 for r in rows if r["colour"] == "blue"),
    }
    return render(
        request,
        "portal/letters_estate.html",
        {
            "estate": estate,
            "rows": rows,
            "counts": counts,
            "form": form,
            "nav_active": "letters",
            "direct_max": letters_direct_max(),
        },
        status=status,
    )


@login_required
@require_POST
def letters_issue(request, pk: int):
    """Issue the chosen letters and answer with the batch PDF (the only time the codes are readable)."""
    estate = _estate_for_letters(request, pk)
    form = _issue_form(estate, request.POST)
    if not form.is_valid():
        return _render_estate(request, estate, form, status=400)
    data = form.cleaned_data
    choice = {
        "which": data["which"],
        "building_id": data["building"].pk if data["building"] is not None else None,
        "owner_id": data["owner"].pk if data["which"] == "owner" else None,
    }
    owner_ids, include_activated = services.letters_selection(estate, **choice)
    if not owner_ids:
        form.add_error(None, _("没有需要发放激活信的业主（所选范围内的业主都已激活或已有有效激活码）。"))
        return _render_estate(request, estate, form, status=400)
    if request.POST.get("background") or len(owner_ids) > letters_direct_max():
        # A large batch (or one asked for in the background) is issued and rendered by the worker, building
        # by building, with a progress bar; the PDF is fetched from the job's page or the inbox (issue 16).
        from gongzhi.jobs.services import job_enqueue

        job = job_enqueue(
            task="portal.letters",
            user=request.user,
            args={
                "estate_id": estate.pk,
                **choice,  # the owners are chosen again when the job runs (services.letters_selection)
                "activate_url": absolute_url(reverse("portal:activate")),
            },
        )
        return redirect("jobs:detail", job.pk)
    try:
        issued = services.letters_issue(
            actor=request.user, estate=estate, owner_ids=owner_ids, include_activated=include_activated
        )
    except ActivationError as exc:
        form.add_error(None, exc.message)
        return _render_estate(request, estate, form, status=400)
    if not issued:
        form.add_error(None, _("没有需要发放激活信的业主（所选范围内的业主都已激活或已有有效激活码）。"))
        return _render_estate(request, estate, form, status=400)
    content = letters_pdf(
        estate=estate,
        letters=issued,
        activate_url=absolute_url(reverse("portal:activate")),
        issuer=letters_issuer(request.user, estate),  # signed by whoever issued them
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return pdf_response(content, f"{estate.name}-激活信-{stamp}.pdf", inline=False)
