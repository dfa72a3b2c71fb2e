"""A small street with named personas, shared by every test (healthchecks' alice/bob habit).

    street "示例街道": area A (estates A1 old, A2 new), area B (estate B1 old)
    company X manages A1 and B1; company Y manages A2
    other street "另一街道" with its own area, estate, company and admin

Personas (usernames): admin, leader, secretary_a, secretary_b, member_a, oc_a1, staff_x,
evaluator_b1, owner_a1, outsider, other_admin. Every password is ``PASSWORD``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.db import connection, transaction
from django.utils import timezone

from gongzhi.core.models import Role, RoleGrant, User
from gongzhi.registry import models as r

T = TypeVar("T")

PASSWORD = "correct-horse-battery-staple-9"  # noqa: S105 (test-only persona password)
PERSONAS = [
    "admin",
    "leader",
    "secretary_a",
    "secretary_b",
    "member_a",
    "oc_a1",
    "staff_x",
    "evaluator_b1",
    "owner_a1",
    "outsider",
    "other_admin",
]


@dataclass
class World:
    street: r.Street
    area_a: r.Area
    area_b: r.Area
    estate_a1: r.Estate
    estate_a2: r.Estate
    estate_b1: r.Estate
    building_a1: r.Building
    unit_a1: r.Unit
    unit_a1_other: r.Unit
    building_b1: r.Building
    unit_b1: r.Unit
    company_x: r.Company
    company_y: r.Company
    contract_a1: r.Contract
    contract_a2: r.Contract
    contract_b1: r.Contract
    committee_a1: r.OwnersCommittee
    branch_a: r.Branch
    branch_b: r.Branch
    rc_a: r.ResidentsCommittee
    other_street: r.Street
    other_area: r.Area
    other_estate: r.Estate
    other_unit: r.Unit
    other_company: r.Company
    users: dict[str, User]

    def user(self, name: str) -> User:
        return self.users[name]


def off_site_urls(html: str) -> list[str]:
    """Every absolute or protocol-relative URL in a page (``https://cdn…``, ``//host/…``): what a page
    would load from another host. Exact, unlike looking for "cdn" in a page whose random CSRF token
    may contain those letters."""
    return re.findall(r"(?:https?:)?//[\w.-]+", html, flags=re.IGNORECASE)


def _user(username: str, display: str) -> User:
    return User.objects.create_user(username=username, password=PASSWORD, display_name=display)


def _estate_with_units(area, name, year, owner_prefix, street):
    estate = r.Estate.objects.create(area=area, name=name, build_year=year, address=f"{name}路1号")
    building = r.Building.objects.create(estate=estate, number="1号", floors=6)
    units = []
    for i, area_m2 in enumerate([Decimal("68.50"), Decimal("72.30"), Decimal("55.00")], start=1):
        owner = r.Owner.objects.create(
            street=street, ref=f"{owner_prefix}-{i}", name=f"业主{owner_prefix}{i}", phone=f"1380000{i:04d}"
        )
        units.append(r.Unit.objects.create(building=building, number=f"{i}01", area=area_m2, owner=owner))
    return estate, building, units


def build_world() -> World:
    today = timezone.localdate()
    street = r.Street.objects.create(
        name="示例街道", district=r.District.objects.get_or_create(name="浦东新区")[0]
    )
    area_a = r.Area.objects.create(street=street, name="甲居民区")
    area_b = r.Area.objects.create(street=street, name="乙居民区")
    estate_a1, building_a1, units_a1 = _estate_with_units(area_a, "甲一小区", 1988, "A1", street)
    estate_a2, _b, _u = _estate_with_units(area_a, "甲二小区", 2005, "A2", street)
    estate_b1, building_b1, units_b1 = _estate_with_units(area_b, "乙一小区", 1992, "B1", street)
    company_x = r.Company.objects.create(
        street=street, name="星河物业", ownership="state", credit_code="91310115MA1K000001"
    )
    company_y = r.Company.objects.create(street=street, name="月湾物业")
    term = {"start_date": today - dt.timedelta(days=365), "end_date": today + dt.timedelta(days=365)}
    contract_a1 = r.Contract.objects.create(
        company=company_x,
        estate=estate_a1,
        fee_standard=Decimal("0.80"),
        collection_rate=Decimal("85.00"),
        **term,
    )
    contract_a2 = r.Contract.objects.create(
        company=company_y,
        estate=estate_a2,
        fee_standard=Decimal("1.20"),
        collection_rate=Decimal("96.50"),
        **term,
    )
    contract_b1 = r.Contract.objects.create(
        company=company_x,
        estate=estate_b1,
        fee_standard=Decimal("0.65"),
        collection_rate=Decimal("58.00"),
        **term,
    )
    committee_a1 = r.OwnersCommittee.objects.create(
        estate=estate_a1, term_start=today - dt.timedelta(days=400), term_end=today + dt.timedelta(days=700)
    )
    r.CommitteeMember.objects.create(
        committee=committee_a1, name="王建国", position="director", is_party_member=True, phone="13900001111"
    )
    rc_a = r.ResidentsCommittee.objects.create(area=area_a, name="甲居民区居委会", director_name="李红")
    r.ResidentsCommittee.objects.create(area=area_b, name="乙居民区居委会", director_name="赵敏")
    branch_a = r.Branch.objects.create(
        area=area_a, name="甲居民区物业治理联合党支部", secretary_name="陈书记"
    )
    branch_b = r.Branch.objects.create(
        area=area_b, name="乙居民区物业治理联合党支部", secretary_name="周书记"
    )
    r.BranchMember.objects.create(
        branch=branch_a, name="陈书记", organisation="party", membership="member", position="书记"
    )
    r.BranchMember.objects.create(
        branch=branch_a,
        name="刘经理",
        organisation="company",
        membership="attendee",
        is_party_member=False,
        position="项目经理",
    )

    other_street = r.Street.objects.create(name="另一街道")
    other_area = r.Area.objects.create(street=other_street, name="丙居民区")
    other_estate, _b, other_units = _estate_with_units(other_area, "丙一小区", 1985, "C1", other_street)
    other_company = r.Company.objects.create(street=other_street, name="远方物业")
    r.Contract.objects.create(
        company=other_company, estate=other_estate, fee_standard=Decimal("0.90"), **term
    )

    users = {
        "admin": _user("admin", "街道管理员"),
        "leader": _user("leader", "领导小组"),
        "secretary_a": _user("secretary_a", "甲书记"),
        "secretary_b": _user("secretary_b", "乙书记"),
        "member_a": _user("member_a", "甲支部成员"),
        "oc_a1": _user("oc_a1", "甲一业委会"),
        "staff_x": _user("staff_x", "星河物业员工"),
        "evaluator_b1": _user("evaluator_b1", "测评员"),
        "owner_a1": _user("owner_a1", "甲一业主"),
        "outsider": _user("outsider", "无授权用户"),
        "other_admin": _user("other_admin", "另一街道管理员"),
    }
    grants = [
        ("admin", Role.STREET_ADMIN, {"street": street}),
        ("leader", Role.LEADERSHIP, {"street": street}),
        ("secretary_a", Role.AREA_SECRETARY, {"area": area_a}),
        ("secretary_b", Role.AREA_SECRETARY, {"area": area_b}),
        ("member_a", Role.BRANCH_MEMBER, {"area": area_a}),
        ("oc_a1", Role.OC_MEMBER, {"estate": estate_a1}),
        ("staff_x", Role.COMPANY_STAFF, {"company": company_x}),
        ("evaluator_b1", Role.EVALUATOR, {"estate": estate_b1}),
        ("owner_a1", Role.OWNER, {"unit": units_a1[0]}),
        ("other_admin", Role.STREET_ADMIN, {"street": other_street}),
    ]
    for username, role, target in grants:
        RoleGrant.objects.create(user=users[username], role=role, **target)

    return World(
        street=street,
        area_a=area_a,
        area_b=area_b,
        estate_a1=estate_a1,
        estate_a2=estate_a2,
        estate_b1=estate_b1,
        building_a1=building_a1,
        unit_a1=units_a1[0],
        unit_a1_other=units_a1[1],
        building_b1=building_b1,
        unit_b1=units_b1[0],
        company_x=company_x,
        company_y=company_y,
        contract_a1=contract_a1,
        contract_a2=contract_a2,
        contract_b1=contract_b1,
        committee_a1=committee_a1,
        branch_a=branch_a,
        branch_b=branch_b,
        rc_a=rc_a,
        other_street=other_street,
        other_area=other_area,
        other_estate=other_estate,
        other_unit=other_units[0],
        other_company=other_company,
        users=users,
    )


# ---- heavy data built once, copied into each test (Zulip's template database) -------------------
#
# ``snapshot_rows(build)`` runs a build (the demo street) once in a savepoint, keeps the rows it
# added and rolls it back; ``restore_rows(snapshot)`` copies those rows into the current test's
# transaction. Every test gets its own copy, so a test that changes or deletes demo rows cannot
# affect another: its transaction is rolled back like any test's. The copy is physical (same
# primary keys, no services, triggers held off while loading), hence a few hundred milliseconds
# instead of the build's many seconds.

# On SQLite the build's rows get ids above this, so they never meet the rows a test made before
# asking for the copy (PostgreSQL sequences are not rolled back, so ids never repeat there).
SNAPSHOT_ID_OFFSET = 10_000_000


@dataclass(frozen=True)
class RowsSnapshot:
    """The rows a build added: (table, columns, rows) with rows in the backend's own format."""

    vendor: str
    tables: tuple[tuple[str, tuple[str, ...], Any], ...]


class _Discard(Exception):
    """Raised to roll the build's savepoint back once its rows are copied out."""


def _user_tables(cursor) -> list[tuple[str, str | None, list[str]]]:
    """(table, primary key column, columns) of every table of the test database."""
    introspection = connection.introspection
    tables = []
    for info in introspection.get_table_list(cursor):
        if info.type != "t" or info.name == "django_migrations":
            continue
        pk = introspection.get_primary_key_column(cursor, info.name)
        columns = [c.name for c in introspection.get_table_description(cursor, info.name)]
        tables.append((info.name, pk, columns))
    return tables


def _read_rows(cursor, table: str, columns: list[str]) -> list[tuple]:
    qn = connection.ops.quote_name
    # SQLite: "+column" has no declared type, so the sqlite3 converters Django registers leave the
    # stored value as it is (str, int, float, bytes, None) and it goes back in unchanged.
    prefix = "+" if connection.vendor == "sqlite" else ""
    # In the order the rows are stored, which the copy keeps: some tests look at it (the ballot box
    # stores survey answers in an order that says nothing of who answered).
    order = "rowid" if connection.vendor == "sqlite" else "ctid"
    cursor.execute(
        f"SELECT {', '.join(prefix + qn(c) for c in columns)} FROM {qn(table)} ORDER BY {order}"  # noqa: S608
    )
    return [tuple(row) for row in cursor.fetchall()]


def _keyed(rows: list[tuple], columns: list[str], pk: str | None) -> dict:
    if pk is None:
        return {row: row for row in rows}
    index = columns.index(pk)
    return {row[index]: row for row in rows}


def snapshot_rows(build: Callable[[], T]) -> tuple[RowsSnapshot, T]:
    """Run ``build`` in a savepoint, keep the rows it added and roll it back. A build that changes
    or deletes a row that was there before cannot be copied this way and is refused."""
    with connection.cursor() as django_cursor:
        raw = django_cursor.cursor  # the driver's cursor: values as stored, no Django conversion
        tables = _user_tables(raw)
        before = {t: _keyed(_read_rows(raw, t, cols), cols, pk) for t, pk, cols in tables}
        try:
            with transaction.atomic():
                if connection.vendor == "sqlite":
                    _raise_sqlite_sequences(raw, [t for t, pk, _cols in tables if pk])
                value = build()
                added = []
                for table, pk, columns in tables:
                    old = before[table]
                    now = _keyed(_read_rows(raw, table, columns), columns, pk)
                    changed = [key for key, row in old.items() if now.get(key) != row]
                    if changed:
                        raise RuntimeError(
                            f"the build changed rows that existed before: {table} {changed[:5]}"
                        )
                    new = [(key, row) for key, row in now.items() if key not in old]  # stored order
                    if new:
                        added.append(
                            (table, columns, pk, [key for key, _row in new], [row for _k, row in new])
                        )
                payload = [
                    (t, tuple(cols), _export(raw, t, cols, pk, keys, rows))
                    for t, cols, pk, keys, rows in added
                ]
                raise _Discard
        except _Discard:
            pass
    return RowsSnapshot(connection.vendor, tuple(payload)), value


def _raise_sqlite_sequences(cursor, tables: list[str]) -> None:
    cursor.execute(
        "UPDATE sqlite_sequence SET seq = ? WHERE seq < ?", (SNAPSHOT_ID_OFFSET, SNAPSHOT_ID_OFFSET)
    )
    for table in tables:
        cursor.execute(
            "INSERT INTO sqlite_sequence (name, seq) SELECT ?, ? WHERE NOT EXISTS "
            "(SELECT 1 FROM sqlite_sequence WHERE name = ?)",
            (table, SNAPSHOT_ID_OFFSET, table),
        )


def _export(cursor, table: str, columns: list[str], pk: str | None, keys: list, rows: list[tuple]) -> Any:
    if connection.vendor == "sqlite":
        return rows
    if connection.vendor != "postgresql" or pk is None:
        raise NotImplementedError(f"cannot copy rows of {table} on {connection.vendor}")
    from psycopg import sql

    query = sql.SQL(
        "COPY (SELECT {cols} FROM {table} WHERE {pk} = ANY({keys}) ORDER BY ctid) TO STDOUT"
    ).format(
        cols=sql.SQL(", ").join(map(sql.Identifier, columns)),
        table=sql.Identifier(table),
        pk=sql.Identifier(pk),
        keys=sql.Literal(keys),
    )
    chunks = []
    with cursor.copy(query) as copy:
        for chunk in copy:
            chunks.append(bytes(chunk))
    return b"".join(chunks)


def restore_rows(snapshot: RowsSnapshot) -> None:
    """Copy the snapshot's rows into the current transaction, triggers held off while loading."""
    if snapshot.vendor != connection.vendor:
        raise RuntimeError(f"a {snapshot.vendor} snapshot cannot be restored on {connection.vendor}")
    qn = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as django_cursor:
        raw = django_cursor.cursor
        if connection.vendor == "sqlite":
            raw.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND sql IS NOT NULL")
            triggers = [row[0] for row in raw.fetchall()]
            raw.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            for (name,) in raw.fetchall():
                raw.execute(f"DROP TRIGGER {qn(name)}")
            for table, columns, rows in snapshot.tables:
                marks = ", ".join("?" * len(columns))
                raw.executemany(
                    f"INSERT INTO {qn(table)} ({', '.join(map(qn, columns))}) VALUES ({marks})",  # noqa: S608
                    rows,
                )
            for statement in triggers:
                raw.execute(statement)
            return
        from psycopg import sql

        raw.execute("SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal")
        guarded = {row[0].strip('"') for row in raw.fetchall()}
        loaded = [table for table, _columns, _data in snapshot.tables if table in guarded]
        # ALTER TABLE refuses a table with deferred foreign-key checks pending: run them first (and
        # again after loading, which also checks the copied rows' references).
        connection.check_constraints()
        for table in loaded:
            raw.execute(sql.SQL("ALTER TABLE {} DISABLE TRIGGER USER").format(sql.Identifier(table)))
        for table, columns, data in snapshot.tables:
            statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
            )
            with raw.copy(statement) as copy:
                copy.write(data)
        connection.check_constraints()
        for table in loaded:
            raw.execute(sql.SQL("ALTER TABLE {} ENABLE TRIGGER USER").format(sql.Identifier(table)))


