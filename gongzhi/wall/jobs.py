"""The wall's background task (read by gongzhi/jobs/registry.py): the nightly recompute of the kept
statuses and this month's snapshot, run by the platform's own schedule and on demand by the street admin's
"立即重新计算" button (views_trends.recompute).

Why nightly: the kept rows are refreshed by the services when facts change, but several indicators depend
on the clock (overdue problems, a committee's days left, disclosures overdue, the last full week of branch
work) and drift by themselves from one day to the next. The job recomputes every estate in chunks (the job
page shows estates done / total), reports how many kept rows the recompute changed (the drift: the
clock's own and any a missed hook left), then copies the kept status into this month's snapshot. Running it
twice gives the same rows: the status and the snapshot are upserts.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

CHUNK = 200  # estates per recompute step: the progress moves, each step stays a few set-wise queries
DRIFT_SHOWN = 20


def _kept(estate_ids: list[int]) -> dict[tuple[int, str], tuple]:
    from gongzhi.wall.models import EstateStatus

    return {
        (e, key): (value, colour)
        for e, key, value, colour in EstateStatus.objects.filter(estate_id__any_of=estate_ids).values_list(
            "estate_id", "indicator", "value", "colour"
        )
    }


def wall_recompute(job) -> dict:
    from gongzhi.registry.models import Estate
    from gongzhi.wall import indicators as ind
    from gongzhi.wall.services import snapshot_take, status_refresh

    estates = list(Estate.objects.order_by("pk").values_list("pk", "name"))
    names = dict(estates)
    ids = [pk for pk, _name in estates]
    total = len(ids)
    job.progress(0, total, force=True)
    rows = changed = missing = 0
    drift: list[str] = []
    for start in range(0, total, CHUNK):
        chunk = ids[start : start + CHUNK]
        before = _kept(chunk)
        rows += status_refresh(estate_ids=chunk)
        for (estate_id, key), now in sorted(_kept(chunk).items()):
            was = before.get((estate_id, key))
            if was == now:
                continue
            if was is None:
                missing += 1
            else:
                changed += 1
            if len(drift) < DRIFT_SHOWN and key in ind.REGISTRY:
                drift.append(
                    _("%(estate)s · %(indicator)s：%(was)s → %(now)s")
                    % {
                        "estate": names[estate_id],
                        "indicator": ind.label_of(key),
                        "was": "—" if was is None else ind.number_text(was[0]),
                        "now": ind.number_text(now[0]),
                    }
                )
        job.progress(min(start + CHUNK, total), total)
    snapshots = snapshot_take()
    job.progress(total, total, force=True)
    return {
        "estates": total,
        "rows": rows,
        "changed": changed,
        "missing": missing,
        "snapshots": snapshots,
        "drift": drift,
    }


TASKS = {
    "wall.recompute": {
        "run": wall_recompute,
        "title": gettext_lazy("挂图作战：重新计算小区状态与本月快照"),
        "template": "wall/_recompute_result.html",
        "progress_label": gettext_lazy("已计算 %(done)s / %(total)s 个小区"),
        "max_attempts": 2,
    }
}
# Local time, after the evaluation recompute (03:00) has refreshed the rankings the wall reads.
SCHEDULE = [{"task": "wall.recompute", "daily": "03:30"}]
