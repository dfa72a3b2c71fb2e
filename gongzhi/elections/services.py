"""Writes for slate review. Each service checks the actor (permissions.py), keeps the slate's rules
(rules.py via selectors.review), records a SlateEvent and an AuditEvent in the same transaction, and
notifies the next party (the leadership group on submit, the area on a decision)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gongzhi.core.audit import audit_record, diff, snapshot
from gongzhi.core.errors import UserError
from gongzhi.core.kept import facts_changed
from gongzhi.core.keyed import Keyed
from gongzhi.core.models import AuditEvent, Role, User
from gongzhi.core.notify import notify
from gongzhi.core.scopes import holders_of
from gongzhi.elections import permissions, rules, selectors
from gongzhi.elections.models import (
    Candidate,
    CandidateCheck,
    CheckBasis,
    ElectionTargets,
    Slate,
    SlateEvent,
    SlateStatus,
)
from gongzhi.registry.models import (
    CommitteeMember,
    CommitteePosition,
    Estate,
    Owner,
    OwnersCommittee,
    Street,
    Unit,
)
from gongzhi.voting.models import Decision, DecisionStatus, Matter

MAX_CANDIDATES = 41


class SlateError(UserError):
    """A refusal the user can act on; ``message`` is plain Chinese."""


def _event(slate: Slate, actor, action: str, comment: str = "", now: dt.datetime | None = None) -> None:
    SlateEvent.objects.create(
        slate=slate, at=now or timezone.now(), actor=actor, action=action, comment=comment
    )


def _street_id(slate: Slate) -> int:
    return slate.estate.area.street_id


def _check_header(election_date: dt.date, planned_size: int) -> None:
    if not isinstance(planned_size, int) or planned_size < 1 or planned_size > MAX_CANDIDATES:
        raise SlateError(_("拟设委员人数应为 1 至 %(n)d 之间的整数。") % {"n": MAX_CANDIDATES})
    if not isinstance(election_date, dt.date):
        raise SlateError(_("请填写选举日期。"))


@transaction.atomic
def slate_create(
    *, actor, estate: Estate, election_date: dt.date, planned_size: int, note: str = "", now=None
) -> Slate:
    if not permissions.may_enter_for(actor, estate):
        raise PermissionDenied
    _check_header(election_date, planned_size)
    slate = Slate.objects.create(
        estate=estate,
        election_date=election_date,
        planned_size=planned_size,
        note=note.strip(),
        created_by=actor,
    )
    _event(slate, actor, SlateEvent.Action.CREATE, now=now)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=slate,
        street_id=estate.area.street_id,
        changes=snapshot(slate),
    )
    return slate


def _require_edit(actor, slate: Slate) -> Slate:
    slate = Slate.objects.select_for_update().select_related("estate__area").get(pk=slate.pk)
    if not permissions.may_enter_for(actor, slate.estate):
        raise PermissionDenied
    if slate.status not in permissions.EDITABLE:
        raise SlateError(_("名单已报送或已通过，不能再修改。"))
    return slate


@transaction.atomic
def slate_update(*, actor, slate: Slate, election_date: dt.date, planned_size: int, note: str = "") -> Slate:
    slate = _require_edit(actor, slate)
    _check_header(election_date, planned_size)
    before = snapshot(slate)
    slate.election_date, slate.planned_size, slate.note = election_date, planned_size, note.strip()
    slate.save(update_fields=["election_date", "planned_size", "note"])
    _event(slate, actor, SlateEvent.Action.EDIT)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=slate,
        street_id=_street_id(slate),
        changes=diff(before, snapshot(slate)),
    )
    return slate


def _find_owner(slate: Slate, owner_ref: str) -> tuple[Owner | None, Unit | None]:
    """Registry check: a linked owner must own a unit in this estate (candidates are the estate's owners)."""
    owner_ref = (owner_ref or "").strip()
    if not owner_ref:
        return None, None
    owner = Owner.objects.filter(street_id=_street_id(slate), ref=owner_ref).first()
    if owner is None:
        raise SlateError(_("业主编号“%(ref)s”在台账中不存在。") % {"ref": owner_ref})
    unit = Unit.objects.filter(owner=owner, building__estate_id=slate.estate_id).order_by("pk").first()
    if unit is None:
        raise SlateError(
            _("业主“%(name)s”（%(ref)s）在%(estate)s没有登记的房屋，不能作为本小区业委会候选人。")
            % {"name": owner.name, "ref": owner_ref, "estate": slate.estate.name}
        )
    return owner, unit


def _save_checks(actor, candidate: Candidate, checks: dict[str, str | None], now: dt.datetime) -> dict:
    """Record each declared check; a changed outcome is signed again by the actor, now."""
    changes = {}
    existing = {c.kind: c for c in candidate.checks.all()}
    for kind in rules.CHECK_KINDS:
        outcome = checks.get(kind) or None
        current = existing.get(kind)
        if outcome not in (None, rules.CLEAR, rules.FOUND):
            raise SlateError(_("资格核查结果无效。"))
        if outcome is None:
            if current is not None:
                current.delete()
                changes[kind] = [current.outcome, None]
            continue
        if current is not None and current.outcome == outcome:
            continue
        if current is not None:
            current.delete()
        CandidateCheck.objects.create(
            candidate=candidate,
            kind=kind,
            outcome=outcome,
            basis=CheckBasis.DECLARED,
            signed_by=actor,
            signed_at=now,
        )
        changes[kind] = [current.outcome if current else None, outcome]
    return changes


@transaction.atomic
def candidate_save(
    *,
    actor,
    slate: Slate,
    name: str,
    owner_ref: str = "",
    is_party_member: bool = False,
    is_cross_appointed: bool = False,
    checks: dict[str, str | None] | None = None,
    candidate: Candidate | None = None,
    now: dt.datetime | None = None,
) -> Candidate:
    """Add a candidate (``candidate`` None) or change one; the art. 20 checks are declared and signed
    by the actor at ``now`` (the registry holds no per-owner fee, construction or kinship data)."""
    slate = _require_edit(actor, slate)
    now = now or timezone.now()
    name = (name or "").strip()
    if not name:
        raise SlateError(_("请填写候选人姓名。"))
    if candidate is None and slate.candidates.count() >= MAX_CANDIDATES:
        raise SlateError(_("一份名单最多 %(n)d 名候选人。") % {"n": MAX_CANDIDATES})
    owner, unit = _find_owner(slate, owner_ref)
    creating = candidate is None
    if candidate is None:
        candidate = Candidate(slate=slate)
    elif candidate.slate_id != slate.pk:
        raise PermissionDenied
    before = snapshot(candidate) if not creating else {}
    candidate.name, candidate.owner, candidate.unit = name, owner, unit
    candidate.is_party_member, candidate.is_cross_appointed = bool(is_party_member), bool(is_cross_appointed)
    try:
        with transaction.atomic():
            candidate.save()
    except IntegrityError:
        raise SlateError(_("名单上已有名为“%(name)s”的候选人。") % {"name": name}) from None
    check_changes = _save_checks(actor, candidate, checks or {}, now)
    changes = snapshot(candidate) if creating else diff(before, snapshot(candidate))
    if check_changes:
        changes["checks"] = check_changes
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE if creating else AuditEvent.Action.UPDATE,
        obj=candidate,
        street_id=_street_id(slate),
        object_label=f"{slate} · {candidate.name}",
        changes=changes,
    )
    return candidate


