"""The hook by which the services keep the wall's aggregates (``gongzhi/wall``) up to date.

A service that changes facts an indicator reads calls ``facts_changed(estate_id, source, …)`` inside its
transaction (the sources are those of ``wall/facts.py``: problems, closure, finance, disclosure,
evaluation, committee, voting, branch, fees). Once the transaction commits, the wall recomputes those
estates' indicators of those sources (``wall.services.status_refresh``) — once per transaction however
many rows changed: the pending (estate, source) pairs are collected and the first commit callback
refreshes them all, grouped by source. Nothing is refreshed for a transaction that rolls back. A failing refresh never
undoes the write (``robust``): the nightly ``gongzhi status --recompute`` and ``gongzhi status --check``
catch what it missed. The wall is named as a string: core imports no domain app.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable
from importlib import import_module

from django.db import transaction

KEEPER = "gongzhi.wall.services"

_pending = threading.local()


def _flush() -> None:
    pairs: set[tuple[int, str]] = getattr(_pending, "pairs", set())
    _pending.pairs = set()
    if not pairs:
        return
    by_sources: dict[tuple[str, ...], set[int]] = defaultdict(set)
    sources_of: dict[int, set[str]] = defaultdict(set)
    for estate_id, source in pairs:
        sources_of[estate_id].add(source)
    for estate_id, sources in sources_of.items():
        by_sources[tuple(sorted(sources))].add(estate_id)
    refresh = import_module(KEEPER).status_refresh
    for sources_key, estate_ids in by_sources.items():
        refresh(estate_ids=sorted(estate_ids), sources=list(sources_key))


def facts_changed_many(estate_ids: Iterable[int | None], *sources: str) -> None:
    pairs = getattr(_pending, "pairs", None)
    if pairs is None:
        pairs = _pending.pairs = set()
    fresh = {(e, s) for e in estate_ids if e is not None for s in sources}
    if not fresh:
        return
    pairs |= fresh
    # Registered each time (a rolled-back transaction drops its callbacks); the first to run refreshes
    # every pending pair and the rest find nothing to do.
    transaction.on_commit(_flush, robust=True)


def facts_changed(estate_id: int | None, *sources: str) -> None:
    facts_changed_many([estate_id], *sources)
