"""Writes to problems. Every state change goes through ``_transition``: it locks the row,
checks the workflow (rules.py) and the actor (permissions.py), records a ProblemEvent and an
AuditEvent, and notifies the next party — all in one transaction."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gongzhi.core.audit import audit_record
from gongzhi.core.dates import plain_date
from gongzhi.core.errors import UserError
from gongzhi.core.images import clean_image
from gongzhi.core.kept import facts_changed
from gongzhi.core.keyed import Keyed, day_param
from gongzhi.core.models import AuditEvent, Role, RoleGrant, User
from gongzhi.core.notify import notify
from gongzhi.core.workdays import add_working_days
from gongzhi.problems import permissions, rules
from gongzhi.problems.models import Carriage, Category, Problem, ProblemEvent, ProblemPhoto, Source, Status
from gongzhi.registry.models import Building, Contract, Estate, OwnersCommittee, ResidentsCommittee, Street


class ProblemError(UserError):
    """A refusal the user can act on; ``message`` is plain Chinese."""


# ---- categories ------------------------------------------------------------------------------------

DEFAULT_CATEGORIES = (
    # code, name, working days, carriage, urgent — e-bike charging is a fire risk: shortest, urgent.
    ("ebike", "电动车违规充电", 2, Carriage.COMPANY, True),
    ("parking", "停车", 10, Carriage.COMPANY, False),
    ("cleaning", "保洁", 5, Carriage.COMPANY, False),
    ("greening", "保绿", 10, Carriage.COMPANY, False),
    ("security", "保安", 5, Carriage.COMPANY, False),
    ("repair", "保修/设施老化", 10, Carriage.COMPANY, False),
    ("fund", "维修资金", 15, Carriage.OWNERS_COMMITTEE, False),
    ("fees", "物业费与账目公开", 10, Carriage.OWNERS_COMMITTEE, False),
    ("other", "其他", 10, Carriage.RESIDENTS_COMMITTEE, False),
)


@transaction.atomic
def category_defaults_ensure(*, street: Street) -> list[Category]:
    """The street's categories, creating the defaults the first time (safe to run again)."""
    existing = {c.code for c in Category.objects.filter(street=street)}
    Category.objects.bulk_create(
        [
            Category(
                street=street,
                code=code,
                name=name,
                deadline_days=days,
                carriage=carriage,
                urgent=urgent,
                sort_order=i,
            )
            for i, (code, name, days, carriage, urgent) in enumerate(DEFAULT_CATEGORIES)
            if code not in existing
        ]
    )
    return list(Category.objects.filter(street=street))


@transaction.atomic
def category_update(
    *, actor, category: Category, deadline_days: int, carriage: str, urgent: bool
) -> Category:
    if not _is_street_admin(actor, category.street_id):
        raise PermissionDenied
    before = {
        "deadline_days": category.deadline_days,
        "carriage": category.carriage,
        "urgent": category.urgent,
    }
    category.deadline_days, category.carriage, category.urgent = deadline_days, carriage, urgent
    category.full_clean()
    category.save()
    after = {"deadline_days": deadline_days, "carriage": carriage, "urgent": urgent}
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changes:
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=category,
            street_id=category.street_id,
            changes=changes,
        )
    return category


def _is_street_admin(user, street_id: int) -> bool:
    from gongzhi.core.scopes import scope_for

    return scope_for(user).is_street_admin(street_id)


# ---- who gets told ---------------------------------------------------------------------------------


def _branch_users(problem: Problem) -> list[User]:
    area = problem.estate.area
    grants = RoleGrant.objects.filter(
        Q(role__in=[Role.AREA_SECRETARY, Role.BRANCH_MEMBER], area_id=area.pk)
    ).select_related("user")
    return [g.user for g in grants]


def _street_admins(problem: Problem) -> list[User]:
    grants = RoleGrant.objects.filter(
        role=Role.STREET_ADMIN, street_id=problem.estate.area.street_id
    ).select_related("user")
    return [g.user for g in grants]


