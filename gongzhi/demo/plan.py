"""The demo street as plain data: a pure function of (seed, scale, today), no database.

The street is shaped like the seed (docs/DESIGN.md §8): 32 residential areas, 76 estates of which
51 were built before 1996, 28 property companies, one of them state-owned and managing half
of the old estates (26 of 51), fees around 0.8 yuan/m²/month, collection rates 50–99 %.

Two random streams keep the shape independent of ``scale``: the street's structure (names,
years, companies, contracts, committees, branches) comes from ``Random(seed)``; each estate's
buildings come from its own ``Random`` whose seed the street stream draws. A smaller scale only
keeps fewer of the planned units, so the small street that tests load is the big street cut
down, with the same estates, contracts and committees.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from random import Random

from gongzhi.demo import names
from gongzhi.registry.models import OLD_ESTATE_BEFORE_YEAR

SEED = 2019
SMALL_SCALE = 0.05

AREA_COUNT = 32
ESTATE_COUNT = 76
OLD_ESTATE_COUNT = 51
COMPANY_COUNT = 28
STATE_OLD_ESTATES = 26  # half of the old estates (seed: "老旧小区中 50% 由 1 家国企物业")
BENCHMARK_SIZES = (5, 4, 4, 4)  # the 4 benchmark companies (标杆) that manage several estates
MAX_ESTATES_PER_AREA = 4
SMALL_ESTATES = 4  # single-building "大楼/公寓" estates, some under 10,000 m²
PILOT_BRANCHES = 10  # seed: "已试点组建 10 个大联合党支部" — these were founded first
MIN_UNITS_PER_ESTATE = 8

# Defects planted on purpose, so the data-health report (``gongzhi check``, core/health.py) has something
# true to find: {invariant code: what was planted and where}. Any other finding on the demo street is a
# defect of the demo (gongzhi/demo/tests/test_health.py lists the ones not fixed yet).
PLANTED_DEFECTS = {
    "finance.fund_use_has_decision": (
        "a few repairs paid from the maintenance fund name no owners' decision (finance/demo_data.py: about "
        "5 % of repairs, and an emergency pump-room repair in some estates) — what the money-rule alerts of "
        "docs/DESIGN.md §5 are there to find"
    ),
}

# The seed's "换届中的 23 家业委会": 20 committees whose five-year terms ended this past year were re-elected
# (elections/demo_data.py builds slate → owners' vote → committee through the services); the committees due
# within 5 months get the other slates (returned, submitted, draft).
REELECTIONS = 20

SMALL_COMMITTEE_AREA = Decimal("10000")  # a 3-member owners' committee only below this total area
MULTI_UNIT_SHARE = 0.03  # owners holding two units
COUPLE_SHARE = 0.08  # units registered to a married couple


@dataclass(slots=True)
class UnitPlan:
    number: str
    area: Decimal
    area_source: str = "registered"
    owner: int = -1  # index into StreetPlan.owners


@dataclass(slots=True)
class BuildingPlan:
    number: str
    floors: int
    units: list[UnitPlan]


@dataclass(slots=True)
class OwnerPlan:
    ref: str
    name: str
    kind: str
    phone: str
    units: int = 0


@dataclass(slots=True)
class ContractPlan:
    company: int  # index into StreetPlan.companies
    start_date: dt.date
    end_date: dt.date
    fee_standard: Decimal
    service_level: str
    collection_rate: Decimal


@dataclass(slots=True)
class MemberPlan:
    name: str
    position: str
    is_party_member: bool
    is_cross_appointed: bool
    phone: str


@dataclass(slots=True)
class CommitteePlan:
    term_start: dt.date
    term_end: dt.date
    members: list[MemberPlan]

    @property
    def director(self) -> MemberPlan:
        return next(m for m in self.members if m.position == "director")


@dataclass(slots=True)
class EstatePlan:
    name: str
    address: str
    build_year: int
    seed: int
    full_units: int = 0  # planned units at scale 1
    full_area: Decimal = Decimal("0")  # planned total exclusive area at scale 1
    buildings: list[BuildingPlan] = field(default_factory=list)  # kept at this scale
    contracts: list[ContractPlan] = field(default_factory=list)  # oldest first; the last is active
    committee: CommitteePlan | None = None

    @property
    def is_old(self) -> bool:
        return self.build_year < OLD_ESTATE_BEFORE_YEAR

    @property
    def active_contract(self) -> ContractPlan:
        return self.contracts[-1]

    def units(self):
        for building in self.buildings:
            yield from building.units


@dataclass(slots=True)
class BranchMemberPlan:
    name: str
    organisation: str
    position: str
    membership: str
    is_party_member: bool
    phone: str


@dataclass(slots=True)
class AreaPlan:
    base: str
    name: str
    address: str
    estates: list[EstatePlan] = field(default_factory=list)
    rc_name: str = ""
    rc_director: str = ""
    rc_phone: str = ""
    branch_name: str = ""
    secretary: str = ""
    branch_founded_on: dt.date | None = None
    branch_members: list[BranchMemberPlan] = field(default_factory=list)


@dataclass(slots=True)
class CompanyPlan:
    name: str
    ownership: str
    contact_name: str
    contact_phone: str
    benchmark: bool = False


@dataclass(slots=True)
class DemoTargets:
    """Where the demo users' grants point (indices into the plan)."""

    area: int = 0
    estate: int = 0  # index inside the area: the OC member's and the owner's estate
    building: int = 0
    unit: int = 0
    company: int = 0  # the state-owned company
    evaluator_estates: list[tuple[int, int]] = field(default_factory=list)
    admin_name: str = ""  # people who are not in the registry: the street office, the evaluator
    leader_name: str = ""
    evaluator_name: str = ""


