"""Writes of owners' decisions (docs/DESIGN.md §4.5, §5): draft, publish (freeze the electorate), cast,
enter paper/proxy ballots, close (tally), publish the preliminary result, finalise.

Every function is keyword-only, atomic and audited. Bad input raises ``VotingError`` with a plain
Chinese message and changes nothing; a user without the right raises ``PermissionDenied``.
Audit rows of ballots never record the choice: the audit trail is read by office users, and how an
owner voted stays secret while the vote is open.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import secrets
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gongzhi.core.audit import audit_event, audit_is_recording, audit_record, diff, snapshot
from gongzhi.core.errors import UserError
from gongzhi.core.kept import facts_changed
from gongzhi.core.keyed import Keyed
from gongzhi.core.models import AuditEvent
from gongzhi.core.uploads import CleanDocument, UploadRejected, clean_document
from gongzhi.core.validators import EARLIEST_DATE, date_window_error
from gongzhi.registry.models import Building, Estate, OwnerKind, Unit
from gongzhi.voting import rules
from gongzhi.voting.models import (
    OFFLINE_CHANNELS,
    Ballot,
    BallotCast,
    Channel,
    Choice,
    Decision,
    DecisionAttachment,
    DecisionStatus,
    ElectorateOwner,
    ElectorateUnit,
)
from gongzhi.voting.permissions import can_manage, voter_ids_for_user
from gongzhi.voting.sealing import BallotSealError as BallotSealError  # re-exported for callers
from gongzhi.voting.sealing import seal

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
EDITABLE_FIELDS = ("title", "matter", "text", "opens_at", "closes_at", "objection_days")
# Receipts and pseudonyms: no 0/O/1/I/L, so a code read aloud or typed from paper is unambiguous.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


class VotingError(UserError):
    """Refused with a reason in plain Chinese; nothing was changed."""


def _random_code(length: int, rng=None) -> str:
    chooser = rng.choice if rng is not None else secrets.choice
    return "".join(chooser(CODE_ALPHABET) for _ in range(length))


def new_receipt(rng=None) -> str:
    """An unguessable receipt: 16 symbols of a 31-letter alphabet (≈ 79 bits), shown as 4 groups.
    (``rng`` only for the demo street, whose data must be reproducible.)"""
    raw = _random_code(16, rng)
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def normalise_receipt(code: str) -> str:
    """What an owner typed → the stored form (case, spaces and dashes forgiven)."""
    raw = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def _now(now: dt.datetime | None) -> dt.datetime:
    moment = now or timezone.now()
    if timezone.is_naive(moment):
        raise ValueError("aware datetimes only")
    return moment


def _street_id(decision: Decision) -> int:
    return decision.estate.area.street_id


def _require_manager(actor, estate: Estate) -> None:
    if not can_manage(actor, estate):
        raise PermissionDenied


def _require_status(decision: Decision, *allowed: str) -> None:
    if decision.status not in allowed:
        raise VotingError(
            _("表决“%(title)s”当前状态为“%(status)s”，不能进行此操作。")
            % {"title": decision.title, "status": decision.get_status_display()}
        )


def _clean_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Check the draft fields a person typed; raise VotingError on the first problem."""
    cleaned = dict(fields)
    if "title" in cleaned:
        cleaned["title"] = (cleaned["title"] or "").strip()
        if not cleaned["title"]:
            raise VotingError(_("请填写表决事项名称。"))
        if len(cleaned["title"]) > 120:
            raise VotingError(_("表决事项名称最多 120 字。"))
    if "text" in cleaned:
        cleaned["text"] = (cleaned["text"] or "").strip()
        if not cleaned["text"]:
            raise VotingError(_("请填写表决事项全文。"))
    if "matter" in cleaned:
        try:
            matter = int(cleaned["matter"])
        except (TypeError, ValueError):
            matter = 0
        if not 1 <= matter <= 9:
            raise VotingError(_("事项类别必须是《民法典》第二百七十八条第一款所列的第（一）至（九）项。"))
        cleaned["matter"] = matter
    for name in ("opens_at", "closes_at"):
        if name in cleaned:
            value = cleaned[name]
            if not isinstance(value, dt.datetime) or timezone.is_naive(value):
                raise VotingError(_("投票开始和截止时间必须是带时区的日期时间。"))
    if "opens_at" in cleaned:
        earliest, latest = opening_window(timezone.now())
        if message := date_window_error(
            cleaned["opens_at"], label=_("投票开始时间"), earliest=earliest, latest=latest
        ):
            raise VotingError(message)
    if "objection_days" in cleaned:
        try:
            days = int(cleaned["objection_days"])
        except (TypeError, ValueError):
            days = 0
        if not 1 <= days <= 60:
            raise VotingError(_("异议期天数应在 1 到 60 天之间。"))
        cleaned["objection_days"] = days
    return cleaned


# A written vote runs for days or weeks (docs/VOTING_RULES.md §4): a window that opens more than a year
# ahead, before 1990 (core/validators.EARLIEST_DATE), or stays open for more than a year is a typing error
# (0001-01-01, 9999-12-31). A past opening is allowed: publication moves it to the moment of publishing
# (and ``decision_publish(now=…)`` replays a past vote in tests and imports).
MAX_OPENING_AHEAD = dt.timedelta(days=366)
MAX_WINDOW = dt.timedelta(days=366)


