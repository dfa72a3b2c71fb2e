"""Office pages for the §5 rules around the ledgers (mounted at /finance/): the street-wide disclosure
progress (公示进度) and the money-rule alerts (资金预警), each with filters and Excel export; recording a
disclosure, tightening an interval, the estate's finance profile, evidence for fund uses and their
downloads; the Excel import of historic ledgers.

Reads: ``permissions.ledger_estates`` (the one door for ledger readers) and the selectors. Writes:
``services`` / ``importers`` only; a ``LedgerError`` becomes a message and nothing is written."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.core.excel import ColumnSpec, SheetSpec, build_workbook, xlsx_response
from gongzhi.core.ordering import pinyin_order
from gongzhi.core.scopes import get_for_user, visible
from gongzhi.core.uploads import serve_upload
from gongzhi.core.validators import is_id
from gongzhi.finance import importers, services
from gongzhi.finance.forms import DisclosureForm, EvidenceForm, ImportForm, ProfileForm, ScheduleForm
from gongzhi.finance.models import Disclosure, DisclosurePlace, FundUseEvidence, LedgerEntry, LedgerKind
from gongzhi.finance.permissions import (
    can_attach_evidence,
    can_disclose,
    can_edit_profile,
    can_set_schedule,
    get_ledger_estate,
    ledger_estates,
    may_import,
    require_reader,
)
from gongzhi.finance.rules import LedgerError
from gongzhi.finance.selectors import ALERT_LABELS, disclosure_status, money_alerts
from gongzhi.finance.views.office import _back
from gongzhi.registry.models import Area, Estate

PAGE_SIZE = 100
OVERDUE_CHOICES = [("yes", gettext_lazy("仅超期")), ("soon", gettext_lazy("30 天内到期或已超期"))]
SOON_DAYS = 30


# ---- street-wide lists -----------------------------------------------------------------------------


def _filters(request, *, kinds: list[tuple[str, str]] | None = None) -> dict[str, str]:
    applied = {}
    area = request.GET.get("area", "")
    if is_id(area):
        applied["area"] = area
    ledger = request.GET.get("ledger", "")
    if ledger in LedgerKind.values:
        applied["ledger"] = ledger
    overdue = request.GET.get("overdue", "")
    if overdue in {"yes", "soon"}:
        applied["overdue"] = overdue
    kind = request.GET.get("kind", "")
    if kinds is not None and kind in {k for k, _label in kinds}:
        applied["kind"] = kind
    return applied


def _scoped_estates(request, applied):
    estates = (
        ledger_estates(request.user)
        .select_related("area")
        .order_by(*pinyin_order(Estate, "area__name", "name", "pk"))
    )
    if "area" in applied:
        estates = estates.filter(area_id=applied["area"])
    return list(estates)


def _area_menu(request) -> list[tuple[str, str]]:
    estates = ledger_estates(request.user)
    areas = (
        visible(request.user, Area)
        .filter(pk__in=estates.values("area_id"))
        .order_by(*pinyin_order(Area, "name"))
    )
    return [(str(a.pk), a.name) for a in areas[:500]]


def disclosure_rows(request, applied) -> list[dict]:
    today = timezone.localdate()
    estates = _scoped_estates(request, applied)
    states = disclosure_status(estate_ids=[e.pk for e in estates], today=today)
    labels = dict(LedgerKind.choices)
    places = dict(DisclosurePlace.choices)
    rows = []
    for estate in estates:
        for ledger in LedgerKind.values:
            if applied.get("ledger", ledger) != ledger:
                continue
            state = states[estate.pk, ledger]
            if state.due_date is None:
                continue  # nothing to disclose yet
            left = (state.due_date - today).days
            if applied.get("overdue") == "yes" and not state.overdue:
                continue
            if applied.get("overdue") == "soon" and left > SOON_DAYS:
                continue
            rows.append(
                {
                    "estate": estate,
                    "ledger": ledger,
                    "ledger_label": str(labels[ledger]),
                    "state": state,
                    "place": str(places.get(state.last_place, "")),
                    "days_left": left,
                }
            )
    rows.sort(
        key=lambda r: (-r["state"].days_overdue, r["state"].due_date, r["estate"].area.name, r["estate"].name)
    )
    return rows


@login_required
def disclosure_list(request):
    """公示进度: every ledger of the estates the user reads, with its due date, most overdue first."""
    require_reader(request.user)
    applied = _filters(request)
    rows = disclosure_rows(request, applied)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = "&".join(f"{k}={v}" for k, v in applied.items())
    return render(
        request,
        "finance/disclosures.html",
        {
            "page": page,
            "rows": page.object_list,
            "total": len(rows),
            "overdue_count": sum(1 for r in rows if r["state"].overdue),
            "menus": [
                {
                    "key": "area",
                    "label": _("居民区"),
                    "choices": _area_menu(request),
                    "value": applied.get("area", ""),
                },
                {
                    "key": "ledger",
                    "label": _("账本"),
                    "choices": LedgerKind.choices,
                    "value": applied.get("ledger", ""),
                },
                {
                    "key": "overdue",
                    "label": _("超期"),
                    "choices": OVERDUE_CHOICES,
                    "value": applied.get("overdue", ""),
                },
            ],
            "query": query,
            "filtered": bool(applied),
            "nav_active": "finance_disclosures",
        },
    )


@login_required
def disclosure_export(request):
    require_reader(request.user)
    rows = disclosure_rows(request, _filters(request))
    columns = [
        ColumnSpec(_("居民区")),
        ColumnSpec(_("小区")),
        ColumnSpec(_("账本")),
        ColumnSpec(_("公示周期（月）"), number_format="0"),
        ColumnSpec(_("上次公示期间止"), number_format="yyyy-mm-dd"),
        ColumnSpec(_("上次公示日期"), number_format="yyyy-mm-dd"),
        ColumnSpec(_("公示方式")),
        ColumnSpec(_("应公示日期"), number_format="yyyy-mm-dd"),
        ColumnSpec(_("超期天数"), number_format="0"),
    ]
    data = [
        [
            r["estate"].area.name,
            r["estate"].name,
            r["ledger_label"],
            r["state"].interval_months,
            r["state"].last_period_end,
            r["state"].last_posted_on,
            r["place"],
            r["state"].due_date,
            r["state"].days_overdue,
        ]
        for r in rows
    ]
    content = build_workbook([SheetSpec(_("公示进度"), columns, data)])
    return xlsx_response(content, f"{_('公示进度')}-{timezone.localdate():%Y%m%d}.xlsx")


ALERT_KINDS = [(key, str(label)) for key, label in ALERT_LABELS.items()]


def alert_rows(request, applied) -> list[dict]:
    estates = {e.pk: e for e in _scoped_estates(request, applied)}
    labels = dict(LedgerKind.choices)
    rows = []
    for alert in money_alerts(estate_ids=list(estates)):
        if applied.get("kind", alert.kind) != alert.kind:
            continue
        if applied.get("ledger", alert.ledger) != alert.ledger:
            continue
        if applied.get("overdue") == "yes" and not alert.days_overdue:
            continue
        rows.append(
            {"alert": alert, "estate": estates[alert.estate_id], "ledger_label": str(labels[alert.ledger])}
        )
    order = {
        key: i for i, key in enumerate(ALERT_LABELS)
    }  # the fund's balance first, then transfers, then uses
    rows.sort(key=lambda r: (order[r["alert"].kind], r["estate"].area.name, r["estate"].name, r["alert"].day))
    return rows


@login_required
def alert_list(request):
    """资金预警: current breaches of the §5 money rules in the estates the user reads."""
    require_reader(request.user)
    applied = _filters(request, kinds=ALERT_KINDS)
    unfiltered = alert_rows(request, {k: v for k, v in applied.items() if k == "area"})
    rows = [
        r
        for r in unfiltered
        if applied.get("kind", r["alert"].kind) == r["alert"].kind
        and applied.get("ledger", r["alert"].ledger) == r["alert"].ledger
        and (applied.get("overdue") != "yes" or r["alert"].days_overdue)
    ]
    counts = []
    for key, label in ALERT_KINDS:
        counts.append({"key": key, "label": label, "n": sum(1 for r in unfiltered if r["alert"].kind == key)})
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = "&".join(f"{k}={v}" for k, v in applied.items())
    return render(
        request,
        "finance/alerts.html",
        {
            "page": page,
            "rows": page.object_list,
            "total": len(rows),
            "counts": counts,
            "estates_flagged": len({r["estate"].pk for r in unfiltered}),
            "menus": [
                {
                    "key": "area",
                    "label": _("居民区"),
                    "choices": _area_menu(request),
                    "value": applied.get("area", ""),
                },
                {"key": "kind", "label": _("类型"), "choices": ALERT_KINDS, "value": applied.get("kind", "")},
                {
                    "key": "ledger",
                    "label": _("账本"),
                    "choices": LedgerKind.choices,
                    "value": applied.get("ledger", ""),
                },
                {
                    "key": "overdue",
                    "label": _("续筹超期"),
                    "choices": [("yes", _("仅超过 90 天未续筹"))],
                    "value": applied.get("overdue", ""),
                },
            ],
            "query": query,
            "filtered": bool(applied),
            "nav_active": "finance_alerts",
        },
    )


@login_required
def alert_export(request):
    require_reader(request.user)
    rows = alert_rows(request, _filters(request, kinds=ALERT_KINDS))
    columns = [
        ColumnSpec(_("类型")),
        ColumnSpec(_("居民区")),
        ColumnSpec(_("小区")),
        ColumnSpec(_("账本")),
        ColumnSpec(_("日期"), number_format="yyyy-mm-dd"),
        ColumnSpec(_("序号"), number_format="0"),
        ColumnSpec(_("说明"), width=60),
        ColumnSpec(_("金额（元）"), number_format="#,##0.00"),
        ColumnSpec(_("应续筹日期"), number_format="yyyy-mm-dd"),
        ColumnSpec(_("超期天数"), number_format="0"),
    ]
    data = [
        [
            r["alert"].label,
            r["estate"].area.name,
            r["estate"].name,
            r["ledger_label"],
            r["alert"].day,
            r["alert"].seq,
            r["alert"].detail,
            r["alert"].amount,
            r["alert"].due,
            r["alert"].days_overdue or None,
        ]
        for r in rows
    ]
    content = build_workbook([SheetSpec(_("资金预警"), columns, data)])
    return xlsx_response(content, f"{_('资金预警')}-{timezone.localdate():%Y%m%d}.xlsx")


# ---- writes on one estate ----------------------------------------------------------------------------


def _ledger_or_404(ledger: str) -> str:
    if ledger not in LedgerKind.values:
        raise Http404
    return ledger


@login_required
@require_POST
def disclose(request, estate_id: int, ledger: str):
    place = get_ledger_estate(request.user, estate_id)
    _ledger_or_404(ledger)
    if not can_disclose(request.user, place, ledger):
        raise PermissionDenied
    form = DisclosureForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.disclosure_record(actor=request.user, estate=place, ledger=ledger, **form.cleaned_data)
        except LedgerError as error:
            messages.error(request, _("未能登记公示：%(why)s") % {"why": error})
        else:
            messages.success(request, _("已登记公示记录。"))
            return _back(place, ledger)
    else:
        messages.error(request, _("未能登记公示：%(why)s") % {"why": _form_errors(form)})
    from gongzhi.finance.views.office import _render_estate

    return _render_estate(request, place, ledger, disclosure_form=form)


def _form_errors(form) -> str:
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        parts.append(f"{label}:{' '.join(errors)}" if label else " ".join(errors))
    return ";".join(parts)


@login_required
@require_POST
def schedule(request, estate_id: int, ledger: str):
    place = get_ledger_estate(request.user, estate_id)
    _ledger_or_404(ledger)
    if not can_set_schedule(request.user, place):
        raise PermissionDenied
    form = ScheduleForm(request.POST)
    if form.is_valid():
        try:
            services.disclosure_schedule_set(
                actor=request.user, estate=place, ledger=ledger, months=form.cleaned_data["interval_months"]
            )
        except LedgerError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("公示周期已更新。"))
    else:
        messages.error(request, _form_errors(form))
    return _back(place, ledger)


@login_required
@require_POST
def profile(request, estate_id: int):
    place = get_ledger_estate(request.user, estate_id)
    if not can_edit_profile(request.user, place):
        raise PermissionDenied
    form = ProfileForm(request.POST)
    if form.is_valid():
        try:
            services.finance_profile_update(actor=request.user, estate=place, **form.cleaned_data)
        except LedgerError as error:
            messages.error(request, _("未能保存：%(why)s") % {"why": error})
        else:
            messages.success(request, _("财务设置已保存。"))
    else:
        messages.error(request, _form_errors(form))
    return _back(place, LedgerKind.MAINTENANCE_FUND)


@login_required
@require_POST
def evidence_add(request, pk: int):
    require_reader(request.user)
    entry = get_for_user(request.user, LedgerEntry.objects.select_related("estate__area"), pk)
    if not can_attach_evidence(request.user, entry.estate):
        raise PermissionDenied
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.evidence_attach(
                actor=request.user,
                entry=entry,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                note=form.cleaned_data["note"],
            )
        except LedgerError as error:
            messages.error(
                request, _("第 %(seq)d 条未能上传材料：%(why)s") % {"seq": entry.seq, "why": error}
            )
        else:
            messages.success(request, _("已为第 %(seq)d 条上传材料。") % {"seq": entry.seq})
    else:
        messages.error(
            request, _("第 %(seq)d 条未能上传材料：%(why)s") % {"seq": entry.seq, "why": _form_errors(form)}
        )
    return redirect(
        f"{reverse('finance:estate', args=[entry.estate_id])}?ledger={entry.ledger}#entry-{entry.seq}"
    )


def _file_response(field, content_type: str, name: str):
    return serve_upload(field, content_type=content_type, filename=name)  # a sandboxed download


@login_required
def evidence_file(request, pk: int):
    require_reader(request.user)
    readable = FundUseEvidence.objects.filter(entry__in=visible(request.user, LedgerEntry))
    item = get_object_or_404(readable.select_related("entry"), pk=pk)
    extension = "pdf" if item.content_type == services.PDF_TYPE else "jpg"
    return _file_response(
        item.file, item.content_type, f"{item.get_kind_display()}-{item.entry.seq}.{extension}"
    )


@login_required
def disclosure_file(request, pk: int):
    require_reader(request.user)
    item = get_object_or_404(Disclosure.objects.filter(estate__in=ledger_estates(request.user)), pk=pk)
    if not item.attachment:
        raise Http404
    extension = "pdf" if item.attachment_type == services.PDF_TYPE else "jpg"
    return _file_response(item.attachment, item.attachment_type, f"{_('公示')}-{item.period_end}.{extension}")


# ---- import ------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def import_view(request):
    if not may_import(request.user):
        raise PermissionDenied
    report = None
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            report = importers.ledgers_import(
                actor=request.user, fileobj=upload, filename=upload.name, dry_run=form.cleaned_data["dry_run"]
            )
            if report.ok and report.written:
                messages.success(request, _("导入成功。"))
            elif report.ok:
                messages.info(request, _("检查通过，没有发现错误。取消“只检查”后再次上传即可写入。"))
            else:
                messages.error(request, _("文件有错误，没有导入任何数据。请按下表修改后重新上传。"))
        else:
            messages.error(request, _("请选择要导入的 Excel 文件。"))
    return render(
        request,
        "finance/import.html",
        {
            "form": form,
            "report": report,
            "max_mb": settings.IMPORT_MAX_BYTES // (1024 * 1024),
            "nav_active": "finance_import",
        },
    )


@login_required
def import_template(request):
    if not may_import(request.user):
        raise PermissionDenied
    return xlsx_response(importers.template_bytes(), _("账本导入模板.xlsx"))