@dataclass
class StreetPlan:
    seed: int
    scale: float
    today: dt.date
    name: str
    district: str
    areas: list[AreaPlan]
    companies: list[CompanyPlan]
    owners: list[OwnerPlan]
    targets: DemoTargets

    def estates(self):
        for area in self.areas:
            yield from area.estates

    @property
    def unit_count(self) -> int:
        return sum(len(b.units) for e in self.estates() for b in e.buildings)


# ---- small helpers ------------------------------------------------------------------------------


def _money(value: float) -> Decimal:
    """Two decimal places, rounded from the random draw (never float arithmetic afterwards)."""
    return Decimal(round(value * 100)).scaleb(-2)


def _clamp(value: Decimal, low: str, high: str) -> Decimal:
    return max(Decimal(low), min(Decimal(high), value))


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _unique_name(rng: Random, taken: set[str]) -> str:
    name = names.person_name(rng)
    while name in taken:
        name = names.person_name(rng)
    taken.add(name)
    return name


# ---- buildings and units ------------------------------------------------------------------------

# Floor-plan types by age: (low, high) exclusive area in m². Old walk-ups are small flats.
OLD_TYPES = ((35.0, 48.0, 3), (48.0, 65.0, 5), (62.0, 80.0, 2))
NEW_TYPES = ((70.0, 95.0, 35), (90.0, 130.0, 45), (120.0, 150.0, 20))
OLD_RANGE = ("35.00", "80.00")
NEW_RANGE = ("70.00", "150.00")


def _floor_plan_area(rng: Random, types) -> float:
    low, high, _ = rng.choices(types, weights=[t[2] for t in types])[0]
    return rng.uniform(low, high)


def plan_buildings(rng: Random, *, build_year: int, target: int) -> list[BuildingPlan]:
    """Buildings until ``target`` units: old estates are 5–7-floor walk-ups ("12号 302室")."""
    old = build_year < OLD_ESTATE_BEFORE_YEAR
    types, (low, high) = (OLD_TYPES, OLD_RANGE) if old else (NEW_TYPES, NEW_RANGE)
    buildings: list[BuildingPlan] = []
    total = 0
    while total < target:
        if old:
            floors = rng.choice((5, 6, 6, 6, 6, 7))
        elif build_year < 2004:
            floors = rng.choice((6, 6, 7, 11, 12, 14))
        else:
            floors = rng.choice((11, 14, 18, 18, 24, 28, 32))
        per_floor = rng.choice((2, 2, 3, 4))
        # The same position on every floor has the same registered area, as in a real building;
        # now and then one flat was measured differently.
        base = [_floor_plan_area(rng, types) for _ in range(per_floor)]
        units = []
        for floor in range(1, floors + 1):
            for pos in range(per_floor):
                area = base[pos] + (rng.uniform(-2.5, 2.5) if rng.random() < 0.08 else 0.0)
                units.append(UnitPlan(f"{floor}{pos + 1:02d}", _clamp(_money(area), low, high)))
        buildings.append(BuildingPlan(f"{len(buildings) + 1}号", floors, units))
        total += len(units)
    return buildings


