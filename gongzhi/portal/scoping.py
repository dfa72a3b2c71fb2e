"""How the portal's own records hang off the street (see gongzhi.core.scopes)."""

from django.db.models import Q

from gongzhi.core.scopes import Path, street_q
from gongzhi.portal.models import ActivationCode


def _activation_q(scope) -> Q:
    # Letters (who got a code, who activated) are the business of those who issue them: the estate's
    # owners' committee and the street admin. Nobody else reads them, not even other office roles.
    return Q(estate_id__in=scope.oc_estate_ids) | street_q(
        scope, "estate__area__street_id", scope.admin_street_ids
    )


SCOPED = {ActivationCode: Path("estate__area__street_id", _activation_q)}
