"""A synthetic city for benchmarks (issue 17 item 4): ``gongzhi demo --city [--scale F]``, PostgreSQL only.

At scale 1.0: 16 districts, 200 streets of 65 estates (13,000 estates), ~5 M units each with its owner,
~1 M survey responses with 10 answers each (~10 M answers), ~500,000 problems, ~1 M ledger entries and
~2 M ballots in one live owners' decision per estate. A smaller ``scale`` keeps the shape of a street (65
estates of ~385 units) and generates fewer streets (scale 0.1 → 20 streets); below one street
(scale < 0.005) the one street itself shrinks, which is what the tests use.

The rows are the rows the services write, produced through bulk paths (docs/SCALING.md, "合成城市"):

- the registry skeleton (districts, streets, areas, estates, companies, the street admins' logins) with
  the ORM's ``bulk_create`` — a few thousand rows;
- buildings, units, owners, contracts, problems and their events, survey answers, responses and household
  markers, electorates: ``INSERT … SELECT`` over ``generate_series`` inside PostgreSQL, with ids reserved
  from each table's identity sequence so that related rows (a unit and its owner, a voter and its unit)
  are written in one pass without a join back. Pseudo-random choices are a multiplicative hash of the row
  number (``_h``), so a run is reproducible and costs no ``random()`` call per row;
- each response's 0–100 score is ``evaluation.rules.response_score`` written in SQL over its answers
  (category means of (score − 1) × 100 ÷ (scale − 1), weighted by the category weights, rounded to four
  places half-up — numeric arithmetic, exact like the rule's Decimals); the test compares a sample with
  the rule;
- the ledgers' SHA-256 hash chains are computed in Python with ``finance.rules.entry_hash`` over the
  §6 line (one chain after the other, each hash over the previous), streamed to ``COPY``; the
  append-only triggers stay on (they refuse UPDATE/DELETE/TRUNCATE, not INSERT);
- ballots are sealed with ``voting.sealing``'s HMAC key (derived once, then one HMAC per ballot) and
  streamed to ``COPY`` into ``voting_ballot`` and the append-only ``voting_ballotcast`` while the
  decisions are published, so the database's ballot triggers check every row.

Every street of the city is ``is_demo``; ``city_drop`` removes the whole city (and only it), lifting the
ledger's append-only trigger for its one DELETE as ``finance.maintenance`` does for the demo street.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.models import Role, RoleGrant, User
from gongzhi.demo.errors import DemoError
from gongzhi.demo.names import GIVEN_TWO, SURNAMES
from gongzhi.registry import models as r

# Sixteen invented district names (no real district is meant).
DISTRICT_NAMES = (
    "云港区", "澄江区", "望海区", "松泽区", "兰溪区", "临川区", "鹤汀区", "芦屿区",
    "青浦湾区", "锦川区", "桐泾区", "梅湾区", "雁江区", "沙汀区", "柳浦区", "杏川区",
)  # fmt: skip
FULL_STREETS = 200
ESTATES_PER_STREET = 65  # 13,000 estates in 200 streets
AREAS_PER_STREET = 27  # ~2.4 estates per area, as in the demo street (76 estates, 32 areas)
COMPANIES_PER_STREET = 12
FLOORS, UNITS_PER_FLOOR = 6, 4  # a six-storey walk-up of the 1980s–90s: 24 units per building
SURVEY_SHARE = 5  # one household in five answered the survey (≈ 1 M responses at scale 1)
BALLOT_SHARE = (2, 5)  # two owners in five have voted so far (≈ 2 M ballots at scale 1)
CITY_PASSWORD = "gongzhi-demo-2026"  # noqa: S105 — the demo's public password: the city is demo data too
ITEMS = (  # (category code, name, weight %, item texts): 10 items, weights sum to 100
    ("cleaning", "保洁", Decimal("20"), ("楼道和公共区域保洁及时", "垃圾分类驳运规范")),
    ("greening", "保绿", Decimal("15"), ("绿化养护到位",)),
    ("security", "保安", Decimal("20"), ("门岗值守和巡逻到位", "车辆停放有序")),
    ("repair", "保修", Decimal("20"), ("报修响应及时", "公共设施维护良好")),
    ("attitude", "服务态度", Decimal("15"), ("工作人员态度热情", "投诉处理有回音")),
    ("transparency", "公开透明", Decimal("10"), ("收支和服务内容公开",)),
)
PROBLEM_STATUSES = (  # (status, share of 100)
    ("closed", 70), ("in_progress", 10), ("assigned", 8), ("submitted", 5), ("reported", 4), ("rejected", 3),
)  # fmt: skip
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # voting.services.CODE_ALPHABET


class CityError(DemoError):
    """The city could not be generated or dropped; the message says why in plain Chinese."""


@dataclass(frozen=True)
class CityPlan:
    """How big the city is at ``scale``."""

    scale: float
    streets: int
    districts: int
    estates_per_street: int
    areas_per_street: int
    companies_per_street: int
    building_factor: float  # < 1 only below one full street

    @classmethod
    def at(cls, scale: float) -> CityPlan:
        if not 0 < scale <= 1:
            raise CityError(_("--scale 须大于 0 且不超过 1。"))
        full = FULL_STREETS * scale
        if full >= 1:
            streets, g = round(full), 1.0
        else:
            streets, g = 1, full
        estates = max(2, round(ESTATES_PER_STREET * g))
        return cls(
            scale=scale,
            streets=streets,
            districts=min(len(DISTRICT_NAMES), streets),
            estates_per_street=estates,
            areas_per_street=max(1, min(estates, round(AREAS_PER_STREET * g))),
            companies_per_street=max(1, round(COMPANIES_PER_STREET * g)),
            building_factor=g,
        )


@dataclass
class CityResult:
    counts: dict[str, int]
    seconds: dict[str, float] = field(default_factory=dict)


Progress = Callable[[str], None]


def _h(expr: str, salt: int) -> str:
    """SQL: a pseudo-random integer 0..65535 from an integer expression (a multiplicative hash)."""
    return f"(mod(({expr})::bigint * 2654435761 + {salt * 40503}, 4294967296) / 65536)::int"


def _reserve(cursor, table: str, count: int) -> int:
    """Reserve ``count`` ids of ``table``'s identity sequence; returns the first."""
    if count <= 0:
        return 0
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    seq = cursor.fetchone()[0]
    cursor.execute("SELECT nextval(%s)", [seq])
    first = cursor.fetchone()[0]
    cursor.execute("SELECT setval(%s, %s)", [seq, first + count - 1])
    return first


