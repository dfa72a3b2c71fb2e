"""The four services standard by service level (四保标准, docs/FEES.md §9): the street's items for each level,
and each estate's company commitment checked against the level its contract names, item by item (达标 / 低于
标准 / 未承诺). Fee readers read; the street admin keeps the standard; the managing company (or the street admin)
publishes the commitment. Writes go through ``services``; a ``FeeError`` is shown and nothing is written."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.core.scopes import admin_street, get_for_user
from gongzhi.fees import selectors
from gongzhi.fees.models import StandardItem
from gongzhi.fees.permissions import can_keep_fees, can_record_price_documents, get_fee_estate, reads_fees
from gongzhi.fees.rules import FeeError
from gongzhi.fees.services import (
    commitments_set,
    service_standard_item_update,
    service_standard_load_defaults,
)


def _street(user):
    street = admin_street(user)
    if street is not None:
        return street
    from gongzhi.fees.permissions import fee_estates

    estate = fee_estates(user).select_related("area__street").order_by("pk").first()
    return estate.area.street if estate else None


@login_required
@require_http_methods(["GET", "POST"])
def service_standard(request):
    if not reads_fees(request.user):
        raise PermissionDenied
    street = _street(request.user)
    can_edit = street is not None and can_record_price_documents(request.user, street.pk)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        made = service_standard_load_defaults(actor=request.user, street=street)
        messages.success(request, _("已载入默认标准：新增 %(n)d 项。") % {"n": made})
        return redirect("fees:service_standard")
    return render(
        request,
        "fees/service_standard.html",
        {
            "street": street,
            "levels": selectors.service_standard(street.pk) if street else [],
            "can_edit": can_edit,
            "nav_active": "fee_quality",
        },
    )


@login_required
@require_POST
def service_standard_item(request, pk: int):
    if not reads_fees(request.user):
        raise PermissionDenied
    item = get_for_user(request.user, StandardItem, pk)
    if not can_record_price_documents(request.user, item.street_id):
        raise PermissionDenied
    try:
        service_standard_item_update(actor=request.user, item=item, required=request.POST.get("required", ""))
    except FeeError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已修改。"))
    return redirect("fees:service_standard")


@login_required
@require_http_methods(["GET", "POST"])
def estate_services(request, estate_id: int):
    estate = get_fee_estate(request.user, estate_id)
    can_edit = can_keep_fees(request.user, estate)
    data = selectors.commitment_check(estate)
    from gongzhi.evaluation.selectors import estate_standard_quality

    # How the same items scored in the last evaluation: the commitment beside the measured quality.
    quality = estate_standard_quality(request.user, estate)
    status = 200
    entered = None  # what the company typed, shown again when it is refused (nothing typed is lost)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        values = {c.code: request.POST.get(f"c-{c.code}", "") for c in data["checks"]}
        try:
            commitments_set(actor=request.user, estate=estate, values=values)
        except FeeError as error:
            messages.error(request, error.message)
            entered = {code: text[:20] for code, text in values.items()}
        else:
            messages.success(request, _("服务承诺已保存。"))
            return redirect("fees:estate_services", estate.pk)
    return render(
        request,
        "fees/estate_services.html",
        {
            "estate": estate,
            **data,
            "quality": quality,
            "can_edit": can_edit,
            "entered": entered,
            "nav_active": "fee_quality",
        },
        status=status,
    )
