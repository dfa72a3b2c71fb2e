"""How the portal's own records hang off the street (see gongzhi.core.scopes)."""

from django.db.models import Q

from gongzhi.portal.models import ActivationCode


def _activation_q(scope) -> Q:
    # Letters (who got a code, who activated) are the business of those who issue them: the estate's
    # owners' committee and the street admin. Nobody else reads them, not even other office roles.
    condition = Q(estate_id__in=scope.oc_estate_ids)
    if scope.admin_street_ids:
        condition |= Q(estate__area__street_id__in=scope.admin_street_ids)
    return condition


SCOPE_PATHS = {ActivationCode: _activation_q}
STREET_OF = {ActivationCode: lambda o: o.estate.area.street_id}
