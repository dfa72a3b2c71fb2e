"""The live votes' participation read in the decisions' own statement (``with_participation``, used by the
today list) gives the same figures as the two grouped queries of ``participation_many``, on the demo street's
decisions of every status."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.voting.models import Decision
from gongzhi.voting.selectors import participation_many, with_participation


def test_annotated_participation_equals_the_grouped_queries(demo):
    decisions = Decision.objects.filter(estate__area__street=demo.street).order_by("pk")
    grouped = participation_many(list(decisions))
    assert any(f["participating_owners"] for f in grouped.values()), "the demo street has votes with ballots"
    rows = list(with_participation(decisions))
    with CaptureQueriesContext(connection) as queries:
        annotated = participation_many(rows)
    assert len(queries) == 0  # read from the rows
    assert annotated == grouped