def city_streets() -> Any:
    return r.Street.objects.filter(is_demo=True, district__name__in=DISTRICT_NAMES, district__is_demo=True)


def city_exists() -> bool:
    return r.District.objects.filter(name__in=DISTRICT_NAMES).exists()


def _require_postgresql() -> None:
    if connection.vendor != "postgresql":
        raise CityError(
            _(
                "合成城市只能在 PostgreSQL 上生成（当前数据库为 %(vendor)s）：请设置 DATABASE_URL "
                "指向 PostgreSQL 后再运行 gongzhi demo --city。"
            )
            % {"vendor": connection.vendor}
        )


def city_create(
    *, scale: float = 1.0, progress: Progress | None = None, today: dt.date | None = None, vacuum: bool = True
) -> CityResult:
    """Generate the city. Refuses (nothing written) on SQLite or when a city already exists."""
    _require_postgresql()
    plan = CityPlan.at(scale)
    if city_exists():
        raise CityError(_("合成城市已存在，未作改动（如需重建，请先运行 gongzhi demo --city-drop）。"))
    say = progress or (lambda _text: None)
    today = today or timezone.localdate()
    result = CityResult(counts={})
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute("SET LOCAL work_mem = '128MB'")
            cursor.execute("SET LOCAL jit = off")
        stages: list[tuple[str, Callable[[], None]]] = []
        ctx: dict[str, Any] = {"plan": plan, "today": today, "result": result}
        stages = [
            (_("区、街道、居民区、小区、物业企业和街道管理员"), lambda: _skeleton(ctx)),
            (_("楼栋、房屋和业主"), lambda: _housing(ctx)),
            (_("物业服务合同"), lambda: _contracts(ctx)),
            (_("问题及其处理记录"), lambda: _problems(ctx)),
            (_("满意度测评的答卷和答案"), lambda: _survey(ctx)),
            (_("账本（哈希链）"), lambda: _ledgers(ctx)),
            (_("业主表决、表决业主和表决票"), lambda: _voting(ctx)),
        ]
        for label, run in stages:
            started = time.perf_counter()
            say(_("开始：%(stage)s……") % {"stage": label})
            run()
            # The planner must know what this stage wrote before the next one joins it (autovacuum
            # will not analyse before the commit): a fresh table of 1.5 M units read as empty turned
            # a per-estate count into 3,900 sequential scans at scale 0.3.
            _analyse()
            seconds = time.perf_counter() - started
            result.seconds[label] = seconds
            say(_("完成：%(stage)s，用时 %(seconds).1f 秒。") % {"stage": label, "seconds": seconds})
    if vacuum and not connection.in_atomic_block:
        # After the commit (VACUUM cannot run in a transaction): the state autovacuum would reach later —
        # visibility maps set, so index-only scans read no heap — measured as a city in steady state.
        label = _("清理并更新统计信息（VACUUM ANALYZE）")
        started = time.perf_counter()
        say(_("开始：%(stage)s……") % {"stage": label})
        with connection.cursor() as cursor:
            for table in BIG_TABLES:
                cursor.execute(f"VACUUM (ANALYZE) {table}")
        result.seconds[label] = time.perf_counter() - started
        say(
            _("完成：%(stage)s，用时 %(seconds).1f 秒。") % {"stage": label, "seconds": result.seconds[label]}
        )
    result.counts = city_counts()
    return result


# ---- stages ------------------------------------------------------------------------------------------


def _skeleton(ctx: dict[str, Any]) -> None:
    plan: CityPlan = ctx["plan"]
    districts = r.District.objects.bulk_create(
        [r.District(name=name, is_demo=True) for name in DISTRICT_NAMES[: plan.districts]]
    )
    streets = r.Street.objects.bulk_create(
        [
            r.Street(
                name=f"{districts[i % len(districts)].name}第{i // len(districts) + 1}街道",
                district=districts[i % len(districts)],
                is_demo=True,
            )
            for i in range(plan.streets)
        ]
    )
    areas = r.Area.objects.bulk_create(
        [
            r.Area(street=s, name=f"第{a + 1}居民区", address=f"{s.name}{a + 1}号")
            for s in streets
            for a in range(plan.areas_per_street)
        ]
    )
    areas_of: dict[int, list[r.Area]] = {}
    for area in areas:
        areas_of.setdefault(area.street_id, []).append(area)
    estates = []
    for s in streets:
        for e in range(plan.estates_per_street):
            area = areas_of[s.pk][e % plan.areas_per_street]
            year = 1980 + (e * 7 + s.pk) % 26  # 1980–2005: most are old estates (before 1996)
            estates.append(
                r.Estate(area=area, name=f"第{e + 1}小区", address=f"{area.name}{e + 1}弄", build_year=year)
            )
    r.Estate.objects.bulk_create(estates, batch_size=2000)
    companies = r.Company.objects.bulk_create(
        [
            r.Company(street=s, name=f"城市演示{c + 1}号物业", ownership="state" if c == 0 else "private")
            for s in streets
            for c in range(plan.companies_per_street)
        ]
    )
    from gongzhi.problems.services import category_defaults_ensure

    for s in streets:
        category_defaults_ensure(street=s)
    password = make_password(CITY_PASSWORD)
    users = User.objects.bulk_create(
        [
            User(username=f"city_admin_{i + 1:03d}", display_name=f"{s.name}管理员", password=password)
            for i, s in enumerate(streets)
        ]
    )
    RoleGrant.objects.bulk_create(
        [RoleGrant(user=u, role=Role.STREET_ADMIN, street=s) for u, s in zip(users, streets, strict=True)]
    )
    ctx.update(street_ids=[s.pk for s in streets], company_count=len(companies))


