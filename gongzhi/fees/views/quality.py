"""Fee × quality (质价相符, issue 14): where each estate's fee stands against the quality of its service,
and what happened to collection and complaints after each increase. Readers: office users who see the
estates in full (``permissions.fee_estates``), filtered by area, company and band."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from gongzhi.core.ordering import name_key, pinyin_order
from gongzhi.core.scopes import admin_street, visible
from gongzhi.core.validators import parse_id
from gongzhi.fees import selectors
from gongzhi.fees.forms import InitiativeForm
from gongzhi.fees.permissions import can_record_price_documents, fee_estates, reads_fees
from gongzhi.fees.rules import FeeError
from gongzhi.fees.services import initiative_record
from gongzhi.registry.models import Company, Estate

BAND_ORDER = {"overpriced": 0, "underpriced": 1, "matched": 2, "unplaced": 3}


def _filter_id(value: str | None) -> int | None:
    """A filter id; text that is no id matches nothing (0), never a 500."""
    if not value:
        return None
    pk = parse_id(value)
    return 0 if pk is None else pk


@login_required
@require_safe
def fee_quality(request):
    if not reads_fees(request.user):
        raise PermissionDenied
    base = fee_estates(request.user)
    area, company = _filter_id(request.GET.get("area")), _filter_id(request.GET.get("company"))
    band = request.GET.get("band") if request.GET.get("band") in selectors.BANDS_SHOWN else ""
    data = selectors.fee_quality(selectors.estates_for_overview(base, area=area, company=company))
    labels = selectors.band_labels()
    rows = [r for r in data["rows"] if not band or r["band"] == band]
    for row in rows:
        row["band_label"] = labels[row["band"]]
    areas, companies = selectors.estate_filters(base)
    return render(
        request,
        "fees/quality.html",
        {
            "data": data,
            # Most to act on first: price above quality, then candidates for an increase.
            "rows": sorted(rows, key=lambda r: (BAND_ORDER[r["band"]], name_key(r["estate"].name))),
            "chart": selectors.fee_quality_chart(data),
            "bands": [(key, labels[key], data["counts"][key]) for key in selectors.BANDS_SHOWN],
            "labels": labels,
            "initiative": selectors.initiatives(request.user)["companies"],
            "increases": selectors.increase_effects(
                base.filter(pk__in=[r["estate"].pk for r in data["rows"]])
            ),
            "areas": areas,
            "companies": companies,
            "chosen": {"area": area, "company": company, "band": band},
            "nav_active": "fee_quality",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def initiative(request):
    """Initiative counted (主动提升): which companies improved their four services or disclosed their service
    items before being asked. Fee readers read; the street admin records (``services.initiative_record``)."""
    if not reads_fees(request.user):
        raise PermissionDenied
    street = admin_street(request.user)
    form = None
    if street is not None and can_record_price_documents(request.user, street.pk):
        companies = (
            visible(request.user, Company).filter(street=street).order_by(*pinyin_order(Company, "name"))
        )
        estates = (
            visible(request.user, Estate).filter(area__street=street).order_by(*pinyin_order(Estate, "name"))
        )
        form = InitiativeForm(request.POST or None, companies=list(companies), estates=list(estates))
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            try:
                initiative_record(
                    actor=request.user,
                    company=form.companies[d["company"]],
                    estate=form.estates.get(d["estate"] or ""),
                    kind=d["kind"],
                    done_on=d["done_on"],
                    asked_on=d["asked_on"],
                    summary=d["summary"],
                    evidence=d["evidence"],
                )
            except FeeError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("已登记。"))
                return redirect("fees:initiative")
    elif request.method == "POST":
        raise PermissionDenied
    return render(
        request,
        "fees/initiative.html",
        {**selectors.initiatives(request.user), "form": form, "nav_active": "fee_quality"},
    )
