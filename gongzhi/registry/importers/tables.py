"""Wanted vs stored state of each record kind, keyed by natural key, and the bulk write of the difference."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db import models

BATCH_SIZE = 1000


# ---- Reading the workbook into parsed lines -------------------------------------------------------


@dataclass
class Line:
    row: int
    values: dict[str, Any]
    bad: set[str] = field(default_factory=set)

    def ok(self, *keys: str) -> bool:
        return not self.bad or not any(key in self.bad for key in keys)


class Period(NamedTuple):
    start: Any
    end: Any
    company: str
    row: int | None


@dataclass
class Want:
    sheet: str
    row: int
    fields: dict[str, Any]


class Table:
    """Wanted vs stored state of one model, keyed by natural key."""

    def __init__(self, label: str, model: type[models.Model]):
        self.label = label
        self.model = model
        self.existing: dict[Any, tuple[int, dict[str, Any]]] = {}
        self.wanted: dict[Any, Want] = {}

    def known(self, key) -> bool:
        return key in self.wanted or key in self.existing

    def value(self, key, name: str, default: Any = None) -> Any:
        """The value a record will have after the import (wanted, else stored, else ``default``)."""
        if key in self.wanted and name in self.wanted[key].fields:
            return self.wanted[key].fields[name]
        if key in self.existing:
            return self.existing[key][1].get(name, default)
        return default

    def plan(self) -> tuple[list[Any], list[tuple[Any, int, dict[str, Any]]], int]:
        creates, updates, unchanged = [], [], 0
        for key, want in self.wanted.items():
            stored = self.existing.get(key)
            if stored is None:
                creates.append(key)
                continue
            pk, values = stored
            changed = {name: v for name, v in want.fields.items() if values.get(name) != v}
            if changed:
                updates.append((key, pk, changed))
            else:
                unchanged += 1
        return creates, updates, unchanged


def _identity(fields: dict[str, Any]) -> dict[str, Any]:
    return fields


def write_table(
    table: Table,
    make: Callable[[Any, dict[str, Any]], models.Model],
    to_db: Callable[[dict[str, Any]], dict[str, Any]] = _identity,
    tick: Callable[[int], None] | None = None,
) -> dict[Any, int]:
    """Bulk-insert the new records and bulk-update the changed fields; return natural key → pk.
    ``tick(n)`` is told each batch of ``n`` records written (the import's progress bar)."""
    creates, updates, _unchanged = table.plan()
    ids = {key: pk for key, (pk, _values) in table.existing.items()}
    if creates:
        objects = [make(key, table.wanted[key].fields) for key in creates]
        for start in range(0, len(objects), BATCH_SIZE):
            table.model.objects.bulk_create(objects[start : start + BATCH_SIZE], batch_size=BATCH_SIZE)
            if tick is not None:
                tick(len(objects[start : start + BATCH_SIZE]))
        if any(
            o.pk is None for o in objects
        ):  # every supported backend returns ids (SQLite ≥ 3.35, PostgreSQL)
            raise RuntimeError("database backend does not return ids from bulk_create")
        ids.update((key, o.pk) for key, o in zip(creates, objects, strict=True))
    groups: dict[tuple[str, ...], list[models.Model]] = defaultdict(list)
    for _key, pk, changed in updates:
        values = to_db(changed)
        groups[tuple(sorted(values))].append(table.model(pk=pk, **values))
    for names, objects in groups.items():
        for start in range(0, len(objects), BATCH_SIZE):
            table.model.objects.bulk_update(objects[start : start + BATCH_SIZE], names, batch_size=BATCH_SIZE)
            if tick is not None:
                tick(len(objects[start : start + BATCH_SIZE]))
    return ids