def opening_window(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The earliest and latest ``opens_at`` of a draft, seen at ``now``."""
    earliest = dt.datetime.combine(EARLIEST_DATE, dt.time(), tzinfo=timezone.get_current_timezone())
    return earliest, now + MAX_OPENING_AHEAD


def closing_error(opens_at: dt.datetime, closes_at: dt.datetime) -> str | None:
    """Why ``closes_at`` cannot close a window opening at ``opens_at``, or None."""
    latest = opens_at + MAX_WINDOW
    label = _("投票截止时间")
    if not 2 <= closes_at.year <= 9998:  # would overflow in the comparisons below
        return date_window_error(closes_at, label=label, earliest=opens_at, latest=latest)
    if closes_at <= opens_at:
        return _("投票截止时间必须晚于开始时间。")
    return date_window_error(closes_at, label=label, earliest=opens_at, latest=latest)


def _check_window(decision: Decision) -> None:
    if message := closing_error(decision.opens_at, decision.closes_at):
        raise VotingError(message)


def _set_buildings(decision: Decision, buildings: Iterable[Building] | None) -> list[int]:
    chosen = list(buildings or [])
    foreign = [b for b in chosen if b.estate_id != decision.estate_id]
    if foreign:
        raise VotingError(
            _("楼栋 %(number)s 不属于小区“%(estate)s”。")
            % {"number": foreign[0].number, "estate": decision.estate.name}
        )
    decision.buildings.set(chosen)
    return sorted(b.pk for b in chosen)


@transaction.atomic
def decision_create(
    *,
    actor,
    estate: Estate,
    title: str,
    matter: int,
    text: str,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    buildings: Iterable[Building] | None = None,
    objection_days: int = 7,
) -> Decision:
    """Draft a decision of an estate (or of some of its buildings: Shanghai art. 69)."""
    _require_manager(actor, estate)
    fields = _clean_fields(
        {
            "title": title,
            "matter": matter,
            "text": text,
            "opens_at": opens_at,
            "closes_at": closes_at,
            "objection_days": objection_days,
        }
    )
    decision = Decision(
        estate=estate, created_by=actor if getattr(actor, "is_authenticated", False) else None
    )
    for name, value in fields.items():
        setattr(decision, name, value)
    _check_window(decision)
    decision.save()
    building_ids = _set_buildings(decision, buildings)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=decision,
        street_id=_street_id(decision),
        changes={**snapshot(decision), "buildings": building_ids},
    )
    return decision


@transaction.atomic
def decision_update(
    *, actor, decision: Decision, buildings: Iterable[Building] | None = None, **fields: Any
) -> Decision:
    """Change a draft: any of title, matter, text, opens_at, closes_at, objection_days, buildings
    (``buildings=[]`` means the whole estate; ``None`` leaves them as they are)."""
    _require_manager(actor, decision.estate)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    decision = Decision.objects.select_for_update().select_related("estate__area").get(pk=decision.pk)
    _require_status(decision, DecisionStatus.DRAFT)
    before = snapshot(decision)
    for name, value in _clean_fields(fields).items():
        setattr(decision, name, value)
    _check_window(decision)
    decision.save()
    changes: dict[str, Any] = diff(before, snapshot(decision))
    if buildings is not None:
        old = sorted(decision.buildings.values_list("pk", flat=True))
        new = _set_buildings(decision, buildings)
        if old != new:
            changes["buildings"] = [old, new]
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=decision,
        street_id=_street_id(decision),
        changes=changes,
    )
    return decision


@transaction.atomic
def decision_delete(*, actor, decision: Decision) -> None:
    """Discard a draft (a published decision is never deleted)."""
    _require_manager(actor, decision.estate)
    _require_status(decision, DecisionStatus.DRAFT)
    label, pk, street_id = str(decision), decision.pk, _street_id(decision)
    files = [attachment.file for attachment in decision.attachments.all()]
    try:
        decision.delete()
    except ProtectedError as error:
        # A draft opened by another step (a fee-adjustment intent's owners' vote) belongs to that step:
        # deleting it here would strand the step, so refuse and say where it is held.
        kinds = "、".join(sorted({str(obj._meta.verbose_name) for obj in error.protected_objects}))
        raise VotingError(
            _("这份草案由“%(kinds)s”发起并引用，不能在这里删除；请在该处撤回或改期。") % {"kinds": kinds}
        ) from None
    # The files go only once the rows are gone for good (a rolled-back delete keeps its annexes).
    for file in files:
        transaction.on_commit(functools.partial(file.delete, save=False))
    audit_record(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        street_id=street_id,
        object_type=Decision._meta.label,
        object_label=label,
        changes={"id": pk},
    )


def _document(upload, *, label: str) -> CleanDocument:
    """A PDF or photo checked by ``core.uploads.clean_document`` within 10 MB; a refusal is a VotingError.
    (A scanned letter is taken without the closing ``%%EOF`` that the ledgers insist on.)"""
    name = getattr(upload, "name", "") or label
    try:
        return clean_document(upload, name=name, max_bytes=MAX_DOCUMENT_BYTES, require_eof=False)
    except UploadRejected as error:
        raise VotingError(error.message) from None


@transaction.atomic
def decision_attachment_add(*, actor, decision: Decision, upload, name: str = "") -> DecisionAttachment:
    """Attach a PDF or photo to a draft (the full text's annexes: quotes, plans, contracts)."""
    _require_manager(actor, decision.estate)
    _require_status(decision, DecisionStatus.DRAFT)
    label = (name or getattr(upload, "name", "") or _("附件")).strip()[:120]
    document = _document(upload, label=label)
    attachment = DecisionAttachment(decision=decision, name=label)
    attachment.file.save(
        f"{secrets.token_hex(8)}.{document.extension}", ContentFile(document.content), save=False
    )
    attachment.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=attachment,
        street_id=_street_id(decision),
        changes={"decision": decision.pk, "name": label, "file": attachment.file.name},
    )
    return attachment


@transaction.atomic
def decision_attachment_remove(*, actor, attachment: DecisionAttachment) -> None:
    decision = attachment.decision
    _require_manager(actor, decision.estate)
    _require_status(decision, DecisionStatus.DRAFT)
    name, pk = attachment.name, attachment.pk
    attachment.file.delete(save=False)
    attachment.delete()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        street_id=_street_id(decision),
        object_type=DecisionAttachment._meta.label,
        object_label=name,
        changes={"decision": decision.pk, "id": pk},
    )


