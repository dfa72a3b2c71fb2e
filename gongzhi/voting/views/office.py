"""Office pages of owners' decisions (mounted at /votes/): the list, drafting, publication with the
frozen totals, live participation and the gaps to the quorum, the door-to-door list, paper and proxy
ballots, close, preliminary and final results, the roll (Excel) after close.

Reading: ``permissions.reads_votes`` (street, area branches, owners' committees); one decision through
``permissions.get_decision_for_user`` (outsider 404, reader without the right 403). Writing: managers
(``permissions.can_manage``) through ``voting.services`` only; a ``VotingError`` becomes a message or a
form error and nothing is written. The yes/no split is never shown before the close."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.core.errors import refuse_with_message
from gongzhi.core.excel import ColumnSpec, SheetSpec, build_workbook, xlsx_response
from gongzhi.core.masking import mask_name, mask_phone
from gongzhi.core.ordering import sorted_by_name
from gongzhi.core.scopes import get_for_user, scope_for
from gongzhi.core.uploads import serve_upload
from gongzhi.core.validators import parse_id
from gongzhi.registry.models import Building, Estate
from gongzhi.voting import permissions, selectors, services
from gongzhi.voting.forms import (
    AttachmentForm,
    DecisionForm,
    PaperBallotForm,
    PreliminaryForm,
    ProxyBallotForm,
)
from gongzhi.voting.models import Ballot, Channel, Decision, DecisionAttachment, DecisionStatus, Matter
from gongzhi.voting.services import VotingError

PAGE_SIZE = 30


def _require_reader(request):
    if not permissions.reads_votes(request.user):
        raise PermissionDenied


def _decision(request, pk, *, manage: bool = False) -> Decision:
    _require_reader(request)
    return permissions.get_decision_for_user(request.user, pk, manage=manage)


def _first_error(form) -> str:
    return next(iter(form.errors.values()))[0]


# ---- the list ------------------------------------------------------------------------------------


@login_required
def index(request):
    _require_reader(request)
    decisions = permissions.office_decisions(request.user).order_by("-opens_at", "-pk")
    estates = sorted_by_name(
        permissions.office_estates(request.user).select_related("area"), "area.name", "name"
    )
    applied = {}
    raw = request.GET.get("estate", "")
    chosen = parse_id(raw)
    if chosen is not None and any(e.pk == chosen for e in estates):
        decisions = decisions.filter(estate_id=chosen)
        applied["estate"] = chosen
    status = request.GET.get("status", "")
    if status in DecisionStatus.values:
        decisions = decisions.filter(status=status)
        applied["status"] = status
    page = Paginator(decisions, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    figures = selectors.participation_many(rows)
    now = timezone.now()
    items = [
        {
            "decision": d,
            "colour": selectors.STATUS_COLOURS.get(d.status, ""),
            "open": d.is_open_at(now),
            "figures": figures.get(d.pk),
        }
        for d in rows
    ]
    managed = permissions.managed_estate_ids(request.user, [e.pk for e in estates])
    return render(
        request,
        "voting/office/index.html",
        {
            "page": page,
            "items": items,
            "estates": estates,
            "manageable": [e for e in estates if e.pk in managed],
            "statuses": DecisionStatus.choices,
            "applied": applied,
            "nav_active": "votes",
        },
    )


# ---- drafting ------------------------------------------------------------------------------------


def _managed_estate(request, estate_id) -> Estate:
    _require_reader(request)
    estate = get_for_user(request.user, Estate.objects.select_related("area"), estate_id)
    if not permissions.can_manage(request.user, estate):
        raise PermissionDenied
    return estate


def _decision_form(estate, data=None, initial=None) -> DecisionForm:
    return DecisionForm(
        data, initial=initial, buildings=Building.objects.filter(estate=estate).order_by("number")
    )


@login_required
@require_http_methods(["GET", "POST"])
def create(request, estate_id: int):
    estate = _managed_estate(request, estate_id)
    form = _decision_form(
        estate, request.POST if request.method == "POST" else None, initial={"objection_days": 7}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            decision = services.decision_create(
                actor=request.user,
                estate=estate,
                title=data["title"],
                matter=data["matter"],
                text=data["text"],
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
                buildings=list(data["buildings"]),
                objection_days=data["objection_days"],
            )
        except VotingError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("草稿已保存。可以上传附件，核对后发布。"))
            return redirect("voting:detail", decision.pk)
    return render(
        request,
        "voting/office/form.html",
        {"form": form, "estate": estate, "decision": None, "nav_active": "votes"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    decision = _decision(request, pk, manage=True)
    if decision.status != DecisionStatus.DRAFT:
        messages.error(request, _("已发布的表决不能再修改。"))
        return redirect("voting:detail", decision.pk)
    initial = {
        "title": decision.title,
        "matter": decision.matter,
        "text": decision.text,
        "opens_at": timezone.localtime(decision.opens_at),
        "closes_at": timezone.localtime(decision.closes_at),
        "objection_days": decision.objection_days,
        "buildings": list(decision.buildings.all()),
    }
    form = _decision_form(decision.estate, request.POST if request.method == "POST" else None, initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        buildings = list(data.pop("buildings"))
        try:
            services.decision_update(actor=request.user, decision=decision, buildings=buildings, **data)
        except VotingError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("草稿已更新。"))
            return redirect("voting:detail", decision.pk)
    return render(
        request,
        "voting/office/form.html",
        {"form": form, "estate": decision.estate, "decision": decision, "nav_active": "votes"},
    )


@login_required
@require_POST
@refuse_with_message("voting:detail", "pk")
def delete(request, pk: int):
    decision = _decision(request, pk, manage=True)
    services.decision_delete(actor=request.user, decision=decision)
    messages.success(request, _("草稿已删除。"))
    return redirect("voting:index")


@login_required
@require_POST
def attachment_add(request, pk: int):
    decision = _decision(request, pk, manage=True)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect("voting:detail", decision.pk)
    try:
        services.decision_attachment_add(
            actor=request.user,
            decision=decision,
            upload=form.cleaned_data["file"],
            name=form.cleaned_data["name"],
        )
    except VotingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("附件已上传。"))
    return redirect("voting:detail", decision.pk)


@login_required
@require_POST
def attachment_remove(request, pk: int):
    attachment = get_object_or_404(DecisionAttachment.objects.select_related("decision"), pk=pk)
    decision = _decision(request, attachment.decision_id, manage=True)
    try:
        services.decision_attachment_remove(actor=request.user, attachment=attachment)
    except VotingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("附件已删除。"))
    return redirect("voting:detail", decision.pk)


# ---- one decision --------------------------------------------------------------------------------


@login_required
def detail(request, pk: int):
    decision = _decision(request, pk)
    manager = permissions.can_manage(request.user, decision.estate)
    now = timezone.now()
    context = {
        "decision": decision,
        "matter_label": Matter(decision.matter).label,
        "colour": selectors.STATUS_COLOURS.get(decision.status, ""),
        "manager": manager,
        "attachments": list(decision.attachments.all()),
        "buildings": sorted_by_name(decision.buildings.all(), "number"),
        "open": decision.is_open_at(now),
        "can_close": decision.status == DecisionStatus.PUBLISHED and now >= decision.closes_at,
        "can_finalise": decision.status == DecisionStatus.PRELIMINARY
        and (decision.objection_ends_at is None or now >= decision.objection_ends_at),
        "can_see_roll": permissions.can_see_roll(request.user, decision),
        "nav_active": "votes",
    }
    if decision.status == DecisionStatus.DRAFT:
        context["preview"] = selectors.electorate_preview(decision)
        context["attachment_form"] = AttachmentForm()
    else:
        context["totals"] = selectors.decision_totals(decision)
        context["participation"] = selectors.participation(decision)
        context["result"] = selectors.decision_result(decision)  # None while open: never the split
        context["preliminary_form"] = PreliminaryForm(initial={"objection_days": decision.objection_days})
    return render(request, "voting/office/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def publish(request, pk: int):
    """A confirm screen with the electorate that publication freezes, then the publication."""
    decision = _decision(request, pk, manage=True)
    if decision.status != DecisionStatus.DRAFT:
        messages.error(request, _("这项表决已经发布。"))
        return redirect("voting:detail", decision.pk)
    if request.method == "POST":
        try:
            services.decision_publish(actor=request.user, decision=decision)
        except VotingError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已发布，业主名册和计票门槛已冻结。"))
            return redirect("voting:detail", decision.pk)
    return render(
        request,
        "voting/office/publish.html",
        {
            "decision": decision,
            "matter_label": Matter(decision.matter).label,
            "preview": selectors.electorate_preview(decision),
            "buildings": sorted_by_name(decision.buildings.all(), "number"),
            "starts_now": decision.opens_at <= timezone.now(),
            "nav_active": "votes",
        },
    )


def _phase(request, pk: int, action, done: str, **kwargs):
    decision = _decision(request, pk, manage=True)
    try:
        action(actor=request.user, decision=decision, **kwargs)
    except VotingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("voting:detail", decision.pk)


@login_required
@require_POST
def close(request, pk: int):
    return _phase(request, pk, services.decision_close, _("投票已截止，计票结果已生成。"))


@login_required
@require_POST
def preliminary(request, pk: int):
    form = PreliminaryForm(request.POST)
    if not form.is_valid():
        _decision(request, pk, manage=True)
        messages.error(request, _first_error(form))
        return redirect("voting:detail", pk)
    return _phase(
        request,
        pk,
        services.result_publish_preliminary,
        _("初步结果已公示，异议期开始。"),
        objection_days=form.cleaned_data["objection_days"],
    )


@login_required
@require_POST
def finalise(request, pk: int):
    return _phase(request, pk, services.result_finalise, _("最终结果已公布。"))


# ---- during the window ---------------------------------------------------------------------------


@login_required
def canvass(request, pk: int):
    """扫楼: who has not voted yet, by building and unit (printable). Names and phones unmasked only
    for those who see the estate's personal data."""
    decision = _decision(request, pk)
    if decision.status == DecisionStatus.DRAFT:
        raise PermissionDenied
    personal = scope_for(request.user).sees_personal_data(decision.estate_id)
    rows = selectors.door_to_door(decision)
    for row in rows:
        if not personal:
            row["owner_name"] = mask_name(row["owner_name"])
            row["phone"] = mask_phone(row["phone"])
    buildings: dict[str, list] = {}
    for row in rows:
        buildings.setdefault(row["building"], []).append(row)
    return render(
        request,
        "voting/office/canvass.html",
        {
            "decision": decision,
            "buildings": buildings,
            "count": len({r["voter_id"] for r in rows}),
            "participation": selectors.participation(decision),
            "nav_active": "votes",
        },
    )


