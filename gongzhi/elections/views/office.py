"""Office pages of slate review (mounted at /elections/). Thin: reads through selectors and the one
door (permissions.get_slate_for_user), writes through services."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.core.errors import refuse_with_message
from gongzhi.core.excel import ColumnSpec, SheetSpec, build_workbook, xlsx_response
from gongzhi.core.ordering import pinyin_order
from gongzhi.core.scopes import admin_street, branch_areas, scope_for, visible
from gongzhi.core.validators import is_id, parse_id
from gongzhi.elections import permissions, rules, selectors, services
from gongzhi.elections.forms import CandidateForm, DecisionForm, InstallForm, SlateForm, TargetsForm
from gongzhi.elections.models import Candidate, CheckKind, Slate, SlateStatus
from gongzhi.registry.models import Area, Estate

PAGE_SIZE = 50
STATUS_COLOURS = {
    SlateStatus.DRAFT: "",
    SlateStatus.SUBMITTED: "blue",
    SlateStatus.RETURNED: "red",
    SlateStatus.APPROVED: "green",
}
TERM_LABELS = {
    rules.TERM_OK: gettext_lazy("正常"),
    rules.TERM_DUE: gettext_lazy("5个月内到期"),
    rules.TERM_OVERDUE: gettext_lazy("已到期"),
    "none": gettext_lazy("无业委会记录"),
}
TERM_COLOURS = {rules.TERM_OK: "green", rules.TERM_DUE: "amber", rules.TERM_OVERDUE: "red", "none": ""}


def _years(today) -> list[int]:
    return list(range(today.year + 1, today.year - 5, -1))


def _filtered(request):
    """The list's queryset and the applied filters (year defaults to this year)."""
    today = timezone.localdate()
    applied = {k: request.GET.get(k, "").strip() for k in ("year", "area", "status", "targets", "q")}
    year = applied["year"] if re.fullmatch(r"(19|20)[0-9]{2}", applied["year"]) else str(today.year)
    applied["year"] = year
    slates = selectors.slates_for(request.user).filter(election_date__year=int(year))
    if is_id(applied["area"]):
        slates = slates.filter(estate__area_id=parse_id(applied["area"]))
    if applied["status"] in SlateStatus.values:
        slates = slates.filter(status=applied["status"])
    if applied["q"]:
        slates = slates.filter(estate__name__icontains=applied["q"][:60])
    return slates.order_by("estate__area__name", "estate__name", "-election_date"), applied, today


def _rows(request):
    slates, applied, today = _filtered(request)
    rows = selectors.slate_rows(slates)
    if applied["targets"] == "met":
        rows = [r for r in rows if r[1].targets_met]
    elif applied["targets"] == "unmet":
        rows = [r for r in rows if not r[1].targets_met]
    terms = {
        t.estate.pk: t for t in selectors.term_rows(request.user, today, estates=[s.estate for s, _r in rows])
    }
    return rows, terms, applied, today


@login_required
def slate_list(request):
    permissions.require_reader(request.user)
    rows, terms, applied, today = _rows(request)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    items = [
        {
            "slate": s,
            "review": rv,
            "colour": STATUS_COLOURS[s.status],
            "term": terms.get(s.estate_id),
            "term_label": TERM_LABELS[terms[s.estate_id].state] if s.estate_id in terms else "",
            "term_colour": TERM_COLOURS[terms[s.estate_id].state] if s.estate_id in terms else "",
        }
        for s, rv in page.object_list
    ]
    counts = {value: sum(1 for s, _r in rows if s.status == value) for value in SlateStatus.values}
    query = urlencode({k: v for k, v in applied.items() if v})
    return render(
        request,
        "elections/list.html",
        {
            "nav_active": "elections",
            "items": items,
            "page": page,
            "applied": applied,
            "query": query,
            "years": _years(today),
            "areas": visible(request.user, Area).order_by(*pinyin_order(Area, "name")),
            "statuses": SlateStatus.choices,
            "total": len(rows),
            "met": sum(1 for _s, r in rows if r.targets_met),
            "counts": counts,
            "can_enter": permissions.may_enter_any(request.user),
            "is_admin": scope_for(request.user).is_street_admin(),
        },
    )


def _pct(value) -> str:
    return "—" if value is None else f"{value}%"


