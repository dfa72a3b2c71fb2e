"""How branchwork rows hang off the street (read by gongzhi.core.scopes, the one door).

Stricter than ``by_area``: a branch's work is read by the street (admin, leadership) and by the
area's own branch (secretary, members) only — not by residents, owners' committees or evaluators
of an estate in the area, who see the public duty board and published outcomes instead. The
security log is the exception: the staff of the company managing an estate write its entries.
"""

from __future__ import annotations

from django.db.models import Q

from gongzhi.branchwork import models as m


def _branch_area(path: str):
    def condition(scope) -> Q:
        q = Q(**{f"{path}_id__in": scope.area_ids})
        if scope.street_ids:
            q |= Q(**{f"{path}__street_id__in": scope.street_ids})
        return q

    return condition


def _security_log(scope) -> Q:
    from gongzhi.registry.models import Contract

    q = _branch_area("estate__area")(scope)
    if scope.company_ids:
        managed = Contract.objects.active().filter(company_id__in=scope.company_ids).values("estate_id")
        q |= Q(estate_id__in=managed)
    return q


SCOPE_PATHS = {
    m.Meeting: _branch_area("branch__area"),
    m.Resolution: _branch_area("meeting__branch__area"),
    m.Patrol: _branch_area("branch__area"),
    m.SecurityLog: _security_log,
    m.DutyShift: _branch_area("area"),
    m.DutyProfile: _branch_area("member__branch__area"),
    m.Reception: _branch_area("area"),
}

STREET_OF = {
    m.Meeting: lambda o: o.branch.area.street_id,
    m.Resolution: lambda o: o.meeting.branch.area.street_id,
    m.Patrol: lambda o: o.branch.area.street_id,
    m.SecurityLog: lambda o: o.estate.area.street_id,
    m.DutyShift: lambda o: o.area.street_id,
    m.DutyProfile: lambda o: o.member.branch.area.street_id,
    m.Reception: lambda o: o.area.street_id,
}
