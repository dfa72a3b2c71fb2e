"""Parallel voters never lose or double a ballot (issue 5). PostgreSQL only: SQLite serialises writers.

32 threads, each with its own database connection, cast thousands of ballots — repeated and changed
votes, some owners voting from two devices at once, the committee entering paper ballots alongside —
and the stored tally must equal (a) a count computed with raw SQL from the ballots table and (b) the
count of each owner's last choice as the threads recorded it.
"""

import random
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, connections

from gongzhi.core.models import Role, RoleGrant, User
from gongzhi.registry import models as r
from gongzhi.voting import services
from gongzhi.voting.models import Ballot, BallotCast, Decision, ElectorateOwner
from gongzhi.voting.rules import tally
from gongzhi.voting.sealing import unseal
from gongzhi.voting.services import VotingError
from gongzhi.voting.tests.helpers import published

THREADS = 32
OWNERS = 640  # persons; plus one developer holding 20 unsold units, and 40 owners with two units
CASTS_PER_OWNER = (2, 5)
PAPER_OWNERS = 48  # voted on paper by the committee, in its own thread, alongside the online voters

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs real concurrent transactions: run with DATABASE_URL=postgres://… (SQLite serialises writers)",
)


def build_estate(world):
    """An estate of estate A1's committee: OWNERS person owners (40 of them with two units), a developer."""
    rng = random.Random(5)
    buildings = r.Building.objects.bulk_create(
        [r.Building(estate=world.estate_a1, number=f"{n}号", floors=6) for n in range(2, 22)]
    )
    owners = r.Owner.objects.bulk_create(
        [r.Owner(street=world.street, ref=f"P{i:04d}", name=f"业主{i}") for i in range(OWNERS)]
    )
    developer = r.Owner.objects.create(street=world.street, ref="KF", name="开发商", kind="developer")
    units = []
    for i, owner in enumerate(owners):
        for k in range(2 if i < 40 else 1):
            units.append(
                r.Unit(
                    building=buildings[(i + k) % len(buildings)],
                    number=f"{i:04d}-{k}",
                    area=Decimal(rng.randint(3500, 14000)) / 100,
                    owner=owner,
                )
            )
    for k in range(20):
        units.append(r.Unit(building=buildings[k], number=f"KF-{k}", area=Decimal("95.50"), owner=developer))
    units = r.Unit.objects.bulk_create(units)
    users = User.objects.bulk_create([User(username=f"voter{i}", password="!") for i in range(OWNERS)])  # noqa: S106
    first_unit = {}
    for unit in units:
        first_unit.setdefault(unit.owner_id, unit)
    RoleGrant.objects.bulk_create(
        [
            RoleGrant(user=u, role=Role.OWNER, unit=first_unit[o.pk])
            for u, o in zip(users, owners, strict=True)
        ]
    )
    return users, owners, developer


def raw_sql_count(decision_id: int) -> dict[str, tuple[int, Decimal]]:
    """Owners and area per choice, straight from the tables, the seals opened with the application key
    (independent of the ORM and of rules.py)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT b.voter_id, b.receipt, b.seal, eo.total_area
            FROM voting_ballot b JOIN voting_electorateowner eo ON eo.id = b.voter_id
            WHERE b.decision_id = %s
            """,
            [decision_id],
        )
        counts: dict[str, tuple[int, Decimal]] = {}
        for voter_id, receipt, sealed, area in cursor.fetchall():
            choice = unseal(decision_id=decision_id, voter_id=voter_id, receipt=receipt, sealed=sealed)
            count, total = counts.get(choice, (0, Decimal(0)))
            counts[choice] = (count + 1, total + Decimal(area))
        return counts


