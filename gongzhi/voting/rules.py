"""The tally of an owners' decision — pure, exact, no ORM (docs/DESIGN.md §5, §6).

Law:
- Civil Code art. 278: quorum — owners holding ≥ 2/3 of the exclusive area AND ≥ 2/3 of the owners
  take part; matters (6)–(8) need ≥ 3/4 of the participating area AND of the participating owners to
  agree; the other matters more than half (过半数, the bound excluded) of both.
- SPC interpretation on building compartmentalised ownership arts. 8–9: area is the exclusive
  part's registered area (else surveyed, else contract); one owner per unit, but one buyer's units
  count as one and the developer's unsold units together count as one.
- An abstention participates and does not agree; nobody who did not vote is ever counted as agreeing.

Arithmetic is Decimal for sums and Fraction for ratios and comparisons; never float.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation, localcontext
from fractions import Fraction
from typing import Any, cast

from gongzhi.core.errors import UserError
from gongzhi.core.i18n import gettext as _

CHOICES = ("yes", "no", "abstain")
QUORUM = Fraction(2, 3)
SUPERMAJORITY = Fraction(3, 4)
MAJORITY = Fraction(1, 2)
SUPERMAJORITY_MATTERS = frozenset({6, 7, 8})


class TallyInputError(UserError, ValueError):
    """Bad tally input; ``message`` is plain Chinese and names the offending item."""

    def __init__(self, message: str, *, item: str = ""):
        super().__init__(message)
        self.item = item


@dataclass(frozen=True)
class Thresholds:
    quorum: Fraction  # inclusive (以上) for both area and owners
    approval: Fraction
    approval_strict: bool  # True: more than (过半数); False: at least (以上)

    @property
    def approval_label(self) -> str:
        return f"{self.approval.numerator}/{self.approval.denominator}"

    @property
    def quorum_label(self) -> str:
        return f"{self.quorum.numerator}/{self.quorum.denominator}"


def thresholds_for(matter: int) -> Thresholds:
    """Civil Code art. 278: ≥ 3/4 for matters (6)–(8), > 1/2 for the others; quorum ≥ 2/3 for all."""
    check_matter(matter)
    if matter in SUPERMAJORITY_MATTERS:
        return Thresholds(QUORUM, SUPERMAJORITY, approval_strict=False)
    return Thresholds(QUORUM, MAJORITY, approval_strict=True)


# Reminders to the owners' committee and the area's party secretary while a live vote is short of the
# quorum: one at 7, one at 3 and one at 1 day before the close (no law fixes these; the street's practice
# of canvassing door to door needs a week's warning, then a nudge before the last weekend and the last day).
QUORUM_REMINDER_DAYS = (7, 3, 1)


def quorum_reminder_step(days_left: int, already: int | None) -> int | None:
    """The reminder due with ``days_left`` whole days to the close, given the step ``already`` sent
    (None: none yet): the smallest step of QUORUM_REMINDER_DAYS not below ``days_left``, if that step is
    later than the one already sent. A missed day does not lose a reminder; none repeats; none is sent on
    the closing day itself (0 days left) or for a vote more than a week from its close."""
    if days_left < 1:
        return None
    steps = [step for step in QUORUM_REMINDER_DAYS if step >= days_left]
    if not steps:
        return None
    step = min(steps)
    if already is not None and already <= step:
        return None
    return step


def check_matter(matter: Any) -> int:
    if isinstance(matter, bool) or not isinstance(matter, int) or not 1 <= matter <= 9:
        raise TallyInputError(
            _("未知的表决事项类别 %(matter)s：必须是《民法典》第二百七十八条第一款所列的第 1 至 9 项。")
            % {"matter": repr(matter)},
            item="matter",
        )
    return matter


def electorate_groups(units: Iterable[tuple[int, str | None, bool]]) -> dict[str, list[int]]:
    """Group an estate's units into the owners who vote (SPC interpretation on building
    compartmentalised ownership art. 9, for the owner count of Civil Code art. 278).

    ``units`` are ``(unit id, owner's registry ref or None, owner is the developer)``. One buyer's
    units count as one owner (same ref); the developer's unsold units together count as ONE owner
    however many developer records the registry holds (all under the first developer ref); a unit
    without a recorded owner counts as one owner on its own (key ``"U<unit id>"``). Returns
    owner key → unit ids, each list in input order.
    """
    rows = list(units)
    developer_refs = sorted({ref for _unit, ref, developer in rows if ref is not None and developer})
    groups: dict[str, list[int]] = {}
    for unit_id, ref, _developer in rows:
        key = ref if ref is not None else f"U{unit_id}"
        if developer_refs and key in developer_refs:
            key = developer_refs[0]
        groups.setdefault(key, []).append(unit_id)
    return groups


def meets(
    part: Fraction | Decimal | int, whole: Fraction | Decimal | int, ratio: Fraction, *, strict: bool
) -> bool:
    """part/whole ≥ ratio (以上) or > ratio (过半数, strict), exactly; an empty whole never meets."""
    whole_f = Fraction(whole)
    if whole_f <= 0:
        return False
    share = Fraction(part) / whole_f
    return share > ratio if strict else share >= ratio


def ratio_text(part: Fraction | Decimal | int, whole: Fraction | Decimal | int) -> str:
    """An exact ratio as a reduced fraction string ("2/3"); "0" over an empty whole."""
    whole_f = Fraction(whole)
    if whole_f == 0:
        return "0"
    value = Fraction(part) / whole_f
    return f"{value.numerator}/{value.denominator}" if value.denominator != 1 else str(value.numerator)


def percent_text(part: Fraction | Decimal | int, whole: Fraction | Decimal | int) -> str:
    """For display only ("66.67"): rounded half-up to 2 places; decisions use the exact ratios."""
    whole_f = Fraction(whole)
    if whole_f == 0:
        return "0.00"
    value = Fraction(part) * 100 / whole_f
    hundredths = math.floor(value * 100 + Fraction(1, 2))
    return f"{Decimal(hundredths) / 100:.2f}"


def area_text(value: Decimal) -> str:
    """An area as a plain decimal string with two places, or more only where the value needs them
    ("150.00", "10.0001"); exact, never rounded: trailing zeros beyond two places are dropped."""
    value = Decimal(value)
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        value = value.normalize()  # 20.0000 → 2E+1; 10.0001 stays
        exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -2:
        value = value.quantize(Decimal("0.01"))
    return format(value, "f")


# A unit's area: what the registry can hold (max_digits=9, 2 places), and at most 4 decimal places so
# that the anonymised ballot file's equal shares (selectors.decision_ballot_file) are exact.
MAX_AREA = Decimal("9999999.99")
AREA_PLACES = 4
_PLAIN_AREA = re.compile(r"[0-9]{1,7}(\.[0-9]+)?")  # no sign, exponent, "_" or other scripts' digits


def _short(value: Any) -> str:
    """A value for a message, at most 40 characters (an int beyond Python's 4,300-digit str limit: "…")."""
    if isinstance(value, int) and value.bit_length() > 14_000:
        return "…"
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "…"


_FAST_AREA = re.compile(r"[0-9]{1,7}(?:\.[0-9]{1,4})?")  # the common, valid shape: "68.50"


def _plain_area(text: str) -> Decimal | None:
    """The area of a plain decimal string such as "68.50" when it is valid as it stands, else None (then
    ``parse_area`` decides and names the error). Every string accepted here ``parse_area`` accepts with
    the same value: at most 7 digits and 4 places, no sign, space or exponent, above 0, at most MAX_AREA."""
    if _FAST_AREA.fullmatch(text) is None:
        return None
    area = Decimal(text)
    return area if 0 < area <= MAX_AREA else None


def parse_area(value: Any, *, item: str) -> Decimal:
    """A positive, finite area of at most 9999999.99 m² and 4 decimal places, given as a plain decimal
    string ("68.50") or an exact JSON number; floats are refused as inexact. Every other value (NaN,
    infinities, "1e30", "-0", huge exponents, digits of other scripts) raises TallyInputError naming
    the unit, before any arithmetic could blow up."""
    if isinstance(value, (bool, float)):
        raise TallyInputError(_('房屋 %(id)s 的面积必须写成字符串，如 "68.50"。') % {"id": item}, item=item)
    if isinstance(value, int):
        if value > MAX_AREA:  # compared before any conversion: a 5,000-digit integer stays cheap
            raise TallyInputError(
                _("房屋 %(id)s 的面积 %(value)s 超出范围（最大 9999999.99 平方米）。")
                % {"id": item, "value": _short(value)},
                item=item,
            )
        value = Decimal(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            area = Decimal(text)
        except InvalidOperation:
            area = None
    elif isinstance(value, Decimal):
        text, area = None, value
    else:
        text, area = None, None
    if area is None or not area.is_finite():
        raise TallyInputError(
            _("房屋 %(id)s 的面积“%(value)s”不是有效数字。") % {"id": item, "value": _short(value)}, item=item
        )
    if area <= 0:
        raise TallyInputError(
            _("房屋 %(id)s 的面积 %(value)s 必须大于 0。") % {"id": item, "value": _short(value)}, item=item
        )
    # adjusted() and the exponent read the representation: no arithmetic on 1e999999999.
    if area.adjusted() > 6 or area > MAX_AREA:
        raise TallyInputError(
            _("房屋 %(id)s 的面积 %(value)s 超出范围（最大 9999999.99 平方米）。")
            % {"id": item, "value": _short(value)},
            item=item,
        )
    # "68.500000" is fine, "68.12345" is not; 1e-999999999 underflows to 0 when normalised: adjusted() first.
    # (A finite number's exponent is an int; only NaN and infinities have a letter there.)
    if area.adjusted() < -AREA_PLACES or cast(int, area.normalize().as_tuple().exponent) < -AREA_PLACES:
        raise TallyInputError(
            _("房屋 %(id)s 的面积 %(value)s 小数位过多（最多 4 位）。")
            % {"id": item, "value": _short(value)},
            item=item,
        )
    if text is not None and not _PLAIN_AREA.fullmatch(text):
        raise TallyInputError(
            _("房屋 %(id)s 的面积“%(value)s”请写成普通小数，如 68.50。")
            % {"id": item, "value": _short(value)},
            item=item,
        )
    return area


def _field(row: Any, name: str) -> Any:
    if isinstance(row, Mapping):
        return row.get(name)
    return getattr(row, name, None)


def _text_id(value: Any, *, what: str, index: int) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)) or str(value).strip() == "":
        raise TallyInputError(
            _("第 %(n)d 个%(what)s缺少有效的编号（%(value)s）。")
            % {"n": index + 1, "what": what, "value": repr(value)},
            item=f"{what}#{index + 1}",
        )
    return str(value)


def tally(matter: int, units: Iterable[Any], ballots: Iterable[Any]) -> dict[str, Any]:
    """Count one decision exactly (Civil Code art. 278; SPC interpretation arts. 8–9).

    ``units``: rows with ``id``, ``area`` (decimal string or Decimal), ``owner`` (the buyer's key; one
    key for all of a buyer's units) and optionally ``developer`` (true for the developer's unsold units:
    all of them count as ONE owner whatever their owner keys, and that owner casts one ballot under
    any of those keys). ``ballots``: rows with ``owner`` and ``choice``
    ("yes"/"no"/"abstain"), at most one per owner. Rows may be mappings or objects.
    Raises TallyInputError naming the offending item; returns every figure as JSON-safe values."""
    check_matter(matter)
    rules = thresholds_for(matter)

    owner_area: dict[str, Decimal] = {}
    owner_units: dict[str, int] = {}
    seen_units: set[str] = set()
    developer_keys: set[str] = set()  # every owner key of the developer's (建设单位) unsold units
    buyer_keys: set[str] = set()
    developer = ""  # the one key the developer's units count under (SPC interpretation art. 9)
    unit_label, ballot_label = _("房屋"), _("表决票")  # once, not per row: a lookup costs more than a row
    with localcontext() as ctx:
        ctx.prec = 60  # sums of bounded areas (≤ 9999999.99, ≤ 4 places) stay exact far beyond any estate
        for index, row in enumerate(units):
            # A JSON row (a dict) is read directly; each check below runs in the same order for every row,
            # the `type(...) is` tests only skip the general path for the common, valid shape.
            is_dict = type(row) is dict
            unit_id = row.get("id") if is_dict else _field(row, "id")
            if type(unit_id) is not str or not unit_id.strip():
                unit_id = _text_id(unit_id, what=unit_label, index=index)
            if unit_id in seen_units:
                raise TallyInputError(_("房屋 %(id)s 重复出现。") % {"id": unit_id}, item=unit_id)
            seen_units.add(unit_id)
            value = row.get("area") if is_dict else _field(row, "area")
            area = _plain_area(value) if type(value) is str else None
            if area is None:
                area = parse_area(value, item=unit_id)
            owner = row.get("owner") if is_dict else _field(row, "owner")
            if type(owner) is str and owner.strip():
                key = owner
            elif isinstance(owner, bool) or not isinstance(owner, (str, int)) or str(owner).strip() == "":
                raise TallyInputError(_("房屋 %(id)s 缺少业主标识。") % {"id": unit_id}, item=unit_id)
            else:
                key = str(owner)
            if is_dict or isinstance(row, Mapping):
                flag = row.get("developer", False)
            else:
                flag = getattr(row, "developer", False)
            if flag is not True and flag is not False:
                raise TallyInputError(
                    _("房屋 %(id)s 的 developer（建设单位）标记只能是 true 或 false。") % {"id": unit_id},
                    item=unit_id,
                )
            if flag:
                developer_keys.add(key)
                conflict = key in buyer_keys
            else:
                buyer_keys.add(key)
                conflict = key in developer_keys
            if conflict:
                raise TallyInputError(
                    _("业主 %(owner)s 的房屋有的标为建设单位、有的没有：请核对房屋 %(id)s。")
                    % {"owner": key, "id": unit_id},
                    item=key,
                )
            if flag:
                developer = developer or key
                key = developer
            if key in owner_area:
                owner_area[key] += area
                owner_units[key] += 1
            else:
                owner_area[key] = area
                owner_units[key] = 1
        if not owner_area:
            raise TallyInputError(_("没有任何房屋：无法计票。"), item="units")

        choices: dict[str, str] = {}
        for index, row in enumerate(ballots):
            is_dict = type(row) is dict
            owner = row.get("owner") if is_dict else _field(row, "owner")
            if type(owner) is not str or not owner.strip():
                owner = _text_id(owner, what=ballot_label, index=index)
            if owner not in owner_area and owner not in developer_keys:
                raise TallyInputError(
                    _("表决票中的业主 %(owner)s 不在业主名册中。") % {"owner": owner}, item=owner
                )
            key = developer if owner in developer_keys else owner
            if key in choices:
                if owner in developer_keys:
                    raise TallyInputError(
                        _("建设单位的表决票重复（%(owner)s）：建设单位未售房屋合计为一名业主，只能投一票。")
                        % {"owner": owner},
                        item=owner,
                    )
                raise TallyInputError(_("业主 %(owner)s 的表决票重复。") % {"owner": owner}, item=owner)
            choice = row.get("choice") if is_dict else _field(row, "choice")
            if choice not in CHOICES:
                raise TallyInputError(
                    _("业主 %(owner)s 的表决意见“%(choice)s”无效：只能是 yes、no 或 abstain。")
                    % {"owner": owner, "choice": _short(str(choice))},
                    item=owner,
                )
            choices[key] = choice

        total_area = sum(owner_area.values(), Decimal(0))
        total_owners = len(owner_area)
        area_by = {c: Decimal(0) for c in CHOICES}
        owners_by = dict.fromkeys(CHOICES, 0)
        for voter, choice in choices.items():
            area_by[choice] += owner_area[voter]
            owners_by[choice] += 1
        participating_area = area_by["yes"] + area_by["no"] + area_by["abstain"]
    participating_owners = len(choices)
    # Only a "yes" agrees: an abstention participates and does not agree; a non-voter is not counted.
    agreeing_area = area_by["yes"]
    agreeing_owners = owners_by["yes"]

    quorum_area_met = meets(participating_area, total_area, rules.quorum, strict=False)
    quorum_owners_met = meets(participating_owners, total_owners, rules.quorum, strict=False)
    approval_area_met = meets(agreeing_area, participating_area, rules.approval, strict=rules.approval_strict)
    approval_owners_met = meets(
        agreeing_owners, participating_owners, rules.approval, strict=rules.approval_strict
    )
    quorum_met = quorum_area_met and quorum_owners_met
    approved = approval_area_met and approval_owners_met
    return {
        "matter": matter,
        "quorum": rules.quorum_label,
        "approval": rules.approval_label,
        "approval_rule": "more_than" if rules.approval_strict else "at_least",
        "total_units": len(seen_units),
        "total_area": area_text(total_area),
        "total_owners": total_owners,
        "participating_area": area_text(participating_area),
        "participating_owners": participating_owners,
        "agreeing_area": area_text(agreeing_area),
        "agreeing_owners": agreeing_owners,
        "disagreeing_area": area_text(area_by["no"]),
        "disagreeing_owners": owners_by["no"],
        "abstaining_area": area_text(area_by["abstain"]),
        "abstaining_owners": owners_by["abstain"],
        "participation_area_ratio": ratio_text(participating_area, total_area),
        "participation_owners_ratio": ratio_text(participating_owners, total_owners),
        "agreement_area_ratio": ratio_text(agreeing_area, participating_area),
        "agreement_owners_ratio": ratio_text(agreeing_owners, participating_owners),
        "quorum_area_met": quorum_area_met,
        "quorum_owners_met": quorum_owners_met,
        "quorum_met": quorum_met,
        "approval_area_met": approval_area_met,
        "approval_owners_met": approval_owners_met,
        "approved": approved,
        "passed": quorum_met and approved,
    }


def quorum_gap(
    *, total_area: Decimal, total_owners: int, participating_area: Decimal, participating_owners: int
) -> dict[str, Any]:
    """What is still missing for the quorum (≥ 2/3 of area and of owners): area as an exact decimal
    rounded UP to the cent (so reaching it is always enough), owners as a whole number."""
    needed_area = Fraction(total_area) * QUORUM
    missing_area = max(Fraction(0), needed_area - Fraction(participating_area))
    cents = math.ceil(missing_area * 100)
    needed_owners = math.ceil(Fraction(total_owners) * QUORUM)
    return {
        "area_needed": area_text(Decimal(math.ceil(needed_area * 100)) / 100),
        "owners_needed": needed_owners,
        "area_missing": area_text(Decimal(cents) / 100),
        "owners_missing": max(0, needed_owners - participating_owners),
        "area_met": Fraction(participating_area) >= needed_area and total_area > 0,
        "owners_met": participating_owners >= needed_owners and total_owners > 0,
    }


@dataclass(frozen=True)
class TallyFile:
    matter: int
    units: list[dict[str, Any]]
    ballots: list[dict[str, Any]]


def parse_tally_document(document: Any) -> TallyFile:
    """Check the shape of a §6 tally file (already JSON-decoded) and name the first bad item."""
    if not isinstance(document, dict):
        raise TallyInputError(_("文件顶层必须是 JSON 对象，包含 matter、units、ballots。"), item="(root)")
    for name in ("matter", "units", "ballots"):
        if name not in document:
            raise TallyInputError(_("缺少字段 %(name)s。") % {"name": name}, item=name)
    check_matter(document["matter"])
    for name in ("units", "ballots"):
        if not isinstance(document[name], list):
            raise TallyInputError(_("字段 %(name)s 必须是数组。") % {"name": name}, item=name)
    for name, what in (("units", _("房屋")), ("ballots", _("表决票"))):
        for index, row in enumerate(document[name]):
            if not isinstance(row, dict):
                raise TallyInputError(
                    _("第 %(n)d 个%(what)s必须是 JSON 对象。") % {"n": index + 1, "what": what},
                    item=f"{name}[{index}]",
                )
    return TallyFile(document["matter"], document["units"], document["ballots"])


# ---- the anonymised ballot file (docs/VOTING_RULES.md §6; issue 11) ----------------------------------

_TEN_THOUSANDTHS = Decimal("0.0001")
ANON_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # as the receipts: no 0/O/1/I/L


def _split(total: int, parts: int) -> list[int]:
    """``total`` (in 0.0001 m²) in ``parts`` near-equal positive integers; with two or more parts none is a
    whole number of cents, so no share can equal an area of the registry (areas have 2 places)."""
    base, extra = divmod(total, parts)
    shares = [base + 1 if i < extra else base for i in range(parts)]
    if parts < 2:
        return shares

    def fix(i: int, j: int) -> None:
        # Move d from j to i; of d = 1, 2, 3 at most one makes each of the two a multiple of 100.
        for d in (1, 2, 3):
            if (shares[i] + d) % 100 and (shares[j] - d) % 100:
                shares[i] += d
                shares[j] -= d
                return

    for i in range(0, parts - 1, 2):
        fix(i, i + 1)
    if parts % 2 and shares[-1] % 100 == 0:
        fix(0, parts - 1) if shares[0] % 100 == 99 else fix(parts - 1, 0)
    return shares


def anonymised_ballot_file(result: Mapping[str, Any], *, rng: random.Random) -> dict[str, Any]:
    """The public ballot file in the §6 tally format, computed from the counted ``result`` alone.

    For each option (yes, no, abstain, and the owners who did not vote) the file lists as many owners
    as the result counts, sharing that option's area in equal parts (with two or more owners, parts of
    0.0001 m² that are never whole cents); the result's number of units is dealt out at random. Owner
    and unit ids are random, rows sorted by id. So the file reveals nothing the published result does
    not — it is a function of the result and of fresh randomness (``rng``: a SystemRandom, or a seeded
    Random for the demo) — and ``tally`` on it reproduces the result exactly (docs/VOTING_RULES.md §3a)."""
    groups = []
    total_area = Decimal(result["total_area"])
    participating_area = Decimal(result["participating_area"])
    for choice, area, owners in (
        ("yes", result["agreeing_area"], result["agreeing_owners"]),
        ("no", result["disagreeing_area"], result["disagreeing_owners"]),
        ("abstain", result["abstaining_area"], result["abstaining_owners"]),
        (None, total_area - participating_area, result["total_owners"] - result["participating_owners"]),
    ):
        if owners:
            groups.append((choice, int(Decimal(area) / _TEN_THOUSANDTHS), owners))
    owners_rows = [(choice, share) for choice, total, count in groups for share in _split(total, count)]
    units_per_owner = [1] * len(owners_rows)
    for _unit in range(int(result["total_units"]) - len(owners_rows)):
        # A unit of at least 0.0004 m² each (room for _split's ±3), at random among those with room.
        room = [i for i, (_c, share) in enumerate(owners_rows) if share >= 4 * (units_per_owner[i] + 1)]
        units_per_owner[rng.choice(room)] += 1
    codes: set[str] = set()
    while len(codes) < len(owners_rows) + sum(units_per_owner):
        codes.add("".join(rng.choice(ANON_ALPHABET) for _i in range(10)))
    pool = sorted(codes)
    rng.shuffle(pool)
    units, ballots = [], []
    for (choice, share), count in zip(owners_rows, units_per_owner, strict=True):
        owner = "O" + pool.pop()
        for part in _split(share, count):
            units.append(
                {"id": "U" + pool.pop(), "area": area_text(Decimal(part) * _TEN_THOUSANDTHS), "owner": owner}
            )
        if choice is not None:
            ballots.append({"owner": owner, "choice": choice})
    units.sort(key=lambda row: row["id"])
    ballots.sort(key=lambda row: row["owner"])
    return {"matter": result["matter"], "units": units, "ballots": ballots}


# ---- decision numbers (数据体检, core/health.py) -------------------------------------------------
# An owners' decision is cited by its number within the estate and year: "业决〔2026〕3号" on the
# disclosure book, "业主大会决议 2026-03号" on the ledgers. Both name the same thing: (year, n).
DECISION_NUMBER = re.compile(
    r"业决\s*[〔\[［(（]\s*(\d{4})\s*[〕\]］)）]\s*(\d{1,4})\s*号|业主大会决议\s*(\d{4})-(\d{1,4})\s*号"
)


def parse_decision_number(text: str) -> tuple[int, int] | None:
    """(year, n) of the first owners'-decision number in ``text`` (Civil Code art. 280: the assembly's
    decisions bind the owners and are announced; a number names one decision of one estate), or None."""
    match = DECISION_NUMBER.search(text or "")
    if match is None:
        return None
    year, number = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
    return int(year), int(number)


# Meetings and activities are not decisions of the owners' assembly (Civil Code art. 278 lists what the
# owners decide); their records on the disclosure book carry no decision number.
ACTIVITY_WORDS = ("听证会", "座谈会", "联席会议", "议价会议", "例会", "党支部", "公示牌", "启用", "接待")


def is_activity(title: str) -> bool:
    """The title names a meeting or an activity (a hearing, the annual price meeting, a board put up)."""
    return any(word in title for word in ACTIVITY_WORDS)