def _housing(ctx: dict[str, Any]) -> None:
    """Buildings, then one owner per unit and the unit itself, ids reserved so both go in one pass."""
    plan: CityPlan = ctx["plan"]
    ids = ctx["street_ids"]
    g = plan.building_factor
    with connection.cursor() as c:
        # 10–22 buildings per estate (×g below one street): ~16 × 24 ≈ 385 units per estate.
        c.execute(
            f"""
            INSERT INTO registry_building (estate_id, number, floors)
            SELECT e.id, n || '号', {FLOORS}
            FROM registry_estate e JOIN registry_area a ON a.id = e.area_id,
                 generate_series(1, greatest(1, round((10 + mod({_h("e.id", 1)}, 13)) * %s)::int)) n
            WHERE a.street_id = ANY(%s)
            """,  # noqa: S608
            [g, ids],
        )
        c.execute(
            f"""
            DROP TABLE IF EXISTS city_u;
            CREATE TEMP TABLE city_u ON COMMIT DROP AS
            SELECT row_number() OVER (ORDER BY b.id, f, k) AS rn, b.id AS building_id, b.number AS bnum,
                   b.estate_id, a.street_id, (f * 100 + k)::text AS number
            FROM registry_building b JOIN registry_estate e ON e.id = b.estate_id
                 JOIN registry_area a ON a.id = e.area_id,
                 generate_series(1, {FLOORS}) f, generate_series(1, {UNITS_PER_FLOOR}) k
            WHERE a.street_id = ANY(%s)
            """,  # noqa: S608
            [ids],
        )
        c.execute("ANALYZE city_u")  # autovacuum never analyses a temporary table
        c.execute("SELECT count(*) FROM city_u")
        n = c.fetchone()[0]
        owner0 = _reserve(c, "registry_owner", n)
        unit0 = _reserve(c, "registry_unit", n)
        surnames = list(dict.fromkeys(SURNAMES))
        c.execute(
            f"""
            INSERT INTO registry_owner (id, street_id, ref, name, kind, phone)
            SELECT %s + rn - 1, street_id, 'C' || building_id || '-' || number,
                   (%s::text[])[1 + mod({_h("rn", 2)}, %s)] || (%s::text[])[1 + mod({_h("rn", 3)}, %s)],
                   'person', '139' || lpad(({_h("rn", 4)} * 1500 + mod(rn, 1500))::text, 8, '0')
            FROM city_u
            """,  # noqa: S608
            [owner0, surnames, len(surnames), GIVEN_TWO, len(GIVEN_TWO)],
        )
        c.execute(
            f"""
            INSERT INTO registry_unit (id, building_id, number, area, area_source, owner_id)
            SELECT %s + rn - 1, building_id, number, (5000 + mod({_h("rn", 5)}, 9000))::numeric / 100,
                   'registered', %s + rn - 1
            FROM city_u
            """,  # noqa: S608
            [unit0, owner0],
        )
        ctx.update(unit0=unit0, owner0=owner0, units=n)


def _contracts(ctx: dict[str, Any]) -> None:
    today: dt.date = ctx["today"]
    with connection.cursor() as c:
        c.execute(
            f"""
            INSERT INTO registry_contract (company_id, estate_id, start_date, end_date, fee_standard,
                                           service_level, collection_rate)
            SELECT co.id, e.id, %s, %s, (120 + mod({_h("e.id", 6)}, 160))::numeric / 100, '二级',
                   (7000 + mod({_h("e.id", 7)}, 2900))::numeric / 100
            FROM registry_estate e JOIN registry_area a ON a.id = e.area_id
            JOIN LATERAL (
                SELECT id FROM registry_company WHERE street_id = a.street_id ORDER BY id
                OFFSET mod(e.id, (SELECT count(*) FROM registry_company WHERE street_id = a.street_id)) LIMIT 1
            ) co ON true
            WHERE a.street_id = ANY(%s)
            """,  # noqa: S608
            [dt.date(today.year - 2, 1, 1), dt.date(today.year + 2, 12, 31), ctx["street_ids"]],
        )


