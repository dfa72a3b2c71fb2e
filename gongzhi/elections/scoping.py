"""How slates hang off the street (read by gongzhi.core.scopes, the one door).

Slates are internal vetting papers: the street (admin, leadership) and the estate's area branch
read them; an owners' committee, a company or a resident does not, so the generic ``by_estate``
(which also opens an estate to its OC, company and residents) is not used here."""

from django.db.models import Q

from gongzhi.elections.models import Slate


def _slate_q(scope) -> Q:
    by_street = Q(estate__area__street_id__in=scope.street_ids) if scope.street_ids else Q(pk__in=[])
    return by_street | Q(estate__area_id__in=scope.area_ids)


SCOPE_PATHS = {Slate: _slate_q}
STREET_OF = {Slate: lambda o: o.estate.area.street_id}
