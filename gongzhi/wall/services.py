"""Keeping the wall's aggregates (docs/WALL.md): recompute set-wise and upsert, check for drift, take the
monthly snapshots, and the street's colour thresholds.

The services that change the facts an indicator reads call ``core.kept.facts_changed(estate_id=…,
source=…)``, which runs ``status_refresh`` for that estate and source once their transaction commits.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import audit_record
from gongzhi.core.bulk import upsert_rows
from gongzhi.core.errors import UserError
from gongzhi.core.models import AuditEvent
from gongzhi.core.scopes import scope_for
from gongzhi.registry.models import Estate
from gongzhi.wall import facts as wall_facts
from gongzhi.wall import indicators as ind
from gongzhi.wall.models import EstateStatus, StatusSnapshot, WallRule


class WallError(UserError):
    pass


@dataclass(frozen=True)
class Computed:
    value: Decimal | None
    colour: str
    detail: dict[str, Any]


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    """As the JSON column gives it back (Decimals as strings), so that kept and recomputed compare."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def street_bands(street_ids: Iterable[int]) -> dict[tuple[int, str], ind.Bands]:
    """(street id, indicator) → the street's thresholds where it has set its own (one query)."""
    return {
        (r.street_id, r.indicator): ind.Bands(r.amber, r.red)
        for r in WallRule.objects.filter(street_id__in=list(street_ids))
    }


def status_compute(
    *, estate_ids: Iterable[int], today: dt.date | None = None, sources: Iterable[str] | None = None
) -> dict[tuple[int, str], Computed]:
    """(estate id, indicator) → the value, colour and facts computed from the raw data, without writing.
    One gathering per fact source for all the estates; with ``sources`` only their indicators."""
    day = today or timezone.localdate()
    street_of = dict(Estate.objects.filter(pk__any_of=list(estate_ids)).values_list("pk", "area__street_id"))
    ids = sorted(street_of)
    bands = street_bands(set(street_of.values()))
    wanted = set(sources) if sources is not None else {i.source for i in ind.REGISTRY.values()}
    result: dict[tuple[int, str], Computed] = {}
    for source in sorted(wanted):
        gathered = wall_facts.gather(source, ids, day)
        for indicator in ind.REGISTRY.values():
            if indicator.source != source:
                continue
            for estate_id in ids:
                found = gathered[estate_id]
                value = indicator.measure(found)
                colour = indicator.colour(value, bands.get((street_of[estate_id], indicator.key)))
                result[estate_id, indicator.key] = Computed(value, colour, _plain(found))
    return result


def _with_overall(computed: dict[tuple[int, str], Computed], others: dict[int, dict[str, str]]) -> None:
    """Add each estate's overall state from its computed colours and the kept colours of the rest."""
    colours: dict[int, dict[str, str]] = defaultdict(dict)
    for estate_id, kept in others.items():
        colours[estate_id].update(kept)
    for (estate_id, key), c in computed.items():
        colours[estate_id][key] = c.colour
    for estate_id, by_key in colours.items():
        value, colour = ind.overall(by_key)
        reds = sorted(k for k, c in by_key.items() if c == ind.RED)
        computed[estate_id, ind.OVERALL] = Computed(value, colour, {"red": reds})


