"""How voting rows hang off the street (read by gongzhi.core.scopes)."""

from django.db.models import Q

from gongzhi.core.scopes import NOTHING, Path, Scope, street_q
from gongzhi.voting.models import Ballot, BallotCast, Decision, ElectorateOwner, ElectorateUnit


def _decision_q(scope: Scope) -> Q:
    # Drafts: the street, the area's branch and the estate's committee. Everyone else who reaches the
    # estate (its company, evaluators, its owners) sees published decisions only.
    office = (
        street_q(scope, "estate__area__street_id")
        | Q(estate_id__in=scope.oc_estate_ids)
        | Q(estate__area_id__in=scope.area_ids)
    )
    public = Q(estate_id__in=scope.all_estate_ids) & ~Q(status="draft")
    return office | public


def _electorate_q(scope: Scope) -> Q:
    # The frozen electorate names owners: only office users who see the estate in full.
    return street_q(scope, "decision__estate__area__street_id") | Q(decision__estate_id__in=scope.estate_ids)


def _own_ballot_q(scope: Scope) -> Q:
    # How an owner voted is read by that owner only; the tally and the roll use selectors, not this door.
    if not scope.unit_ids:
        return NOTHING
    return Q(voter__in=ElectorateUnit.objects.filter(unit_id__in=scope.unit_ids).values("voter_id"))


DECISION_STREET = "decision__estate__area__street_id"

SCOPED = {
    Decision: Path("estate__area__street_id", _decision_q),
    ElectorateOwner: Path(DECISION_STREET, _electorate_q),
    ElectorateUnit: Path(DECISION_STREET, _electorate_q),
    Ballot: Path(DECISION_STREET, _own_ballot_q),
    BallotCast: Path(DECISION_STREET, _own_ballot_q),
}