@login_required
def slate_export(request):
    permissions.require_reader(request.user)
    rows, terms, applied, _today = _rows(request)
    yes, no = _("是"), _("否")
    data = []
    for s, rv in rows:
        term = terms.get(s.estate_id)
        data.append(
            [
                s.estate.area.name,
                s.estate.name,
                s.election_date,
                s.planned_size,
                rv.candidate_count,
                rv.party_count,
                _pct(rv.party_percent),
                yes if rv.party_ok else no,
                rv.cross_count,
                _pct(rv.cross_percent),
                yes if rv.cross_ok else no,
                yes if rv.size.ok else no,
                yes if rv.checks_complete else no,
                s.get_status_display(),
                s.decision_comment,
                term.committee.term_end if term and term.committee else "",
                str(TERM_LABELS[term.state]) if term else "",
            ]
        )
    headers = [
        _("居民区"),
        _("小区"),
        _("选举日期"),
        _("拟设人数"),
        _("候选人数"),
        _("党员人数"),
        _("党员占比"),
        _("党员占比达标"),
        _("交叉任职人数"),
        _("交叉任职占比"),
        _("交叉任职达标"),
        _("人数合规"),
        _("资格核查完整"),
        _("状态"),
        _("审核意见"),
        _("现任业委会任期结束"),
        _("换届提醒"),
    ]
    content = build_workbook(
        [SheetSpec(title=_("换届人选"), columns=[ColumnSpec(h) for h in headers], rows=data)]
    )
    return xlsx_response(content, _("业委会换届人选_%(year)s.xlsx") % {"year": applied["year"]})