def status_refresh(
    *,
    estate_ids: Iterable[int] | None = None,
    sources: Iterable[str] | None = None,
    today: dt.date | None = None,
) -> int:
    """Recompute the kept status of these estates (all when None) — only the indicators of ``sources``
    when given — with the overall state, and write the rows that changed. Returns the number of kept rows
    recomputed (written or found unchanged).

    Only what changed is written: a nightly run or a city's league recompute finds most figures as they
    were, and rewriting 40,000 unchanged rows (with their facts) was most of its time. An estate whose
    indicators are all unchanged keeps its overall state too; its overall row's ``computed_at`` still moves
    to now, so the health card's "计算于" (the latest of the estate's rows) says when it was last checked."""
    ids = list(Estate.objects.values_list("pk", flat=True)) if estate_ids is None else list(estate_ids)
    if not ids:
        return 0
    computed = status_compute(estate_ids=ids, today=today, sources=sources)
    keys = {key for _estate_id, key in computed}
    kept = {
        (estate_id, key): (value, colour, detail)
        for estate_id, key, value, colour, detail in EstateStatus.objects.filter(
            estate_id__any_of=ids, indicator__in=sorted(keys)
        ).values_list("estate_id", "indicator", "value", "colour", "detail")
    }
    changed = {pair: c for pair, c in computed.items() if kept.get(pair) != (c.value, c.colour, c.detail)}
    touched = sorted({estate_id for estate_id, _key in changed})
    others: dict[int, dict[str, str]] = defaultdict(dict)
    if touched and sources is not None:
        for estate_id, key, colour in (
            EstateStatus.objects.filter(estate_id__any_of=touched)
            .exclude(indicator__in=[ind.OVERALL, *sorted(keys)])
            .values_list("estate_id", "indicator", "colour")
        ):
            if key in ind.REGISTRY:
                others[estate_id][key] = colour
    # The overall state of a touched estate from all its computed colours and the kept colours of the rest.
    touched_set = set(touched)
    written = {pair: c for pair, c in computed.items() if pair[0] in touched_set}
    _with_overall(written, others)
    # One COPY and one INSERT … ON CONFLICT (core.bulk): ``bulk_create(update_conflicts=…)`` compiled each
    # field of each row and was most of a city's refresh. Values in their database form, as it would send.
    fields = {f.name: f for f in EstateStatus._meta.concrete_fields}
    moment = timezone.now()
    now = fields["computed_at"].get_db_prep_save(moment, connection)
    detail_field, value_field = fields["detail"], fields["value"]
    rows = [
        (
            estate_id,
            key,
            value_field.get_db_prep_save(c.value, connection),
            c.colour,
            detail_field.get_db_prep_save(c.detail, connection),
            now,
        )
        for (estate_id, key), c in written.items()
        if (estate_id, key) in changed or key == ind.OVERALL
    ]
    with transaction.atomic():
        upsert_rows(
            EstateStatus._meta.db_table,
            ["estate_id", "indicator", "value", "colour", "detail", "computed_at"],
            rows,
            conflict=["estate_id", "indicator"],
            update=["value", "colour", "detail", "computed_at"],
        )
        EstateStatus.objects.filter(estate_id__any_of=ids, indicator=ind.OVERALL).update(computed_at=moment)
        if sources is None:  # an indicator that is no longer registered
            EstateStatus.objects.filter(estate_id__any_of=ids).exclude(
                indicator__in=ind.indicator_keys()
            ).delete()
    return len(computed) + len({estate_id for estate_id, _key in computed})


def status_check(*, today: dt.date | None = None, estate_ids: Iterable[int] | None = None) -> list[str]:
    """Every difference between the kept rows and a recomputation from the raw data, in plain Chinese
    (empty: no drift). Reads only; the indicators that depend on the clock drift by themselves from one
    day to the next, which is what the nightly ``gongzhi status --recompute`` is for."""
    ids = list(Estate.objects.values_list("pk", flat=True)) if estate_ids is None else list(estate_ids)
    computed = status_compute(estate_ids=ids, today=today)
    _with_overall(computed, {})
    names = dict(Estate.objects.filter(pk__any_of=ids).values_list("pk", "name"))
    kept = {(row.estate_id, row.indicator): row for row in EstateStatus.objects.filter(estate_id__any_of=ids)}
    problems = []
    for (estate_id, key), c in sorted(computed.items()):
        where = _("%(estate)s · %(indicator)s") % {"estate": names[estate_id], "indicator": ind.label_of(key)}
        row = kept.pop((estate_id, key), None)
        if row is None:
            problems.append(
                _("%(where)s：缺少保存的状态（应为 %(value)s）")
                % {"where": where, "value": ind.number_text(c.value)}
            )
            continue
        if row.value != c.value or row.colour != c.colour:
            problems.append(
                _("%(where)s：保存的是 %(kept)s（%(kept_colour)s），重算为 %(value)s（%(colour)s）")
                % {
                    "where": where,
                    "kept": ind.number_text(row.value),
                    "kept_colour": ind.COLOUR_LABEL.get(row.colour, row.colour),
                    "value": ind.number_text(c.value),
                    "colour": ind.COLOUR_LABEL[c.colour],
                }
            )
        elif row.detail != c.detail:
            problems.append(_("%(where)s：保存的明细与重算不符") % {"where": where})
    for estate_id, key in sorted(kept):
        problems.append(
            _("%(estate)s：多余的状态行“%(indicator)s”")
            % {"estate": names.get(estate_id, estate_id), "indicator": key}
        )
    return problems


# ---- monthly snapshots (趋势) ----------------------------------------------------------------------------------