def _unique_codes(prefix: str, count: int, rng=None) -> list[str]:
    codes: set[str] = set()
    while len(codes) < count:
        codes.add(prefix + _random_code(10, rng))
    result = sorted(codes)
    (rng or secrets.SystemRandom()).shuffle(result)
    return result


def _analyse_electorate() -> None:
    """Give the planner the rows just frozen (PostgreSQL). Autovacuum re-analyses a table only after a
    fifth or so of it changed, so a freshly published decision would otherwise be unknown to the
    planner (it guessed one owner and looped over all of them; issue 17). ANALYZE sees this
    transaction's own rows; it takes a lock that only another ANALYZE or VACUUM of these two tables
    waits for (two publishes at the same moment run one after the other), never a ballot or a read."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE voting_electorateowner, voting_electorateunit")


def freeze_electorate(decision: Decision, units: list[Unit], *, rng=None) -> list[ElectorateOwner]:
    """Write the electorate of ``decision`` from registry units (with ``building`` and ``owner``
    loaded) and set its totals and thresholds on the decision (not saved). One ElectorateOwner per
    buyer (registry ref), the developer's units under its one ref, an ownerless unit on its own;
    random pseudonyms for the public ballot file (``rng`` only for the reproducible demo street)."""
    # Who counts as one owner is the law's (rules.electorate_groups, SPC interpretation art. 9).
    unit_of = {unit.pk: unit for unit in units}
    grouped = rules.electorate_groups(
        (u.pk, u.owner.ref if u.owner_id else None, bool(u.owner_id and u.owner.kind == OwnerKind.DEVELOPER))
        for u in units
    )
    groups = {key: [unit_of[pk] for pk in pks] for key, pks in grouped.items()}
    owner_codes = _unique_codes("O", len(groups), rng)
    unit_codes = _unique_codes("U", len(units), rng)
    voters = []
    for code, (key, owned) in zip(owner_codes, sorted(groups.items()), strict=True):
        # The developer's voter is its first record (by ref), whichever of its units comes first.
        first = next((u for u in owned if u.owner_id and u.owner.ref == key), owned[0])
        name = first.owner.name if first.owner_id else _("（未登记业主）%(unit)s") % {"unit": first}
        voters.append(
            ElectorateOwner(
                decision=decision,
                owner=first.owner,
                key=key,
                name=name[:60],
                is_developer=bool(first.owner_id and first.owner.kind == OwnerKind.DEVELOPER),
                total_area=sum((u.area for u in owned), Decimal("0")),
                unit_count=len(owned),
                pseudonym=code,
            )
        )
    voters = ElectorateOwner.objects.bulk_create(voters)
    voter_of = {v.key: v for v in voters}
    unit_code = iter(unit_codes)
    ElectorateUnit.objects.bulk_create(
        [
            ElectorateUnit(
                decision=decision,
                voter=voter_of[key],
                unit=unit,
                building=unit.building,
                label=f"{unit.building.number} {unit.number}"[:80],
                area=unit.area,
                area_basis=unit.area_source,
                pseudonym=next(unit_code),
            )
            for key, owned in sorted(groups.items())
            for unit in owned
        ]
    )
    _analyse_electorate()
    thresholds = rules.thresholds_for(decision.matter)
    decision.total_area = sum((v.total_area for v in voters), Decimal("0"))
    decision.total_owners = len(voters)
    decision.total_units = len(units)
    decision.quorum_ratio = thresholds.quorum_label
    decision.approval_ratio = thresholds.approval_label
    decision.approval_strict = thresholds.approval_strict
    return voters


@transaction.atomic
def decision_publish(*, actor, decision: Decision, now: dt.datetime | None = None) -> Decision:
    """Publish a draft and freeze its electorate from the registry (SPC interpretation arts. 8–9):
    every unit of the estate (or of the chosen buildings) with the area that counts and its basis,
    grouped by buyer (one owner however many units; the developer's unsold units are its one owner;
    a unit without a recorded owner counts as one owner on its own). The totals and the thresholds
    of the matter are stored. A window that has already begun opens at publication."""
    moment = _now(now)
    _require_manager(actor, decision.estate)
    decision = Decision.objects.select_for_update().select_related("estate__area").get(pk=decision.pk)
    _require_status(decision, DecisionStatus.DRAFT)
    if decision.closes_at <= moment:
        raise VotingError(_("投票截止时间已过，请先修改投票时间再发布。"))
    if decision.opens_at < moment:
        decision.opens_at = moment  # nobody could vote before publication
    if decision.closes_at <= decision.opens_at:
        raise VotingError(_("投票截止时间必须晚于开始时间。"))

    building_ids = list(decision.buildings.values_list("pk", flat=True))
    units = Unit.objects.filter(building__estate=decision.estate).select_related("building", "owner")
    if building_ids:
        units = units.filter(building_id__in=building_ids)
    units = list(units.order_by("building__number", "number", "pk"))
    if not units:
        raise VotingError(_("该小区（或所选楼栋）在台账中没有房屋，无法确定业主名册。"))

    freeze_electorate(decision, units)
    facts_changed(decision.estate_id, "voting")
    decision.status = DecisionStatus.PUBLISHED
    decision.published_at = moment
    decision.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=decision,
        street_id=_street_id(decision),
        changes={
            "status": [DecisionStatus.DRAFT, DecisionStatus.PUBLISHED],
            "opens_at": decision.opens_at.isoformat(),
            "closes_at": decision.closes_at.isoformat(),
            "total_area": str(decision.total_area),
            "total_owners": decision.total_owners,
            "total_units": decision.total_units,
            "buildings": sorted(building_ids),
        },
    )
    return decision


def _open_decision(decision: Decision, moment: dt.datetime) -> Decision:
    """The decision a ballot goes into, checked open at ``moment`` — without re-reading it.

    Once published, a decision's window (``opens_at``, ``closes_at``) never changes; the one change
    left is the close (``decision_close``), and the database guards against it on every ballot row:
    the trigger ``voting_ballot_while_published`` (migration 0006) takes a shared advisory lock on the
    decision and then reads its status, inside the very INSERT or UPDATE that writes the ballot; the
    close takes the same lock exclusively before it reads anything. So a close waits for every ballot
    being written and counts it, and a ballot arriving during or after the close waits, sees the
    status ``closed`` and is refused (``_refused_after_close``) — exactly the ballots table at the
    close is counted, without a per-ballot row lock on the decision (docs/VOTING_RULES.md §4). The
    decision is read again only if the caller's copy is not published (it may have been published
    since it was read) or lacks the street the audit row needs."""
    loaded = Decision.estate.is_cached(decision) and Estate.area.is_cached(decision.estate)
    if decision.status != DecisionStatus.PUBLISHED or not loaded:
        decision = Decision.objects.select_related("estate__area").get(pk=decision.pk)
    if decision.status != DecisionStatus.PUBLISHED:
        raise VotingError(_("表决“%(title)s”已不在投票中。") % {"title": decision.title})
    if moment < decision.opens_at:
        raise VotingError(
            _("表决“%(title)s”尚未开始投票（开始时间 %(at)s）。")
            % {
                "title": decision.title,
                "at": timezone.localtime(decision.opens_at).strftime("%Y-%m-%d %H:%M"),
            }
        )
    if moment >= decision.closes_at:
        raise VotingError(_("表决“%(title)s”的投票已截止。") % {"title": decision.title})
    return decision


# The message of the trigger that refuses a ballot row of a decision that is not published (0002, 0006).
CLOSED_TRIGGER_MESSAGE = "ballots change only while the decision is published"


def _refused_after_close(error: IntegrityError, decision: Decision) -> VotingError:
    if CLOSED_TRIGGER_MESSAGE not in str(error):
        raise error
    return VotingError(_("表决“%(title)s”已不在投票中。") % {"title": decision.title})


def _lock_decision_for_close(decision: Decision) -> None:
    """The exclusive side of the ballot trigger's shared advisory lock (see ``_open_decision``)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock('voting_decision'::regclass::oid::int, %s::int)", [decision.pk]
            )


