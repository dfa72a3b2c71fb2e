"""党建联建: the street's partnership agreement with a company group, its programme items and the group's pilot
company (docs/FEES.md §8). Writes here (atomic, audited, the street admin only: ``may_edit_plan``); reads
through the door (``visible``). The pilot is the existing ``Pilot`` of the work plan, linked to the agreement —
not a second pilot concept."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.branchwork import rules
from gongzhi.branchwork.models import Partnership, Pilot, ProgrammeItem, ProgrammeKind
from gongzhi.branchwork.services import BranchworkError, _require_plan_editor, _text
from gongzhi.core.audit import audit_record, diff, snapshot
from gongzhi.core.models import AuditEvent
from gongzhi.core.scopes import visible
from gongzhi.registry.models import Company, CompanyGroup, CompanyOwnership, Street

CREATE, UPDATE = AuditEvent.Action.CREATE, AuditEvent.Action.UPDATE


def _date(value, *, label: str) -> dt.date:
    if not isinstance(value, dt.date):
        raise BranchworkError(_("请填写%(label)s。") % {"label": label})
    if value > timezone.localdate() or value.year < 1990:
        raise BranchworkError(_("%(label)s应在 1990 年至今天之间。") % {"label": label})
    return value


@transaction.atomic
def company_group_create(*, actor, street: Street, name: str, ownership: str, companies=()) -> CompanyGroup:
    """Record a company group of the street and the street's companies that belong to it."""
    _require_plan_editor(actor, street.pk)
    name = _text(name, label=_("集团名称"), max_length=100)
    if ownership not in CompanyOwnership.values:
        raise BranchworkError(_("请选择企业性质。"))
    if CompanyGroup.objects.filter(street=street, name=name).exists():
        raise BranchworkError(_("本街道已有同名的企业集团。"))
    group = CompanyGroup.objects.create(street=street, name=name, ownership=ownership)
    audit_record(actor=actor, action=CREATE, obj=group, street_id=street.pk, changes=snapshot(group))
    for company in companies:
        company_set_group(actor=actor, company=company, group=group)
    return group


@transaction.atomic
def company_set_group(*, actor, company: Company, group: CompanyGroup | None) -> Company:
    """Put a company in a group of its street (or out of any group)."""
    company = Company.objects.select_for_update().get(pk=company.pk)
    _require_plan_editor(actor, company.street_id)
    if group is not None and group.street_id != company.street_id:
        raise BranchworkError(_("该企业集团不在本街道。"))
    before = snapshot(company)
    company.group = group
    company.save(update_fields=["group"])
    changes = diff(before, snapshot(company))
    if changes:
        audit_record(actor=actor, action=UPDATE, obj=company, street_id=company.street_id, changes=changes)
    return company


@transaction.atomic
def partnership_create(
    *,
    actor,
    street: Street,
    group: CompanyGroup,
    title: str,
    signed_on: dt.date,
    parties: str,
    summary: str = "",
    items: list[tuple[str, str, dt.date | None]] = (),  # type: ignore[assignment]
) -> Partnership:
    """Record a 党建联建 agreement of the street with a group, with its programme items (kind, title, due)."""
    _require_plan_editor(actor, street.pk)
    if group.street_id != street.pk:
        raise BranchworkError(_("该企业集团不在本街道。"))
    partnership = Partnership.objects.create(
        street=street,
        group=group,
        title=_text(title, label=_("协议名称"), max_length=120),
        signed_on=_date(signed_on, label=_("签订日期")),
        parties=_text(parties, label=_("协议各方"), max_length=300),
        summary=_text(summary, label=_("主要内容"), max_length=2000, required=False),
        created_by=actor,
    )
    audit_record(
        actor=actor, action=CREATE, obj=partnership, street_id=street.pk, changes=snapshot(partnership)
    )
    for kind, item_title, due_on in items:
        programme_item_add(actor=actor, partnership=partnership, kind=kind, title=item_title, due_on=due_on)
    return partnership


