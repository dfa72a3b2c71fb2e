"""How voting rows hang off the street (read by gongzhi.core.scopes)."""

from django.db.models import Q

from gongzhi.core.scopes import Scope
from gongzhi.voting.models import Ballot, BallotCast, Decision, ElectorateOwner, ElectorateUnit


def _street(scope: Scope, path: str) -> Q:
    return Q(**{f"{path}__in": scope.street_ids}) if scope.street_ids else Q(pk__in=[])


def _decision_q(scope: Scope) -> Q:
    # Drafts: the street, the area's branch and the estate's committee. Everyone else who reaches the
    # estate (its company, evaluators, its owners) sees published decisions only.
    office = (
        _street(scope, "estate__area__street_id")
        | Q(estate_id__in=scope.oc_estate_ids)
        | Q(estate__area_id__in=scope.area_ids)
    )
    public = Q(estate_id__in=scope.all_estate_ids) & ~Q(status="draft")
    return office | public


def _electorate_q(path: str):
    # The frozen electorate names owners: only office users who see the estate in full.
    def condition(scope: Scope) -> Q:
        return _street(scope, f"{path}__estate__area__street_id") | Q(
            **{f"{path}__estate_id__in": scope.estate_ids}
        )

    return condition


def _own_ballot_q(scope: Scope) -> Q:
    # How an owner voted is read by that owner only; the tally and the roll use selectors, not this door.
    if not scope.unit_ids:
        return Q(pk__in=[])
    return Q(voter__in=ElectorateUnit.objects.filter(unit_id__in=scope.unit_ids).values("voter_id"))


SCOPE_PATHS = {
    Decision: _decision_q,
    ElectorateOwner: _electorate_q("decision"),
    ElectorateUnit: _electorate_q("decision"),
    Ballot: _own_ballot_q,
    BallotCast: _own_ballot_q,
}

STREET_OF = {
    Decision: lambda o: o.estate.area.street_id,
    ElectorateOwner: lambda o: o.decision.estate.area.street_id,
    ElectorateUnit: lambda o: o.decision.estate.area.street_id,
    Ballot: lambda o: o.decision.estate.area.street_id,
    BallotCast: lambda o: o.decision.estate.area.street_id,
}