def test_32_parallel_voters_lose_and_double_nothing(transactional_db, world):
    users, owners, developer = build_estate(world)
    decision = published(world, matter=4)
    decision_pk = decision.pk
    voter_by_ref = dict(ElectorateOwner.objects.filter(decision=decision).values_list("key", "pk"))
    rng = random.Random(2026)

    # Plan: each online owner casts 1–5 times; 64 owners are also voted for from a second thread at
    # the same time (two phones). PAPER_OWNERS are left to the committee (they never vote online).
    paper_refs = [o.ref for o in owners[-PAPER_OWNERS:]]
    online = list(range(OWNERS - PAPER_OWNERS))
    plans: list[list[tuple[int, str]]] = [[] for _ in range(THREADS)]
    for i in online:
        choices = [rng.choice(["yes", "no", "abstain"]) for _ in range(rng.randint(*CASTS_PER_OWNER))]
        home = i % THREADS
        for choice in choices:
            plans[home].append((i, choice))
        if i % 9 == 0:  # the same owner from another device, in another thread
            plans[(home + 7) % THREADS].append((i, rng.choice(["yes", "no", "abstain"])))
    for plan in plans:
        rng.shuffle(plan)  # interleave owners inside a thread, keeping each owner's casts as drawn
    paper_plan = [(ref, rng.choice(["yes", "no", "abstain"])) for ref in paper_refs for _ in range(2)]
    paper_plan.append((developer.ref, "no"))

    user_pks = [u.pk for u in users]
    oc_pk = world.user("oc_a1").pk
    barrier = threading.Barrier(THREADS + 2)  # the voters, the committee and this thread
    errors: list[BaseException] = []
    done: list[list[tuple[int, str]]] = [[] for _ in range(THREADS + 1)]  # per thread, in cast order

    def voter_thread(n: int) -> None:
        try:
            people = {i: User.objects.get(pk=user_pks[i]) for i, _ in plans[n]}
            target = Decision.objects.get(pk=decision_pk)
            barrier.wait(timeout=60)
            for i, choice in plans[n]:
                services.ballot_cast(actor=people[i], decision=target, choice=choice)
                done[n].append((i, choice))
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    def committee_thread() -> None:
        try:
            oc = User.objects.get(pk=oc_pk)
            target = Decision.objects.get(pk=decision_pk)
            voters = {v.key: v for v in ElectorateOwner.objects.filter(decision_id=decision_pk)}
            barrier.wait(timeout=60)
            for ref, choice in paper_plan:
                services.ballot_enter_paper(
                    actor=oc, decision=target, voter=voters[ref], choice=choice, collector_name="楼组长"
                )
                done[THREADS].append((ref, choice))
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=voter_thread, args=(n,)) for n in range(THREADS)]
    threads.append(threading.Thread(target=committee_thread))
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    barrier.wait(timeout=60)
    for thread in threads:
        thread.join(timeout=600)
    seconds = time.perf_counter() - started
    assert errors == []

    casts = sum(len(d) for d in done)
    assert BallotCast.objects.filter(decision_id=decision_pk).count() == casts  # nothing lost
    ballots = Ballot.objects.filter(decision_id=decision_pk)
    voted_refs = {f"P{i:04d}" for i in online} | set(paper_refs) | {developer.ref}
    assert ballots.count() == len(voted_refs)  # one ballot per owner: nothing doubled
    assert sum(ballots.values_list("casts", flat=True)) == casts

    # Each owner's current ballot is their last cast (BallotCast ids are taken under the owner's lock).
    last_cast: dict[int, str] = {}
    for cast in BallotCast.objects.filter(decision_id=decision_pk).order_by("pk"):
        last_cast[cast.voter_id] = cast.choice
    current = {ballot.voter_id: ballot.choice for ballot in ballots}
    assert current == last_cast

    # Expected last choices from the threads' own logs: exact for owners cast from one thread; for an
    # owner voted from two devices at once, one of the two threads' last choices.
    expected: dict[int, str] = {}
    contested: dict[int, set[str]] = {}
    for log in done[:THREADS]:
        last_in_thread = {}
        for i, choice in log:
            last_in_thread[i] = choice
        for i, choice in last_in_thread.items():
            voter_id = voter_by_ref[f"P{i:04d}"]
            if i % 9 == 0:
                contested.setdefault(voter_id, set()).add(choice)
            else:
                expected[voter_id] = choice
    for ref, choice in done[THREADS]:
        expected[voter_by_ref[ref]] = choice
    for voter_id, choice in expected.items():
        assert current[voter_id] == choice
    for voter_id, options in contested.items():
        assert current[voter_id] in options

    decision = services.decision_close(actor=world.user("oc_a1"), decision=decision, now=decision.closes_at)
    result = decision.result
    by_choice = raw_sql_count(decision_pk)
    for choice, prefix in (("yes", "agreeing"), ("no", "disagreeing"), ("abstain", "abstaining")):
        count, area = by_choice.get(choice, (0, Decimal("0")))
        assert result[f"{prefix}_owners"] == count
        assert Decimal(result[f"{prefix}_area"]) == area
    assert result["participating_owners"] == len(voted_refs)
    assert result["total_owners"] == OWNERS + 1 + 3  # the developer and the world's three A1 owners

    # The same outcome from the expected last choices alone, counted by rules.tally on its own input.
    final_choice = {**{v: c for v, c in current.items() if v in contested}, **expected}
    units = [
        {"id": str(pk), "area": area, "owner": str(voter_id)}
        for pk, area, voter_id in decision.electorate_units.values_list("pk", "area", "voter_id")
    ]
    independent = tally(4, units, [{"owner": str(v), "choice": c} for v, c in final_choice.items()])
    assert independent == result
    print(  # noqa: T201 — the figures the report quotes (pytest -s)
        f"\nconcurrency: {THREADS} voter threads + 1 committee thread, {casts} casts "
        f"({len(voted_refs)} ballots) in {seconds:.1f} s = {casts / seconds:.0f} casts/s"
    )


def test_close_racing_with_voters_counts_exactly_what_was_stored(transactional_db, world):
    """Ballots arriving while the vote is being closed either commit before the count or are refused."""
    users, owners, _developer = build_estate(world)
    decision = published(world, matter=4)
    decision_pk, closes_at = decision.pk, decision.closes_at
    user_pks = [u.pk for u in users[:320]]
    barrier = threading.Barrier(17)
    refused: list[int] = []
    voting_began = threading.Event()
    errors: list[BaseException] = []

    def voter_thread(n: int) -> None:
        try:
            people = [User.objects.get(pk=pk) for pk in user_pks[n::16]]
            target = Decision.objects.get(pk=decision_pk)
            barrier.wait(timeout=60)
            for k, person in enumerate(people):
                if k == 3:
                    voting_began.set()
                try:
                    services.ballot_cast(actor=person, decision=target, choice="yes" if n % 2 else "no")
                except VotingError:
                    refused.append(person.pk)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    def closer() -> None:
        try:
            oc = User.objects.get(pk=world.user("oc_a1").pk)
            target = Decision.objects.get(pk=decision_pk)
            barrier.wait(timeout=60)
            voting_began.wait(timeout=60)  # close in the middle of the voters
            services.decision_close(actor=oc, decision=target, now=closes_at)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=voter_thread, args=(n,)) for n in range(16)]
    threads.append(threading.Thread(target=closer))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert errors == []
    decision = Decision.objects.get(pk=decision_pk)
    stored = Ballot.objects.filter(decision_id=decision_pk).count()
    assert decision.result["participating_owners"] == stored
    assert stored + len(refused) == len(user_pks)
    by_choice = raw_sql_count(decision_pk)
    assert decision.result["agreeing_owners"] == by_choice.get("yes", (0, 0))[0]
