"""Office pages of the ledgers (mounted at /finance/): the list of estates with their ledgers and, for
the street admin, a check of every chain; one estate's three ledgers with posting and reversal.

Who reads: office users of the estate (``core.scopes``: the street, the area's branch, the owners'
committee, the managing company). Who posts: ``finance.permissions.can_post``. Writes go through
``finance.services`` only; a ``LedgerError`` becomes a form error and nothing is written."""

from __future__ import annotations

import datetime as dt
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Subquery
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core.ordering import pinyin_order
from gongzhi.core.scopes import admin_estates, get_for_user
from gongzhi.finance.forms import (
    DisclosureForm,
    EvidenceForm,
    PostForm,
    ProfileForm,
    ReverseForm,
    ScheduleForm,
)
from gongzhi.finance.management.commands.ledger import dump_line
from gongzhi.finance.models import Disclosure, FinanceProfile, FundUseEvidence, LedgerEntry, LedgerKind
from gongzhi.finance.permissions import (
    can_attach_evidence,
    can_disclose,
    can_edit_profile,
    can_post,
    can_set_schedule,
    checks_chains,
    get_ledger_estate,
    ledger_estates,
    require_reader,
)
from gongzhi.finance.rules import LedgerError, verify_lines
from gongzhi.finance.selectors import disclosure_status, entry_line, money_alerts
from gongzhi.finance.services import ledger_post, ledger_reverse
from gongzhi.registry.models import Estate

PAGE_SIZE = 50


# ---- reads shared with the public page ------------------------------------------------------------


def ledger_summaries(estate_ids) -> dict[tuple[int, str], dict]:
    """(estate id, ledger) → entry count and the latest entry (seq, date, balance, hash): two queries."""
    counts = (
        LedgerEntry.objects.filter(estate_id__in=estate_ids)
        .order_by()
        .values_list("estate_id", "ledger")
        .annotate(n=Count("pk"))
    )
    summaries = {(estate_id, ledger): {"count": n} for estate_id, ledger, n in counts}
    top = (
        LedgerEntry.objects.filter(estate_id=OuterRef("estate_id"), ledger=OuterRef("ledger"))
        .order_by("-seq")
        .values("seq")[:1]
    )
    latest = LedgerEntry.objects.filter(estate_id__in=estate_ids, seq=Subquery(top)).values(
        "estate_id", "ledger", "seq", "date", "balance", "hash"
    )
    for row in latest:
        summaries.setdefault((row["estate_id"], row["ledger"]), {"count": 0})["last"] = row
    return summaries


def verify_chains(estate_ids) -> list[dict]:
    """Re-check every stored chain of these estates with ``rules.verify_lines`` (nothing cached): the
    same test as ``gongzhi ledger verify --database``. One query, read in chunks."""
    entries = (
        LedgerEntry.objects.filter(estate_id__in=estate_ids)
        .select_related("reverses")
        .order_by("estate_id", "ledger", "seq")
    )
    results = []
    for (estate_id, ledger), chain in groupby(
        entries.iterator(chunk_size=2000), lambda e: (e.estate_id, e.ledger)
    ):
        lines = (dump_line(entry_line(e, reverses_seq=e.reverses.seq if e.reverses else None)) for e in chain)
        results.append({"estate_id": estate_id, "ledger": ledger, "result": verify_lines(lines)})
    return results


# ---- pages ---------------------------------------------------------------------------------------


@login_required
def index(request):
    require_reader(request.user)
    estates = list(
        ledger_estates(request.user)
        .select_related("area")
        .order_by(*pinyin_order(Estate, "area__name", "name", "pk"))
    )
    ids = [e.pk for e in estates]
    summaries = ledger_summaries(ids)
    states = disclosure_status(estate_ids=ids)
    alert_counts: dict[int, int] = {}
    for alert in money_alerts(estate_ids=ids):
        alert_counts[alert.estate_id] = alert_counts.get(alert.estate_id, 0) + 1
    rows = [
        {
            "estate": e,
            "ledgers": [
                {**summaries.get((e.pk, kind), {"count": 0}), "disclosure": states[e.pk, kind]}
                for kind in LedgerKind.values
            ],
            "alerts": alert_counts.get(e.pk, 0),
        }
        for e in estates
    ]
    # The street admin's check of every chain re-reads every entry of the street (nothing cached: the
    # same test as ``gongzhi ledger verify --database``), which grows with the street's history: the
    # page comes at once and the check follows in its own request (htmx, ``chain_check``); without
    # JavaScript, ``?check=1`` runs it inline.
    check = None
    lazy_check = checks_chains(request.user) and request.GET.get("check") != "1"
    if checks_chains(request.user) and not lazy_check:
        check = _chain_check(request.user)
    return render(
        request,
        "finance/index.html",
        {
            "rows": rows,
            "kinds": LedgerKind.choices,
            "check": check,
            "lazy_check": lazy_check,
            "nav_active": "finance",
        },
    )


def _chain_check(user) -> dict:
    street_estates = admin_estates(user)
    names = dict(street_estates.values_list("pk", "name"))
    results = verify_chains(list(names))
    labels = dict(LedgerKind.choices)
    broken = [
        {"estate_id": r["estate_id"], "name": names[r["estate_id"]], "label": labels[r["ledger"]], **r}
        for r in results
        if not r["result"].ok
    ]
    return {"total": len(results), "broken": broken}


@login_required
def chain_check(request):
    """The hash-chain check of every ledger of the admin's street, as the ledger list's panel (loaded by
    htmx after the list itself)."""
    if not checks_chains(request.user):
        raise PermissionDenied
    return render(request, "finance/_chain_check.html", {"check": _chain_check(request.user)})