def _assignee_users(problem: Problem) -> list[User]:
    if problem.carriage == Carriage.COMPANY:
        grants = RoleGrant.objects.filter(role=Role.COMPANY_STAFF, company_id=problem.company_id)
    elif problem.carriage == Carriage.OWNERS_COMMITTEE:
        grants = RoleGrant.objects.filter(role=Role.OC_MEMBER, estate_id=problem.estate_id)
    else:
        return _branch_users(problem)
    return [g.user for g in grants.select_related("user")]


def _reporter(problem: Problem) -> list[User]:
    return [problem.reporter] if problem.reporter_id else []


def _office_url(problem: Problem) -> str:
    return reverse("problems:detail", args=[problem.pk])


def _resident_url(problem: Problem) -> str:
    return reverse("portal:problem", args=[problem.pk])


def _street_id(problem: Problem) -> int:
    """The street an outbox message about this problem is filed under (its admin's delivery log)."""
    return problem.estate.area.street_id


# ---- photos ----------------------------------------------------------------------------------------


def _clean_photos(photos: Sequence) -> list:
    if len(photos) > rules.MAX_PHOTOS:
        raise ProblemError(_("最多上传 %(n)d 张照片。") % {"n": rules.MAX_PHOTOS})
    from gongzhi.core.images import ImageRejected

    cleaned = []
    for upload in photos:
        try:
            cleaned.append(clean_image(upload))
        except ImageRejected as exc:
            raise ProblemError(exc.message) from exc
    return cleaned


def _store_photos(problem: Problem, event: ProblemEvent, cleaned: list, kind: str) -> None:
    for index, image in enumerate(cleaned, start=1):
        photo = ProblemPhoto(problem=problem, event=event, kind=kind, width=image.width, height=image.height)
        photo.image.save(f"{event.pk}-{index}.jpg", ContentFile(image.content), save=False)
        photo.save()


# ---- reporting -------------------------------------------------------------------------------------


def _rate_limit(actor) -> None:
    now = timezone.now()
    mine = Problem.objects.filter(reporter=actor)
    if mine.filter(created_at__gte=now - timedelta(hours=1)).count() >= rules.REPORTS_PER_HOUR:
        raise ProblemError(_("您在一小时内已报告 %(n)d 个问题，请稍后再报。") % {"n": rules.REPORTS_PER_HOUR})
    if mine.filter(created_at__gte=now - timedelta(days=1)).count() >= rules.REPORTS_PER_DAY:
        raise ProblemError(_("您今天已报告 %(n)d 个问题，请明天再报。") % {"n": rules.REPORTS_PER_DAY})


@transaction.atomic
def problem_report(
    *,
    actor,
    estate: Estate,
    category: Category,
    description: str,
    source: str = Source.RESIDENT,
    building: Building | None = None,
    location: str = "",
    photos: Sequence = (),
    now: dt.datetime | None = None,
) -> Problem:
    """File a problem. Residents report at their own estate; office roles file patrol, hearing,
    meeting, survey and inspection findings in their scope."""
    permissions.require_report_right(actor, estate, source)
    if category.street_id != estate.area.street_id:
        raise ProblemError(_("所选类别不属于本街道。"))
    if building is not None and building.estate_id != estate.pk:
        raise ProblemError(_("所选楼栋不在该小区。"))
    description = (description or "").strip()
    if len(description) < 4:
        raise ProblemError(_("请用至少 4 个字描述问题。"))
    if len(description) > 1000:
        raise ProblemError(_("问题描述不能超过 1000 字。"))
    if len(location) > 100:
        raise ProblemError(_("位置说明不能超过 100 字。"))
    if source == Source.RESIDENT:
        # Spam protection for the public door only: office roles file what meetings, patrols and
        # inspections found, sometimes a dozen at once, and they answer for it by name.
        _rate_limit(actor)
    cleaned = _clean_photos(photos)
    moment = now or timezone.now()
    problem = Problem.objects.create(
        number=f"T{uuid.uuid4().hex[:19]}",  # placeholder until the id is known (below)
        estate=estate,
        building=building,
        location=location.strip(),
        category=category,
        source=source,
        description=description,
        urgent=category.urgent,
        reporter=actor,
        created_at=moment,
    )
    # The tracking number comes from the row's own id: unique without a counter to race on.
    problem.number = rules.tracking_number(timezone.localtime(moment).year, problem.pk)
    problem.save(update_fields=["number"])
    event = ProblemEvent.objects.create(
        problem=problem,
        at=moment,
        actor=actor,
        actor_label=str(Source(source).label),
        action="report",
        to_status=Status.REPORTED,
        note=description,
    )
    _store_photos(problem, event, cleaned, ProblemPhoto.Kind.REPORT)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=problem,
        street_id=estate.area.street_id,
        changes={"category": category.name, "source": source, "estate": estate.name},
    )
    facts_changed(estate.pk, "problems")
    text = Keyed(
        gettext_noop("%(estate)s 新问题 %(number)s：%(category)s，待受理。"),
        {
            "estate": estate.name,
            "number": problem.number,
            "category": category.name,
        },
    )
    recipients = _branch_users(problem) + (_street_admins(problem) if problem.urgent else [])
    notify(
        recipients,
        text,
        url=_office_url(problem),
        urgent=problem.urgent,
        event="problems.reported",
        street_id=_street_id(problem),
        ref=f"problem-event:{event.pk}",
    )
    return problem


