"""core.bulk.upsert_rows: new rows are inserted, rows that clash on the unique columns take the new values,
the rest of the table is untouched — through both paths (one multi-row statement; on PostgreSQL a COPY into a
staging table merged by one INSERT … ON CONFLICT), twice in one transaction, on both databases."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone

from gongzhi.core import bulk
from gongzhi.registry.models import Estate
from gongzhi.wall.models import EstateStatus

COLUMNS = ["estate_id", "indicator", "value", "colour", "detail", "computed_at"]


def prepared(estate_id: int, indicator: str, value: str | None, colour: str, detail: dict) -> tuple:
    fields = {f.name: f for f in EstateStatus._meta.concrete_fields}
    return (
        estate_id,
        indicator,
        fields["value"].get_db_prep_save(None if value is None else Decimal(value), connection),
        colour,
        fields["detail"].get_db_prep_save(detail, connection),
        fields["computed_at"].get_db_prep_save(timezone.now(), connection),
    )


@pytest.mark.parametrize("stage_from", [1000, 2], ids=["one statement", "staging table"])
def test_upsert_inserts_updates_and_leaves_the_rest(world, stage_from, monkeypatch):
    monkeypatch.setattr(bulk, "STAGE_FROM", stage_from)
    first, second = Estate.objects.order_by("pk")[:2]
    EstateStatus.objects.all().delete()
    EstateStatus.objects.create(estate=first, indicator="a", value=Decimal("1"), colour="green", detail={})
    EstateStatus.objects.create(estate=first, indicator="b", value=Decimal("2"), colour="green", detail={})
    table = EstateStatus._meta.db_table
    with transaction.atomic():
        bulk.upsert_rows(
            table,
            COLUMNS,
            [
                prepared(first.pk, "a", "7.25", "red", {"名称": "楼道", "n": 3}),
                prepared(second.pk, "a", None, "none", {}),
                prepared(second.pk, "c", "0.50", "amber", {"list": [1, 2]}),
            ],
            conflict=["estate_id", "indicator"],
            update=["value", "colour", "detail", "computed_at"],
        )
        # A second upsert in the same transaction (the staging table of the first is gone).
        bulk.upsert_rows(
            table,
            COLUMNS,
            [
                prepared(second.pk, "c", "0.75", "amber", {"list": [3]}),
                prepared(first.pk, "d", "4", "red", {}),
            ],
            conflict=["estate_id", "indicator"],
            update=["value", "colour", "detail", "computed_at"],
        )
    rows = {
        (e, k): (v, c, d)
        for e, k, v, c, d in EstateStatus.objects.values_list(
            "estate_id", "indicator", "value", "colour", "detail"
        )
    }
    assert rows == {
        (first.pk, "a"): (Decimal("7.25"), "red", {"名称": "楼道", "n": 3}),
        (first.pk, "b"): (Decimal("2"), "green", {}),  # not in the input: untouched
        (first.pk, "d"): (Decimal("4"), "red", {}),
        (second.pk, "a"): (None, "none", {}),
        (second.pk, "c"): (Decimal("0.75"), "amber", {"list": [3]}),
    }
    assert EstateStatus.objects.count() == 5  # no row doubled


@pytest.mark.django_db
def test_an_empty_upsert_writes_nothing():
    before = EstateStatus.objects.count()
    bulk.upsert_rows(
        EstateStatus._meta.db_table, COLUMNS, [], conflict=["estate_id", "indicator"], update=["value"]
    )
    assert EstateStatus.objects.count() == before