def _voters(decision):
    return selectors.electorate(decision)


def _ballot_forms(decision, paper=None, proxy=None):
    voters = _voters(decision)
    return (
        paper or PaperBallotForm(voters=voters, prefix="paper"),
        proxy or ProxyBallotForm(voters=voters, prefix="proxy"),
    )


def _render_ballots(request, decision, paper=None, proxy=None, status=200):
    paper, proxy = _ballot_forms(decision, paper, proxy)
    # What the committee entered (who, how, by whom — never the choice: the vote is secret while open).
    entered = (
        Ballot.objects.filter(decision=decision, channel__in=[Channel.PAPER, Channel.PROXY])
        .select_related("voter")
        .prefetch_related("voter__units")
        .order_by("-cast_at", "-pk")
    )
    return render(
        request,
        "voting/office/ballots.html",
        {
            "decision": decision,
            "paper": paper,
            "proxy": proxy,
            "entered": entered,
            "open": decision.is_open,
            "channel_rule": selectors.decision_totals(decision)["channel_rule"],
            "nav_active": "votes",
        },
        status=status,
    )


@login_required
def ballots(request, pk: int):
    decision = _decision(request, pk, manage=True)
    return _render_ballots(request, decision)


@login_required
@require_POST
def paper(request, pk: int):
    decision = _decision(request, pk, manage=True)
    form = PaperBallotForm(request.POST, voters=_voters(decision), prefix="paper")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.ballot_enter_paper(
                actor=request.user,
                decision=decision,
                voter=data["voter"],
                choice=data["choice"],
                collector_name=data["collector_name"],
            )
        except VotingError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已录入纸质表决票（%(units)s）。") % {"units": _units(data["voter"])})
            return redirect("voting:ballots", decision.pk)
    return _render_ballots(request, decision, paper=form, status=400)