def _problems(ctx: dict[str, Any]) -> None:
    """~38 problems per estate (0–76), created over the last 18 months; one event per step taken."""
    plan: CityPlan = ctx["plan"]
    today: dt.date = ctx["today"]
    g = plan.building_factor
    bounds, acc = [], 0
    for status, share in PROBLEM_STATUSES:
        acc += share
        bounds.append((status, acc))
    status_case = (
        "CASE "
        + " ".join(f"WHEN s < {b} THEN '{st}'" for st, b in bounds[:-1])
        + f" ELSE '{bounds[-1][0]}' END"
    )
    now = timezone.now()
    with connection.cursor() as c:
        c.execute(
            f"""
            DROP TABLE IF EXISTS city_p;
            CREATE TEMP TABLE city_p ON COMMIT DROP AS
            SELECT row_number() OVER (ORDER BY e.id, n) AS rn, e.id AS estate_id, a.street_id,
                   ct.company_id, n
            FROM registry_estate e JOIN registry_area a ON a.id = e.area_id
                 JOIN registry_contract ct ON ct.estate_id = e.id,
                 generate_series(1, greatest(1, round(mod({_h("e.id", 8)}, 77) * %s)::int)) n
            WHERE a.street_id = ANY(%s)
            """,  # noqa: S608
            [g, ctx["street_ids"]],
        )
        c.execute("ANALYZE city_p")  # autovacuum never analyses a temporary table
        c.execute("SELECT count(*) FROM city_p")
        n = c.fetchone()[0]
        p0 = _reserve(c, "problems_problem", n)
        # Company categories only (the company carriage): the city has no owners' or residents' committees.
        c.execute(
            f"""
            DROP TABLE IF EXISTS city_p2;
            CREATE TEMP TABLE city_p2 ON COMMIT DROP AS
            SELECT p.*, %s + p.rn - 1 AS id, cat.id AS category_id, cat.deadline_days, cat.urgent,
                   {status_case} AS status,
                   %s::timestamptz - (mod({_h("p.rn", 10)}, 540) || ' days')::interval
                                   - (mod({_h("p.rn", 11)}, 600) || ' minutes')::interval AS created_at,
                   mod({_h("p.rn", 12)}, 20) AS late
            FROM (SELECT *, mod({_h("rn", 9)}, 100) AS s FROM city_p) p
            JOIN LATERAL (
                SELECT id, deadline_days, urgent FROM problems_category
                WHERE street_id = p.street_id AND carriage = 'company' ORDER BY sort_order, id
                OFFSET mod(p.rn, 6) LIMIT 1
            ) cat ON true
            """,  # noqa: S608
            [p0, now],
        )
        c.execute("ANALYZE city_p2")  # autovacuum never analyses a temporary table
        year = f"extract(year FROM created_at AT TIME ZONE '{settings.TIME_ZONE}')::int"
        c.execute(
            f"""
            INSERT INTO problems_problem (
                id, number, estate_id, building_id, location, category_id, source, description, urgent, status,
                reporter_id, carriage, company_id, owners_committee_id, residents_committee_id, deadline,
                deadline_provisional, deadline_days, reject_reason, created_at, accepted_at, submitted_at,
                closed_at, overdue_since, rating, rating_comment, reopen_count)
            SELECT id, 'WT-' || {year} || '-' || lpad(id::text, 6, '0'), estate_id, NULL, '', category_id,
                   'resident', '城市演示问题（合成数据）', urgent, status, NULL,
                   CASE WHEN status IN ('reported', 'rejected') THEN '' ELSE 'company' END,
                   CASE WHEN status IN ('reported', 'rejected') THEN NULL ELSE company_id END, NULL, NULL,
                   CASE WHEN status IN ('reported', 'rejected') THEN NULL
                        ELSE (created_at + (deadline_days + 4) * interval '1 day')::date END,
                   false, CASE WHEN status IN ('reported', 'rejected') THEN NULL ELSE deadline_days END,
                   CASE WHEN status = 'rejected' THEN '不属于物业服务范围' ELSE '' END,
                   created_at,
                   CASE WHEN status IN ('reported', 'rejected') THEN NULL ELSE created_at + interval '1 day' END,
                   CASE WHEN status IN ('submitted', 'closed')
                        THEN created_at + (2 + late) * interval '1 day' END,
                   CASE WHEN status = 'closed' THEN created_at + (3 + late) * interval '1 day' END,
                   CASE WHEN status = 'closed' AND late > deadline_days + 2
                             THEN (created_at + (deadline_days + 5) * interval '1 day')::date
                        WHEN status IN ('assigned', 'in_progress')
                             AND (created_at + (deadline_days + 4) * interval '1 day')::date < %s
                             THEN (created_at + (deadline_days + 5) * interval '1 day')::date END,
                   CASE WHEN status = 'closed' AND mod(late, 2) = 0 THEN 1 + mod(late / 2, 5) END, '', 0
            FROM city_p2
            """,  # noqa: S608
            [today],
        )
        # The history the services write: report; accept (or reject); submit; close.
        c.execute(
            """
            INSERT INTO problems_problemevent (problem_id, at, actor_id, actor_label, action, from_status,
                                               to_status, note, note_key, note_params)
            SELECT ev.*, '', '{}'::jsonb FROM (
            SELECT id, created_at, NULL::bigint, '居民', 'report', '', 'reported', '' FROM city_p2
            UNION ALL
            SELECT id, created_at + interval '1 day', NULL, '街道', 'reject', 'reported', 'rejected',
                   '不属于物业服务范围' FROM city_p2 WHERE status = 'rejected'
            UNION ALL
            SELECT id, created_at + interval '1 day', NULL, '街道', 'accept', 'reported', 'assigned', ''
            FROM city_p2 WHERE status NOT IN ('reported', 'rejected')
            UNION ALL
            SELECT id, created_at + interval '1 day' + interval '1 hour', NULL, '物业公司', 'progress',
                   'assigned', 'in_progress', '' FROM city_p2 WHERE status IN ('in_progress', 'submitted', 'closed')
            UNION ALL
            SELECT id, created_at + (2 + late) * interval '1 day', NULL, '物业公司', 'submit', 'in_progress',
                   'submitted', '' FROM city_p2 WHERE status IN ('submitted', 'closed')
            UNION ALL
            SELECT id, created_at + (3 + late) * interval '1 day', NULL, '居民区', 'close', 'submitted',
                   'closed', '' FROM city_p2 WHERE status = 'closed'
            ) ev  -- the system-written note keys (problems 0003) are for the services' notes: none here
            """
        )
        # A submission carries its photo of the work done (problem_submit refuses one without): every
        # city submission shows the same small placeholder picture, stored once.
        c.execute(
            """
            INSERT INTO problems_problemphoto (problem_id, event_id, kind, image, width, height, created_at)
            SELECT ev.problem_id, ev.id, 'evidence', %s, 64, 48, ev.at
            FROM problems_problemevent ev JOIN city_p2 p ON p.id = ev.problem_id WHERE ev.action = 'submit'
            """,
            [_placeholder_photo()],
        )


def _placeholder_photo() -> str:
    """The one evidence picture of the city's submissions (a grey 64 × 48 JPEG), saved once."""
    import io

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from PIL import Image

    name = "problems/city/evidence-placeholder.jpg"
    if not default_storage.exists(name):
        buffer = io.BytesIO()
        Image.new("RGB", (64, 48), (180, 180, 180)).save(buffer, "JPEG")
        name = default_storage.save(name, ContentFile(buffer.getvalue()))
    return name


