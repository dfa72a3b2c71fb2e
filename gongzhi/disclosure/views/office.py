"""Office pages of the disclosure book's own records (mounted at /disclosure/office/): major matters and
the owners' rules (the owners' committee, the street admin), the four services (the company, the street
admin). Readers: office users who see the estate in full."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from gongzhi.core.scopes import visible
from gongzhi.disclosure import services
from gongzhi.disclosure.forms import MatterForm, RulesForm, ServiceForm
from gongzhi.disclosure.models import EstateRules, MajorMatter, Service, ServiceContent
from gongzhi.disclosure.permissions import book_estates, can_edit_book, can_edit_services, get_book_estate
from gongzhi.fees.permissions import reads_fees

LIST_LIMIT = 200


@login_required
@require_safe
def index(request):
    if not reads_fees(request.user):
        raise PermissionDenied
    estates = list(
        book_estates(request.user).select_related("area").order_by("area__name", "name")[:LIST_LIMIT]
    )
    counts = {}
    for estate_id in MajorMatter.objects.filter(estate__in=estates).values_list("estate_id", flat=True):
        counts[estate_id] = counts.get(estate_id, 0) + 1
    services_done = {}
    for estate_id in ServiceContent.objects.filter(estate__in=estates).values_list("estate_id", flat=True):
        services_done[estate_id] = services_done.get(estate_id, 0) + 1
    rules_done = set(EstateRules.objects.filter(estate__in=estates).values_list("estate_id", flat=True))
    rows = [
        {
            "estate": e,
            "matters": counts.get(e.pk, 0),
            "services": services_done.get(e.pk, 0),
            "rules": e.pk in rules_done,
        }
        for e in estates
    ]
    return render(request, "disclosure/office_index.html", {"rows": rows, "nav_active": "book"})


def _form_errors(form, error: ValidationError):
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


@login_required
@require_safe
def estate(request, estate_id: int):
    place = get_book_estate(request.user, estate_id)
    contents = {c.service: c for c in ServiceContent.objects.filter(estate=place)}
    return render(
        request,
        "disclosure/office_estate.html",
        {
            "estate": place,
            "matters": MajorMatter.objects.filter(estate=place).order_by("-date", "-pk")[:50],
            "rules": EstateRules.objects.filter(estate=place).order_by("kind", "-adopted_on"),
            "services": [
                {"key": k, "label": label, "content": contents.get(k)} for k, label in Service.choices
            ],
            "can_book": can_edit_book(request.user, place),
            "can_services": can_edit_services(request.user, place),
            "nav_active": "book",
        },
    )


def _form_page(request, place, form, title):
    return render(
        request,
        "disclosure/office_form.html",
        {"estate": place, "form": form, "title": title, "nav_active": "book"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def matter_new(request, estate_id: int):
    place = get_book_estate(request.user, estate_id, edit="book")
    form = MatterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.major_matter_create(actor=request.user, estate=place, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("已登记重大事项。"))
            return redirect("book:edit", place.pk)
    return _form_page(request, place, form, _("登记重大事项"))


@login_required
@require_http_methods(["GET", "POST"])
def matter_edit(request, pk: int):
    matter = visible(request.user, MajorMatter).select_related("estate__area").filter(pk=pk).first()
    if not reads_fees(request.user):
        raise PermissionDenied
    if matter is None or not book_estates(request.user).filter(pk=matter.estate_id).exists():
        raise Http404
    if not can_edit_book(request.user, matter.estate):
        raise PermissionDenied
    form = MatterForm(request.POST or None, instance=matter if request.method == "GET" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.major_matter_update(actor=request.user, matter=matter, data=form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("book:edit", matter.estate_id)
    return _form_page(request, matter.estate, form, _("修改重大事项"))


@login_required
@require_http_methods(["GET", "POST"])
def rules_new(request, estate_id: int):
    place = get_book_estate(request.user, estate_id, edit="book")
    form = RulesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.estate_rules_create(actor=request.user, estate=place, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("已登记新版本；旧版本保留。"))
            return redirect("book:edit", place.pk)
    return _form_page(request, place, form, _("登记管理规约或议事规则"))


@login_required
@require_http_methods(["GET", "POST"])
def service_edit(request, estate_id: int, service: str):
    if service not in Service.values:
        if not reads_fees(request.user):
            raise PermissionDenied
        raise Http404
    place = get_book_estate(request.user, estate_id, edit="services")
    existing = ServiceContent.objects.filter(estate=place, service=service).first()
    form = ServiceForm(request.POST or None, instance=existing if request.method == "GET" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.service_content_set(
                actor=request.user, estate=place, service=service, **form.cleaned_data
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("已保存服务内容。"))
            return redirect("book:edit", place.pk)
    return _form_page(request, place, form, _("“四保”服务内容：%(name)s") % {"name": Service(service).label})


@login_required
@require_http_methods(["POST"])
def books_zip(request):
    """Start the background job that packs every book this user reads into one zip (disclosure/jobs.py);
    the job's page shows the books done so far, then the download. A second click while one is under way
    goes to that one instead of starting another."""
    if not reads_fees(request.user):
        raise PermissionDenied
    from gongzhi.jobs.services import job_start_once

    job = job_start_once(task="disclosure.books_zip", user=request.user, args={})
    return redirect("jobs:detail", job.pk)