# ---- the workflow ----------------------------------------------------------------------------------


def _locked(problem: Problem) -> Problem:
    return (
        Problem.objects.select_for_update(of=("self",))
        .select_related("estate__area", "category", "company", "owners_committee", "residents_committee")
        .get(pk=problem.pk)
    )


def _actor_label(actor, problem: Problem, party: str) -> str:
    if party == rules.REPORTER:
        return _("报告人")
    if party == rules.ASSIGNEE:
        return problem.assignee_label or str(Carriage(problem.carriage).label)
    return _("%(area)s联合党支部") % {"area": problem.estate.area.name}


def _transition(
    problem: Problem, *, actor, action: str, note: str = "", now: dt.datetime | None = None
) -> tuple[Problem, ProblemEvent]:
    locked = _locked(problem)
    transition = rules.TRANSITIONS[action]
    if not permissions.may_act(actor, locked, action):
        raise PermissionDenied
    try:
        target = rules.next_status(locked.status, action)
    except rules.WorkflowError as exc:
        raise ProblemError(
            _("问题当前状态为“%(status)s”，不能执行“%(action)s”。")
            % {"status": locked.get_status_display(), "action": _action_label(action)}
        ) from exc
    note = (note or "").strip()
    if transition.needs_note and not note:
        raise ProblemError(_("请填写说明。"))
    if len(note) > 1000:
        raise ProblemError(_("说明不能超过 1000 字。"))
    moment = now or timezone.now()
    event = ProblemEvent.objects.create(
        problem=locked,
        at=moment,
        actor=actor,
        actor_label=_actor_label(actor, locked, transition.actor),
        action=action,
        from_status=locked.status,
        to_status=target,
        note=note,
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=locked,
        street_id=locked.estate.area.street_id,
        changes={"status": [locked.status, target], "action": action},
    )
    facts_changed(locked.estate_id, "problems", "closure")
    locked.status = target
    return locked, event


def _action_label(action: str) -> str:
    from gongzhi.problems.models import Action

    return str(Action(action).label)


def _resolve_assignee(problem: Problem, carriage: str, today: dt.date) -> dict:
    estate = problem.estate
    if carriage == Carriage.COMPANY:
        contract = Contract.objects.active(today).filter(estate=estate).select_related("company").first()
        if contract is None:
            raise ProblemError(_("该小区目前没有在管的物业服务合同，无法派给物业公司。"))
        return {"company": contract.company, "owners_committee": None, "residents_committee": None}
    if carriage == Carriage.OWNERS_COMMITTEE:
        committee = OwnersCommittee.objects.filter(
            estate=estate, term_start__lte=today, term_end__gte=today
        ).first()
        if committee is None:
            raise ProblemError(_("该小区目前没有在任的业委会，无法派给业委会。"))
        return {"company": None, "owners_committee": committee, "residents_committee": None}
    if carriage == Carriage.RESIDENTS_COMMITTEE:
        committee = ResidentsCommittee.objects.filter(area_id=estate.area_id).first()
        if committee is None:
            raise ProblemError(_("该居民区尚未登记居委会，无法派给居委会。"))
        return {"company": None, "owners_committee": None, "residents_committee": committee}
    raise ProblemError(_("请选择责任方。"))