def _survey(ctx: dict[str, Any]) -> None:
    """Per street: one frozen questionnaire of 10 items and one closed campaign over its estates; one
    household in five answered (an anonymous response with its answers, and its unlinked marker)."""
    from gongzhi.evaluation.models import Campaign, CampaignStatus, SurveyCategory, SurveyItem, SurveyTemplate

    today: dt.date = ctx["today"]
    start = dt.date(today.year - 1, 1, 1)
    end = dt.date(today.year - 1, 12, 31)
    streets = list(r.Street.objects.filter(pk__in=ctx["street_ids"]).order_by("pk"))
    templates = SurveyTemplate.objects.bulk_create(
        [
            SurveyTemplate(street=s, name="城市演示满意度问卷", version=1, scale_max=5, frozen=True)
            for s in streets
        ]
    )
    categories = SurveyCategory.objects.bulk_create(
        [
            SurveyCategory(template=t, code=code, name=name, weight=weight, sort_order=i)
            for t in templates
            for i, (code, name, weight, _items) in enumerate(ITEMS)
        ]
    )
    items: list[SurveyItem] = []
    per_template = len(ITEMS)
    for t_index, _t in enumerate(templates):
        for i, (_code, _name, _weight, texts) in enumerate(ITEMS):
            cat = categories[t_index * per_template + i]
            items.extend(SurveyItem(category=cat, text=text, sort_order=j) for j, text in enumerate(texts))
    SurveyItem.objects.bulk_create(items)
    campaigns = Campaign.objects.bulk_create(
        [
            Campaign(
                street=s,
                template=t,
                name=f"{start.year}年度物业服务满意度测评",
                period_start=start,
                period_end=end,
                opens_on=dt.date(today.year - 1, 11, 1),
                closes_on=dt.date(today.year - 1, 11, 30),
                status=CampaignStatus.CLOSED,
            )
            for s, t in zip(streets, templates, strict=True)
        ]
    )
    ids = ctx["street_ids"]
    with connection.cursor() as c:
        c.execute(
            """
            INSERT INTO evaluation_campaignestate (campaign_id, estate_id, households)
            SELECT cp.id, e.id, (SELECT count(*) FROM registry_unit u JOIN registry_building b ON b.id = u.building_id
                                 WHERE b.estate_id = e.id)
            FROM evaluation_campaign cp JOIN registry_area a ON a.street_id = cp.street_id
                 JOIN registry_estate e ON e.area_id = a.id
            WHERE cp.street_id = ANY(%s)
            """,
            [ids],
        )
        c.execute(
            f"""
            DROP TABLE IF EXISTS city_r;
            CREATE TEMP TABLE city_r ON COMMIT DROP AS
            SELECT u.id AS unit_id, b.estate_id, cp.id AS campaign_id, cp.template_id,
                   gen_random_uuid() AS response_id, mod(u.id, 4) + mod({_h("b.estate_id", 13)}, 3) AS mood
            FROM registry_unit u JOIN registry_building b ON b.id = u.building_id
                 JOIN registry_estate e ON e.id = b.estate_id JOIN registry_area a ON a.id = e.area_id
                 JOIN evaluation_campaign cp ON cp.street_id = a.street_id
            WHERE a.street_id = ANY(%s) AND mod({_h("u.id", 14)}, {SURVEY_SHARE}) = 0
            """,  # noqa: S608
            [ids],
        )
        c.execute("ANALYZE city_r")  # autovacuum never analyses a temporary table
        # Answers 1..5 around the household's mood; "不了解" (NULL) now and then, never on the first item.
        c.execute(
            f"""
            DROP TABLE IF EXISTS city_a;
            CREATE TEMP TABLE city_a ON COMMIT DROP AS
            SELECT r.response_id, r.campaign_id, r.estate_id, cat.id AS category_id, cat.weight, it.id AS item_id,
                   CASE WHEN (cat.sort_order > 0 OR it.sort_order > 0)
                             AND mod({_h("r.unit_id * 16 + cat.sort_order * 3 + it.sort_order", 15)}, 25) = 0 THEN NULL
                        ELSE least(5, greatest(1, 1 + r.mood
                             + mod({_h("r.unit_id * 16 + cat.sort_order * 3 + it.sort_order", 16)}, 3) - 1))
                   END AS score
            FROM city_r r JOIN evaluation_surveycategory cat ON cat.template_id = r.template_id
                 JOIN evaluation_surveyitem it ON it.category_id = cat.id
            """  # noqa: S608
        )
        c.execute("ANALYZE city_a")  # autovacuum never analyses a temporary table
        # rules.response_score in SQL: item weights are all 1 here, so the category mean is a plain mean.
        c.execute(
            """
            INSERT INTO evaluation_surveyresponse (id, campaign_id, estate_id, score)
            SELECT response_id, campaign_id, estate_id, round(sum(weight * m) / sum(weight), 4)
            FROM (SELECT response_id, campaign_id, estate_id, weight,
                         avg((score - 1) * 100.0 / (5 - 1)) AS m
                  FROM city_a WHERE score IS NOT NULL
                  GROUP BY response_id, campaign_id, estate_id, category_id, weight) per_category
            GROUP BY response_id, campaign_id, estate_id
            """
        )
        c.execute(
            """
            INSERT INTO evaluation_surveyanswer (id, response_id, campaign_id, estate_id, category_id, item_id, score)
            SELECT gen_random_uuid(), response_id, campaign_id, estate_id, category_id, item_id, score FROM city_a
            """
        )
        # Every household got its letter code (only a hash of a random code is stored); those that
        # answered spent it.
        c.execute(
            """
            INSERT INTO evaluation_accesscode (campaign_id, estate_id, unit_id, code_hash, batch, issued_on, used,
                                               revoked)
            SELECT cp.id, b.estate_id, u.id, encode(sha256(convert_to(gen_random_uuid()::text, 'UTF8')), 'hex'),
                   1, cp.opens_on - 1, r.unit_id IS NOT NULL, false
            FROM registry_unit u JOIN registry_building b ON b.id = u.building_id
                 JOIN registry_estate e ON e.id = b.estate_id JOIN registry_area a ON a.id = e.area_id
                 JOIN evaluation_campaign cp ON cp.street_id = a.street_id
                 LEFT JOIN city_r r ON r.unit_id = u.id
            WHERE a.street_id = ANY(%s)
            """,
            [ids],
        )
        # The household markers carry no link to the response (random keys, no time).
        c.execute(
            """
            INSERT INTO evaluation_householdsubmission (id, campaign_id, unit_id)
            SELECT gen_random_uuid(), campaign_id, unit_id FROM city_r ORDER BY random()
            """
        )
    ctx["campaign_ids"] = [cp.pk for cp in campaigns]