@transaction.atomic
def programme_item_add(
    *, actor, partnership: Partnership, kind: str, title: str, due_on: dt.date | None = None
) -> ProgrammeItem:
    _require_plan_editor(actor, partnership.street_id)
    if kind not in ProgrammeKind.values:
        raise BranchworkError(_("请选择事项类别。"))
    if due_on is not None and due_on < partnership.signed_on:
        raise BranchworkError(_("计划完成日期不能早于协议签订日期。"))
    item = ProgrammeItem.objects.create(
        partnership=partnership,
        kind=kind,
        title=_text(title, label=_("事项"), max_length=120),
        due_on=due_on,
    )
    audit_record(
        actor=actor, action=CREATE, obj=item, street_id=partnership.street_id, changes=snapshot(item)
    )
    return item


@transaction.atomic
def programme_item_update(
    *, actor, item: ProgrammeItem, status: str, evidence: str, done_on: dt.date | None = None
) -> ProgrammeItem:
    """Record where an item stands, with its evidence (``rules.programme_item_problem``)."""
    item = ProgrammeItem.objects.select_for_update().select_related("partnership").get(pk=item.pk)
    _require_plan_editor(actor, item.partnership.street_id)
    evidence = (evidence or "").strip()
    if len(evidence) > 2000:
        raise BranchworkError(_("进展说明和佐证不能超过 2000 字。"))
    problem = rules.programme_item_problem(
        status, evidence, done_on, item.partnership.signed_on, timezone.localdate()
    )
    if problem:
        raise BranchworkError(problem)
    before = snapshot(item)
    item.status, item.evidence = status, evidence
    item.done_on = done_on if status == "done" else None
    item.updated_at = timezone.now()
    item.save()
    changes = diff(before, snapshot(item))
    if changes:
        audit_record(
            actor=actor, action=UPDATE, obj=item, street_id=item.partnership.street_id, changes=changes
        )
    return item


@transaction.atomic
def partnership_pilot_set(
    *, actor, partnership: Partnership, company: Company, programme: str, since: dt.date
) -> Pilot:
    """Mark one of the group's companies as the agreement's pilot (the work plan's ``Pilot`` of that company,
    created or linked)."""
    _require_plan_editor(actor, partnership.street_id)
    company = Company.objects.get(pk=company.pk)  # its group as stored, not as the caller last read it
    if not rules.pilot_fits_partnership(company.group_id, partnership.group_id):
        raise BranchworkError(_("试点企业须是该企业集团的成员企业。"))
    since = _date(since, label=_("试点开始"))
    programme = _text(programme, label=_("试点方案"), max_length=2000)
    pilot = Pilot.objects.select_for_update().filter(company=company).first()
    before = snapshot(pilot) if pilot else {}
    pilot = pilot or Pilot(street_id=partnership.street_id, company=company)
    pilot.partnership = partnership
    pilot.agreement = partnership.title[:120]
    pilot.programme, pilot.since = programme, since
    pilot.save()
    audit_record(
        actor=actor,
        action=UPDATE if before else CREATE,
        obj=pilot,
        street_id=partnership.street_id,
        changes=diff(before, snapshot(pilot)),
    )
    return pilot


# ---- reads ------------------------------------------------------------------------------------------------


def partnerships(user, today: dt.date) -> list[dict]:
    """The street's agreements the user may read, with group, pilots and progress (3 queries)."""
    rows = list(
        visible(user, Partnership)
        .select_related("group")
        .prefetch_related("items", "pilots__company")
        .order_by("-signed_on", "pk")
    )
    return [
        {
            "partnership": p,
            "pilots": list(p.pilots.all()),
            "progress": rules.programme_progress(((i.status, i.due_on) for i in p.items.all()), today),
        }
        for p in rows
    ]


# ---- the demo street ----------------------------------------------------------------------------------------