def _keep(buildings: list[BuildingPlan], keep: int) -> list[BuildingPlan]:
    """The first ``keep`` units in building order (the last kept building may be partial)."""
    kept: list[BuildingPlan] = []
    for building in buildings:
        if keep <= 0:
            break
        units = building.units[:keep]
        kept.append(BuildingPlan(building.number, building.floors, units))
        keep -= len(units)
    return kept


# ---- contracts and committees -------------------------------------------------------------------


def _fee(rng: Random, old: bool) -> Decimal:
    # Old estates pay little (seed: "收费标准低 … 平均 0.8 元"); newer ones more.
    if old:
        return _clamp(_money(rng.triangular(0.45, 0.95, 0.62)), "0.45", "1.60")
    return _clamp(_money(rng.triangular(0.80, 1.60, 0.98)), "0.45", "1.60")


def _collection_rate(rng: Random, old: bool) -> Decimal:
    # Seed: "收缴率为 50%-99% 不等"; old estates collect worse.
    value = rng.triangular(50.0, 95.0, 80.0) if old else rng.triangular(72.0, 99.0, 93.0)
    return _clamp(_money(value), "50.00", "99.00")


def _service_level(rng: Random, old: bool) -> str:
    return rng.choice(("三级", "四级", "四级", "五级") if old else ("一级", "二级", "二级", "三级"))


def _plan_contracts(
    rng: Random, *, old: bool, company: int, others: list[int], today: dt.date
) -> list[ContractPlan]:
    """One contract in force today; about one estate in five also has an expired earlier one."""
    start = today - dt.timedelta(days=rng.randint(30, 1000))
    years = rng.choice((2, 3, 3, 5))
    end = add_years(start, years) - dt.timedelta(days=1)
    while end <= today:
        years += 1
        end = add_years(start, years) - dt.timedelta(days=1)
    active = ContractPlan(
        company, start, end, _fee(rng, old), _service_level(rng, old), _collection_rate(rng, old)
    )
    if rng.random() >= 0.2:
        return [active]
    previous_end = start - dt.timedelta(days=1)
    previous_start = add_years(start, -rng.choice((2, 3)))
    earlier = ContractPlan(
        rng.choice([c for c in others if c != company]),
        previous_start,
        previous_end,
        max(Decimal("0.45"), active.fee_standard - _money(rng.uniform(0.0, 0.15))),
        _service_level(rng, old),
        _collection_rate(rng, old),
    )
    return [earlier, active]


def _plan_committee(rng: Random, *, full_area: Decimal, today: dt.date, directors: set[str]) -> CommitteePlan:
    """A current term of 3–5 years; 5, 7 or 9 members (3 only under 10,000 m²)."""
    small = full_area < SMALL_COMMITTEE_AREA
    size = rng.choice((3, 5) if small else (5, 5, 7, 7, 7, 9))
    years = rng.choice((3, 5, 5))
    term_start = today - dt.timedelta(days=rng.randint(20, years * 365 - 30))
    term_end = add_years(term_start, years)
    party_share = rng.uniform(0.35, 0.75)  # the street's target is 55 % (seed)
    cross_share = rng.uniform(0.15, 0.50)  # target 40 %
    deputies = 1 if size <= 5 else 2
    taken = set(directors)
    members = []
    for i in range(size):
        position = "director" if i == 0 else ("deputy" if i <= deputies else "member")
        name = _unique_name(rng, taken)
        if i == 0:
            directors.add(name)
        party = rng.random() < (max(party_share, 0.6) if i == 0 else party_share)
        members.append(MemberPlan(name, position, party, rng.random() < cross_share, names.phone(rng)))
    return CommitteePlan(term_start, term_end, members)


# ---- the street ---------------------------------------------------------------------------------


def _estates_per_area(rng: Random) -> list[int]:
    counts = [1] * AREA_COUNT
    for _ in range(ESTATE_COUNT - AREA_COUNT):
        counts[rng.choice([i for i, c in enumerate(counts) if c < MAX_ESTATES_PER_AREA])] += 1
    return counts