def _check_choice(choice: str) -> str:
    if choice not in Choice.values:
        raise VotingError(_("表决意见只能是同意、反对或弃权。"))
    return choice


# One statement writes or replaces an owner's ballot, keeping the channel rule (BALLOT_CHANNEL_RULE):
# an online cast replaces only an online ballot, a paper or proxy entry only a paper or proxy one. The
# row lock of the conflicting ballot (or the unique voter index, for a first ballot) serialises one
# owner's casts, and the cast's id is drawn after it, so the current ballot is always the owner's last
# cast; no separate lock or read of the owner is needed.
_UPSERT_BALLOT = """
INSERT INTO voting_ballot
    (decision_id, voter_id, seal, channel, collector_name, proxy_name, authorisation, cast_at, cast_by_id,
     receipt, casts)
VALUES (%(decision)s, %(voter)s, %(seal)s, %(channel)s, %(collector)s, %(proxy)s, %(authorisation)s,
        %(cast_at)s, %(cast_by)s, %(receipt)s, 1)
ON CONFLICT (voter_id) DO UPDATE SET
    seal = excluded.seal, channel = excluded.channel, collector_name = excluded.collector_name,
    proxy_name = excluded.proxy_name, authorisation = excluded.authorisation, cast_at = excluded.cast_at,
    cast_by_id = excluded.cast_by_id, receipt = excluded.receipt, casts = voting_ballot.casts + 1
WHERE {replaceable}
RETURNING id, casts
"""
_REPLACEABLE = {
    True: "voting_ballot.channel = 'online'",  # an online cast
    False: "voting_ballot.channel <> 'online'",  # a paper or proxy entry
}