def demo_pilot_company(street) -> Company | None:
    """The demo's pilot under the 党建联建 agreement: the street's state-owned company best placed in the latest
    company ranking and never among an elimination's bottom N (a pilot is an example, not a candidate for
    replacement); without a state-owned company outside the bottom N, the best-ranked company outside it."""
    from gongzhi.evaluation.models import EliminationCandidate, ScoreSnapshot

    bottom = set(
        EliminationCandidate.objects.filter(elimination__street=street).values_list("company_id", flat=True)
    )
    latest = (
        ScoreSnapshot.objects.filter(campaign__street=street, kind="company", company__isnull=False)
        .order_by("-campaign__period_end", "rank")
        .values_list("campaign_id", flat=True)
        .first()
    )
    rank = dict(
        ScoreSnapshot.objects.filter(campaign_id=latest, kind="company").values_list("company_id", "rank")
    )
    candidates = [c for c in Company.objects.filter(street=street).order_by("pk") if c.pk not in bottom]
    state = [c for c in candidates if c.ownership == CompanyOwnership.STATE]
    pool = state or candidates
    return min(pool, key=lambda c: (rank.get(c.pk, 10**6), c.pk)) if pool else None


def demo_create(*, street, admin, today: dt.date) -> int:
    """The state-owned group (fiction, 演示), its 党建联建 agreement with the street and the programme's items in
    different states; the work plan's pilot company (``demo_pilot_company``) becomes the agreement's pilot."""
    pilot = Pilot.objects.filter(street=street, company__isnull=False).select_related("company").first()
    if admin is None or pilot is None:
        return 0
    members = list(Company.objects.filter(street=street, ownership=CompanyOwnership.STATE).order_by("pk"))
    if pilot.company not in members:
        members.append(pilot.company)
    group = company_group_create(
        actor=admin, street=street, name="浦江国资物业集团（演示）", ownership="state", companies=members
    )
    signed = today - dt.timedelta(days=700)
    partnership = partnership_create(
        actor=admin,
        street=street,
        group=group,
        title="党建联建协议",
        signed_on=signed,
        parties=f"{street.name}党工委、浦江国资物业集团（演示）党委、{pilot.company.name}党支部",
        summary="以提质增效和经费公开为基础：在管老旧小区统一“四保”标准，按季公开物业费收支，区域化集中管理。",
        items=[
            ("standard", "在管老旧小区统一“四保”服务标准", signed + dt.timedelta(days=180)),
            ("accounts", "按季在公示栏和平台公开物业费收支", signed + dt.timedelta(days=120)),
            ("quality", "报修 24 小时内上门、公布报修进度", signed + dt.timedelta(days=365)),
            ("quality", "在管老旧小区区域化集中管理", today + dt.timedelta(days=90)),
            ("accounts", "年度物业费收支审计报告向业主公开", today - dt.timedelta(days=20)),
        ],
    )
    items = list(partnership.items.order_by("due_on", "pk"))
    progress = {
        "按季在公示栏和平台公开物业费收支": ("done", "连续 6 个季度在公示栏和平台公示（演示）", 110),
        "在管老旧小区统一“四保”服务标准": ("done", "集团印发统一四保服务标准，试点小区公示（演示）", 170),
        "报修 24 小时内上门、公布报修进度": ("underway", "已有 18 个小区公布报修进度（演示）", None),
        "在管老旧小区区域化集中管理": ("underway", "片区服务中心已设两处（演示）", None),
    }
    for item in items:
        if item.title in progress:
            status, evidence, after = progress[item.title]
            programme_item_update(
                actor=admin,
                item=item,
                status=status,
                evidence=evidence,
                done_on=signed + dt.timedelta(days=after) if after is not None else None,
            )
    partnership_pilot_set(
        actor=admin,
        partnership=partnership,
        company=pilot.company,
        programme=pilot.programme,
        since=pilot.since,
    )
    return 1
