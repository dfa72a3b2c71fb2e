"""标杆企业: the live benchmarks and the candidate list of the latest closed campaign. The leadership group
names and revokes; the street admin reads; everyone else 403 (a street-wide page, issue 14)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.core.ordering import pinyin_order
from gongzhi.core.scopes import get_for_user, visible
from gongzhi.evaluation import permissions, rules, selectors_benchmarks, services
from gongzhi.evaluation.forms import BenchmarkForm, BenchmarkRevokeForm
from gongzhi.evaluation.models import Benchmark
from gongzhi.evaluation.services import EvaluationError
from gongzhi.evaluation.views.common import require_office
from gongzhi.registry import models as r


def _street_id(request) -> int:
    require_office(request)
    street_id = permissions.benchmark_street_id(request.user)
    if street_id is None:
        raise PermissionDenied
    return street_id


@login_required
@require_http_methods(["GET", "POST"])
def benchmarks(request):
    street_id = _street_id(request)
    leads = permissions.is_leadership(request.user, street_id)
    if request.method == "POST" and not leads:
        raise PermissionDenied
    today = timezone.localdate()
    context = selectors_benchmarks.benchmarks_page(request.user, street_id, today)
    form = None
    if leads:
        companies = visible(request.user, r.Company).filter(
            pk__in=[s.company_id for s in context["candidates"]]
        )
        form = BenchmarkForm(
            request.POST or None,
            companies=companies.order_by(*pinyin_order(r.Company, "name")),
            initial={
                "starts_on": today,
                "ends_on": today + dt.timedelta(days=364),  # a one-year term unless the group says otherwise
            },
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.benchmark_name(
                    actor=request.user,
                    street=r.Street.objects.get(pk=street_id),
                    company=data["company"],
                    reason=data["reason"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    today=today,
                )
            except EvaluationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("已命名标杆企业。"))
                return redirect("evaluation:benchmarks")
    context.update(
        {
            "form": form,
            "leads": leads,
            "revoke_form": BenchmarkRevokeForm() if leads else None,
            "max_years": rules.BENCHMARK_MAX_TERM_YEARS,
            "nav_active": "eval_benchmarks",
        }
    )
    status = 400 if form is not None and form.errors else 200
    return render(request, "evaluation/benchmarks.html", context, status=status)


@login_required
@require_POST
def benchmark_revoke(request, pk: int):
    require_office(request)
    benchmark = get_for_user(request.user, Benchmark.objects.select_related("company"), pk)
    if not permissions.is_leadership(request.user, benchmark.street_id):
        raise PermissionDenied
    form = BenchmarkRevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写撤销理由。"))
        return redirect("evaluation:benchmarks")
    try:
        services.benchmark_revoke(actor=request.user, benchmark=benchmark, reason=form.cleaned_data["reason"])
    except EvaluationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已撤销该标杆企业。"))
    return redirect("evaluation:benchmarks")
