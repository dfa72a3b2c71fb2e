"""Hypothesis: any sequence of postings through the service leaves a sound chain with exact balances."""

import json
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongzhi.finance.models import LedgerEntry
from gongzhi.finance.rules import LedgerError, verify_lines
from gongzhi.finance.selectors import ledger_lines

pytestmark = pytest.mark.django_db

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("50000.00"), places=2)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["in", "out"]), amounts), min_size=1, max_size=12))
def test_random_postings_keep_the_chain_sound_and_the_balance_exact(world, post, postings):
    with transaction.atomic():
        expected = Decimal("0.00")
        for direction, amount in postings:
            if direction == "out" and amount > expected:
                with pytest.raises(LedgerError), transaction.atomic():
                    post(direction, str(amount))
                continue
            post(direction, str(amount))
            expected += amount if direction == "in" else -amount
        lines = ledger_lines(world.estate_a1.pk, "maintenance_fund")
        result = verify_lines(json.dumps(line, ensure_ascii=False) for line in lines)
        assert result.ok, result.message
        assert Decimal(result.balance) == expected
        last = LedgerEntry.objects.filter(estate=world.estate_a1).order_by("-seq").first()
        assert (last.balance if last else Decimal("0.00")) == expected
        transaction.set_rollback(True)  # each example starts from an empty ledger