@transaction.atomic
def candidate_remove(*, actor, candidate: Candidate) -> None:
    slate = _require_edit(actor, candidate.slate)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        obj=candidate,
        street_id=_street_id(slate),
        object_label=f"{slate} · {candidate.name}",
        changes=snapshot(candidate),
    )
    candidate.delete()


def _leaders(street_id: int):
    return holders_of(Role.LEADERSHIP, street_id=street_id)


def _area_people(slate: Slate):
    ids = set(holders_of(Role.AREA_SECRETARY, area_id=slate.estate.area_id).values_list("pk", flat=True))
    if slate.created_by_id:
        ids.add(slate.created_by_id)
    return User.objects.filter(pk__in=ids)


@transaction.atomic
def slate_submit(*, actor, slate: Slate, now: dt.datetime | None = None) -> Slate:
    """Send the slate to the leadership group. Refused while a legal rule is unmet (size, a missing or
    failed exclusion check); the 55 %/40 % targets are shown to the leadership, not enforced here."""
    slate = _require_edit(actor, slate)
    blockers = selectors.review(slate).blockers()
    if blockers:
        raise SlateError(_("不能报送：") + ";".join(blockers) + "。")
    now = now or timezone.now()
    old = slate.status
    slate.status, slate.submitted_at = SlateStatus.SUBMITTED, now
    slate.save(update_fields=["status", "submitted_at"])
    _event(slate, actor, SlateEvent.Action.SUBMIT, now=now)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=slate,
        street_id=_street_id(slate),
        changes={"status": [old, slate.status]},
    )
    notify(
        _leaders(_street_id(slate)),
        Keyed(gettext_noop("%(estate)s业委会换届人选已报送，请审核。"), {"estate": slate.estate.name}),
        url=reverse("elections:detail", args=[slate.pk]),
        event="elections.slate_submitted",
        street_id=_street_id(slate),
    )
    return slate


