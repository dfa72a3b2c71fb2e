"""What one online ballot costs the database, and that it does not grow with the electorate (issue 17).

On PostgreSQL a cast is two statements: the voter looked up through the unique (decision, unit) index,
then ballot, cast and audit row written in one statement. On SQLite the write is three statements
(ballot, cast, audit). The decision is not re-read (its state is guarded by the ballot trigger;
test_concurrency.py races a close against voters) and the scope is the one the request computed.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.core.models import AuditEvent
from gongzhi.core.scopes import scope_for
from gongzhi.registry import models as r
from gongzhi.voting import services
from gongzhi.voting.models import Ballot, BallotCast, Decision, ElectorateOwner, ElectorateUnit
from gongzhi.voting.tests.helpers import published

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's planner and ANALYZE"
)


def grow_estate(world, units: int) -> None:
    """Add ``units`` units of as many owners to estate A1 (the persona owner's estate)."""
    building = r.Building.objects.create(estate=world.estate_a1, number="9号", floors=30)
    owners = r.Owner.objects.bulk_create(
        [r.Owner(street=world.street, ref=f"G{i:05d}", name=f"业主{i}") for i in range(units)]
    )
    r.Unit.objects.bulk_create(
        [
            r.Unit(building=building, number=f"{i:05d}", area=Decimal("80.00") + i % 50, owner=owner)
            for i, owner in enumerate(owners)
        ]
    )


def cast_statements(world) -> tuple[list[str], list[str]]:
    """The SQL of a first cast and of a changed vote, as the owner's page calls the service."""
    decision = published(world)
    owner = world.user("owner_a1")
    scope_for(owner)  # the request's door computed it already (views/owner.py _owner_decision)
    as_the_view_loads_it = Decision.objects.select_related("estate__area").get(pk=decision.pk)
    statements = []
    for choice in ("yes", "no"):
        with CaptureQueriesContext(connection) as captured:
            services.ballot_cast(actor=owner, decision=as_the_view_loads_it, choice=choice)
        # Without the savepoints of the test's own transaction (a request has BEGIN and COMMIT instead).
        statements.append([q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]])
    return statements[0], statements[1]


@pytest.mark.parametrize("extra_units", [0, 600])
def test_a_cast_is_two_statements_whatever_the_size_of_the_electorate(world, extra_units):
    grow_estate(world, extra_units)
    first, change = cast_statements(world)
    assert ElectorateUnit.objects.count() == 3 + extra_units
    expected = 2 if connection.vendor == "postgresql" else 4
    assert len(first) == expected, "\n".join(first)
    assert len(change) == expected, "\n".join(change)
    for sql in first + change:
        assert 'FROM "voting_decision"' not in sql  # not re-read, not locked
        assert "core_rolegrant" not in sql  # the scope is not computed again
    assert "electorateunit" in first[0] and "ON CONFLICT" in first[1] and "ON CONFLICT" in change[1]


@on_postgresql
def test_publication_analyses_the_electorate_it_froze(world):
    """ANALYZE runs inside the publishing transaction and counts the rows it just wrote (pg_class is
    updated in place, so this is visible before the commit)."""

    def planner_rows(table: str) -> float:
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
            return cursor.fetchone()[0]

    published(world)
    assert planner_rows("voting_electorateunit") == ElectorateUnit.objects.count() == 3
    grow_estate(world, 250)
    published(world)
    assert planner_rows("voting_electorateunit") == ElectorateUnit.objects.count() == 3 + 253
    assert planner_rows("voting_electorateowner") == ElectorateOwner.objects.count() == 3 + 253


@on_postgresql
def test_the_voter_lookup_uses_the_unique_index_even_without_statistics(world):
    """The plan of the lookup does not depend on what the planner knows: with the statistics of the
    electorate tables wiped (a decision published before anything was analysed), it still goes
    through the unique (decision, unit) index and reaches the owner by primary key."""
    grow_estate(world, 3000)
    first, _change = cast_statements(world)
    lookup = first[0]
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM pg_statistic WHERE starelid IN"
            " ('voting_electorateunit'::regclass, 'voting_electorateowner'::regclass)"
        )
        cursor.execute(
            "UPDATE pg_class SET reltuples = -1, relpages = 0 WHERE oid IN"
            " ('voting_electorateunit'::regclass, 'voting_electorateowner'::regclass)"
        )
        cursor.execute("EXPLAIN (FORMAT JSON) " + lookup)
        plan = cursor.fetchone()[0]

    def nodes(node):
        yield node
        for child in node.get("Plans", []):
            yield from nodes(child)

    scans = {(n["Node Type"], n.get("Relation Name"), n.get("Index Name")) for n in nodes(plan[0]["Plan"])}
    assert ("Index Scan", "voting_electorateunit", "electorate_unit_unique") in scans, scans
    assert not any(kind == "Seq Scan" for kind, _table, _index in scans), scans


def test_the_cast_written_in_one_statement_is_audited_like_any_write(world):
    """Each cast leaves its audit row (who, which channel, how many casts so far) and never the choice."""
    cast_statements(world)
    events = list(
        AuditEvent.objects.filter(object_type="voting.Ballot")
        .order_by("pk")
        .values_list("action", "actor__username", "street_id", "changes")
    )
    voter = ElectorateOwner.objects.get(key="A1-1")
    assert events == [
        (
            "create",
            "owner_a1",
            world.street.pk,
            {"voter": voter.pk, "channel": "online", "casts": 1, "collector": ""},
        ),
        (
            "update",
            "owner_a1",
            world.street.pk,
            {"voter": voter.pk, "channel": "online", "casts": 2, "collector": ""},
        ),
    ]
    assert BallotCast.objects.filter(voter=voter).count() == 2
    assert Ballot.objects.get(voter=voter).choice == "no"
