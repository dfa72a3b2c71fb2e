"""Public pages of owners' decisions (mounted at /decide/, no login): an estate's decisions, one
decision with its thresholds, live participation while open (never the split), the result with every
figure once published (异议期公示 on), the receipt look-up, the anonymised ballot file (§6) and the
attachments. Drafts do not exist here (``Decision.objects.public()``)."""

from __future__ import annotations

import json

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from gongzhi.core.publicpages import public_page
from gongzhi.core.scopes import scope_for
from gongzhi.core.uploads import serve_upload
from gongzhi.registry.models import Estate
from gongzhi.voting import permissions, selectors
from gongzhi.voting.forms import ReceiptForm
from gongzhi.voting.models import Decision, DecisionAttachment, DecisionStatus, Matter


def _public_decision(pk) -> Decision:
    return get_object_or_404(Decision.objects.public().select_related("estate__area"), pk=pk)


@require_GET
@public_page(mark=selectors.public_estate_mark)
def estate(request, pk: int):
    place = get_object_or_404(Estate.objects.select_related("area"), pk=pk)
    decisions = list(selectors.decisions_public(place))
    figures = selectors.participation_many(decisions)
    now = timezone.now()
    items = [
        {
            "decision": d,
            "open": d.is_open_at(now),
            "figures": figures.get(d.pk),
            "colour": selectors.STATUS_COLOURS.get(d.status, ""),
        }
        for d in decisions
    ]
    return render(request, "voting/public/estate.html", {"estate": place, "items": items})


def _context(decision: Decision) -> dict:
    now = timezone.now()
    return {
        "decision": decision,
        "matter_label": Matter(decision.matter).label,
        "attachments": list(decision.attachments.all()),
        "open": decision.is_open_at(now),
        "totals": selectors.decision_totals(decision),
        "participation": selectors.participation(decision)["overall"],
        "result": selectors.decision_result(decision) if decision.result_is_public else None,
        "receipt_form": ReceiptForm(),
    }


@require_GET
@public_page(mark=selectors.public_decision_mark)
def decision(request, pk: int):
    return render(request, "voting/public/decision.html", _context(_public_decision(pk)))


@require_GET
@public_page(mark=selectors.public_decision_mark, params=("code",), store=False)
def receipt(request, pk: int):
    """Receipt look-up: "counted as cast", "replaced by a later ballot" or "not found" — never who or what."""
    decision = _public_decision(pk)
    form = ReceiptForm(request.GET or None)
    lookup = None
    if form.is_valid():
        lookup = selectors.receipt_lookup(decision, form.cleaned_data["code"])
    context = {**_context(decision), "receipt_form": form, "lookup": lookup}
    return render(request, "voting/public/receipt.html", context)


def _ballot_file_allowed(request, decision: Decision) -> bool:
    """The public gets it with the published result; the estate's office readers right after the close."""
    if decision.result_is_public:
        return True
    if not decision.has_result or not request.user.is_authenticated:
        return False
    return permissions.can_read_office(request.user, decision)


@require_GET
def ballot_file(request, pk: int):
    decision = _public_decision(pk)
    if not _ballot_file_allowed(request, decision):
        raise Http404
    document = selectors.decision_ballot_file(decision)
    body = json.dumps(document, ensure_ascii=False, indent=1) + "\n"
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, f"decision-{decision.pk}-ballots.json")
    return response


@require_GET
def attachment(request, pk: int):
    """Attachments of a published decision are public; a draft's only for its office readers."""
    item = get_object_or_404(DecisionAttachment.objects.select_related("decision__estate__area"), pk=pk)
    decision = item.decision
    if decision.status == DecisionStatus.DRAFT:
        if not request.user.is_authenticated or not scope_for(request.user).is_office:
            raise Http404
        if not (
            permissions.can_read_office(request.user, decision)
            or permissions.can_manage(request.user, decision.estate)
        ):
            raise Http404
    name = item.file.name.lower()
    content_type = "application/pdf" if name.endswith(".pdf") else "image/jpeg"
    extension = "pdf" if content_type == "application/pdf" else "jpg"
    filename = item.name if item.name.lower().endswith(f".{extension}") else f"{item.name}.{extension}"
    return serve_upload(item.file, content_type=content_type, filename=filename, streaming=False)
