"""The public ledger page of each estate: no login, a phone page anyone can open (docs/DESIGN.md §4.4, §6).

Balances, the latest hash of each ledger (so a resident can compare it over time), the last entries,
two charts and a download of each chain exactly as ``gongzhi ledger export`` writes it, with a short
script anyone can run to verify the file. Who posted an entry is never shown here."""

from __future__ import annotations

from django.db.models import Q, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from gongzhi.core import charts
from gongzhi.core.publicpages import estate_mark, public_page
from gongzhi.finance.management.commands.ledger import dump_line
from gongzhi.finance.models import Direction, LedgerEntry, LedgerKind
from gongzhi.finance.selectors import disclosure_status, ledger_lines
from gongzhi.finance.views.office import ledger_summaries
from gongzhi.registry.models import Estate

RECENT = 20
# Only these columns are read: nothing about who posted reaches the template, even by accident.
PUBLIC_FIELDS = (
    "pk",
    "seq",
    "date",
    "direction",
    "amount",
    "balance",
    "summary",
    "category",
    "counterparty",
    "reference",
    "project",
    "reverses__seq",
)

# Shown on the page and run by the tests as is: checks a downloaded file exactly as docs/DESIGN.md §6 says.
VERIFY_SCRIPT = """\
import hashlib, json, sys
from decimal import Decimal

prev_hash, balance, seq = "0" * 64, Decimal("0.00"), 0
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        if not line.strip():
            continue
        entry = json.loads(line)
        seq += 1
        body = {k: v for k, v in entry.items() if k != "hash"}
        text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        if hashlib.sha256(text.encode("utf-8")).hexdigest() != entry["hash"]:
            sys.exit(f"seq {entry['seq']}: hash mismatch")
        if entry["seq"] != seq or entry["prev_hash"] != prev_hash:
            sys.exit(f"seq {entry['seq']}: chain broken")
        amount = Decimal(entry["amount"])
        balance += amount if entry["direction"] == "in" else -amount
        if amount <= 0 or Decimal(entry["balance"]) != balance:
            sys.exit(f"seq {entry['seq']}: balance should be {balance}")
        prev_hash = entry["hash"]
print("OK", seq, balance, prev_hash)
"""


def _number(value) -> float:
    return float(value)  # chart display only; the ledger itself is never handled as floats


def _fund_chart(estate: Estate) -> dict | None:
    points: dict[str, float] = {}
    rows = LedgerEntry.objects.chain(estate.pk, LedgerKind.MAINTENANCE_FUND).values_list("date", "balance")
    for day, balance in rows:
        points[day.isoformat()] = _number(balance)  # the last balance of each day
    if not points:
        return None
    return charts.balance_over_time(
        sorted(points.items()),
        chart_title=_("维修资金余额（元）"),
        grid=charts.grid(70, 10, 56, 30),
        colour="#1f5fa8",
    )


def _income_chart(estate: Estate) -> dict | None:
    rows = (
        LedgerEntry.objects.filter(estate=estate, ledger=LedgerKind.PUBLIC_INCOME)
        .order_by()
        .values("category")
        .annotate(
            income=Sum("amount", filter=Q(direction=Direction.IN, reverses__isnull=True)),
            undone=Sum("amount", filter=Q(direction=Direction.OUT, reverses__direction=Direction.IN)),
        )
    )
    totals = []
    for row in rows:
        net = (row["income"] or 0) - (row["undone"] or 0)
        if net > 0:
            totals.append((row["category"] or _("未分类"), _number(net)))
    if not totals:
        return None
    totals.sort(key=lambda item: -item[1])
    return charts.amounts_by_category(
        [t[0] for t in totals],
        [t[1] for t in totals],
        chart_title=_("公共收益按来源（元）"),
        grid=charts.grid(70, 10, 56, 40),
        colour="#e6a23c",
    )


@require_safe
@public_page(mark=estate_mark)
def estate(request, estate_id: int):
    place = get_object_or_404(Estate.objects.select_related("area"), pk=estate_id)
    summaries = ledger_summaries([place.pk])
    states = disclosure_status(estate_ids=[place.pk])
    sections = []
    for key, label in LedgerKind.choices:
        recent = list(
            LedgerEntry.objects.filter(estate=place, ledger=key)
            .order_by("-seq")
            .values(*PUBLIC_FIELDS)[:RECENT]
        )
        sections.append(
            {
                "key": key,
                "label": label,
                "summary": summaries.get((place.pk, key), {"count": 0}),
                "recent": recent,
                "disclosure": states[place.pk, key],
            }
        )
    charts = {"fund": _fund_chart(place), "income": _income_chart(place)}
    return render(
        request,
        "finance/public_estate.html",
        {
            "estate": place,
            "sections": sections,
            "charts": charts,
            "today": timezone.localdate(),
            "script": VERIFY_SCRIPT,
            "recent_limit": RECENT,
        },
    )


@require_safe
def download(request, estate_id: int, ledger: str):
    """One chain as JSON lines, byte for byte what ``gongzhi ledger export`` writes (§6)."""
    if ledger not in LedgerKind.values:
        raise Http404
    place = get_object_or_404(Estate, pk=estate_id)
    text = "".join(dump_line(entry) + "\n" for entry in ledger_lines(place.pk, ledger))
    response = HttpResponse(text.encode("utf-8"), content_type="application/x-ndjson; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{place.pk}-{ledger}.jsonl"'
    add_never_cache_headers(response)
    return response
