"""Finance endpoints (账本 · 收费 · 公示本): the ledgers, fee standards, monthly collection and the disclosure
book's summary. Wiring only: reads go through the fee/finance/disclosure selectors behind the same door as
the web pages (``fees.permissions``: office users who see the estate in full; others 403, out of reach 404);
writes go through ``finance.services.ledger_post`` and ``fees.services.collection_record``, whose refusals
come back as 400 with their Chinese message (403 for a role that may not post). Fee standards are read-only
here, each with its checked basis; they are set on the office pages through ``fees.services.
fee_standard_create`` and its basis rule (docs/FEES.md).

The disclosure book is public on the web, so any authenticated caller may read its summary; an estate that
does not exist is a 404."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Field, Query, Router, Schema, Status

from gongzhi.api import schemas as s
from gongzhi.disclosure import selectors as book_selectors
from gongzhi.fees import selectors as fee_selectors
from gongzhi.fees.models import MonthlyCollection
from gongzhi.fees.permissions import get_fee_estate
from gongzhi.fees.rules import MAX_HOUSEHOLDS, parse_month, percent
from gongzhi.fees.services import collection_record
from gongzhi.finance.models import LedgerEntry, LedgerKind
from gongzhi.finance.rules import money_text
from gongzhi.finance.selectors import entry_line
from gongzhi.finance.services import ledger_post
from gongzhi.registry.models import Estate

router = Router(tags=["账本与收费"])

READ_ERRORS = {**s.ALWAYS, 403: s.Message, 404: s.Message}
WRITE_ERRORS = {**s.ALWAYS, 400: s.Message, 403: s.Message, 404: s.Message}


# ---- shapes ----------------------------------------------------------------------------------------


class EntryOut(Schema):
    seq: int
    estate: str = Field(description="小区编号（字符串，与 §6 导出一致）")
    estate_name: str
    ledger: str
    date: str
    direction: str = Field(description="in 收入 / out 支出")
    amount: str = Field(description="金额，两位小数")
    balance: str = Field(description="本条之后的余额")
    summary: str
    category: str
    counterparty: str
    reference: str
    project: str
    reverses: int | None = Field(description="冲正的记录序号")
    corrects: str | None = Field(
        None, description="更正的公示期间，如 2025-01-01/2025-06-30；仅更正记录有，为 null 时不参与哈希"
    )
    prev_hash: str
    hash: str


EntryPage = s.page_of(EntryOut)


class ChainHeadOut(Schema):
    estate_id: int
    ledger: str
    count: int
    seq: int | None
    date: dt.date | None
    balance: str
    hash: str | None = Field(description="最新一条的哈希（SHA-256）")


class EntryIn(s.Body):
    date: dt.date
    direction: str = Field(description="in 或 out")
    amount: str = Field(description="金额，最多两位小数，大于 0", examples=["1200.00"])
    summary: str = Field(max_length=200)
    category: str = Field("", max_length=50)
    counterparty: str = Field("", max_length=100)
    reference: str = Field("", max_length=100, description="依据文号，如业主大会决定编号")
    project: str = Field("", max_length=100)
    corrects: str = Field(
        "",
        max_length=21,
        description="更正已公示期间时填写该期间，如 2025-01-01/2025-06-30；更正记录的日期须为今天",
    )


class PriceDocumentOut(Schema):
    issuer: str
    number: str
    title: str
    issued_on: dt.date
    level: str = Field(description="政府指导价等级")
    low: str = Field(description="指导价下限")
    high: str = Field(description="指导价上限")

    @staticmethod
    def resolve_low(obj) -> str:
        return str(obj.low)

    @staticmethod
    def resolve_high(obj) -> str:
        return str(obj.high)


class StandardOut(Schema):
    id: int
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    label: str
    amount: str = Field(description="标准（最多四位小数）", alias="amount_text")
    unit: str
    unit_label: str = Field(alias="get_unit_display")
    effective_from: dt.date
    basis: str
    basis_label: str = Field(alias="get_basis_display")
    basis_reference: str
    basis_checked: bool = Field(description="依据是否经平台核验（规则实施前登记的标准为 false）")
    basis_decision: int | None = Field(alias="basis_decision_id", description="依据的业主表决事项编号")
    basis_contract: int | None = Field(alias="basis_contract_id", description="依据的物业服务合同编号")
    basis_document: PriceDocumentOut | None = Field(description="依据的政府价格文件")
    supersedes: int | None = Field(alias="supersedes_id")
    in_force: bool  # set on each row by _mark_in_force


class CollectionOut(Schema):
    month: str = Field(description="年月，如 2024-03")
    amount_billed: str
    amount_collected: str
    rate: str | None = Field(description="收缴率（%），两位小数，四舍五入")
    households_billed: int | None
    households_paid: int | None
    note: str

    @staticmethod
    def resolve_month(obj: MonthlyCollection) -> str:
        return f"{obj.month:%Y-%m}"

    @staticmethod
    def resolve_amount_billed(obj: MonthlyCollection) -> str:
        return money_text(obj.amount_billed)

    @staticmethod
    def resolve_amount_collected(obj: MonthlyCollection) -> str:
        return money_text(obj.amount_collected)

    @staticmethod
    def resolve_rate(obj: MonthlyCollection) -> str | None:
        rate = percent(obj.rate)
        return None if rate is None else str(rate)


CollectionPage = s.page_of(CollectionOut)


class CollectionIn(s.Body):
    month: str = Field(description="年月，如 2024-03", examples=["2024-03"])
    amount_billed: str = Field(examples=["125000.00"])
    amount_collected: str = Field(examples=["106250.00"])
    households_billed: s.json_int(0, MAX_HOUSEHOLDS) = None
    households_paid: s.json_int(0, MAX_HOUSEHOLDS) = None
    note: str = Field("", max_length=200)
    replace: bool = Field(False, strict=True, description="替换已登记的同月数据（留有操作记录）")


class PeriodOut(Schema):
    opening: str
    income: str
    expense: str
    closing: str
    count: int
    latest_hash: str | None

    @staticmethod
    def resolve_opening(obj) -> str:
        return money_text(obj.opening)

    @staticmethod
    def resolve_income(obj) -> str:
        return money_text(obj.income)

    @staticmethod
    def resolve_expense(obj) -> str:
        return money_text(obj.expense)

    @staticmethod
    def resolve_closing(obj) -> str:
        return money_text(obj.closing)

    @staticmethod
    def resolve_latest_hash(obj) -> str | None:
        return obj.head["hash"] if obj.head else None


class AmountOut(Schema):
    name: str
    amount: str


class BookOut(Schema):
    estate: s.Ref
    start: dt.date
    end: dt.date
    company: s.Ref | None
    fee_standard: str | None = Field(description="合同物业费（元/m²/月）")
    maintenance_fund: PeriodOut
    public_income: PeriodOut
    property_fee: PeriodOut
    public_income_by_source: list[AmountOut]
    fund_uses: int
    major_matters: int
    standards: list[StandardOut]
    ledger_page: str = Field(description="公开账本页面（可下载、自行核对）")
    book_pdf: str


# ---- helpers ---------------------------------------------------------------------------------------


def _ledger(value: str) -> str:
    if value not in LedgerKind.values:
        raise Http404
    return value


def _entry(e: LedgerEntry) -> dict:
    return entry_line(e, reverses_seq=e.reverses.seq if e.reverses_id else None)


def _mark_in_force(standards: list, in_force: set[int]) -> list:
    for o in standards:
        o.in_force = o.pk in in_force
    return standards


# ---- ledgers ---------------------------------------------------------------------------------------


@router.get(
    "/ledgers/{estate_id}/{ledger}/entries", response={200: EntryPage, **READ_ERRORS}, summary="账本记录"
)
def list_entries(
    request,
    estate_id: s.PathId,
    ledger: str,
    paging: Query[s.Paging],
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
):
    estate = get_fee_estate(request.auth, estate_id)
    rows = LedgerEntry.objects.chain(estate.pk, _ledger(ledger)).select_related("reverses")
    if date_from:
        rows = rows.filter(date__gte=date_from)
    if date_to:
        rows = rows.filter(date__lte=date_to)
    count = rows.count()
    items = [_entry(e) for e in rows[paging.offset : paging.offset + paging.limit]]
    return {"count": count, "limit": paging.limit, "offset": paging.offset, "items": items}


@router.get(
    "/ledgers/{estate_id}/{ledger}/head",
    response={200: ChainHeadOut, **READ_ERRORS},
    summary="账本链头（最新哈希）",
)
def chain_head(request, estate_id: s.PathId, ledger: str):
    estate = get_fee_estate(request.auth, estate_id)
    last = LedgerEntry.objects.chain(estate.pk, _ledger(ledger)).last()
    return {
        "estate_id": estate.pk,
        "ledger": ledger,
        "count": last.seq if last else 0,
        "seq": last.seq if last else None,
        "date": last.date if last else None,
        "balance": money_text(last.balance) if last else "0.00",
        "hash": last.hash if last else None,
    }


@router.post(
    "/ledgers/{estate_id}/{ledger}/entries", response={201: EntryOut, **WRITE_ERRORS}, summary="记一笔账"
)
def post_entry(request, estate_id: s.PathId, ledger: str, payload: EntryIn):
    estate = get_fee_estate(request.auth, estate_id)
    entry = ledger_post(
        actor=request.auth,
        estate=estate,
        ledger=_ledger(ledger),
        date=payload.date,
        direction=payload.direction,
        amount=payload.amount,
        summary=payload.summary,
        category=payload.category,
        counterparty=payload.counterparty,
        reference=payload.reference,
        project=payload.project,
        corrects=payload.corrects,
    )
    return Status(201, _entry(entry))


# ---- fees ------------------------------------------------------------------------------------------


@router.get(
    "/fees/{estate_id}/standards", response={200: list[StandardOut], **READ_ERRORS}, summary="收费标准"
)
def list_standards(request, estate_id: s.PathId):
    estate = get_fee_estate(request.auth, estate_id)
    in_force = {o.pk for o in fee_selectors.standards_in_force([estate.pk]).get(estate.pk, [])}
    return _mark_in_force(list(fee_selectors.standard_history(estate.pk)), in_force)


@router.get(
    "/fees/{estate_id}/collections", response={200: CollectionPage, **READ_ERRORS}, summary="物业费月度收缴"
)
def list_collections(request, estate_id: s.PathId, paging: Query[s.Paging]):
    estate = get_fee_estate(request.auth, estate_id)
    rows = MonthlyCollection.objects.filter(estate=estate).order_by("-month")
    items = list(rows[paging.offset : paging.offset + paging.limit])
    return {"count": rows.count(), "limit": paging.limit, "offset": paging.offset, "items": items}


@router.post(
    "/fees/{estate_id}/collections", response={201: CollectionOut, **WRITE_ERRORS}, summary="登记月度收缴"
)
def record_collection(request, estate_id: s.PathId, payload: CollectionIn):
    estate = get_fee_estate(request.auth, estate_id)
    row = collection_record(
        actor=request.auth,
        estate=estate,
        month=parse_month(payload.month),
        billed=payload.amount_billed,
        collected=payload.amount_collected,
        households_billed=payload.households_billed,
        households_paid=payload.households_paid,
        note=payload.note,
        replace=payload.replace,
    )
    return Status(201, row)


# ---- the disclosure book ---------------------------------------------------------------------------


@router.get("/disclosure/{estate_id}", response={200: BookOut, **READ_ERRORS}, summary="公示本摘要")
def disclosure_book(
    request, estate_id: s.PathId, months: int = Query(12, description="公示期间：6、12 或 24 个月")
):
    estate = Estate.objects.select_related("area").filter(pk=estate_id).first()
    if estate is None:
        raise Http404
    if not request.auth:
        raise PermissionDenied
    data = book_selectors.book(estate, months=book_selectors.period_months(months))
    contract = data["contract"]
    standards = data["property_standards"] + data["parking_standards"]
    return {
        "estate": {"id": estate.pk, "name": estate.name},
        "start": data["start"],
        "end": data["end"],
        "company": {"id": contract.company.pk, "name": contract.company.name} if contract else None,
        "fee_standard": money_text(contract.fee_standard) if contract else None,
        "maintenance_fund": data["fund"],
        "public_income": data["income"],
        "property_fee": data["fee"],
        "public_income_by_source": [{"name": n, "amount": money_text(a)} for n, a in data["income_sources"]],
        "fund_uses": len(data["fund"].uses),
        "major_matters": len(data["matters"]),
        "standards": _mark_in_force(standards, {o.pk for o in standards}),
        "ledger_page": f"/ledgers/{estate.pk}/",
        "book_pdf": f"/disclosure/{estate.pk}/book.pdf",
    }
