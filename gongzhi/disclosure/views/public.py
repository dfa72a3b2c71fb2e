"""The public disclosure book of an estate: a phone page and an A4 PDF, no login (docs/DESIGN.md §4.4).

Nothing personal is shown: members' phones are masked, who posted an entry is never read. An estate id
that does not exist is a 404 like any other page."""

from __future__ import annotations

from itertools import zip_longest

from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from gongzhi.core.channels import absolute_url
from gongzhi.core.pdf import qr_svg, render_pdf
from gongzhi.core.publicpages import estate_mark, public_page
from gongzhi.disclosure import selectors
from gongzhi.disclosure.svg import bar_chart, line_chart
from gongzhi.jobs.pdf import public_pdf_response
from gongzhi.registry.models import Estate


def _estate(estate_id: int) -> Estate:
    return get_object_or_404(Estate.objects.select_related("area"), pk=estate_id)


@require_safe
@public_page(mark=estate_mark, params=("months",))
def estate(request, estate_id: int):
    place = _estate(estate_id)
    months = selectors.period_months(request.GET.get("months"))
    data = selectors.book(place, months=months)
    data["charts"] = {"fund": selectors.fund_chart(data), "income": selectors.income_chart(data)}
    data["periods"] = list(selectors.PERIODS.items())
    return render(request, "disclosure/book.html", data)


def pdf_context(place: Estate, *, months: int, today=None) -> dict:
    data = selectors.book(place, months=months, today=today)
    fund = data["fund"]
    points = [(data["start"], fund.opening), *fund.balance_points]
    # Charts as server-made SVG (WeasyPrint runs no JavaScript), built from numbers and escaped labels only.
    fund_svg = line_chart(points, title=_("维修资金余额（元）"), end=data["end"]) if len(points) > 1 else ""
    income_svg = bar_chart(data["income_sources"], title=_("公共收益按来源（元）"))
    data["svg_fund"] = mark_safe(fund_svg)  # noqa: S308
    data["svg_income"] = mark_safe(income_svg)  # noqa: S308
    data["fee_rows"] = list(zip_longest(data["fee_income"], data["fee_expense"], fillvalue=("", "")))
    # On paper a bare path is useless: the site's public address (GONGZHI_PUBLIC_BASE_URL) and a QR code.
    data["ledger_url"] = absolute_url(reverse("ledgers:estate", args=[place.pk]))
    data["ledger_qr"] = mark_safe(qr_svg(data["ledger_url"], scale=2))  # noqa: S308 — segno's own SVG
    return data


def render_book(place: Estate, *, months: int = selectors.DEFAULT_MONTHS, today=None) -> bytes:
    return render_pdf("disclosure/pdf/book.html", pdf_context(place, months=months, today=today))


@require_safe
def pdf(request, estate_id: int):
    place = _estate(estate_id)
    months = selectors.period_months(request.GET.get("months"))
    # Anyone may ask for this file: the HTML (cheap) names the document, the PDF (costly) is rendered once
    # per distinct content — by the worker for a visitor, who meanwhile gets a "being prepared" page
    # (gongzhi/jobs/pdf.py, core/pdf.py).
    return public_pdf_response(
        request,
        lambda: render_to_string("disclosure/pdf/book.html", pdf_context(place, months=months)),
        _("%(name)s公示本.pdf") % {"name": place.name},
        memo=("book", place.pk, months, estate_mark(estate_id=place.pk)),
    )