@transaction.atomic
def problem_accept(
    *,
    actor,
    problem: Problem,
    carriage: str = "",
    deadline_days: int | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> Problem:
    """The branch accepts a report and assigns it, with a deadline in working days."""
    moment = now or timezone.now()
    today = timezone.localtime(moment).date()
    locked, event = _transition(problem, actor=actor, action="accept", note=note, now=moment)
    carriage = carriage or locked.category.carriage
    days = deadline_days or locked.category.deadline_days or rules.DEFAULT_DEADLINE_DAYS
    if not 1 <= days <= 60:
        raise ProblemError(_("整改期限应在 1 到 60 个工作日之间。"))
    for field, value in _resolve_assignee(locked, carriage, today).items():
        setattr(locked, field, value)
    deadline = add_working_days(today, days, allow_provisional=True)
    locked.carriage = carriage
    locked.deadline, locked.deadline_provisional, locked.deadline_days = (
        deadline.due,
        deadline.provisional,
        days,
    )
    locked.accepted_at = moment
    locked.save()
    event.note_key = gettext_noop("派给%(who)s,%(days)d 个工作日内（%(due)s 前）完成整改。")
    event.note_params = {
        "who": locked.assignee_label,
        "days": days,
        "due": {"date": deadline.due.isoformat()},
    }
    with translation.override("zh-hans"):  # the stored text is Chinese whatever the writer's language
        event.note = (note + "\n" if note else "") + event.system_note()
    event.save(update_fields=["note", "note_key", "note_params"])
    text = Keyed(
        gettext_noop("新派单 %(number)s（%(category)s），请于 %(due)s 前整改。"),
        {
            "number": locked.number,
            "category": locked.category.name,
            "due": day_param(deadline.due),
        },
    )
    ref = f"problem-event:{event.pk}"
    street_id = _street_id(locked)
    notify(
        _assignee_users(locked),
        text,
        url=_office_url(locked),
        urgent=locked.urgent,
        event="problems.assigned",
        street_id=street_id,
        ref=ref,
    )
    notify(
        _reporter(locked),
        Keyed(gettext_noop("您报告的问题 %(number)s 已受理，正在整改。"), {"number": locked.number}),
        url=_resident_url(locked),
        event="problems.accepted",
        street_id=street_id,
        ref=ref,
    )
    return locked


@transaction.atomic
def problem_reject(*, actor, problem: Problem, reason: str, now: dt.datetime | None = None) -> Problem:
    locked, _event = _transition(problem, actor=actor, action="reject", note=reason, now=now)
    locked.reject_reason = reason.strip()[:300]
    locked.save()
    notify(
        _reporter(locked),
        Keyed(
            gettext_noop("您报告的问题 %(number)s 未予受理：%(reason)s"),
            {"number": locked.number, "reason": locked.reject_reason},
        ),
        url=_resident_url(locked),
        event="problems.rejected",
        street_id=_street_id(locked),
        ref=f"problem-event:{_event.pk}",
    )
    return locked


@transaction.atomic
def problem_progress(
    *, actor, problem: Problem, note: str, photos: Sequence = (), now: dt.datetime | None = None
) -> Problem:
    locked, event = _transition(problem, actor=actor, action="progress", note=note, now=now)
    cleaned = _clean_photos(photos)  # after the party check: a stranger learns nothing about the photos
    locked.save()
    _store_photos(locked, event, cleaned, ProblemPhoto.Kind.EVIDENCE)
    return locked


@transaction.atomic
def problem_submit(
    *, actor, problem: Problem, note: str, photos: Sequence = (), now: dt.datetime | None = None
) -> Problem:
    """The assignee reports the work done, with evidence, for the branch to verify on site.

    At least one photo is required: the branch closes the problem on the strength of this
    submission, and a "done" with nothing to look at cannot be checked against the site."""
    locked, event = _transition(problem, actor=actor, action="submit", note=note, now=now)
    cleaned = _clean_photos(photos)
    if not cleaned:
        # Raised inside the transaction: the event row written above is rolled back with it.
        raise ProblemError(_("提交验收须附至少一张整改后的现场照片。"))
    locked.submitted_at = event.at
    locked.save()
    _store_photos(locked, event, cleaned, ProblemPhoto.Kind.EVIDENCE)
    notify(
        _branch_users(locked),
        Keyed(gettext_noop("%(number)s 已提交整改，请现场验收。"), {"number": locked.number}),
        url=_office_url(locked),
        event="problems.submitted",
        street_id=_street_id(locked),
        ref=f"problem-event:{event.pk}",
    )
    return locked


@transaction.atomic
def problem_send_back(*, actor, problem: Problem, note: str, now: dt.datetime | None = None) -> Problem:
    locked, _event = _transition(problem, actor=actor, action="send_back", note=note, now=now)
    locked.save()
    notify(
        _assignee_users(locked),
        Keyed(
            gettext_noop("%(number)s 验收未通过，已退回整改：%(note)s"),
            {"number": locked.number, "note": note},
        ),
        url=_office_url(locked),
        urgent=locked.urgent,
        event="problems.sent_back",
        street_id=_street_id(locked),
        ref=f"problem-event:{_event.pk}",
    )
    return locked


@transaction.atomic
def problem_close(*, actor, problem: Problem, note: str = "", now: dt.datetime | None = None) -> Problem:
    """销项: closed by the branch after on-site verification (only from 'submitted')."""
    locked, event = _transition(problem, actor=actor, action="close", note=note, now=now)
    locked.closed_at = event.at
    locked.save()
    notify(
        _reporter(locked),
        Keyed(gettext_noop("您报告的问题 %(number)s 已整改销项，欢迎评价。"), {"number": locked.number}),
        url=_resident_url(locked),
        event="problems.closed",
        street_id=_street_id(locked),
        ref=f"problem-event:{event.pk}",
    )
    return locked


@transaction.atomic
def problem_rate(*, actor, problem: Problem, rating: int, comment: str = "") -> Problem:
    locked = _locked(problem)
    if not permissions.is_reporter_of(actor, locked):
        raise PermissionDenied
    if not rules.can_rate(status=locked.status, rating=locked.rating):
        raise ProblemError(_("只能对已销项的问题评价一次。"))
    if rating not in range(1, 6):
        raise ProblemError(_("评价为 1 到 5 星。"))
    locked.rating, locked.rating_comment = rating, (comment or "").strip()[:300]
    locked.save()
    ProblemEvent.objects.create(
        problem=locked,
        actor=actor,
        actor_label=_("报告人"),
        action="rate",
        from_status=locked.status,
        to_status=locked.status,
        note=f"{'★' * rating}{'☆' * (5 - rating)} {locked.rating_comment}".strip(),
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=locked,
        street_id=locked.estate.area.street_id,
        changes={"rating": [None, rating]},
    )
    return locked


@transaction.atomic
def problem_reopen(*, actor, problem: Problem, note: str, now: dt.datetime | None = None) -> Problem:
    """The reporter reopens a closed problem once, within the window; it goes back to the assignee."""
    moment = now or timezone.now()
    today = timezone.localtime(moment).date()
    current = _locked(problem)
    closed_on = timezone.localtime(current.closed_at).date() if current.closed_at else None
    if (
        current.status == Status.CLOSED
        and permissions.is_reporter_of(actor, current)
        and not rules.can_reopen(closed_on=closed_on, today=today, reopen_count=current.reopen_count)
    ):
        raise ProblemError(_("只能在销项后 %(days)d 天内重新打开一次。") % {"days": rules.REOPEN_WINDOW_DAYS})
    locked, _event = _transition(problem, actor=actor, action="reopen", note=note, now=moment)
    try:  # back to whoever holds that carriage today (the contract may have changed hands)
        for field, value in _resolve_assignee(locked, locked.carriage, today).items():
            setattr(locked, field, value)
    except ProblemError:
        pass  # nobody holds it now: keep the previous assignee rather than lose the work
    deadline = add_working_days(today, locked.category.deadline_days, allow_provisional=True)
    locked.deadline, locked.deadline_provisional = deadline.due, deadline.provisional
    locked.deadline_days = locked.category.deadline_days
    locked.reopen_count += 1
    locked.closed_at = None
    locked.submitted_at = None
    locked.save()
    text = Keyed(
        gettext_noop("%(number)s 被报告人重新打开：%(note)s"), {"number": locked.number, "note": note}
    )
    notify(
        _assignee_users(locked) + _branch_users(locked),
        text,
        url=_office_url(locked),
        urgent=True,
        event="problems.reopened",
        street_id=_street_id(locked),
        ref=f"problem-event:{_event.pk}",
    )
    return locked


@transaction.atomic
def problems_escalate_overdue(*, today: dt.date | None = None) -> int:
    """Mark problems that passed their deadline and tell the branch, the street and the assignee.
    Idempotent: a problem escalates once (``overdue_since``), and keeps the mark after closure
    so the company's record counts it."""
    day = today or timezone.localdate()
    due = list(
        Problem.objects.overdue(day)
        .filter(overdue_since__isnull=True)
        .select_for_update(of=("self",))
        .select_related("estate__area", "company", "category")
    )
    for problem in due:
        problem.overdue_since = day
        problem.save(update_fields=["overdue_since"])
        ProblemEvent.objects.create(
            problem=problem,
            actor=None,
            actor_label=_("系统"),
            action="escalate",
            from_status=problem.status,
            to_status=problem.status,
            note=_("已超过整改期限 %(due)s，升级督办。") % {"due": plain_date(problem.deadline)},
            note_key=gettext_noop("已超过整改期限 %(due)s，升级督办。"),
            note_params={"due": {"date": problem.deadline.isoformat()}},
        )
        audit_record(
            actor=None,
            action=AuditEvent.Action.UPDATE,
            obj=problem,
            street_id=problem.estate.area.street_id,
            changes={"overdue_since": [None, day.isoformat()]},
        )
        text = Keyed(
            gettext_noop("超期：%(number)s（%(estate)s · %(category)s）期限 %(due)s，责任方 %(who)s。"),
            {
                "number": problem.number,
                "estate": problem.estate.name,
                "category": problem.category.name,
                "due": day_param(problem.deadline),
                "who": problem.assignee_label,
            },
        )
        notify(
            _branch_users(problem) + _street_admins(problem) + _assignee_users(problem),
            text,
            url=_office_url(problem),
            urgent=True,
            event="problems.overdue",
            street_id=_street_id(problem),
            ref=f"problem-overdue:{problem.pk}:{day.isoformat()}",
        )
    return len(due)


@transaction.atomic
def problems_recompute_provisional_deadlines() -> int:
    """Deadlines counted past the published holiday calendar were provisional (Mon–Fri only);
    once ``chinesecalendar`` knows the year, count them again from the day the clock started."""
    from gongzhi.core.workdays import UnknownCalendarYear

    changed = 0
    pending = Problem.objects.filter(
        deadline_provisional=True, status__in=[Status.ASSIGNED, Status.IN_PROGRESS]
    )
    for problem in pending.select_for_update(of=("self",)).select_related("estate__area"):
        started = (
            problem.events.filter(action__in=["accept", "reopen"])
            .order_by("-at")
            .values_list("at", flat=True)
            .first()
        )
        if started is None or problem.deadline is None or not problem.deadline_days:
            continue
        try:
            deadline = add_working_days(timezone.localtime(started).date(), problem.deadline_days)
        except UnknownCalendarYear:
            continue  # the year is still unknown: the deadline stays provisional
        before = problem.deadline
        problem.deadline, problem.deadline_provisional = deadline.due, False
        problem.save(update_fields=["deadline", "deadline_provisional"])
        facts_changed(problem.estate_id, "problems")
        audit_record(
            actor=None,
            action=AuditEvent.Action.UPDATE,
            obj=problem,
            street_id=problem.estate.area.street_id,
            changes={
                "deadline": [before.isoformat(), deadline.due.isoformat()],
                "deadline_provisional": [True, False],
            },
        )
        changed += 1
    return changed