# On PostgreSQL the ballot, its cast and its audit row are ONE statement (data-modifying CTEs): one
# statement is one transaction, so a cast needs no BEGIN and COMMIT of its own and costs two round
# trips in all (the voter's look-up, this). The cast and the audit row are inserted from the ballot's
# row: if the channel rule refuses (no row), nothing at all is written.
_CAST_AND_AUDIT = """
, cast_row AS (
    INSERT INTO voting_ballotcast
        (decision_id, voter_id, seal, channel, collector_name, proxy_name, authorisation, cast_at,
         cast_by_id, receipt)
    SELECT %(decision)s, %(voter)s, %(seal)s, %(channel)s, %(collector)s, %(proxy)s, %(authorisation)s,
           %(cast_at)s, %(cast_by)s, %(receipt)s
    FROM ballot
    RETURNING id
)
"""
_AUDIT = """
, audit_row AS (
    INSERT INTO core_auditevent
        (at, actor_id, actor_label, action, object_type, object_id, object_label, street_id, changes)
    SELECT %(audit_at)s, %(audit_actor)s, %(audit_actor_label)s,
           CASE WHEN ballot.casts = 1 THEN %(audit_create)s ELSE %(audit_update)s END,
           %(audit_object_type)s, %(audit_object_id)s, %(audit_object_label)s, %(audit_street)s,
           %(audit_changes)s::jsonb || jsonb_build_object('casts', ballot.casts)
    FROM ballot
    RETURNING id
)
"""

_ONE_STATEMENT = {  # constant SQL: the choices are the channel rule's and whether the audit is on
    (online, audited): "WITH ballot AS ("  # noqa: S608
    + _UPSERT_BALLOT.format(replaceable=_REPLACEABLE[online])
    + ")"
    + _CAST_AND_AUDIT
    + (_AUDIT if audited else "")
    + "SELECT id, casts FROM ballot"
    for online in (True, False)
    for audited in (True, False)
}
_UPSERT = {online: _UPSERT_BALLOT.format(replaceable=_REPLACEABLE[online]) for online in (True, False)}


def _ballot_audit(actor, decision: Decision, voter_id: int, channel: str, collector: str, casts: int):
    """The audit row of a cast: that a ballot was cast, by which channel and by whom — never the choice
    (the audit trail is office-readable and the vote is secret)."""
    return audit_event(
        actor=actor,
        action=AuditEvent.Action.CREATE if casts == 1 else AuditEvent.Action.UPDATE,
        obj=decision,
        street_id=_street_id(decision),
        object_type=Ballot._meta.label,
        object_label=_("%(title)s · 表决票") % {"title": decision.title},
        changes={"voter": voter_id, "channel": channel, "casts": casts, "collector": collector},
    )


def _write_ballot_postgresql(actor, decision: Decision, params: dict[str, Any]):
    """Ballot, cast and audit row in one statement; the ballot's (id, casts), or None if refused."""
    audited = audit_is_recording()
    sql = _ONE_STATEMENT[params["channel"] == Channel.ONLINE, audited]
    if audited:
        # casts = 1 here; the statement sets the action and the count from the ballot row it wrote.
        event = _ballot_audit(actor, decision, params["voter"], params["channel"], params["collector"], 1)
        params = {
            **params,
            "audit_at": event.at,
            "audit_actor": event.actor_id,
            "audit_actor_label": event.actor_label,
            "audit_create": AuditEvent.Action.CREATE.value,
            "audit_update": AuditEvent.Action.UPDATE.value,
            "audit_object_type": event.object_type,
            "audit_object_id": event.object_id,
            "audit_object_label": event.object_label,
            "audit_street": event.street_id,
            "audit_changes": json.dumps({k: v for k, v in event.changes.items() if k != "casts"}),
        }
    # A savepoint inside a caller's transaction (a refused ballot leaves it usable); in autocommit the
    # one statement is its own transaction and needs no BEGIN.
    atomic = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    with atomic, connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