def _decide(actor, slate: Slate, status: str, action: str, comment: str, now) -> Slate:
    slate = Slate.objects.select_for_update().select_related("estate__area").get(pk=slate.pk)
    if not permissions.may_decide(actor, slate):
        if slate.status != SlateStatus.SUBMITTED and permissions.scope_for(actor).has_role(Role.LEADERSHIP):
            raise SlateError(_("只有待审核的名单可以审核。"))
        raise PermissionDenied
    now = now or timezone.now()
    old = slate.status
    slate.status, slate.decided_at, slate.decided_by, slate.decision_comment = status, now, actor, comment
    slate.save(update_fields=["status", "decided_at", "decided_by", "decision_comment"])
    _event(slate, actor, action, comment=comment, now=now)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=slate,
        street_id=_street_id(slate),
        changes={"status": [old, status], "decision_comment": comment},
    )
    return slate


@transaction.atomic
def slate_approve(*, actor, slate: Slate, comment: str = "", now: dt.datetime | None = None) -> Slate:
    """The leadership group approves. A slate with a missing check or a size fault cannot be approved,
    even if it was submitted before a candidate was changed (the review is computed again here)."""
    blockers = selectors.review(Slate.objects.select_related("estate__area").get(pk=slate.pk)).blockers()
    if blockers:
        raise SlateError(_("不能通过：") + "；".join(blockers) + "。")
    slate = _decide(
        actor, slate, SlateStatus.APPROVED, SlateEvent.Action.APPROVE, (comment or "").strip(), now
    )
    notify(
        _area_people(slate),
        Keyed(gettext_noop("%(estate)s业委会换届人选已通过领导小组审核。"), {"estate": slate.estate.name}),
        url=reverse("elections:detail", args=[slate.pk]),
        event="elections.slate_approved",
        street_id=_street_id(slate),
    )
    return slate


