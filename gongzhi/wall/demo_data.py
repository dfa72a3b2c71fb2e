"""The demo street's wall (the ``demo_data`` plug-in, last in ``core.plugins.DOMAIN_APPS``): the kept
status of every estate computed from everything the other plug-ins wrote, and 18 months of snapshots
recomputed from the dated facts, each as of its month's last day (the trends)."""

from __future__ import annotations

import datetime as dt
import hashlib

from gongzhi.registry.models import Estate
from gongzhi.wall.demo_map import demo_map_create, demo_map_delete
from gongzhi.wall.models import EstateStatus, StatusSnapshot, WallRule
from gongzhi.wall.services import snapshot_take, snapshots_rebuild, status_refresh

HISTORY_MONTHS = 18


def demo_create(*, street, seed: int, scale: float = 1.0, today: dt.date, users) -> dict[str, int]:
    estate_ids = list(Estate.objects.filter(area__street=street).values_list("pk", flat=True))
    kept = status_refresh(estate_ids=estate_ids, today=today)
    history = snapshots_rebuild(estate_ids=estate_ids, today=today, months=HISTORY_MONTHS)
    history += snapshot_take(month=today, estate_ids=estate_ids)
    placed = demo_map_create(street=street, seed=seed, users=users)
    return {"wall_status": kept, "wall_snapshots": history, "wall_geometry": placed}


def demo_delete(*, street) -> dict[str, int]:
    snapshots, _ = StatusSnapshot.objects.filter(estate__area__street=street).delete()
    status, _ = EstateStatus.objects.filter(estate__area__street=street).delete()
    rules, _ = WallRule.objects.filter(street=street).delete()
    return {
        "wall_snapshots": snapshots,
        "wall_status": status,
        "wall_rules": rules,
        **demo_map_delete(street=street),
    }


def demo_fingerprint(street) -> str:
    digest = hashlib.sha256()
    for row in (
        StatusSnapshot.objects.filter(estate__area__street=street)
        .order_by("month", "estate__name", "indicator")
        .values_list("month", "estate__name", "indicator", "value", "colour")
    ):
        digest.update(repr(row).encode())
    return digest.hexdigest()