def month_end(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def months_back(today: dt.date, count: int) -> list[dt.date]:
    """The first days of the ``count`` months before ``today``'s month, oldest first, then today's month."""
    first = today.replace(day=1)
    result = []
    for back in range(count, -1, -1):
        index = first.year * 12 + first.month - 1 - back
        result.append(dt.date(index // 12, index % 12 + 1, 1))
    return result


def snapshot_take(*, month: dt.date | None = None, estate_ids: Iterable[int] | None = None) -> int:
    """Copy the kept status into the month's snapshot (the month of today by default); taking it again
    that month replaces it. Returns the rows written."""
    first = (month or timezone.localdate()).replace(day=1)
    kept = (
        EstateStatus.objects.all()
        if estate_ids is None
        else EstateStatus.objects.filter(estate_id__any_of=list(estate_ids))
    )
    rows = [
        StatusSnapshot(
            month=first, estate_id=s.estate_id, indicator=s.indicator, value=s.value, colour=s.colour
        )
        for s in kept
    ]
    with transaction.atomic():
        StatusSnapshot.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["month", "estate", "indicator"],
            update_fields=["value", "colour"],
            batch_size=1000,
        )
    return len(rows)


def snapshots_rebuild(*, estate_ids: Iterable[int], today: dt.date, months: int = 18) -> int:
    """The past ``months`` months' snapshots recomputed from the dated facts, each as of its last day
    (the demo's trends; a street that starts using the wall may run it once). A month that ended before
    the street's first record of a source in ``facts.RECORDS_SINCE`` (problems, branch work) gets no
    number for its indicators (无数据) rather than a zero nobody measured. Returns the rows written."""
    ids = list(estate_ids)
    street_of = dict(Estate.objects.filter(pk__any_of=ids).values_list("pk", "area__street_id"))
    since = wall_facts.records_since(sorted(set(street_of.values())))
    written = 0
    for month in months_back(today, months)[:-1]:
        last_day = month_end(month)
        computed = status_compute(estate_ids=ids, today=last_day)
        for estate_id, key in list(computed):
            # before the street recorded this kind of fact on the platform, its zero means "not known"
            source = ind.REGISTRY[key].source
            if source in wall_facts.RECORDS_SINCE:
                first = since.get((street_of[estate_id], source))
                if first is None or last_day < first:
                    computed[estate_id, key] = Computed(None, ind.NONE, {})
        _with_overall(computed, {})
        rows = [
            StatusSnapshot(month=month, estate_id=e, indicator=key, value=c.value, colour=c.colour)
            for (e, key), c in computed.items()
        ]
        StatusSnapshot.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["month", "estate", "indicator"],
            update_fields=["value", "colour"],
            batch_size=1000,
        )
        written += len(rows)
    return written


# ---- the street's thresholds ---------------------------------------------------------------------------------


@transaction.atomic
def wallrule_set(*, actor, street, indicator: str, amber: Decimal, red: Decimal) -> WallRule:
    """Set the street's thresholds of one indicator (street admin only), then recolour its estates."""
    if not scope_for(actor).is_street_admin(street.pk):
        raise PermissionDenied
    spec = ind.REGISTRY.get(indicator)
    if spec is None:
        raise WallError(_("没有这个指标。"))
    bands = ind.Bands(amber, red)
    error = ind.bands_error(spec, bands)
    if error:
        raise WallError(error)
    rule = WallRule.objects.select_for_update().filter(street=street, indicator=indicator).first()
    created = rule is None
    old = spec.default if rule is None else ind.Bands(rule.amber, rule.red)
    before = {"amber": str(old.amber), "red": str(old.red)}
    if rule is None:
        rule = WallRule(street=street, indicator=indicator)
    rule.amber, rule.red, rule.updated_at = amber, red, timezone.now()
    rule.full_clean()
    rule.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        obj=rule,
        street_id=street.pk,
        changes={
            "indicator": indicator,
            "amber": [before["amber"], str(amber)],
            "red": [before["red"], str(red)],
        },
    )
    estate_ids = list(Estate.objects.filter(area__street=street).values_list("pk", flat=True))
    transaction.on_commit(lambda: status_refresh(estate_ids=estate_ids, sources=[spec.source]))
    return rule


@transaction.atomic
def wallrule_reset(*, actor, street, indicator: str) -> None:
    """Back to the default thresholds written in the code."""
    if not scope_for(actor).is_street_admin(street.pk):
        raise PermissionDenied
    spec = ind.REGISTRY.get(indicator)
    if spec is None:
        raise WallError(_("没有这个指标。"))
    rule = WallRule.objects.filter(street=street, indicator=indicator).first()
    if rule is None:
        return
    audit_record(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        obj=rule,
        street_id=street.pk,
        changes={"indicator": indicator, "amber": [str(rule.amber), None], "red": [str(rule.red), None]},
    )
    rule.delete()
    estate_ids = list(Estate.objects.filter(area__street=street).values_list("pk", flat=True))
    transaction.on_commit(lambda: status_refresh(estate_ids=estate_ids, sources=[spec.source]))
