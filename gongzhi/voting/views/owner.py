"""The owner's voting pages on a phone (portal style, mounted at /votes/mine/): my decisions (open ones
first), one decision with its text, attachments, window and live participation, voting with a
confirmation, changing the vote until the close (the last one counts), the receipt, and the result.

Reads go through the scoping door (``visible(user, Decision)``: an owner sees the published decisions
of their home estates; anything else is 404). Casting goes through ``services.ballot_cast``, which
checks the window, the electorate and the channel rule; a refusal is shown and nothing changes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core.scopes import get_for_user, scope_for
from gongzhi.voting import selectors
from gongzhi.voting.forms import CastForm
from gongzhi.voting.models import Channel, Choice, Decision, DecisionStatus, Matter
from gongzhi.voting.services import VotingError, ballot_cast


def _portal_nav(user) -> dict:
    scope = scope_for(user)
    return {"portal_estate_id": scope.home_estate_id(), "portal_can_report": scope.lives_in(), "tab": "votes"}


@login_required
def mine(request):
    """我的表决: the published decisions of my estates, open ones first, then the latest."""
    now = timezone.now()
    rows = selectors.decisions_for_owner(request.user)
    scope = scope_for(request.user)
    rows = [row for row in rows if scope.lives_in(row["decision"].estate_id)]
    for row in rows:
        row["open"] = row["decision"].is_open_at(now)
    rows.sort(key=lambda row: (not row["open"], -row["decision"].opens_at.timestamp()))
    return render(request, "voting/owner/mine.html", {"rows": rows, **_portal_nav(request.user)})


def _owner_decision(request, pk) -> Decision:
    """A published decision of one of the user's home estates (others: 404, even for office users)."""
    decision = get_for_user(request.user, Decision.objects.select_related("estate__area"), pk)
    if decision.status == DecisionStatus.DRAFT or not scope_for(request.user).lives_in(decision.estate_id):
        raise Http404
    return decision


def _render_decision(request, decision, *, form=None, confirm_choice=None, status=200):
    now = timezone.now()
    voter = selectors.voter_for_user(request.user, decision)
    ballot = selectors.my_ballot(request.user, decision)
    is_open = decision.is_open_at(now)
    context = {
        "decision": decision,
        "matter_label": Matter(decision.matter).label,
        "attachments": list(decision.attachments.all()),
        "voter": voter,
        "ballot": ballot,
        "open": is_open,
        "not_yet": decision.status == DecisionStatus.PUBLISHED and now < decision.opens_at,
        "can_vote": bool(voter) and is_open and (ballot is None or ballot.channel == Channel.ONLINE),
        "participation": selectors.participation(decision)["overall"],
        "totals": selectors.decision_totals(decision),
        "result": selectors.decision_result(decision) if decision.result_is_public else None,
        "choices": Choice.choices,
        "form": form,
        "confirm_choice": confirm_choice,
        "confirm_label": Choice(confirm_choice).label if confirm_choice else "",
        **_portal_nav(request.user),
    }
    template = "voting/owner/confirm.html" if confirm_choice else "voting/owner/decision.html"
    return render(request, template, context, status=status)


@login_required
def decision(request, pk: int):
    return _render_decision(request, _owner_decision(request, pk))


@login_required
@require_POST
def cast(request, pk: int):
    """First POST (a choice): the confirm screen. Second POST (choice + confirm): the vote."""
    decision = _owner_decision(request, pk)
    form = CastForm(request.POST)
    if not form.is_valid():
        return _render_decision(request, decision, form=form, status=400)
    choice = form.cleaned_data["choice"]
    if not form.cleaned_data["confirm"]:
        return _render_decision(request, decision, confirm_choice=choice)
    try:
        ballot = ballot_cast(actor=request.user, decision=decision, choice=choice)
    except VotingError as exc:
        form.add_error(None, exc.message)
        return _render_decision(request, decision, form=form, status=400)
    if ballot.casts > 1:
        messages.success(
            request, _("已改票为“%(choice)s”，以最后一次为准。") % {"choice": ballot.get_choice_display()}
        )
    else:
        messages.success(request, _("投票成功：“%(choice)s”。") % {"choice": ballot.get_choice_display()})
    return redirect("voting:owner_decision", decision.pk)