def _company_slots(rng: Random) -> list[int]:
    """Company index for each estate not managed by the state company (before shuffling)."""
    others = ESTATE_COUNT - STATE_OLD_ESTATES
    slots: list[int] = []
    for index, size in enumerate(BENCHMARK_SIZES, start=1):
        slots += [index] * size
    small = list(range(1 + len(BENCHMARK_SIZES), COMPANY_COUNT))
    doubles = set(rng.sample(small, others - len(slots) - len(small)))
    for index in small:
        slots += [index] * (2 if index in doubles else 1)
    assert len(slots) == others
    rng.shuffle(slots)
    return slots


def _plan_companies(rng: Random) -> list[CompanyPlan]:
    taken: set[str] = set()
    companies = [CompanyPlan(names.STATE_COMPANY_NAME, "state", _unique_name(rng, taken), names.phone(rng))]
    brands = rng.sample(names.COMPANY_BRANDS, COMPANY_COUNT - 1)
    other = set(rng.sample(range(1 + len(BENCHMARK_SIZES), COMPANY_COUNT), 2))
    for index, brand in enumerate(brands, start=1):
        companies.append(
            CompanyPlan(
                brand + rng.choice(names.COMPANY_ENDINGS),
                "other" if index in other else "private",
                _unique_name(rng, taken),
                names.phone(rng),
                benchmark=index <= len(BENCHMARK_SIZES),
            )
        )
    return companies


def _plan_estate_shells(rng: Random) -> list[tuple[EstatePlan, int]]:
    """Names, build years and target unit counts of the 76 estates, in street order."""
    ages = [True] * OLD_ESTATE_COUNT + [False] * (ESTATE_COUNT - OLD_ESTATE_COUNT)
    rng.shuffle(ages)
    old_prefixes = iter(rng.sample(names.OLD_ESTATE_PREFIXES, OLD_ESTATE_COUNT))
    new_prefixes = iter(rng.sample(names.NEW_ESTATE_PREFIXES, ESTATE_COUNT - OLD_ESTATE_COUNT))
    small = set(rng.sample(range(ESTATE_COUNT), SMALL_ESTATES))
    shells = []
    for k, old in enumerate(ages):
        if old:
            suffixes = names.OLD_SMALL_SUFFIXES if k in small else names.OLD_ESTATE_SUFFIXES
            name = next(old_prefixes) + rng.choice(suffixes)
            year = rng.randint(1978, OLD_ESTATE_BEFORE_YEAR - 1)
        else:
            suffixes = names.NEW_SMALL_SUFFIXES if k in small else names.NEW_ESTATE_SUFFIXES
            name = next(new_prefixes) + rng.choice(suffixes)
            year = rng.randint(OLD_ESTATE_BEFORE_YEAR, 2016)
        address = f"{rng.choice(names.ROADS)}{rng.randint(1, 120) * 10}弄"
        target = rng.randint(80, 150) if k in small else round(rng.triangular(200, 850, 350))
        shells.append((EstatePlan(name, address, year, seed=rng.getrandbits(64)), target))
    return shells


def _plan_branch(rng: Random, area: AreaPlan, companies: list[CompanyPlan], founded_on: dt.date) -> None:
    """The joint party branch: secretary, RC director, OC directors, project managers (DESIGN §1)."""
    directors = {e.committee.director.name for e in area.estates if e.committee}
    taken = set(directors)
    area.secretary = _unique_name(rng, taken)
    area.rc_director = _unique_name(rng, taken)
    area.rc_phone = names.phone(rng)
    area.rc_name = f"{area.base}居民区居民委员会"
    area.branch_name = f"{area.base}居民区物业治理联合党支部"
    area.branch_founded_on = founded_on

    def member(name, organisation, position, party):
        # A non-party head of a carriage attends without a vote (列席).
        membership = "member" if party else "attendee"
        area.branch_members.append(
            BranchMemberPlan(name, organisation, position, membership, party, names.phone(rng))
        )

    member(area.secretary, "party", "支部书记（居民区党总支书记）", True)
    member(area.rc_director, "residents_committee", "居委会主任", rng.random() < 0.8)
    for estate in area.estates:
        if estate.committee:
            director = estate.committee.director
            member(director.name, "owners_committee", f"{estate.name}业委会主任", director.is_party_member)
    for estate in area.estates:
        company = companies[estate.active_contract.company]
        manager = _unique_name(rng, taken)
        member(manager, "company", f"{company.name}{estate.name}项目经理", rng.random() < 0.3)


