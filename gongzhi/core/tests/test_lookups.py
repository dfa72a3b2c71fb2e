"""The ``any_of`` lookup (core/lookups.py) finds the same rows as ``__in`` on both databases: ids, an empty
list, a None among the ids, a foreign key and a subquery."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.registry.models import Building, Estate


def test_any_of_finds_what_in_finds(world):
    ids = list(Estate.objects.order_by("pk").values_list("pk", flat=True))
    some = ids[::2]
    assert set(Estate.objects.filter(pk__any_of=some).values_list("pk", flat=True)) == set(some)
    assert list(Estate.objects.filter(pk__any_of=[])) == []
    assert set(Estate.objects.filter(pk__any_of=[*some, None]).values_list("pk", flat=True)) == set(some)
    by_fk = set(Building.objects.filter(estate_id__any_of=some).values_list("pk", flat=True))
    assert by_fk == set(Building.objects.filter(estate_id__in=some).values_list("pk", flat=True))
    assert by_fk  # the world's estates have buildings: the comparison is not between two empty sets
    subquery = Estate.objects.filter(pk__in=some).values("pk")
    assert set(Building.objects.filter(estate_id__any_of=subquery).values_list("pk", flat=True)) == by_fk


def test_any_of_sends_one_array_parameter_on_postgresql(world):
    ids = list(Estate.objects.values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as captured:
        list(Estate.objects.filter(pk__any_of=ids))
    sql = captured.captured_queries[0]["sql"]
    if connection.vendor == "postgresql":
        assert "= ANY(" in sql and " IN (" not in sql
    else:
        assert " IN (" in sql
