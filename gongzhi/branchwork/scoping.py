"""How branchwork rows hang off the street (read by gongzhi.core.scopes, the one door).

Stricter than ``by_area``: a branch's work is read by the street (admin, leadership) and by the
area's own branch (secretary, members) only — not by residents, owners' committees or evaluators
of an estate in the area, who see the public duty board and published outcomes instead. The
security log is the exception: the staff of the company managing an estate write its entries.

A meeting is organised by a branch or by a street body (领导小组, 理事会, 联合会, 联席会议). A
body's meetings, minutes and resolutions are read by the street (admin, leadership) and by the
body's own members (a ``BodyMember`` with the user's account) — nobody else: an area secretary
does not read the leadership group's internal minutes unless they sit on it. Bodies themselves
(name, remit, members) follow the same rule. The work plan is read by the street and by the
street's area secretaries (it is the street's plan for them too); pilots likewise.
"""

from __future__ import annotations

from django.db.models import Q

from gongzhi.branchwork import models as m
from gongzhi.core.scopes import Path, branch_areas_q, by_branch, street_q


def _security_log(scope) -> Q:
    from gongzhi.registry.models import Contract

    q = branch_areas_q(scope, "estate__area")
    if scope.company_ids:
        managed = Contract.objects.active().filter(company_id__in=scope.company_ids).values("estate_id")
        q |= Q(estate_id__in=managed)
    return q


def member_body_ids(scope):
    """The bodies the scope's user sits on (a subquery: one statement with the page's query)."""
    return m.BodyMember.objects.filter(user_id=scope.user_id).values("body_id")


def _body(prefix: str):
    def condition(scope) -> Q:
        q = street_q(scope, f"{prefix}street_id")
        if scope.user_id is not None:
            q |= Q(**{f"{prefix}pk__in" if not prefix else f"{prefix}id__in": member_body_ids(scope)})
        return q

    return condition


def _meeting(prefix: str):
    """Branch meetings as before (by_branch); body meetings by the street and the body's members."""

    def condition(scope) -> Q:
        branch_part = branch_areas_q(scope, f"{prefix}branch__area")
        body_part = Q(**{f"{prefix}body__isnull": False}) & street_q(scope, f"{prefix}street_id")
        if scope.user_id is not None:
            body_part |= Q(**{f"{prefix}body_id__in": member_body_ids(scope)})
        return branch_part | body_part

    return condition


def _plan(path: str):
    """The street (admin, leadership) and the street's area secretaries."""

    def condition(scope) -> Q:
        from gongzhi.registry.models import Area

        q = street_q(scope, path)
        if scope.secretary_area_ids:
            streets = Area.objects.filter(pk__in=scope.secretary_area_ids).values("street_id")
            q |= Q(**{f"{path}__in": streets})
        return q

    return condition


SCOPED = {
    m.Body: Path("street_id", _body("")),
    m.BodyMember: Path("body__street_id", _body("body__")),
    m.Meeting: Path("street_id", _meeting("")),
    m.Resolution: Path("meeting__street_id", _meeting("meeting__")),
    m.TrackedAction: Path("resolution__meeting__street_id", _meeting("resolution__meeting__")),
    m.WorkPlan: Path("street_id", _plan("street_id")),
    m.PlanStage: Path("plan__street_id", _plan("plan__street_id")),
    m.Milestone: Path("stage__plan__street_id", _plan("stage__plan__street_id")),
    m.Pilot: Path("street_id", _plan("street_id")),
    m.Partnership: Path("street_id", _plan("street_id")),
    m.ProgrammeItem: Path("partnership__street_id", _plan("partnership__street_id")),
    m.Patrol: by_branch("branch__area"),
    m.SecurityLog: Path("estate__area__street_id", _security_log),
    m.DutyShift: by_branch("area"),
    m.DutyProfile: by_branch("member__branch__area"),
    m.Reception: by_branch("area"),
}
