"""The hash chain and balance rules of a ledger, as plain functions (docs/DESIGN.md §6).

Every ledger (maintenance fund, public income, property fee) exports as JSON lines, one entry per line;
``hash`` is the SHA-256 hex digest of the UTF-8 canonical JSON of the entry without ``hash`` (keys sorted,
separators ``,`` and ``:``, non-ASCII kept); the first ``prev_hash`` is 64 zeros. Extra fields are allowed
and are covered by the hash. No ORM here: the CLI, the services and any resident's script agree on this.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, NoReturn

from gongzhi.core.errors import UserError
from gongzhi.core.i18n import gettext as _

GENESIS = "0" * 64
LEDGER_KINDS = ("maintenance_fund", "public_income", "property_fee")
DIRECTIONS = ("in", "out")
REQUIRED_FIELDS = (
    "seq",
    "estate",
    "ledger",
    "date",
    "direction",
    "amount",
    "balance",
    "summary",
    "prev_hash",
    "hash",
)
CENTS = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")  # what the database column holds (14 digits, 2 decimals)
MAX_BALANCE = Decimal(
    "99999999999999.99"
)  # the balance column (16 digits, 2 decimals); a file beyond it is refused
_MONEY = re.compile(r"\d{1,14}\.\d{2}")  # §6: exactly two decimals, no sign, no exponent, within the columns
# No posting predates the housing reform that created these accounts: Shanghai's maintenance funds and
# owners' public income began with the sale of public housing in the 1990s (the national rules date from
# 1998). A date before this is a typing or Excel error (1899-12-31 is Excel's day zero, 0001-01-01 a blank).
EARLIEST_ENTRY_DATE = dt.date(1990, 1, 1)
_PERIOD = re.compile(r"(\d{4}-\d{2}-\d{2})/(\d{4}-\d{2}-\d{2})")


class LedgerError(UserError):
    """A posting or a file that breaks a ledger rule; the message is for the user (Chinese)."""


def canonical_json(entry: Mapping[str, Any]) -> bytes:
    """The bytes that are hashed: the entry without ``hash``, keys sorted, no spaces, UTF-8 (§6)."""
    body = {key: value for key, value in entry.items() if key != "hash"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def entry_hash(entry: Mapping[str, Any]) -> str:
    """SHA-256 hex of the canonical JSON of the entry without ``hash`` (§6)."""
    return hashlib.sha256(canonical_json(entry)).hexdigest()


def money_text(value: Decimal) -> str:
    """A Decimal amount or balance as the §6 string with exactly two decimals, e.g. ``"12.30"``."""
    return str(value.quantize(CENTS))


def parse_amount(value: Any) -> Decimal:
    """A posted amount as a positive Decimal with at most two decimals; floats are refused (§5, §6)."""
    if isinstance(value, bool | float):
        raise LedgerError(_('金额必须以精确的十进制数填写（例如 "12.30"），不能使用浮点数。'))
    try:
        amount = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        raise LedgerError(_("金额“%(value)s”不是有效的数字。") % {"value": value}) from None
    if not amount.is_finite():
        raise LedgerError(_("金额“%(value)s”不是有效的数字。") % {"value": value})
    if amount <= 0:
        raise LedgerError(_("金额必须大于零。"))
    if amount > MAX_AMOUNT:
        raise LedgerError(_("金额过大。"))
    if amount != amount.quantize(CENTS):
        raise LedgerError(_("金额最多保留两位小数（精确到分）。"))
    return amount.quantize(CENTS)


def check_entry_date(
    day: dt.date,
    *,
    today: dt.date,
    opening: dt.date | None = None,
    disclosed_end: dt.date | None = None,
    correction: bool = False,
) -> None:
    """Where a new entry may be dated (issue 11): not before 1990, not after today, not before the ledger's
    first entry, and not on or before the end of its last disclosed period — a disclosed period's figures
    never change (Civil Code art. 281: the owners were shown them). A correction of a disclosed period is a
    new entry dated today that names the period it corrects."""
    if day > today:
        raise LedgerError(_("日期不能晚于今天。"))
    if day < EARLIEST_ENTRY_DATE:
        raise LedgerError(
            _("日期 %(day)s 早于 %(earliest)s，不是有效的记账日期，请检查日期。")
            % {"day": day.isoformat(), "earliest": EARLIEST_ENTRY_DATE.isoformat()}
        )
    if correction:
        if day != today:
            raise LedgerError(_("更正记录的日期必须是今天（%(today)s）。") % {"today": today.isoformat()})
        return
    if opening is not None and day < opening:
        raise LedgerError(
            _("日期 %(day)s 早于该账本的第一笔记录（%(opening)s）；账本只能向后追加，不能补在开账之前。")
            % {"day": day.isoformat(), "opening": opening.isoformat()}
        )
    if disclosed_end is not None and day <= disclosed_end:
        raise LedgerError(
            _(
                "%(end)s 及以前的账目已经公示，日期 %(day)s 不能落在已公示的期间内；"
                "如需更正，请以今天的日期登记一笔更正记录，并注明所更正的公示期间。"
            )
            % {"end": disclosed_end.isoformat(), "day": day.isoformat()}
        )


def parse_period(text: str) -> tuple[dt.date, dt.date]:
    """A disclosed period written as ``2025-01-01/2025-06-30`` (ISO 8601 interval), as a correction names it."""
    match = _PERIOD.fullmatch((text or "").strip())
    try:
        start, end = (dt.date.fromisoformat(part) for part in match.groups()) if match else (None, None)
    except ValueError:
        start = end = None
    if start is None or end is None or start > end:
        raise LedgerError(
            _("更正的公示期间“%(value)s”格式不对，应写成“起始日/结束日”，如 2025-01-01/2025-06-30。")
            % {"value": text}
        )
    return start, end


def period_text(start: dt.date, end: dt.date) -> str:
    return f"{start.isoformat()}/{end.isoformat()}"


def next_balance(balance: Decimal, direction: str, amount: Decimal) -> Decimal:
    """The balance after an entry: previous balance plus an in-flow, minus an out-flow."""
    return balance + amount if direction == "in" else balance - amount


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of ``verify_lines``: sound, or the first bad entry (its ``seq``, else its line) and why."""

    ok: bool
    count: int = 0
    last_hash: str = GENESIS
    balance: str = "0.00"
    seq: int | None = None  # seq of the first bad entry, when the line has a readable one
    line: int | None = None  # 1-based line number of the first bad entry
    reason: str = ""  # machine-readable: bad_json, missing_field, seq, estate, ledger, date, ...
    message: str = ""  # for people (Chinese source string, translated by gettext)

    def where(self) -> str:
        if self.seq is not None:
            return _("第 %(seq)d 条（seq=%(seq)d，第 %(line)d 行）") % {"seq": self.seq, "line": self.line}
        return _("第 %(line)d 行") % {"line": self.line}


