"""Fee × quality (质价相符, issue 14): where each estate's fee stands against the quality of its service,
and what happened to collection and complaints after each increase. Readers: office users who see the
estates in full (``permissions.fee_estates``), filtered by area, company and band."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_safe

from gongzhi.core.ordering import name_key
from gongzhi.core.validators import parse_id
from gongzhi.fees import selectors
from gongzhi.fees.permissions import fee_estates, reads_fees

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
            "increases": selectors.increase_effects(
                base.filter(pk__in=[r["estate"].pk for r in data["rows"]])
            ),
            "areas": areas,
            "companies": companies,
            "chosen": {"area": area, "company": company, "band": band},
            "nav_active": "fee_quality",
        },
    )