@login_required
def terms(request):
    """Every estate's current committee and its art. 28 five-month warning."""
    permissions.require_reader(request.user)
    today = timezone.localdate()
    state = request.GET.get("state", "")
    estates = (
        visible(request.user, Estate)
        .select_related("area")
        .order_by(*pinyin_order(Estate, "area__name", "name"))
    )
    if not scope_for(request.user).is_street_wide():
        estates = estates.filter(area__in=branch_areas(request.user))
    rows = selectors.term_rows(request.user, today, estates=estates)
    counts = {key: sum(1 for r in rows if r.state == key) for key in TERM_LABELS}
    if state in TERM_LABELS:
        rows = [r for r in rows if r.state == state]
    order = {rules.TERM_OVERDUE: 0, rules.TERM_DUE: 1, rules.TERM_OK: 2, "none": 3}
    rows.sort(key=lambda r: (order[r.state], r.committee.term_end if r.committee else today))
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "elections/terms.html",
        {
            "nav_active": "election_terms",
            "page": page,
            "items": [
                {"row": r, "label": TERM_LABELS[r.state], "colour": TERM_COLOURS[r.state]}
                for r in page.object_list
            ],
            "counts": counts,
            "labels": TERM_LABELS,
            "state": state,
            "today": today,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def slate_create(request):
    permissions.require_reader(request.user)
    if not permissions.may_enter_any(request.user):
        raise PermissionDenied
    form = SlateForm(request.POST or None, estates=permissions.enter_estates(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            slate = services.slate_create(
                actor=request.user,
                estate=form.cleaned_data["estate"],
                election_date=form.cleaned_data["election_date"],
                planned_size=form.cleaned_data["planned_size"],
                note=form.cleaned_data["note"],
            )
        except services.SlateError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("已建立换届名单，请添加候选人并完成资格核查。"))
            return redirect("elections:detail", slate.pk)
    return render(
        request, "elections/form.html", {"nav_active": "elections", "form": form, "title": _("新建换届名单")}
    )


@login_required
def slate_detail(request, pk: int):
    slate = permissions.get_slate_for_user(request.user, pk)
    candidates = list(
        slate.candidates.select_related("owner", "unit__building").prefetch_related("checks__signed_by")
    )
    if slate.committee_id:
        slate = Slate.objects.select_related(
            "estate__area", "created_by", "decided_by", "committee__election_vote"
        ).get(pk=slate.pk)
    review = selectors.review(slate, candidates=candidates)
    kinds = CheckKind.choices
    rows = []
    for c in candidates:
        by_kind = selectors.checks_by_kind(c)
        rows.append({"candidate": c, "checks": [(value, by_kind.get(value)) for value, _label in kinds]})
    term = selectors.term_rows(request.user, timezone.localdate(), estates=[slate.estate])[0]
    return render(
        request,
        "elections/detail.html",
        {
            "nav_active": "elections",
            "slate": slate,
            "review": review,
            "rows": rows,
            "kinds": kinds,
            "colour": STATUS_COLOURS[slate.status],
            "events": slate.events.select_related("actor"),
            "may_edit": permissions.may_edit(request.user, slate),
            "may_decide": permissions.may_decide(request.user, slate),
            "decision_form": DecisionForm(),
            "blockers": review.blockers(),
            "term": term,
            "term_label": TERM_LABELS[term.state],
            "term_colour": TERM_COLOURS[term.state],
            "install_form": _install_form(request.user, slate, candidates),
            "filing_deadline": rules.filing_deadline(slate.committee.elected_on)
            if slate.committee and slate.committee.elected_on
            else None,
        },
    )


def _install_form(user, slate: Slate, candidates, data=None) -> InstallForm | None:
    if not permissions.may_install(user, slate):
        return None
    return InstallForm(data, votes=services.election_votes(slate), candidates=candidates)


@login_required
@require_POST
def slate_install(request, pk: int):
    """The street admin files the committee the owners elected from this approved slate."""
    slate = permissions.get_slate_for_user(request.user, pk)
    if not permissions.may_install(request.user, slate):
        raise PermissionDenied
    form = _install_form(request.user, slate, list(slate.candidates.all()), request.POST)
    if form is None or not form.is_valid():
        messages.error(request, _("请选择选举表决、当选委员和主任。"))
        return redirect("elections:detail", slate.pk)
    data = form.cleaned_data
    try:
        committee = services.committee_install_from_election(
            actor=request.user,
            slate=slate,
            vote=data["vote"],
            members=data["members"],
            director=data["director"],
            deputies=data["deputies"],
            years=data["years"],
        )
    except services.SlateError as error:
        messages.error(request, error.message)
        return redirect("elections:detail", slate.pk)
    messages.success(
        request,
        _("已备案：新一届业委会任期%(start)s至%(end)s。")
        % {"start": committee.term_start.isoformat(), "end": committee.term_end.isoformat()},
    )
    return redirect("elections:detail", slate.pk)


def _editable(request, pk: int) -> Slate:
    slate = permissions.get_slate_for_user(request.user, pk, edit=True)
    if not permissions.may_edit(request.user, slate):
        raise PermissionDenied
    return slate


@login_required
@require_http_methods(["GET", "POST"])
def slate_edit(request, pk: int):
    slate = _editable(request, pk)
    initial = {"election_date": slate.election_date, "planned_size": slate.planned_size, "note": slate.note}
    form = SlateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.slate_update(actor=request.user, slate=slate, **form.cleaned_data)
        except services.SlateError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("已保存。"))
            return redirect("elections:detail", slate.pk)
    return render(
        request,
        "elections/form.html",
        {"nav_active": "elections", "form": form, "slate": slate, "title": _("修改换届名单")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def candidate_form(request, pk: int, candidate_id: int | None = None):
    slate = _editable(request, pk)
    candidate = None
    initial = {}
    if candidate_id is not None:
        candidate = Candidate.objects.filter(slate=slate, pk=candidate_id).prefetch_related("checks").first()
        if candidate is None:
            raise Http404
        initial = {
            "name": candidate.name,
            "owner_ref": candidate.owner.ref if candidate.owner else "",
            "is_party_member": candidate.is_party_member,
            "is_cross_appointed": candidate.is_cross_appointed,
            **{f"check_{c.kind}": c.outcome for c in candidate.checks.all()},
        }
    form = CandidateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.candidate_save(
                actor=request.user,
                slate=slate,
                candidate=candidate,
                name=form.cleaned_data["name"],
                owner_ref=form.cleaned_data["owner_ref"],
                is_party_member=form.cleaned_data["is_party_member"],
                is_cross_appointed=form.cleaned_data["is_cross_appointed"],
                checks=form.checks(),
            )
        except services.SlateError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("已保存候选人。"))
            if "add_another" in request.POST:
                return redirect("elections:candidate_add", slate.pk)
            return redirect("elections:detail", slate.pk)
    return render(
        request,
        "elections/candidate_form.html",
        {"nav_active": "elections", "form": form, "slate": slate, "candidate": candidate},
    )


@login_required
@require_POST
@refuse_with_message("elections:detail", "pk")
def candidate_delete(request, pk: int, candidate_id: int):
    slate = _editable(request, pk)
    candidate = Candidate.objects.filter(slate=slate, pk=candidate_id).first()
    if candidate is None:
        raise Http404
    services.candidate_remove(actor=request.user, candidate=candidate)
    messages.success(request, _("已移除候选人 %(name)s。") % {"name": candidate.name})
    return redirect("elections:detail", slate.pk)


@login_required
@require_POST
@refuse_with_message("elections:detail", "pk")
def slate_act(request, pk: int, action: str):
    if action not in ("submit", "approve", "return"):
        raise Http404
    slate = permissions.get_slate_for_user(request.user, pk)
    if action == "submit" and not permissions.may_edit(request.user, slate):
        raise PermissionDenied
    if action in ("approve", "return") and not permissions.may_decide(request.user, slate):
        raise PermissionDenied
    form = DecisionForm(request.POST)
    comment = form.data.get("comment", "")[:500]
    if action == "submit":
        services.slate_submit(actor=request.user, slate=slate)
        messages.success(request, _("已报送领导小组审核。"))
    elif action == "approve":
        services.slate_approve(actor=request.user, slate=slate, comment=comment)
        messages.success(request, _("已审核通过。"))
    else:
        services.slate_return(actor=request.user, slate=slate, comment=comment)
        messages.success(request, _("已退回居民区修改。"))
    return redirect("elections:detail", slate.pk)


@login_required
@require_http_methods(["GET", "POST"])
def targets(request):
    street = admin_street(request.user)
    if street is None:
        raise PermissionDenied
    party, cross = selectors.targets_for(street.pk)
    form = TargetsForm(request.POST or None, initial={"party_share": party, "cross_share": cross})
    if request.method == "POST" and form.is_valid():
        try:
            services.targets_set(actor=request.user, street=street, **form.cleaned_data)
        except services.SlateError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("已保存目标比例。"))
            return redirect("elections:targets")
    return render(
        request, "elections/targets.html", {"nav_active": "election_targets", "form": form, "street": street}
    )