def _readable_seq(entry: Any) -> int | None:
    if isinstance(entry, dict):
        seq = entry.get("seq")
        if isinstance(seq, int) and not isinstance(seq, bool):
            return seq
    return None


def _is_money(value: Any) -> bool:
    return isinstance(value, str) and _MONEY.fullmatch(value) is not None


def _check_entry(
    entry: dict, expected_seq: int, prev: dict | None, prev_hash: str, balance: Decimal
) -> tuple[str, str] | None:
    """The first rule this entry breaks as (reason, message), or None when it is sound."""
    missing = [name for name in REQUIRED_FIELDS if name not in entry]
    if missing:
        return "missing_field", _("缺少字段：%(fields)s") % {"fields": ", ".join(missing)}
    if _readable_seq(entry) != expected_seq:
        return "seq", _("序号应为 %(expected)d，实为 %(actual)s（有记录被删除、插入或调换了顺序）") % {
            "expected": expected_seq,
            "actual": json.dumps(entry["seq"], ensure_ascii=False),
        }
    if entry["ledger"] not in LEDGER_KINDS:
        return "ledger", _("未知的账本类型“%(value)s”") % {"value": entry["ledger"]}
    if prev is not None and entry["estate"] != prev["estate"]:
        return "estate", _("小区与前一条不同：同一文件只能包含一个小区的一本账")
    if prev is not None and entry["ledger"] != prev["ledger"]:
        return "ledger", _("账本与前一条不同：同一文件只能包含一个小区的一本账")
    if entry["prev_hash"] != prev_hash:
        return "prev_hash", _("prev_hash 与前一条的 hash 不一致（链条断裂）")
    if not isinstance(entry["hash"], str) or _hash_or_none(entry) != entry["hash"]:
        return "hash", _("hash 与内容不符（记录被改动过）")
    if not isinstance(entry["date"], str) or not _is_iso_date(entry["date"]):
        return "date", _("日期“%(value)s”不是 YYYY-MM-DD 格式") % {"value": entry["date"]}
    if entry["direction"] not in DIRECTIONS:
        return "direction", _("收支方向必须是 in 或 out，实为“%(value)s”") % {"value": entry["direction"]}
    if not _is_money(entry["amount"]) or Decimal(entry["amount"]) <= 0:
        return "amount", _("金额必须是两位小数的正数字符串，实为 %(value)s") % {
            "value": json.dumps(entry["amount"], ensure_ascii=False)
        }
    if not _is_money(entry["balance"]) or Decimal(entry["balance"]) > MAX_BALANCE:
        return "balance", _("余额必须是两位小数的非负数字符串，实为 %(value)s") % {
            "value": json.dumps(entry["balance"], ensure_ascii=False)
        }
    expected = next_balance(balance, entry["direction"], Decimal(entry["amount"]))
    if Decimal(entry["balance"]) != expected:
        return "balance", _("余额应为 %(expected)s，实为 %(actual)s") % {
            "expected": money_text(expected) if expected >= 0 else str(expected),
            "actual": entry["balance"],
        }
    return None


