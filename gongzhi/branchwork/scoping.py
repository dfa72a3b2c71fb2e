"""How branchwork rows hang off the street (read by gongzhi.core.scopes, the one door).

Stricter than ``by_area``: a branch's work is read by the street (admin, leadership) and by the
area's own branch (secretary, members) only — not by residents, owners' committees or evaluators
of an estate in the area, who see the public duty board and published outcomes instead. The
security log is the exception: the staff of the company managing an estate write its entries.
"""

from __future__ import annotations

from django.db.models import Q

from gongzhi.branchwork import models as m
from gongzhi.core.scopes import Path, branch_areas_q, by_branch


def _security_log(scope) -> Q:
    from gongzhi.registry.models import Contract

    q = branch_areas_q(scope, "estate__area")
    if scope.company_ids:
        managed = Contract.objects.active().filter(company_id__in=scope.company_ids).values("estate_id")
        q |= Q(estate_id__in=managed)
    return q


SCOPED = {
    m.Meeting: by_branch("branch__area"),
    m.Resolution: by_branch("meeting__branch__area"),
    m.Patrol: by_branch("branch__area"),
    m.SecurityLog: Path("estate__area__street_id", _security_log),
    m.DutyShift: by_branch("area"),
    m.DutyProfile: by_branch("member__branch__area"),
    m.Reception: by_branch("area"),
}