@transaction.atomic
def slate_return(*, actor, slate: Slate, comment: str, now: dt.datetime | None = None) -> Slate:
    comment = (comment or "").strip()
    if not comment:
        raise SlateError(_("退回时请写明意见，以便居民区修改。"))
    slate = _decide(actor, slate, SlateStatus.RETURNED, SlateEvent.Action.RETURN, comment, now)
    notify(
        _area_people(slate),
        Keyed(
            gettext_noop("%(estate)s业委会换届人选被退回：%(comment)s"),
            {"estate": slate.estate.name, "comment": comment},
        ),
        url=reverse("elections:detail", args=[slate.pk]),
        urgent=True,
        event="elections.slate_returned",
        street_id=_street_id(slate),
    )
    return slate


def _percent(value) -> Decimal:
    try:
        number = Decimal(str(value).strip().rstrip("%"))
    except (InvalidOperation, ValueError):
        raise SlateError(_("目标比例须为 0 到 100 之间的数字。")) from None
    if not number.is_finite() or number < 0 or number > 100:
        raise SlateError(_("目标比例须为 0 到 100 之间的数字。"))
    return number.quantize(Decimal("0.01"))


@transaction.atomic
def targets_set(*, actor, street: Street, party_share, cross_share) -> ElectionTargets:
    if not permissions.scope_for(actor).is_street_admin(street.pk):
        raise PermissionDenied
    party, cross = _percent(party_share), _percent(cross_share)
    row, _created = ElectionTargets.objects.get_or_create(street=street)
    before = snapshot(row)
    row.party_share, row.cross_share = party, cross
    row.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=row,
        street_id=street.pk,
        changes=diff(before, snapshot(row)),
    )
    return row


INSTALL_MESSAGES = {
    rules.NOT_APPROVED: _("换届人选尚未通过领导小组审核。"),
    rules.ALREADY_INSTALLED: _("这份名单已经产生了业委会。"),
    rules.WRONG_MATTER: _("所选表决不是“选举业主委员会”事项（《民法典》第二百七十八条第一款第（三）项）。"),
    rules.OTHER_ESTATE: _("所选表决不是本小区的业主大会表决。"),
    rules.NOT_FINAL: _("表决结果尚未最终公布（异议期未满），不能据此产生业委会。"),
    rules.NOT_PASSED: _("业主大会表决未通过，不能据此产生业委会。"),
    rules.VOTE_USED: _("这次表决已经产生过一届业委会。"),
    rules.BEFORE_APPROVAL: _("表决在人选审核通过之前就已结束，不能作为本名单的选举表决。"),
    rules.WRONG_SIZE: _("当选委员人数应与拟设委员人数相同。"),
    rules.NOT_CANDIDATES: _("当选委员须是本名单上的候选人。"),
    rules.DIRECTOR_NOT_MEMBER: _("主任、副主任须从当选委员中产生。"),
}


def election_votes(slate: Slate):
    """The estate's passed, final votes electing an owners' committee, newest first (the choices offered
    when filing the committee)."""
    return Decision.objects.filter(
        estate_id=slate.estate_id, matter=Matter.COMMITTEE, status=DecisionStatus.FINAL, passed=True
    ).order_by("-closes_at", "-pk")


