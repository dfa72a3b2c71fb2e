"""The resident's mobile pages: my home, my estate and who serves it. Views and templates
only; every read goes through the scoping door."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from gongzhi.core.masking import mask_phone
from gongzhi.core.scopes import get_visible_or_404, scope_for, visible
from gongzhi.registry import models as r


@login_required
def home(request):
    units = list(
        visible(request.user, r.Unit)
        .filter(pk__in=scope_for(request.user).unit_ids)
        .select_related("building__estate__area", "owner")
    )
    return render(
        request,
        "portal/home.html",
        {"units": units, "tab": "home", "portal_estate_id": units[0].building.estate_id if units else None},
    )


@login_required
def estate(request, pk: int):
    scope = scope_for(request.user)
    estate = get_visible_or_404(
        request.user, r.Estate.objects.select_related("area__branch", "area__residents_committee"), pk
    )
    contract = r.Contract.objects.active().filter(estate=estate).select_related("company").first()
    committee = (
        r.OwnersCommittee.objects.filter(estate=estate)
        .order_by("-term_start")
        .prefetch_related("members")
        .first()
    )
    members = []
    if committee is not None:
        rank = {r.CommitteePosition.DIRECTOR: 0, r.CommitteePosition.DEPUTY: 1, r.CommitteePosition.MEMBER: 2}
        for m in sorted(committee.members.all(), key=lambda m: (rank.get(m.position, 3), m.name)):
            members.append(
                {
                    "name": m.name,
                    "position": m.get_position_display(),
                    "phone": m.phone if scope.sees_personal_data(estate.pk) else mask_phone(m.phone),
                }
            )
    return render(
        request,
        "portal/estate.html",
        {
            "estate": estate,
            "contract": contract,
            "committee": committee,
            "members": members,
            "tab": "estate",
            "portal_estate_id": estate.pk,
        },
    )