# ---- the district tier (区): a separate fixture, the persona world stays as it is ----------------


@dataclass
class DistrictWorld:
    """The persona world's street A (示例街道) in 浦东新区 with a neighbour street (邻近街道) of the same
    district, and the world's other street (另一街道) in another district (徐汇区). The neighbour street
    has its own registration of 星河物业 (same credit code as company_x: one company across streets)."""

    district: r.District
    other_district: r.District
    neighbour_street: r.Street
    neighbour_area: r.Area
    neighbour_estate: r.Estate
    neighbour_company: r.Company
    users: dict[str, User]


DISTRICT_PERSONAS = ["district_office", "district_admin"]


def build_district(world: World) -> DistrictWorld:
    today = timezone.localdate()
    district = world.street.district
    assert district is not None
    other_district = r.District.objects.create(name="徐汇区")
    r.Street.objects.filter(pk=world.other_street.pk).update(district=other_district)
    world.other_street.refresh_from_db()
    neighbour = r.Street.objects.create(name="邻近街道", district=district)
    area = r.Area.objects.create(street=neighbour, name="丁居民区")
    estate, _b, _u = _estate_with_units(area, "丁一小区", 1990, "D1", neighbour)
    company = r.Company.objects.create(
        street=neighbour, name="星河物业", ownership="state", credit_code=world.company_x.credit_code
    )
    r.Contract.objects.create(
        company=company,
        estate=estate,
        fee_standard=Decimal("0.90"),
        start_date=today - dt.timedelta(days=365),
        end_date=today + dt.timedelta(days=365),
    )
    users = {
        "district_office": _user("district_office", "区房管局"),
        "district_admin": _user("district_admin", "区管理员"),
    }
    RoleGrant.objects.create(user=users["district_office"], role=Role.DISTRICT_OFFICE, district=district)
    RoleGrant.objects.create(user=users["district_admin"], role=Role.DISTRICT_ADMIN, district=district)
    world.users.update(users)
    return DistrictWorld(
        district=district,
        other_district=other_district,
        neighbour_street=neighbour,
        neighbour_area=area,
        neighbour_estate=estate,
        neighbour_company=company,
        users=users,
    )
