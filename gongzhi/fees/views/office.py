"""Office pages of the fee standards and the monthly collection (mounted at /fees/).

Readers: office users who see the estate in full (``permissions.fee_estates``); keepers of the collection:
the managing company's staff and the street admin (``permissions.can_keep_fees``); standards are set by the
owners' committee or the street admin on a checked basis and proposed by the company (docs/FEES.md). Writes go through ``services``; a
``FeeError`` becomes a form error and nothing is written."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from gongzhi.core.excel import ColumnSpec, SheetSpec, build_workbook, xlsx_response
from gongzhi.core.ordering import pinyin_order
from gongzhi.core.scopes import admin_street
from gongzhi.core.validators import parse_id
from gongzhi.disclosure.svg import sparkline
from gongzhi.fees import selectors
from gongzhi.fees.forms import CollectionForm, ImportForm, PriceDocumentForm, ProposalForm, StandardForm
from gongzhi.fees.importers import ImportErrors, parse_file, template_bytes
from gongzhi.fees.models import FeeProposal
from gongzhi.fees.permissions import (
    can_keep_fees,
    can_open_intent,
    can_propose_fees,
    can_record_price_documents,
    can_set_fees,
    fee_estates,
    get_fee_estate,
    keeps_any_fees,
    kept_estates,
    reads_fees,
)
from gongzhi.fees.rules import FeeError, parse_month
from gongzhi.fees.services import (
    collection_import,
    collection_record,
    fee_proposal_create,
    fee_standard_create,
    price_document_create,
)
from gongzhi.registry.models import Contract, Estate

SPARK_LOW = Decimal(40)  # sparklines share one 40–100 % scale, so estates compare at a glance

SORTS = {
    "rate": lambda row: (row["latest_rate"] is None, row["latest_rate"] or 0, row["estate"].name),
    "-rate": lambda row: (row["latest_rate"] is None, -(row["latest_rate"] or 0), row["estate"].name),
    "year": lambda row: (row["year_rate"] is None, row["year_rate"] or 0, row["estate"].name),
    "name": lambda row: (row["estate"].area.name, row["estate"].name),
}


def _int(value) -> int | None:
    """A filter id; text that is no id (1e30, ², twenty nines) matches nothing (0), never a 500."""
    if not value:
        return None
    pk = parse_id(value)
    return 0 if pk is None else pk


def _overview_rows(request):
    if not reads_fees(request.user):
        raise PermissionDenied
    base = fee_estates(request.user)
    area, company = _int(request.GET.get("area")), _int(request.GET.get("company"))
    sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else "rate"
    rows = selectors.street_overview(selectors.estates_for_overview(base, area=area, company=company))
    rows.sort(key=SORTS[sort])
    return base, rows, {"area": area, "company": company, "sort": sort}


@login_required
@require_safe
def overview(request):
    base, rows, chosen = _overview_rows(request)
    for row in rows:
        # Built from numbers and an escaped label only.
        spark = sparkline([v for _m, v in row["series"]], low=SPARK_LOW, label=_("近12个月收缴率"))
        row["spark"] = mark_safe(spark)  # noqa: S308
    areas, companies = selectors.estate_filters(base)
    return render(
        request,
        "fees/overview.html",
        {
            "rows": rows,
            "areas": areas,
            "companies": companies,
            "chosen": chosen,
            "query": request.GET.urlencode(),
            "can_import": keeps_any_fees(request.user),
            "can_record_documents": admin_street(request.user) is not None,
            "nav_active": "fees",
        },
    )


@login_required
@require_safe
def export(request):
    _base, rows, _chosen = _overview_rows(request)
    columns = [
        ColumnSpec(_("居民区")),
        ColumnSpec(_("小区")),
        ColumnSpec(_("物业服务企业")),
        ColumnSpec(_("最近月份")),
        ColumnSpec(_("应收金额（元）"), number_format="#,##0.00"),
        ColumnSpec(_("实收金额（元）"), number_format="#,##0.00"),
        ColumnSpec(_("当月收缴率（%）"), number_format="0.00"),
        ColumnSpec(_("近12个月收缴率（%）"), number_format="0.00"),
    ]
    data = [
        [
            r["estate"].area.name,
            r["estate"].name,
            r["company"],
            f"{r['latest'].month:%Y-%m}" if r["latest"] else "",
            r["latest"].amount_billed if r["latest"] else None,
            r["latest"].amount_collected if r["latest"] else None,
            r["latest_rate"],
            r["year_rate"],
        ]
        for r in rows
    ]
    content = build_workbook([SheetSpec(title=_("物业费收缴率"), columns=columns, rows=data)])
    return xlsx_response(content, _("物业费收缴率-%(day)s.xlsx") % {"day": timezone.localdate().isoformat()})


@login_required
@require_safe
def estate(request, estate_id: int):
    place = get_fee_estate(request.user, estate_id)
    rows = selectors.collections(place.pk, months=24)
    contract = (
        Contract.objects.active()
        .filter(estate=place)
        .select_related("company")
        .order_by("-start_date")
        .first()
    )
    keeper = can_keep_fees(request.user, place)
    return render(
        request,
        "fees/estate.html",
        {
            "estate": place,
            "contract": contract,
            "in_force": selectors.standards_in_force([place.pk]).get(place.pk, []),
            "history": selectors.standard_history(place.pk),
            "rows": list(reversed(rows)),
            "chart": selectors.trend_chart(rows),
            "can_keep": keeper,
            "can_set": can_set_fees(request.user, place),
            "can_propose": can_propose_fees(request.user, place),
            "can_open_intent": can_open_intent(request.user, place),
            "proposals": selectors.pending_proposals(place.pk),
            "nav_active": "fees",
        },
    )


def _proposing_estate(user, estate_id: int):
    """The estate whose standards this user may set or propose (company staff: propose only), else 403/404."""
    place = get_fee_estate(user, estate_id)
    if not can_propose_fees(user, place):
        raise PermissionDenied
    return place


def _pending_proposal(place, value) -> FeeProposal | None:
    pk = parse_id(value) if value else None
    if pk is None:
        return None
    return next((p for p in selectors.pending_proposals(place.pk) if p.pk == pk), None)


@login_required
@require_http_methods(["GET", "POST"])
def standard_new(request, estate_id: int):
    """Set a standard on a checked basis (committee, street admin). The company may open the form, and is
    told by the service why it may not set a fee and that it may propose one."""
    place = _proposing_estate(request.user, estate_id)
    options = selectors.basis_options(request.user, place)
    proposal = _pending_proposal(place, request.GET.get("proposal"))  # the form posts back to its own URL
    initial = {}
    if proposal is not None:
        initial = {
            "kind": proposal.kind,
            "label": proposal.label,
            "amount": proposal.amount_text,
            "unit": proposal.unit,
            "effective_from": proposal.effective_from,
        }
    form = StandardForm(request.POST or None, options=options, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            fee_standard_create(
                actor=request.user,
                estate=place,
                kind=d["kind"],
                label=d["label"],
                amount=d["amount"],
                unit=d["unit"],
                effective_from=d["effective_from"],
                basis=d["basis"],
                basis_reference=d["basis_reference"],
                proposal=proposal,
                **form.links(),
            )
        except FeeError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("已登记新的收费标准；原标准保留在历史中。"))
            return redirect("fees:estate", place.pk)
    return render(
        request,
        "fees/form.html",
        {
            "estate": place,
            "form": form,
            "title": _("登记收费标准"),
            "proposal": proposal,
            "company_only": not can_set_fees(request.user, place),
            "nav_active": "fees",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def proposal_new(request, estate_id: int):
    """Propose a standard (the company's way to ask for a fee change); nothing changes until adopted."""
    place = _proposing_estate(request.user, estate_id)
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            fee_proposal_create(
                actor=request.user,
                estate=place,
                kind=d["kind"],
                label=d["label"],
                amount=d["amount"],
                unit=d["unit"],
                effective_from=d["effective_from"],
                reasons=d["reasons"],
            )
        except FeeError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("已提出收费标准建议；业委会或街道依据确定后才会生效。"))
            return redirect("fees:estate", place.pk)
    return render(
        request,
        "fees/form.html",
        {"estate": place, "form": form, "title": _("提出收费标准建议"), "nav_active": "fees"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def collection_new(request, estate_id: int):
    place = get_fee_estate(request.user, estate_id, write=True)
    form = CollectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            collection_record(
                actor=request.user,
                estate=place,
                month=parse_month(d["month"]),
                billed=d["billed"],
                collected=d["collected"],
                households_billed=d["households_billed"],
                households_paid=d["households_paid"],
                note=d["note"],
                replace=d["replace"],
            )
        except FeeError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("已登记 %(month)s 的收缴数据。") % {"month": d["month"]})
            return redirect("fees:estate", place.pk)
    return render(
        request,
        "fees/form.html",
        {"estate": place, "form": form, "title": _("登记月度收缴"), "nav_active": "fees"},
    )


def _keepable_estates(user):
    if not keeps_any_fees(user):
        raise PermissionDenied
    return (
        kept_estates(user).select_related("area").order_by(*pinyin_order(Estate, "area__name", "name", "pk"))
    )


@login_required
@require_safe
def import_template(request):
    return xlsx_response(template_bytes(_keepable_estates(request.user)), _("物业费收缴导入模板.xlsx"))


@login_required
@require_http_methods(["GET", "POST"])
def import_collections(request):
    estates = list(_keepable_estates(request.user))
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = parse_file(upload, filename=upload.name, estates=estates, today=timezone.localdate())
            count = collection_import(
                actor=request.user,
                rows=rows,
                replace=form.cleaned_data["replace"],
                dry_run=form.cleaned_data["dry_run"],
            )
        except ImportErrors as error:
            errors = error.errors
        except FeeError as error:
            errors = [error.message]
        else:
            result = {"count": count, "dry_run": form.cleaned_data["dry_run"]}
            if not result["dry_run"]:
                messages.success(request, _("已导入 %(n)d 行收缴数据。") % {"n": count})
                return redirect("fees:overview")
    return render(
        request,
        "fees/import.html",
        {"form": form, "errors": errors, "result": result, "nav_active": "fees_import"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def price_documents(request):
    """The street's government price documents and the estates under guided pricing (street admin)."""
    street = admin_street(request.user)
    if street is None or not can_record_price_documents(request.user, street.pk):
        raise PermissionDenied
    estates = (
        fee_estates(request.user)
        .filter(area__street=street)
        .select_related("area")
        .order_by(*pinyin_order(Estate, "area__name", "name", "pk"))
    )
    form = PriceDocumentForm(request.POST or None, estates=estates)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            price_document_create(
                actor=request.user,
                street=street,
                issuer=d["issuer"],
                number=d["number"],
                title=d["title"],
                issued_on=d["issued_on"],
                kind=d["kind"],
                unit=d["unit"],
                level=d["level"],
                low=d["low"],
                high=d["high"],
                estates=list(d["estates"]),
            )
        except FeeError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("已登记政府价格文件。"))
            return redirect("fees:price_documents")
    return render(
        request,
        "fees/price_documents.html",
        {"documents": selectors.price_documents(request.user, street), "form": form, "nav_active": "fees"},
    )