@login_required
@require_POST
def proxy(request, pk: int):
    decision = _decision(request, pk, manage=True)
    form = ProxyBallotForm(request.POST, request.FILES, voters=_voters(decision), prefix="proxy")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.ballot_enter_proxy(
                actor=request.user,
                decision=decision,
                voter=data["voter"],
                choice=data["choice"],
                proxy_name=data["proxy_name"],
                authorisation=data["authorisation"],
                collector_name=data["collector_name"],
            )
        except VotingError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已录入委托投票（%(units)s）。") % {"units": _units(data["voter"])})
            return redirect("voting:ballots", decision.pk)
    return _render_ballots(request, decision, proxy=form, status=400)


def _units(voter) -> str:
    return "、".join(u.label for u in voter.units.all())


# ---- after close -------------------------------------------------------------------------------


@login_required
def roll(request, pk: int):
    """The roll (who voted, by which channel — never what) as Excel, after close."""
    decision = _decision(request, pk)
    if not permissions.can_see_roll(request.user, decision):
        raise PermissionDenied
    rows = selectors.decision_roll(decision)
    columns = [
        ColumnSpec(_("业主")),
        ColumnSpec(_("房屋")),
        ColumnSpec(_("专有面积（m²）")),
        ColumnSpec(_("套数")),
        ColumnSpec(_("建设单位")),
        ColumnSpec(_("是否投票")),
        ColumnSpec(_("投票方式")),
        ColumnSpec(_("投票时间")),
        ColumnSpec(_("收票人")),
        ColumnSpec(_("受托人")),
        ColumnSpec(_("投票次数")),
    ]
    data = (
        [
            r["owner_name"],
            r["units"],
            r["area"],
            r["unit_count"],
            _("是") if r["is_developer"] else "",
            _("已投票") if r["voted"] else _("未投票"),
            r["channel_label"],
            timezone.localtime(r["cast_at"]).strftime("%Y-%m-%d %H:%M") if r["cast_at"] else "",
            r["collector_name"],
            r["proxy_name"],
            r["casts"],
        ]
        for r in rows
    )
    content = build_workbook([SheetSpec(_("表决名册"), columns, data)])
    return xlsx_response(content, f"{decision.estate.name}-{decision.title}-{_('表决名册')}.xlsx")


@login_required
def authorisation(request, pk: int):
    """The written authorisation of a proxy ballot: for the decision's managers only."""
    ballot = get_object_or_404(Ballot.objects.select_related("decision"), pk=pk)
    decision = _decision(request, ballot.decision_id, manage=True)
    if not ballot.authorisation:
        raise Http404
    name = ballot.authorisation.name.lower()
    content_type = "application/pdf" if name.endswith(".pdf") else "image/jpeg"
    extension = "pdf" if content_type == "application/pdf" else "jpg"
    return serve_upload(
        ballot.authorisation,
        content_type=content_type,
        filename=f"{decision.pk}-{_('委托书')}-{ballot.pk}.{extension}",
        streaming=False,
    )