@transaction.atomic
def committee_install_from_election(
    *,
    actor,
    slate: Slate,
    vote: Decision,
    members: list[int],
    director: int,
    deputies: list[int] | tuple[int, ...] = (),
    years: int = rules.TERM_YEARS_DEFAULT,
    now: dt.datetime | None = None,
) -> OwnersCommittee:
    """The approved slate, elected by the owners' vote, becomes the registry's owners' committee (备案).

    The term starts on the day the vote ended and runs ``years`` (rules.elected_term); the sitting committee's
    term ends the day before (one committee at a time). Members are the elected candidates (``members``, candidate
    ids, as many as the slate planned), with the director and deputies chosen at the first meeting. Refused with a
    plain reason when the vote is not a passed, final election of this estate's committee
    (rules.install_refusals). The filing day is today; filing after 30 days is recorded, not refused (the
    committee exists in law from its election; the slate page shows the late filing)."""
    slate = Slate.objects.select_for_update().select_related("estate__area").get(pk=slate.pk)
    if not permissions.scope_for(actor).is_street_admin(slate.estate.area.street_id):
        raise PermissionDenied
    vote = Decision.objects.select_for_update().get(pk=vote.pk)
    now = now or timezone.now()
    vote_day = timezone.localdate(vote.closes_at)
    candidates = {c.pk: c for c in slate.candidates.select_related("owner")}
    member_ids = [int(m) for m in members]
    facts = rules.InstallFacts(
        slate_approved=slate.status == SlateStatus.APPROVED,
        slate_approved_on=timezone.localdate(slate.decided_at) if slate.decided_at else None,
        slate_installed=slate.committee_id is not None,
        vote_is_committee_matter=vote.matter == Matter.COMMITTEE,
        vote_same_estate=vote.estate_id == slate.estate_id,
        vote_final=vote.status == DecisionStatus.FINAL,
        vote_passed=bool(vote.passed),
        vote_day=vote_day,
        vote_used=OwnersCommittee.objects.filter(election_vote=vote).exists(),
        planned_size=slate.planned_size,
        members=tuple(member_ids),
        candidates=frozenset(candidates),
        director=int(director) if director is not None else None,
        deputies=tuple(int(d) for d in deputies),
    )
    refusals = rules.install_refusals(facts)
    if refusals:
        raise SlateError("".join(str(INSTALL_MESSAGES[code]) for code in refusals))
    try:
        start, end = rules.elected_term(vote_day, years)
    except ValueError:
        raise SlateError(_("任期应为三至五年。")) from None
    if OwnersCommittee.objects.filter(estate_id=slate.estate_id, term_start__gte=start).exists():
        raise SlateError(_("台账中已有自%(day)s起或更晚开始任期的业委会。") % {"day": start.isoformat()})
    street_id = _street_id(slate)
    for sitting in OwnersCommittee.objects.select_for_update().filter(
        estate_id=slate.estate_id, term_start__lt=start, term_end__gte=start
    ):
        before = snapshot(sitting)
        sitting.term_end = start - dt.timedelta(days=1)
        sitting.save(update_fields=["term_end"])
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=sitting,
            street_id=street_id,
            changes=diff(before, snapshot(sitting)),
        )
    committee = OwnersCommittee.objects.create(
        estate_id=slate.estate_id,
        term_start=start,
        term_end=end,
        elected_on=vote_day,
        election_vote=vote,
        filed_on=timezone.localdate(now),
    )
    deputy_ids = set(facts.deputies)

    def position(pk: int) -> str:
        if pk == facts.director:
            return CommitteePosition.DIRECTOR
        return CommitteePosition.DEPUTY if pk in deputy_ids else CommitteePosition.MEMBER

    def phone(candidate: Candidate) -> str:
        return candidate.owner.phone if candidate.owner is not None else ""

    facts_changed(slate.estate_id, "committee")
    CommitteeMember.objects.bulk_create(
        [
            CommitteeMember(
                committee=committee,
                name=candidates[pk].name,
                position=position(pk),
                is_party_member=candidates[pk].is_party_member,
                is_cross_appointed=candidates[pk].is_cross_appointed,
                phone=phone(candidates[pk]),
            )
            for pk in member_ids
        ]
    )
    slate.committee = committee
    slate.save(update_fields=["committee"])
    comment = _("据业主大会表决“%(title)s”（%(day)s）产生新一届业委会，任期%(start)s至%(end)s。") % {
        "title": vote.title,
        "day": vote_day.isoformat(),
        "start": start.isoformat(),
        "end": end.isoformat(),
    }
    _event(slate, actor, SlateEvent.Action.INSTALL, comment=comment, now=now)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=committee,
        street_id=street_id,
        changes={**snapshot(committee), "members": [candidates[pk].name for pk in member_ids]},
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=slate,
        street_id=street_id,
        changes={"committee": [None, committee.pk]},
    )
    return committee