def _hash_or_none(entry: dict) -> str | None:
    """``entry_hash``, or None for a text that has no UTF-8 form (a lone surrogate written as \\ud800)."""
    try:
        return entry_hash(entry)
    except UnicodeEncodeError:
        return None


def _is_iso_date(value: str) -> bool:
    try:
        return dt.date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False


class _DuplicateKey(ValueError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json.loads keeps the last of two equal keys; a reader hashing the first would disagree (the tally
    # command refuses them the same way).
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _DuplicateKey(key)
        seen[key] = value
    return seen


def _no_constant(name: str) -> NoReturn:
    raise ValueError(name)  # NaN, Infinity and -Infinity are not JSON (RFC 8259)


def verify_lines(lines: Iterable[str]) -> VerifyResult:
    """Check one exported ledger (§6): every line parses, seq runs 1, 2, …, each ``prev_hash`` is the
    previous ``hash`` (the first is 64 zeros), each ``hash`` matches its content, amounts are positive
    two-decimal strings and each balance is the previous balance ± amount. Blank lines are ignored.

    ``lines`` is read once, in order (a file object streams: nothing but the previous entry's estate,
    ledger, hash and balance is kept), with or without their line ends. A line in gongzhi's own export
    form takes the short path of ``_canonical_line``; any other line is parsed and checked in full. Both
    paths give the same result: the short one accepts a line only when the full check would."""
    return _verify(lines, short_path=True)


# The export form of an entry (selectors.entry_line, written by `gongzhi ledger export`): its canonical
# JSON itself — the §6 hash form plus the "hash" pair — with gongzhi's keys, in sorted order. A line of
# exactly this grammar is a canonical JSON object (no space, keys sorted and unique, every string escaped
# as json.dumps(ensure_ascii=False) escapes it, integers as ints print), so json.dumps(json.loads(line))
# is the line, and the §6 hashed bytes are the line without its ``"hash":"…",`` pair: no parse and no
# re-serialisation is needed to check the hash. Strings: any character but ", \ and controls, or the
# escapes json.dumps writes (\" \\ \b \f \n \r \t and \u00XX for the other controls, lowercase hex).
# The two hashes and the date are matched loosely (any 64 or 10 characters but a quote; a character
# class costs per character): the line is accepted only if they equal a SHA-256 hex digest, the previous
# hash and a valid ISO date, which are canonical strings themselves.
_CHARS = r'[^"\\\x00-\x1f]*'
_STRING = '"' + _CHARS + r'(?:\\(?:["\\bfnrt]|u00(?:0[0-7bef]|1[0-9a-f]))' + _CHARS + ')*"'
_AMOUNT = r"[0-9]{1,14}\.[0-9]{2}"


@functools.cache
def _canonical_line() -> re.Pattern[str]:
    return re.compile(
        r'\{"amount":"(' + _AMOUNT + r')","balance":"(' + _AMOUNT + r')"'
        r',"category":'
        + _STRING
        + r'(?:,"corrects":'
        + _STRING
        + r')?,"counterparty":'
        + _STRING
        + r',"date":"([^"]{10})","direction":"(in|out)","estate":('
        + _STRING
        + r")"
        r',"estate_name":' + _STRING + r',"hash":"([^"]{64})",'
        r'("ledger":"(maintenance_fund|public_income|property_fee)","prev_hash":"([^"]{64})"'
        r',"project":' + _STRING + r',"reference":' + _STRING + r',"reverses":(?:null|0|-?[1-9][0-9]{0,17})'
        r',"seq":([1-9][0-9]{0,17}),"summary":' + _STRING + r"\})\n?"
    )


def _json_text(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a string as the canonical form writes it


def _from_cents(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)  # exact: 1230 → Decimal("12.30"), 0 → Decimal("0.00")


def _verify(lines: Iterable[str], *, short_path: bool) -> VerifyResult:
    """``verify_lines``; ``short_path=False`` checks every line in full (the reference the tests compare)."""
    prev_estate: Any = None  # the previous entry's estate and ledger (unused before the first entry)
    prev_estate_text: str | None = None  # the previous estate as canonical JSON, when it is a string
    prev_ledger: Any = None
    prev_hash = GENESIS
    cents = 0  # the running balance, exact in cents (every balance string has exactly two decimals)
    count = 0
    known_dates: set[str] = set()  # dates already found valid (a chain repeats its days)
    match = _canonical_line().fullmatch
    sha256 = hashlib.sha256
    for number, raw in enumerate(lines, start=1):
        found = match(raw) if short_path else None
        if found is not None:
            amount, balance_text, date, direction, estate_text, hash_text, tail, ledger, prev_text, seq = (
                found.groups()
            )
            try:  # the hashed bytes: the line without its "hash" pair and line end
                hash_ok = sha256((raw[: found.start(6) - 8] + tail).encode()).hexdigest() == hash_text
            except UnicodeEncodeError:  # a lone surrogate in a str handed in (a file cannot hold one)
                hash_ok = False
            amount_cents = int(amount.replace(".", "", 1))
            new_cents = cents + amount_cents if direction == "in" else cents - amount_cents
            if (
                hash_ok
                and int(seq) == count + 1
                and (count == 0 or (estate_text == prev_estate_text and ledger == prev_ledger))
                and prev_text == prev_hash
                and (date in known_dates or _is_iso_date(date))
                and amount_cents > 0
                and int(balance_text.replace(".", "", 1)) == new_cents
            ):
                if len(known_dates) < 10_000:
                    known_dates.add(date)
                if estate_text != prev_estate_text:
                    prev_estate = json.loads(estate_text)
                prev_estate_text, prev_ledger, prev_hash, cents = estate_text, ledger, hash_text, new_cents
                count += 1
                continue
        # Any other line, or one the short path did not accept: the full check decides and names the fault.
        if not raw.strip():
            continue
        try:
            entry = json.loads(raw, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constant)
        except _DuplicateKey as error:
            return VerifyResult(
                ok=False,
                count=count,
                line=number,
                reason="bad_json",
                message=_("字段 %(key)s 重复出现（同一字段只能出现一次，否则读到的值因程序而异）")
                % {"key": error.key},
            )
        except (ValueError, RecursionError):  # RecursionError: nesting deeper than the parser's stack
            return VerifyResult(
                ok=False, count=count, line=number, reason="bad_json", message=_("不是有效的 JSON")
            )
        if not isinstance(entry, dict):
            return VerifyResult(
                ok=False, count=count, line=number, reason="bad_json", message=_("不是一个 JSON 对象")
            )
        prev = {"estate": prev_estate, "ledger": prev_ledger} if count else None
        balance = _from_cents(cents)
        problem = _check_entry(entry, count + 1, prev, prev_hash, balance)
        if problem is not None:
            reason, message = problem
            return VerifyResult(
                ok=False,
                count=count,
                seq=_readable_seq(entry),
                line=number,
                reason=reason,
                message=message,
                last_hash=prev_hash,
                balance=money_text(balance),
            )
        prev_estate, prev_ledger, prev_hash = entry["estate"], entry["ledger"], entry["hash"]
        prev_estate_text = _json_text(prev_estate) if isinstance(prev_estate, str) else None
        cents = int(Decimal(entry["balance"]).scaleb(2))
        count += 1
    return VerifyResult(ok=True, count=count, last_hash=prev_hash, balance=money_text(_from_cents(cents)))


# ---- Disclosure schedule and money-rule alerts (docs/DESIGN.md §5) -------------------------------------------
#
# Civil Code art. 281 and Shanghai 住宅物业管理规定 (2020) as docs/DESIGN.md §5 summarises them: maintenance-fund
# income and expenditure disclosed at least every 6 months; public income every quarter; the company's
# property-fee account (its fees and their execution) once a year. Public income kept to top up the fund:
# more than 50 % of each quarter's public income is transferred to it. A fund balance below 30 % of its
# initial amount must be replenished (a 90-day timer).

LEGAL_INTERVAL_MONTHS = {"maintenance_fund": 6, "public_income": 3, "property_fee": 12}
LOW_FUND_PERCENT = Decimal(30)  # "below 30 %": strictly less than
TRANSFER_PERCENT = Decimal(50)  # "more than 50 %": strictly more than
REPLENISH_DAYS = 90

# Entry categories the rules read (data, as stored in the ledgers; the import template offers them).
CATEGORY_INITIAL = (
    "首期归集"  # the fund's first deposit: its "initial amount" unless the profile says otherwise
)
CATEGORY_TRANSFER_OUT = "转入维修资金"  # a public-income out-entry moving money to the fund
CATEGORY_TRANSFER_IN = (
    "公共收益转入"  # the matching fund in-entry (informative; the rule reads the out-entry)
)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clamped to the month's end (31 Aug + 6 → 28/29 Feb)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def is_month_end(day: dt.date) -> bool:
    return day.day == calendar.monthrange(day.year, day.month)[1]


def period_end_add(day: dt.date, months: int) -> dt.date:
    """The end of the period ``months`` after a period ending on ``day``: a period that ends on a month's
    last day is followed by one ending on the last day of the month ``months`` later (30 Jun + 6 → 31 Dec,
    30 Nov + 3 → 28/29 Feb, 28 Feb 2027 + 3 → 31 May); any other day as ``add_months``."""
    later = add_months(day, months)
    if is_month_end(day):
        return later.replace(day=calendar.monthrange(later.year, later.month)[1])
    return later


def check_interval(ledger: str, months: int) -> None:
    """A disclosure interval the street admin may set: 1 month up to the legal maximum, never longer."""
    legal = LEGAL_INTERVAL_MONTHS[ledger]
    if months < 1:
        raise LedgerError(_("公示周期至少为 1 个月。"))
    if months > legal:
        raise LedgerError(
            _(
                "公示周期不能长于法定的 %(legal)d 个月（《民法典》第二百八十一条、《上海市住宅物业管理规定》："
                "维修资金至少每 6 个月、公共收益每季度、物业费收支每年公示一次）；只能缩短，不能延长。"
            )
            % {"legal": legal}
        )


def disclosure_due(
    *, last_period_end: dt.date | None, first_entry: dt.date | None, months: int
) -> dt.date | None:
    """When the next disclosure is due: the end of the last disclosed period plus the interval, a month's end
    when the period ended on one (``period_end_add``); for a ledger never disclosed, its first entry's date
    plus the interval; None for an empty, never-disclosed ledger."""
    if last_period_end is not None:
        return period_end_add(last_period_end, months)
    return add_months(first_entry, months) if first_entry is not None else None


def days_overdue(due: dt.date | None, today: dt.date) -> int:
    """Calendar days past the due date (0 on the due date itself and before)."""
    if due is None or today <= due:
        return 0
    return (today - due).days


def fund_is_low(balance: Decimal, initial: Decimal) -> bool:
    """Balance strictly below 30 % of the initial amount (exact: balance × 100 < initial × 30)."""
    if initial <= 0:
        return False
    return balance * 100 < initial * LOW_FUND_PERCENT


def transfer_is_short(income: Decimal, transferred: Decimal) -> bool:
    """A quarter whose transfers to the fund are not more than 50 % of its public income (exact:
    transferred × 100 ≤ income × 50). A quarter without income is never short."""
    if income <= 0:
        return False
    return transferred * 100 <= income * TRANSFER_PERCENT


def quarter_of(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, 3 * quarter - 2, 1)
    return start, add_months(start, 3) - dt.timedelta(days=1)


def transfer_quarter(day: dt.date) -> tuple[int, int]:
    """The quarter a transfer to the fund settles: one dated in the first month of a quarter settles the
    quarter before (a quarter is usually settled in the month after it ends); any other, its own quarter."""
    year, quarter = quarter_of(day)
    if day.month in (1, 4, 7, 10):
        return (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    return year, quarter


def quarter_judged_from(year: int, quarter: int) -> dt.date:
    """The first day a quarter is judged: after its settlement month (the quarter's next month) ends."""
    _start, end = quarter_bounds(year, quarter)
    return add_months(end.replace(day=1), 2)


def first_below(points: Iterable[tuple[dt.date, Decimal]], initial: Decimal) -> dt.date | None:
    """The day the balance went below 30 % and has stayed below since (points in posting order), or None
    when the last balance is not below."""
    since = None
    for day, balance in points:
        if fund_is_low(balance, initial):
            if since is None:
                since = day
        else:
            since = None
    return since