@transaction.atomic
def _write_ballot_sqlite(actor, decision: Decision, params: dict[str, Any], cast):
    """The same in three statements and one transaction (SQLite has no data-modifying CTEs)."""
    values = {
        **params,
        "cast_at": Ballot._meta.get_field("cast_at").get_db_prep_save(params["cast_at"], connection),
    }
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT[params["channel"] == Channel.ONLINE], values)
        row = cursor.fetchone()
    if row is not None:
        cast.save()
        if audit_is_recording():
            _ballot_audit(
                actor, decision, params["voter"], params["channel"], params["collector"], row[1]
            ).save()
    return row


def _channel_refusal(voter_id: int, channel: str) -> VotingError:
    """Why the channel rule refused this cast (read only when it did)."""
    current = Ballot.objects.filter(voter_id=voter_id).only("channel").first()
    if channel in OFFLINE_CHANNELS or current is None:
        return VotingError(_("该业主已在线投票，不能再录入纸质票或委托票（以首次投票方式为准）。"))
    return VotingError(
        _("您的表决票已由业委会以%(channel)s方式录入，不能再在线投票；如需改票，请重新提交书面表决票。")
        % {"channel": current.get_channel_display()}
    )


def _record_cast(
    *,
    actor,
    decision: Decision,
    voter_id: int,
    choice: str,
    channel: str,
    moment: dt.datetime,
    collector_name: str = "",
    proxy_name: str = "",
    authorisation: CleanDocument | None = None,
) -> Ballot:
    """Write or replace the owner's ballot under the channel rule, append the cast, audit — one
    statement on PostgreSQL, three in one transaction on SQLite. The decision's state is guarded by
    the ballot trigger (see ``_open_decision``)."""
    receipt = new_receipt()
    cast_by = actor if getattr(actor, "is_authenticated", False) else None
    # The choice is stored sealed only (voting.sealing): no row pairs the owner with a readable choice.
    sealed = seal(decision_id=decision.pk, voter_id=voter_id, receipt=receipt, choice=choice)
    cast = BallotCast(
        decision=decision,
        voter_id=voter_id,
        seal=sealed,
        channel=channel,
        collector_name=collector_name,
        proxy_name=proxy_name,
        cast_at=moment,
        cast_by=cast_by,
        receipt=receipt,
    )
    if authorisation is not None:
        name = f"{secrets.token_hex(8)}.{authorisation.extension}"
        cast.authorisation.save(name, ContentFile(authorisation.content), save=False)
    params: dict[str, Any] = {
        "decision": decision.pk,
        "voter": voter_id,
        "seal": sealed,
        "channel": channel,
        "collector": collector_name,
        "proxy": proxy_name,
        "authorisation": cast.authorisation.name or "",
        "cast_at": moment,
        "cast_by": cast_by.pk if cast_by is not None else None,
        "receipt": receipt,
    }
    try:
        if connection.vendor == "postgresql":
            row = _write_ballot_postgresql(actor, decision, params)
        else:
            row = _write_ballot_sqlite(actor, decision, params, cast)
    except IntegrityError as error:
        cast.authorisation.delete(save=False)  # nothing is kept of a refused entry
        raise _refused_after_close(error, decision) from error
    if row is None:
        cast.authorisation.delete(save=False)
        raise _channel_refusal(voter_id, channel)
    if row[1] == 1:  # a first cast changes the participation; a replaced ballot does not
        facts_changed(decision.estate_id, "voting")
    return Ballot(
        pk=row[0],
        decision=decision,
        voter_id=voter_id,
        seal=sealed,
        channel=channel,
        collector_name=collector_name,
        proxy_name=proxy_name,
        authorisation=params["authorisation"],
        cast_at=moment,
        cast_by=cast_by,
        receipt=receipt,
        casts=row[1],
    )


def ballot_cast(*, actor, decision: Decision, choice: str, now: dt.datetime | None = None) -> Ballot:
    """An owner votes online for all their units in the electorate; a second vote replaces the first.
    Refused (nothing changes) outside the window, for a non-owner or another estate's owner, and once
    the committee has entered a paper or proxy ballot for this owner (BALLOT_CHANNEL_RULE).

    Two statements on PostgreSQL: the voter's look-up (the frozen electorate never changes, so it
    needs no transaction) and one statement that writes ballot, cast and audit row atomically
    (``_write_ballot_postgresql``); hence no ``@transaction.atomic`` here, whose BEGIN and COMMIT
    would double the round trips of a cast (issue 17). The scope is the request's (``scope_for``
    caches it on the user) and the decision is not re-read (``_open_decision``)."""
    moment = _now(now)
    _check_choice(choice)
    decision = _open_decision(decision, moment)
    voters = voter_ids_for_user(actor, decision)
    if not voters:
        raise VotingError(_("您不在本次表决的业主名册中，不能投票。"))
    if len(voters) > 1:
        raise VotingError(_("您的账号关联了多位登记业主，请联系业委会核实后以书面表决票投票。"))
    return _record_cast(
        actor=actor,
        decision=decision,
        voter_id=voters[0],
        choice=choice,
        channel=Channel.ONLINE,
        moment=moment,
    )


