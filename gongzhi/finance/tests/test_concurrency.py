"""Parallel writers to one ledger never fork the chain (docs/DESIGN.md §6; issue 4). PostgreSQL only."""

import json
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from gongzhi.core.models import User
from gongzhi.finance.models import LedgerEntry
from gongzhi.finance.rules import verify_lines
from gongzhi.finance.selectors import ledger_lines
from gongzhi.finance.services import ledger_post

THREADS = 8
POSTS_EACH = 5


@pytest.fixture
def purged_after(transactional_db, world):
    """The flush after a transactional test TRUNCATEs, which the ledger refuses while it holds entries
    (migration 0005): empty it the one sanctioned way, as a demo street's purge."""
    yield world
    from gongzhi.finance.maintenance import purge_demo_ledgers
    from gongzhi.registry.models import Street

    Street.objects.filter(pk=world.street.pk).update(is_demo=True)
    purge_demo_ledgers(world.street)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs real concurrent transactions: run with DATABASE_URL=postgres://… (SQLite serialises writers)",
)
def test_parallel_writers_leave_one_unbroken_chain(purged_after, world, day):
    estate_pk = world.estate_a1.pk
    user_pk = world.user("oc_a1").pk
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            user = User.objects.get(pk=user_pk)
            estate = type(world.estate_a1).objects.get(pk=estate_pk)
            barrier.wait(timeout=30)
            for i in range(POSTS_EACH):
                ledger_post(
                    actor=user,
                    estate=estate,
                    ledger="maintenance_fund",
                    date=day,
                    direction="in",
                    amount=f"{n + 1}.{i:02d}",
                    summary=f"并发写入 {n}-{i}",
                )
        except BaseException as error:  # surfaced below, in the test's own thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    seqs = list(LedgerEntry.objects.filter(estate_id=estate_pk).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, THREADS * POSTS_EACH + 1))
    result = verify_lines(json.dumps(line) for line in ledger_lines(estate_pk, "maintenance_fund"))
    assert result.ok, result.message
    expected = sum(Decimal(f"{n + 1}.{i:02d}") for n in range(THREADS) for i in range(POSTS_EACH))
    assert Decimal(result.balance) == expected