@login_required
def estate(request, estate_id: int):
    place = get_ledger_estate(request.user, estate_id)
    ledger = request.GET.get("ledger", "")
    if ledger not in LedgerKind.values:
        ledger = LedgerKind.MAINTENANCE_FUND
    return _render_estate(request, place, ledger)


def _render_estate(
    request, place: Estate, ledger: str, *, post_form=None, reverse_error=None, disclosure_form=None
):
    summaries = ledger_summaries([place.pk])
    states = disclosure_status(estate_ids=[place.pk])
    alerts = money_alerts(estate_ids=[place.pk])
    tabs = [
        {
            "key": key,
            "label": label,
            "summary": summaries.get((place.pk, key), {"count": 0}),
            "disclosure": states[place.pk, key],
            "alerts": sum(1 for a in alerts if a.ledger == key),
        }
        for key, label in LedgerKind.choices
    ]
    current = next(tab for tab in tabs if tab["key"] == ledger)
    entries = (
        LedgerEntry.objects.filter(estate=place, ledger=ledger)
        .select_related("reverses")
        .defer("posted_by", "posted_at")
        .order_by("-seq")
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    reversed_by = dict(
        LedgerEntry.objects.filter(reverses_id__in=[e.pk for e in rows]).values_list("reverses_id", "seq")
    )
    use_alerts: dict[int, list] = {}
    for alert in alerts:
        if alert.entry_id is not None:
            use_alerts.setdefault(alert.entry_id, []).append(alert)
    evidence: dict[int, list] = {}
    if ledger == LedgerKind.MAINTENANCE_FUND:
        for item in FundUseEvidence.objects.filter(entry_id__in=[e.pk for e in rows]).only(
            "pk", "entry_id", "kind", "content_type"
        ):
            evidence.setdefault(item.entry_id, []).append(item)
    for entry in rows:
        entry.reversed_by_seq = reversed_by.get(entry.pk)
        entry.alerts = use_alerts.get(entry.pk, [])
        entry.evidence_items = evidence.get(entry.pk, [])
        entry.is_use = (
            ledger == LedgerKind.MAINTENANCE_FUND
            and entry.direction == "out"
            and not entry.reverses_id
            and not entry.reversed_by_seq
        )
    may_post = can_post(request.user, place, ledger)
    if may_post and post_form is None:
        post_form = PostForm()
    may_disclose = can_disclose(request.user, place, ledger)
    if may_disclose and disclosure_form is None:
        state = current["disclosure"]
        disclosure_form = DisclosureForm(
            initial={
                "period_start": (state.last_period_end + dt.timedelta(days=1))
                if state.last_period_end
                else state.first_entry,
            }
        )
    may_edit_profile = can_edit_profile(request.user, place)
    profile = FinanceProfile.objects.filter(estate=place).first()
    disclosures = list(
        Disclosure.objects.filter(estate=place, ledger=ledger).order_by("-period_end", "-pk")[:12]
    )
    return render(
        request,
        "finance/estate.html",
        {
            "estate": place,
            "ledger": ledger,
            "tabs": tabs,
            "current": current,
            "page": page,
            "rows": rows,
            "query": f"ledger={ledger}",
            "may_post": may_post,
            "post_form": post_form if may_post else None,
            "reverse_error": reverse_error,
            "alerts": alerts,
            "ledger_alerts": [a for a in alerts if a.ledger == ledger and a.entry_id is None],
            "disclosures": disclosures,
            "disclosure_form": disclosure_form if may_disclose else None,
            "may_set_schedule": can_set_schedule(request.user, place),
            "schedule_form": ScheduleForm(initial={"interval_months": current["disclosure"].interval_months}),
            "profile": profile,
            "profile_form": ProfileForm(
                initial={
                    "initial_fund_amount": profile.initial_fund_amount if profile else "",
                    "income_tops_up_fund": profile.income_tops_up_fund if profile else False,
                }
            )
            if may_edit_profile
            else None,
            "may_attach": ledger == LedgerKind.MAINTENANCE_FUND and can_attach_evidence(request.user, place),
            "evidence_form": EvidenceForm(),
            "nav_active": "finance",
        },
    )


def _back(place: Estate, ledger: str):
    return redirect(f"{reverse('finance:estate', args=[place.pk])}?ledger={ledger}")


@login_required
@require_POST
def post_entry(request, estate_id: int, ledger: str):
    place = get_ledger_estate(request.user, estate_id)
    if ledger not in LedgerKind.values:
        raise Http404
    if not can_post(request.user, place, ledger):
        raise PermissionDenied
    form = PostForm(request.POST)
    if form.is_valid():
        try:
            entry = ledger_post(actor=request.user, estate=place, ledger=ledger, **form.cleaned_data)
        except LedgerError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("已入账第 %(seq)d 条，余额 %(balance)s 元。")
                % {"seq": entry.seq, "balance": entry.balance},
            )
            return _back(place, ledger)
    return _render_estate(request, place, ledger, post_form=form)


@login_required
@require_POST
def reverse_entry(request, pk: int):
    require_reader(request.user)
    entry = get_for_user(request.user, LedgerEntry.objects.select_related("estate__area"), pk)
    place = entry.estate
    if not can_post(request.user, place, entry.ledger):
        raise PermissionDenied
    form = ReverseForm(request.POST)
    if form.is_valid():
        try:
            done = ledger_reverse(actor=request.user, entry=entry, reason=form.cleaned_data["reason"])
        except LedgerError as error:
            problem = str(error)
        else:
            messages.success(request, _("已登记冲正记录第 %(seq)d 条。") % {"seq": done.seq})
            return _back(place, entry.ledger)
    else:
        problem = _("冲正必须写明原因。")
    return _render_estate(request, place, entry.ledger, reverse_error={"seq": entry.seq, "message": problem})
