"""How problems hang on the street (read by gongzhi.core.scopes, the one door)."""

from __future__ import annotations

from django.db.models import Q

from gongzhi.core.scopes import Path, Scope, estates_read_q
from gongzhi.problems.models import Problem


def _problem_q(scope: Scope) -> Q:
    """The street and area offices see theirs; an owners' committee its estates; a company what was
    assigned to it; an evaluator the estates it inspects; anyone their own reports."""
    condition = (
        estates_read_q(scope, "estate_id")  # the street's and the area's, on the problem's own column
        | Q(estate_id__in=scope.oc_estate_ids)
        | Q(company_id__in=scope.company_ids)
        | Q(estate_id__in=scope.evaluator_estate_ids)
    )
    if scope.user_id is not None:
        condition |= Q(reporter_id=scope.user_id)
    return condition


SCOPED = {Problem: Path("estate__area__street_id", _problem_q)}