def _plan_owners(plan: StreetPlan, estate: EstatePlan, *, developer: bool, organisation: int | None) -> None:
    """Owners of the kept units: mostly one per unit, ~3 % hold two, couples, the developer."""
    rng = Random(estate.seed + 1)
    owners = plan.owners
    units = list(estate.units())
    reserved: set[int] = set()

    def take(owner: int, unit: UnitPlan) -> None:
        unit.owner = owner
        owners[owner].units += 1

    if developer:
        # Unsold units sit at the end of the last buildings; the developer counts as one owner.
        count = min(len(units) // 3, max(2, round(rng.randint(6, 24) * plan.scale)))
        owners.append(
            OwnerPlan(
                f"CJ-KF{len(owners) + 1:06d}",
                f"浦江{rng.choice(names.DEVELOPER_BRANDS)}置业有限公司",
                "developer",
                names.phone(rng),
            )
        )
        window = list(range(max(0, len(units) - 3 * count), len(units)))
        for i in rng.sample(window, count):
            take(len(owners) - 1, units[i])
            reserved.add(i)
    if organisation is not None:
        free = [i for i in range(len(units)) if i not in reserved]
        for i in rng.sample(free, min(len(free) // 4, rng.randint(1, 3))):
            take(organisation, units[i])
            reserved.add(i)

    singles: list[int] = []  # person owners of this estate with one unit so far
    for i, unit in enumerate(units):
        roll = rng.random()
        if roll < 0.006:
            unit.area_source = "surveyed"
        elif not estate.is_old and roll < 0.014:
            unit.area_source = "contract"
        if i in reserved:
            continue
        if singles and rng.random() < MULTI_UNIT_SHARE / (1 + MULTI_UNIT_SHARE):
            pick = rng.randrange(len(singles))
            singles[pick], singles[-1] = singles[-1], singles[pick]
            take(singles.pop(), unit)
            continue
        name = names.person_name(rng)
        if rng.random() < COUPLE_SHARE:
            name = f"{name}、{names.person_name(rng)}"
        owners.append(OwnerPlan(f"CJ{len(owners) + 1:06d}", name, "person", names.phone(rng)))
        take(len(owners) - 1, unit)
        singles.append(len(owners) - 1)


def _pick_targets(plan: StreetPlan, state: int) -> DemoTargets:
    """The demo area has several estates; its OC estate is an old one the state company manages."""
    candidates = [
        (a, e)
        for a, area in enumerate(plan.areas)
        if len(area.estates) >= 2
        for e, estate in enumerate(area.estates)
        if estate.is_old and estate.committee and estate.active_contract.company == state
    ]
    area_index, estate_index = candidates[0]
    evaluated = [(area_index, estate_index)]
    for a, area in enumerate(plan.areas):
        for e, estate in enumerate(area.estates):
            new_area = all(a != other for other, _ in evaluated)
            if len(evaluated) < 3 and new_area and estate.active_contract.company == state:
                evaluated.append((a, e))
    return DemoTargets(area=area_index, estate=estate_index, company=state, evaluator_estates=evaluated)


def _pick_owner_unit(plan: StreetPlan) -> tuple[int, int]:
    estate = plan.areas[plan.targets.area].estates[plan.targets.estate]
    for b, building in enumerate(estate.buildings):
        for u, unit in enumerate(building.units):
            owner = plan.owners[unit.owner]
            if owner.kind == "person" and owner.units == 1:
                return b, u
    raise AssertionError("the demo estate has no single-unit person owner")


def plan_street(seed: int = SEED, *, scale: float = 1.0, today: dt.date) -> StreetPlan:
    """The whole demo street as data. Same (seed, scale, today) → the same street."""
    if not 0 < scale <= 1:
        raise ValueError("scale must be in (0, 1]")
    rng = Random(seed)
    bases = rng.sample(names.AREA_BASES, AREA_COUNT)
    counts = _estates_per_area(rng)
    shells_and_targets = _plan_estate_shells(rng)
    shells = [estate for estate, _ in shells_and_targets]
    companies = _plan_companies(rng)

    old_indices = [k for k, e in enumerate(shells) if e.is_old]
    rng.shuffle(old_indices)
    active_company = dict.fromkeys(old_indices[:STATE_OLD_ESTATES], 0)
    rest = old_indices[STATE_OLD_ESTATES:] + [k for k, e in enumerate(shells) if not e.is_old]
    active_company.update(zip(rest, _company_slots(rng), strict=True))
    private = list(range(1, COMPANY_COUNT))

    without_committee = set(rng.sample(range(ESTATE_COUNT), rng.randint(5, 8)))
    directors: set[str] = set()
    for k, (estate, target) in enumerate(shells_and_targets):
        full = plan_buildings(Random(estate.seed), build_year=estate.build_year, target=target)
        estate.full_units = sum(len(b.units) for b in full)
        estate.full_area = sum((u.area for b in full for u in b.units), Decimal("0"))
        keep = (
            estate.full_units if scale >= 1 else max(MIN_UNITS_PER_ESTATE, round(estate.full_units * scale))
        )
        estate.buildings = _keep(full, keep)
        estate.contracts = _plan_contracts(
            rng, old=estate.is_old, company=active_company[k], others=private, today=today
        )
        if k not in without_committee:
            estate.committee = _plan_committee(
                rng, full_area=estate.full_area, today=today, directors=directors
            )

    areas = []
    estates = iter(shells)
    pilots = set(rng.sample(range(AREA_COUNT), PILOT_BRANCHES))
    for a, (base, count) in enumerate(zip(bases, counts, strict=True)):
        area = AreaPlan(base, f"{base}居民区", f"{rng.choice(names.ROADS)}{rng.randint(1, 600)}号")
        area.estates = [next(estates) for _ in range(count)]
        days = rng.randint(600, 800) if a in pilots else rng.randint(60, 420)
        _plan_branch(rng, area, companies, today - dt.timedelta(days=days))
        areas.append(area)

    plan = StreetPlan(
        seed, scale, today, names.STREET_NAME, names.DISTRICT_NAME, areas, companies, [], DemoTargets()
    )
    plan.targets = _pick_targets(plan, state=0)
    office: set[str] = set()
    plan.targets.admin_name = _unique_name(rng, office)
    plan.targets.leader_name = _unique_name(rng, office)
    plan.targets.evaluator_name = _unique_name(rng, office)

    # Some newer estates still have unsold units (the developer owns them); some old estates
    # have flats the district's public-housing office never sold (one owner across estates).
    newer = [k for k, e in enumerate(shells) if not e.is_old and e.build_year >= 2005]
    developers = set(rng.sample(newer, min(4, len(newer))))
    public_housing = {k for k, e in enumerate(shells) if e.is_old and rng.random() < 0.3}
    if public_housing:
        plan.owners.append(
            OwnerPlan("CJ-DW000001", "浦江新区直管公房管理所", "organisation", names.phone(rng))
        )
    for k, estate in enumerate(shells):
        _plan_owners(plan, estate, developer=k in developers, organisation=0 if k in public_housing else None)
    plan.targets.building, plan.targets.unit = _pick_owner_unit(plan)
    _plan_reelections(plan)
    return plan


def _plan_reelections(plan: StreetPlan) -> None:
    """Turn ``REELECTIONS`` committees into the previous term: a five-year term that ended between 300 and 10
    days before today (the election that replaced it is held by elections/demo_data.py two to four weeks
    before that end). Not the demo logins' own estate (demo_oc is its sitting director), not a committee due
    within 5 months (those get this year's other slates); one in the demo area (the demo secretary's slate).
    Its own random stream, so the rest of the plan does not change."""
    rng = Random(f"reelections-{plan.seed}")
    today = plan.today
    due_from = today + dt.timedelta(days=153)  # ~5 months: elections/rules.TERM_WARNING_MONTHS
    target = plan.areas[plan.targets.area].estates[plan.targets.estate]
    pool = [
        (a, estate)
        for a, area in enumerate(plan.areas)
        for estate in area.estates
        if estate.committee and estate is not target and estate.committee.term_end > due_from
    ]
    chosen = rng.sample(pool, min(REELECTIONS, len(pool)))
    if chosen and not any(a == plan.targets.area for a, _ in chosen):
        own = [item for item in pool if item[0] == plan.targets.area]
        if own:
            chosen[-1] = own[0]
    for i, (_a, estate) in enumerate(sorted(chosen, key=lambda item: item[1].name)):
        assert estate.committee is not None
        end = today - dt.timedelta(days=300 - (290 * i) // max(1, len(chosen) - 1) + rng.randint(0, 3))
        start = add_years(end + dt.timedelta(days=1), -5)
        estate.committee = CommitteePlan(start, end, estate.committee.members)