def _offline_voter(decision: Decision, voter: ElectorateOwner) -> ElectorateOwner:
    if voter.decision_id != decision.pk:
        raise VotingError(_("业主“%(name)s”不在本次表决的业主名册中。") % {"name": voter.name})
    return voter


def _clean_person(name: str, *, what: str) -> str:
    value = (name or "").strip()
    if not value:
        raise VotingError(_("请填写%(what)s姓名。") % {"what": what})
    if len(value) > 60:
        raise VotingError(_("%(what)s姓名最多 60 字。") % {"what": what})
    return value


@transaction.atomic
def ballot_enter_paper(
    *,
    actor,
    decision: Decision,
    voter: ElectorateOwner,
    choice: str,
    collector_name: str,
    now: dt.datetime | None = None,
) -> Ballot:
    """The committee enters a signed paper ballot collected door to door (marked paper, with the
    collector's name). Only inside the window; refused if the owner already voted online."""
    moment = _now(now)
    _require_manager(actor, decision.estate)
    _check_choice(choice)
    collector = _clean_person(collector_name, what=_("收票人"))
    decision = _open_decision(decision, moment)
    voter = _offline_voter(decision, voter)
    return _record_cast(
        actor=actor,
        decision=decision,
        voter_id=voter.pk,
        choice=choice,
        channel=Channel.PAPER,
        moment=moment,
        collector_name=collector,
    )


@transaction.atomic
def ballot_enter_proxy(
    *,
    actor,
    decision: Decision,
    voter: ElectorateOwner,
    choice: str,
    proxy_name: str,
    authorisation,
    collector_name: str = "",
    now: dt.datetime | None = None,
) -> Ballot:
    """The committee enters a proxy's ballot; only with the owner's written authorisation attached
    (a PDF or a photo of it) and as instructed in it (Shanghai 住宅物业管理规定 art. 18)."""
    moment = _now(now)
    _require_manager(actor, decision.estate)
    _check_choice(choice)
    proxy = _clean_person(proxy_name, what=_("受托人"))
    collector = (collector_name or "").strip()[:60]
    if authorisation is None or not getattr(authorisation, "size", 1):
        raise VotingError(_("委托投票必须上传业主签名的书面委托书。"))
    document = _document(authorisation, label=_("书面委托书"))
    decision = _open_decision(decision, moment)
    voter = _offline_voter(decision, voter)
    return _record_cast(
        actor=actor,
        decision=decision,
        voter_id=voter.pk,
        choice=choice,
        channel=Channel.PROXY,
        moment=moment,
        collector_name=collector,
        proxy_name=proxy,
        authorisation=document,
    )


def tally_decision(decision: Decision) -> dict[str, Any]:
    """rules.tally over the frozen electorate and the current ballots (no permission check: callers
    decide who may see it; while the vote is open only the close itself calls this)."""
    units = [
        {"id": str(u["pk"]), "area": u["area"], "owner": str(u["voter_id"])}
        for u in ElectorateUnit.objects.filter(decision=decision).values("pk", "area", "voter_id")
    ]
    # The one place (with the owner's own page) where seals are opened: the count at the close.
    ballots = [
        {"owner": str(b.voter_id), "choice": b.choice}
        for b in Ballot.objects.filter(decision=decision).only("decision_id", "voter_id", "receipt", "seal")
    ]
    return rules.tally(decision.matter, units, ballots)


@transaction.atomic
def decision_close(*, actor, decision: Decision, now: dt.datetime | None = None) -> Decision:
    """Close the vote at or after its end and store the exact tally (Civil Code art. 278).
    ``actor=None`` is the system timer (management command ``voting_close_due``)."""
    moment = _now(now)
    if actor is not None:
        _require_manager(actor, decision.estate)
    # Waits for every ballot being written; later ballots wait for this close and are refused
    # (the ballot trigger's shared lock, see ``_open_decision``). Then the row lock against a second close.
    _lock_decision_for_close(decision)
    decision = Decision.objects.select_for_update().select_related("estate__area").get(pk=decision.pk)
    _require_status(decision, DecisionStatus.PUBLISHED)
    if moment < decision.closes_at:
        raise VotingError(
            _("投票截止时间 %(at)s 未到，不能提前计票。")
            % {"at": timezone.localtime(decision.closes_at).strftime("%Y-%m-%d %H:%M")}
        )
    outcome = tally_decision(decision)
    decision.result = outcome
    decision.ballot_file = rules.anonymised_ballot_file(outcome, rng=secrets.SystemRandom())
    decision.passed = outcome["passed"]
    facts_changed(decision.estate_id, "voting")
    decision.status = DecisionStatus.CLOSED
    decision.closed_at = moment
    decision.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=decision,
        street_id=_street_id(decision),
        changes={"status": [DecisionStatus.PUBLISHED, DecisionStatus.CLOSED], "result": outcome},
    )
    from gongzhi.voting.signals import decision_counted

    decision_counted.send(sender=Decision, decision=decision)
    return decision


