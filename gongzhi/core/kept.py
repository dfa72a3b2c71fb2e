"""The hook by which the services keep the wall's aggregates (``gongzhi/wall``) up to date.

A service that changes facts an indicator reads calls ``facts_changed(estate_id=…, source=…)`` inside
its transaction; once the transaction commits, the wall recomputes that estate's indicators of that
source (``wall.services.status_refresh``). Nothing runs when the transaction rolls back. A failure of
the refresh never undoes the write (``robust``): the nightly ``gongzhi status --recompute`` and
``gongzhi status --check`` catch what it missed. The wall is named as a string (core imports no domain
app); the sources are those of ``wall/facts.py``.
"""

from __future__ import annotations

from importlib import import_module

from django.db import transaction

KEEPER = "gongzhi.wall.services"


def facts_changed(*, estate_id: int | None, source: str) -> None:
    if estate_id is None:
        return

    def refresh() -> None:
        import_module(KEEPER).status_refresh(estate_ids=[estate_id], sources=[source])

    transaction.on_commit(refresh, robust=True)