def _ledger_rows(estates: list[tuple[int, str, int]], today: dt.date):
    """The §6 chains of every estate: the maintenance fund (first deposit, then quarterly interest),
    public income (monthly) and the property fee account (monthly income and two expenses)."""
    from gongzhi.finance.rules import GENESIS, entry_hash, money_text, next_balance

    posted_at = timezone.now()
    months = [
        (today.year - 2 + (today.month - 1 + i) // 12, (today.month - 1 + i) % 12 + 1) for i in range(24)
    ]
    for estate_id, estate_name, units in estates:
        rng = random.Random(estate_id)
        plans: dict[str, list[tuple[dt.date, str, Decimal, str, str, str]]] = {
            "maintenance_fund": [],
            "public_income": [],
            "property_fee": [],
        }
        first = dt.date(*months[0], 1)
        deposit = Decimal(units * rng.randint(6000, 9000)).quantize(Decimal("0.01"))
        plans["maintenance_fund"].append((first, "in", deposit, "首期归集", "归集", "区住房维修资金中心"))
        for q in range(1, 8):
            y, m = months[q * 3]
            plans["maintenance_fund"].append(
                (
                    dt.date(y, m, 1),
                    "in",
                    Decimal(rng.randint(100000, 900000)) / 100,
                    "季度利息",
                    "利息",
                    "开户银行",
                )
            )
        for y, m in months:
            day = dt.date(y, m, 10)
            if day >= today:
                continue
            plans["public_income"].append(
                (day, "in", Decimal(rng.randint(50000, 400000)) / 100, "电梯广告收入", "广告", "城市演示传媒")
            )
            income = Decimal(units * rng.randint(15000, 25000)) / 100
            plans["property_fee"].append((day, "in", income, "物业费收入", "物业费", ""))
            plans["property_fee"].append(
                (
                    dt.date(y, m, 15),
                    "out",
                    (income * Decimal("0.55")).quantize(Decimal("0.01")),
                    "人员工资",
                    "人工",
                    "",
                )
            )
            plans["property_fee"].append(
                (dt.date(y, m, 20), "out", (income * Decimal("0.30")).quantize(Decimal("0.01")), "保洁保绿外包", "外包",
                 "城市演示保洁公司")
            )  # fmt: skip
        for ledger, rows in plans.items():
            prev, balance = GENESIS, Decimal("0.00")
            for seq, (date, direction, amount, summary, category, counterparty) in enumerate(
                (row for row in sorted(rows, key=lambda row: row[0]) if row[0] < today), start=1
            ):
                balance = next_balance(balance, direction, amount)
                line = {
                    "seq": seq,
                    "estate": str(estate_id),
                    "estate_name": estate_name,
                    "ledger": ledger,
                    "date": date.isoformat(),
                    "direction": direction,
                    "amount": money_text(amount),
                    "balance": money_text(balance),
                    "summary": summary,
                    "category": category,
                    "counterparty": counterparty,
                    "reference": "",
                    "project": "",
                    "reverses": None,
                    "prev_hash": prev,
                    "hash": "",
                }
                digest = entry_hash(line)
                yield (
                    estate_id, estate_name, ledger, seq, date, direction, amount, balance, summary, category,
                    counterparty, "", "", "", None, prev, digest, None, posted_at,
                )  # fmt: skip
                prev = digest


LEDGER_COLUMNS = (
    "estate_id", "estate_name", "ledger", "seq", "date", "direction", "amount", "balance", "summary", "category",
    "counterparty", "reference", "project", "corrects", "reverses_id", "prev_hash", "hash", "posted_by_id",
    "posted_at",
)  # fmt: skip


def _ledgers(ctx: dict[str, Any]) -> None:
    today: dt.date = ctx["today"]
    with connection.cursor() as c:
        c.execute(
            """
            SELECT e.id, e.name, count(u.id) FROM registry_estate e JOIN registry_area a ON a.id = e.area_id
            JOIN registry_building b ON b.estate_id = e.id JOIN registry_unit u ON u.building_id = b.id
            WHERE a.street_id = ANY(%s) GROUP BY e.id, e.name ORDER BY e.id
            """,
            [ctx["street_ids"]],
        )
        estates = c.fetchall()
        raw = c.cursor  # psycopg 3: COPY streams the rows, no statement per entry
        with raw.copy(f"COPY finance_ledgerentry ({', '.join(LEDGER_COLUMNS)}) FROM STDIN") as copy:
            for row in _ledger_rows(estates, today):
                copy.write_row(row)


def _code_sql(expr: str) -> str:
    """SQL: 10 symbols of CODE_ALPHABET from a non-negative integer below 31**10 (a bijection)."""
    return " || ".join(
        f"substr('{CODE_ALPHABET}', 1 + mod(({expr})::bigint / {31**i}, 31)::int, 1)" for i in range(10)
    )


def _ballot_key() -> bytes:
    """voting.sealing's HMAC key (django.utils.crypto.salted_hmac derives it the same way)."""
    from gongzhi.voting.sealing import SALT

    return hashlib.sha256((SALT + settings.SECRET_KEY).encode()).digest()


def _voting(ctx: dict[str, Any]) -> None:
    """One live decision per estate (续聘物业, Civil Code art. 278 (4)), its frozen electorate (every unit,
    each with its one owner) and the ballots cast so far, sealed as ``ballot_cast`` seals them."""
    from gongzhi.voting import rules as vr

    now = timezone.now()
    thresholds = vr.thresholds_for(4)
    p = 1_000_003  # coprime with 31: i ↦ i·p mod 31^10 is a bijection, so pseudonyms are unique
    with connection.cursor() as c:
        c.execute(
            """
            INSERT INTO voting_decision (estate_id, title, matter, text, opens_at, closes_at, objection_days, status,
                                         created_by_id, created_at, published_at, quorum_ratio, approval_ratio,
                                         approval_strict)
            SELECT e.id, '关于续聘物业服务企业的表决', 4, '是否续聘现物业服务企业（城市演示数据）。',
                   %s, %s, 7, 'published', NULL, %s, %s, %s, %s, %s
            FROM registry_estate e JOIN registry_area a ON a.id = e.area_id WHERE a.street_id = ANY(%s)
            """,
            [
                now - dt.timedelta(days=5),
                now + dt.timedelta(days=10),
                now - dt.timedelta(days=6),
                now - dt.timedelta(days=5),
                thresholds.quorum_label,
                thresholds.approval_label,
                thresholds.approval_strict,
                ctx["street_ids"],
            ],
        )
        c.execute(
            """
            DROP TABLE IF EXISTS city_v;
            CREATE TEMP TABLE city_v ON COMMIT DROP AS
            SELECT row_number() OVER (ORDER BY d.id, u.id) AS rn,
                   row_number() OVER (PARTITION BY d.id ORDER BY u.id) AS i,
                   d.id AS decision_id, u.id AS unit_id, u.building_id, u.number, u.area, u.area_source,
                   b.number AS bnum, o.id AS owner_id, o.ref, o.name
            FROM voting_decision d JOIN registry_estate e ON e.id = d.estate_id
                 JOIN registry_area a ON a.id = e.area_id
                 JOIN registry_building b ON b.estate_id = e.id JOIN registry_unit u ON u.building_id = b.id
                 JOIN registry_owner o ON o.id = u.owner_id
            WHERE a.street_id = ANY(%s)
            """,
            [ctx["street_ids"]],
        )
        c.execute("ANALYZE city_v")  # autovacuum never analyses a temporary table
        c.execute("SELECT count(*) FROM city_v")
        n = c.fetchone()[0]
        v0 = _reserve(c, "voting_electorateowner", n)
        c.execute(
            f"""
            INSERT INTO voting_electorateowner (id, decision_id, owner_id, key, name, is_developer, total_area,
                                                unit_count, pseudonym)
            SELECT %s + rn - 1, decision_id, owner_id, ref, name, false, area, 1, 'O' || {_code_sql(f"i * {p}")}
            FROM city_v
            """,  # noqa: S608
            [v0],
        )
        c.execute(
            f"""
            INSERT INTO voting_electorateunit (decision_id, voter_id, unit_id, building_id, label, area, area_basis,
                                               pseudonym)
            SELECT decision_id, %s + rn - 1, unit_id, building_id, bnum || ' ' || number, area, area_source,
                   'U' || {_code_sql(f"i * {p} + 7")}
            FROM city_v
            """,  # noqa: S608
            [v0],
        )
        c.execute(
            """
            UPDATE voting_decision d SET total_area = t.area, total_owners = t.n, total_units = t.n
            FROM (SELECT decision_id, sum(area) AS area, count(*) AS n FROM city_v GROUP BY decision_id) t
            WHERE d.id = t.decision_id
            """
        )
        c.execute(
            f"""
            SELECT %s + rn - 1, decision_id FROM city_v
            WHERE mod({_h("rn", 17)}, {BALLOT_SHARE[1]}) < {BALLOT_SHARE[0]} ORDER BY rn
            """,  # noqa: S608
            [v0],
        )
        voters = c.fetchall()
        key = _ballot_key()
        rng = random.Random(17)
        choices = ("yes", "yes", "yes", "no", "abstain")
        rows = []
        receipts: set[str] = set()
        for voter_id, decision_id in voters:
            while True:
                raw_code = "".join(rng.choices(CODE_ALPHABET, k=16))
                receipt = "-".join(raw_code[i : i + 4] for i in range(0, 16, 4))
                if receipt not in receipts:
                    receipts.add(receipt)
                    break
            choice = choices[rng.randrange(5)]
            seal = hmac.new(
                key, f"{decision_id}|{voter_id}|{receipt}|{choice}".encode(), hashlib.sha256
            ).hexdigest()
            cast_at = now - dt.timedelta(seconds=rng.randrange(5 * 86400))
            rows.append((decision_id, voter_id, seal, "online", "", "", "", cast_at, None, receipt))
        raw = c.cursor
        cols = "decision_id, voter_id, seal, channel, collector_name, proxy_name, authorisation, cast_at, cast_by_id, receipt"
        with raw.copy(f"COPY voting_ballotcast ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        with raw.copy(f"COPY voting_ballot ({cols}, casts) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((*row, 1))


BIG_TABLES = (
    "registry_building", "registry_unit", "registry_owner", "registry_contract", "problems_problem",
    "problems_problemevent", "problems_problemphoto", "evaluation_surveyresponse", "evaluation_surveyanswer",
    "evaluation_householdsubmission", "evaluation_accesscode", "finance_ledgerentry", "voting_decision",
    "voting_electorateowner", "voting_electorateunit", "voting_ballot", "voting_ballotcast",
)  # fmt: skip


def _analyse() -> None:
    with connection.cursor() as c:
        for table in BIG_TABLES:
            c.execute(f"ANALYZE {table}")


# ---- counts and drop ---------------------------------------------------------------------------------

COUNTS_SQL = {
    "districts": "SELECT count(*) FROM registry_district WHERE name = ANY(%(d)s)",
    "streets": "SELECT count(*) FROM registry_street WHERE id = ANY(%(s)s)",
    "areas": "SELECT count(*) FROM registry_area WHERE street_id = ANY(%(s)s)",
    "estates": "SELECT count(*) FROM registry_estate WHERE id = ANY(%(e)s)",
    "buildings": "SELECT count(*) FROM registry_building WHERE estate_id = ANY(%(e)s)",
    "units": "SELECT count(*) FROM registry_unit u JOIN registry_building b ON b.id = u.building_id "
    "WHERE b.estate_id = ANY(%(e)s)",
    "owners": "SELECT count(*) FROM registry_owner WHERE street_id = ANY(%(s)s)",
    "companies": "SELECT count(*) FROM registry_company WHERE street_id = ANY(%(s)s)",
    "problems": "SELECT count(*) FROM problems_problem WHERE estate_id = ANY(%(e)s)",
    "survey_responses": "SELECT count(*) FROM evaluation_surveyresponse WHERE estate_id = ANY(%(e)s)",
    "survey_answers": "SELECT count(*) FROM evaluation_surveyanswer WHERE estate_id = ANY(%(e)s)",
    "ledger_entries": "SELECT count(*) FROM finance_ledgerentry WHERE estate_id = ANY(%(e)s)",
    "decisions": "SELECT count(*) FROM voting_decision WHERE estate_id = ANY(%(e)s)",
    "electorate_owners": "SELECT count(*) FROM voting_electorateowner v JOIN voting_decision d "
    "ON d.id = v.decision_id WHERE d.estate_id = ANY(%(e)s)",
    "ballots": "SELECT count(*) FROM voting_ballot v JOIN voting_decision d ON d.id = v.decision_id "
    "WHERE d.estate_id = ANY(%(e)s)",
}


def _city_ids() -> tuple[list[int], list[int]]:
    street_ids = list(city_streets().values_list("pk", flat=True))
    estate_ids = list(r.Estate.objects.filter(area__street_id__in=street_ids).values_list("pk", flat=True))
    return street_ids, estate_ids


def city_counts() -> dict[str, int]:
    street_ids, estate_ids = _city_ids()
    params: dict[str, Any] = {"d": list(DISTRICT_NAMES), "s": street_ids, "e": estate_ids}
    counts = {}
    with connection.cursor() as c:
        for name, sql in COUNTS_SQL.items():
            c.execute(sql, params)
            counts[name] = c.fetchone()[0]
    return counts


def city_drop(*, progress: Progress | None = None) -> dict[str, int]:
    """Delete the whole city (every street of the 16 city districts, their rows and logins)."""
    _require_postgresql()
    say = progress or (lambda _text: None)
    if not city_exists():
        return {}
    deleted: dict[str, int] = {}
    with transaction.atomic():
        street_ids, estate_ids = _city_ids()
        if r.Street.objects.filter(district__name__in=DISTRICT_NAMES, is_demo=False).exists():
            raise CityError(_("城市演示区下有非演示街道，拒绝删除。"))
        p: dict[str, Any] = {"s": street_ids, "e": estate_ids}
        steps = [
            ("wall_estatestatus", "DELETE FROM wall_estatestatus WHERE estate_id = ANY(%(e)s)"),
            ("wall_statussnapshot", "DELETE FROM wall_statussnapshot WHERE estate_id = ANY(%(e)s)"),
            ("voting_ballotcast", "DELETE FROM voting_ballotcast WHERE decision_id IN "
             "(SELECT id FROM voting_decision WHERE estate_id = ANY(%(e)s))"),
            ("voting_ballot", "DELETE FROM voting_ballot WHERE decision_id IN "
             "(SELECT id FROM voting_decision WHERE estate_id = ANY(%(e)s))"),
            ("voting_electorateunit", "DELETE FROM voting_electorateunit WHERE decision_id IN "
             "(SELECT id FROM voting_decision WHERE estate_id = ANY(%(e)s))"),
            ("voting_electorateowner", "DELETE FROM voting_electorateowner WHERE decision_id IN "
             "(SELECT id FROM voting_decision WHERE estate_id = ANY(%(e)s))"),
            ("voting_decision", "DELETE FROM voting_decision WHERE estate_id = ANY(%(e)s)"),
            ("evaluation_surveyanswer", "DELETE FROM evaluation_surveyanswer WHERE estate_id = ANY(%(e)s)"),
            ("evaluation_surveyresponse", "DELETE FROM evaluation_surveyresponse WHERE estate_id = ANY(%(e)s)"),
            ("evaluation_householdsubmission", "DELETE FROM evaluation_householdsubmission WHERE campaign_id IN "
             "(SELECT id FROM evaluation_campaign WHERE street_id = ANY(%(s)s))"),
            ("evaluation_accesscode", "DELETE FROM evaluation_accesscode WHERE campaign_id IN "
             "(SELECT id FROM evaluation_campaign WHERE street_id = ANY(%(s)s))"),
            ("evaluation_scoresnapshot", "DELETE FROM evaluation_scoresnapshot WHERE campaign_id IN "
             "(SELECT id FROM evaluation_campaign WHERE street_id = ANY(%(s)s))"),
            ("evaluation_campaignestate", "DELETE FROM evaluation_campaignestate WHERE campaign_id IN "
             "(SELECT id FROM evaluation_campaign WHERE street_id = ANY(%(s)s))"),
            ("evaluation_campaign", "DELETE FROM evaluation_campaign WHERE street_id = ANY(%(s)s)"),
            ("evaluation_surveyitem", "DELETE FROM evaluation_surveyitem WHERE category_id IN (SELECT c.id FROM "
             "evaluation_surveycategory c JOIN evaluation_surveytemplate t ON t.id = c.template_id "
             "WHERE t.street_id = ANY(%(s)s))"),
            ("evaluation_surveycategory", "DELETE FROM evaluation_surveycategory WHERE template_id IN "
             "(SELECT id FROM evaluation_surveytemplate WHERE street_id = ANY(%(s)s))"),
            ("evaluation_surveytemplate", "DELETE FROM evaluation_surveytemplate WHERE street_id = ANY(%(s)s)"),
            ("problems_problemphoto", "DELETE FROM problems_problemphoto WHERE problem_id IN "
             "(SELECT id FROM problems_problem WHERE estate_id = ANY(%(e)s))"),
            ("problems_problemevent", "DELETE FROM problems_problemevent WHERE problem_id IN "
             "(SELECT id FROM problems_problem WHERE estate_id = ANY(%(e)s))"),
            ("problems_problem", "DELETE FROM problems_problem WHERE estate_id = ANY(%(e)s)"),
            ("problems_category", "DELETE FROM problems_category WHERE street_id = ANY(%(s)s)"),
        ]  # fmt: skip
        with connection.cursor() as c:
            for table, sql in steps:
                c.execute(sql, p)
                deleted[table] = c.rowcount
                say(_("已删除 %(table)s：%(n)d 行。") % {"table": table, "n": c.rowcount})
            # The ledgers are append-only: lift the trigger for this one DELETE (as finance.maintenance
            # does for the demo street); other sessions wait on the table lock meanwhile.
            c.execute("SET CONSTRAINTS ALL IMMEDIATE")
            c.execute("ALTER TABLE finance_ledgerentry DISABLE TRIGGER finance_ledgerentry_append_only")
            c.execute("DELETE FROM finance_ledgerentry WHERE estate_id = ANY(%(e)s)", p)
            deleted["finance_ledgerentry"] = c.rowcount
            c.execute("ALTER TABLE finance_ledgerentry ENABLE TRIGGER finance_ledgerentry_append_only")
            c.execute("SET CONSTRAINTS ALL DEFERRED")
            say(
                _("已删除 %(table)s：%(n)d 行。")
                % {"table": "finance_ledgerentry", "n": deleted["finance_ledgerentry"]}
            )
            for table, sql in [
                ("registry_contract", "DELETE FROM registry_contract WHERE estate_id = ANY(%(e)s)"),
                ("registry_unit", "DELETE FROM registry_unit WHERE building_id IN "
                 "(SELECT id FROM registry_building WHERE estate_id = ANY(%(e)s))"),
                ("registry_owner", "DELETE FROM registry_owner WHERE street_id = ANY(%(s)s)"),
                ("registry_building", "DELETE FROM registry_building WHERE estate_id = ANY(%(e)s)"),
            ]:  # fmt: skip
                c.execute(sql, p)
                deleted[table] = c.rowcount
                say(_("已删除 %(table)s：%(n)d 行。") % {"table": table, "n": c.rowcount})
        # The small rest, still in SQL: a row of another app that points at the city (a foreign key this
        # list does not know) makes the database refuse, and the whole drop is rolled back.
        user_ids = list(
            User.objects.filter(username__startswith="city_admin_", grants__street_id__in=street_ids)
            .values_list("pk", flat=True)
            .distinct()
        )
        p["u"] = user_ids
        with connection.cursor() as c:
            for table, sql in [
                ("core_auditevent", "UPDATE core_auditevent SET actor_id = NULL WHERE actor_id = ANY(%(u)s)"),
                ("core_auditevent", "UPDATE core_auditevent SET street_id = NULL WHERE street_id = ANY(%(s)s)"),
                ("core_notification", "DELETE FROM core_notification WHERE user_id = ANY(%(u)s)"),
                ("core_rolegrant", "DELETE FROM core_rolegrant WHERE user_id = ANY(%(u)s)"),
                *(
                    [("core_rolegrant", "DELETE FROM core_rolegrant WHERE district_id IN (SELECT id FROM "
                      "registry_district WHERE name = ANY(%(d)s) AND is_demo)")]
                    if any(f.name == "district" for f in RoleGrant._meta.get_fields())
                    else []
                ),
                ("core_user_groups", "DELETE FROM core_user_groups WHERE user_id = ANY(%(u)s)"),
                ("core_user_user_permissions", "DELETE FROM core_user_user_permissions WHERE user_id = ANY(%(u)s)"),
                ("core_user", "DELETE FROM core_user WHERE id = ANY(%(u)s)"),
                ("registry_estate", "DELETE FROM registry_estate WHERE id = ANY(%(e)s)"),
                ("registry_company", "DELETE FROM registry_company WHERE street_id = ANY(%(s)s)"),
                ("registry_area", "DELETE FROM registry_area WHERE street_id = ANY(%(s)s)"),
                ("registry_street", "DELETE FROM registry_street WHERE id = ANY(%(s)s)"),
                ("registry_district", "DELETE FROM registry_district WHERE name = ANY(%(d)s) AND is_demo"),
            ]:  # fmt: skip
                c.execute(sql, {**p, "d": list(DISTRICT_NAMES)})
                if not table.startswith("core_auditevent"):
                    deleted[table] = c.rowcount
    return deleted