@transaction.atomic
def result_publish_preliminary(
    *, actor, decision: Decision, objection_days: int | None = None, now: dt.datetime | None = None
) -> Decision:
    """Publish the counted result for an objection period (异议期公示) of ``objection_days`` days
    (default: the decision's own setting)."""
    moment = _now(now)
    _require_manager(actor, decision.estate)
    decision = Decision.objects.select_for_update().select_related("estate__area").get(pk=decision.pk)
    _require_status(decision, DecisionStatus.CLOSED)
    if objection_days is not None:
        decision.objection_days = _clean_fields({"objection_days": objection_days})["objection_days"]
    decision.status = DecisionStatus.PRELIMINARY
    decision.preliminary_at = moment
    decision.objection_ends_at = moment + dt.timedelta(days=decision.objection_days)
    decision.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=decision,
        street_id=_street_id(decision),
        changes={
            "status": [DecisionStatus.CLOSED, DecisionStatus.PRELIMINARY],
            "objection_days": decision.objection_days,
            "objection_ends_at": decision.objection_ends_at.isoformat(),
        },
    )
    return decision


@transaction.atomic
def result_finalise(*, actor, decision: Decision, now: dt.datetime | None = None) -> Decision:
    """Publish the final result once the objection period has ended."""
    moment = _now(now)
    _require_manager(actor, decision.estate)
    decision = Decision.objects.select_for_update().select_related("estate__area").get(pk=decision.pk)
    _require_status(decision, DecisionStatus.PRELIMINARY)
    if decision.objection_ends_at is not None and moment < decision.objection_ends_at:
        raise VotingError(
            _("异议期到 %(at)s 结束，结束前不能公布最终结果。")
            % {"at": timezone.localtime(decision.objection_ends_at).strftime("%Y-%m-%d %H:%M")}
        )
    decision.status = DecisionStatus.FINAL
    decision.finalised_at = moment
    decision.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=decision,
        street_id=_street_id(decision),
        changes={"status": [DecisionStatus.PRELIMINARY, DecisionStatus.FINAL], "passed": decision.passed},
    )
    return decision


# ---- reminders while a live vote is short of the quorum ---------------------------------------------------


def decisions_remind_short_of_quorum(*, now: dt.datetime | None = None) -> int:
    """Tell the owners' committee members of the estate and the area's party secretaries when a live vote
    is still short of the quorum of Civil Code art. 278 para. 2 (参与表决的业主专有面积和人数均须达到
    三分之二以上), 7, 3 and 1 days before it closes (rules.quorum_reminder_step); returns the reminders sent.

    Run daily by the worker (voting/jobs.py). Each step is sent once per decision, whatever the number of
    runs or workers: the step is recorded on the decision under a row lock, in the transaction that writes
    the notification (inbox and outbox, core/notify.py) and its audit event."""
    # Late imports: selectors and core.scopes' helpers import this module's neighbours at load time.
    from gongzhi.core.models import Role
    from gongzhi.core.notify import notify
    from gongzhi.core.scopes import holders_of
    from gongzhi.voting.selectors import participation_many, quorum_text

    moment = _now(now)
    today = timezone.localtime(moment).date()
    live = list(
        Decision.objects.filter(status=DecisionStatus.PUBLISHED, opens_at__lte=moment, closes_at__gt=moment)
        .select_related("estate__area")
        .order_by("closes_at", "pk")
    )
    figures = participation_many(live)
    sent = 0
    for decision in live:
        if figures[decision.pk]["quorum_met"]:
            continue
        days_left = (timezone.localtime(decision.closes_at).date() - today).days
        if rules.quorum_reminder_step(days_left, decision.quorum_reminded_days) is None:
            continue
        with transaction.atomic():
            locked = Decision.objects.select_for_update().get(pk=decision.pk)
            step = rules.quorum_reminder_step(days_left, locked.quorum_reminded_days)
            if step is None:
                continue  # sent meanwhile by another run
            locked.quorum_reminded_days = step
            locked.save(update_fields=["quorum_reminded_days"])
            estate = decision.estate
            recipients = list(holders_of(Role.OC_MEMBER, estate_id=estate.pk)) + list(
                holders_of(Role.AREA_SECRETARY, area_id=estate.area_id)
            )
            text = Keyed(
                gettext_noop("%(estate)s「%(title)s」未达法定人数：%(gap)s。请组织动员业主参与表决。"),
                {
                    "estate": estate.name,
                    "title": decision.title,
                    "gap": quorum_text(figures[decision.pk], days_left),
                },
            )
            notify(
                recipients,
                text,
                url=reverse("voting:canvass", args=[decision.pk]),
                urgent=step == 1,
                event="voting.short_of_quorum",
                street_id=estate.area.street_id,
                ref=f"voting.short_of_quorum:{decision.pk}:{step}",
            )
            audit_record(
                actor=None,
                action=AuditEvent.Action.UPDATE,
                obj=locked,
                street_id=estate.area.street_id,
                changes={
                    "quorum_reminded_days": [decision.quorum_reminded_days, step],
                    "recipients": len({u.pk for u in recipients}),
                },
            )
            sent += 1
    return sent
