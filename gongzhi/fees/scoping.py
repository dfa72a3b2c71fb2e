"""How the fee records hang off the street (the one door, ``core.scopes``)."""

from django.db.models import Q

from gongzhi.core.scopes import Path, by_estate, by_street, street_q
from gongzhi.fees.models import (
    FeeIntent,
    FeeProposal,
    FeeStandard,
    GateCheck,
    GateRule,
    Initiative,
    MonthlyCollection,
    PriceDocument,
    ServiceCommitment,
    StandardItem,
)


def _initiative_q(scope) -> Q:
    # The street, the company's own staff, and whoever reads the estate in full.
    return (
        street_q(scope, "company__street_id")
        | Q(company_id__in=scope.company_ids)
        | Q(estate_id__in=scope.all_estate_ids)
    )


def _standard_q(scope) -> Q:
    # The street's standard is public within the street: its offices and whoever reads one of its estates.
    from gongzhi.registry.models import Estate

    streets = Estate.objects.filter(pk__in=scope.all_estate_ids).values("area__street_id")
    return street_q(scope, "street_id") | Q(street_id__in=streets)


SCOPED = {
    FeeStandard: by_estate("estate"),
    MonthlyCollection: by_estate("estate"),
    FeeProposal: by_estate("estate"),
    PriceDocument: by_street("street_id"),
    GateRule: by_street("street_id"),
    FeeIntent: by_estate("estate"),
    GateCheck: by_estate("intent__estate"),
    Initiative: Path("company__street_id", _initiative_q),
    StandardItem: Path("street_id", _standard_q),
    ServiceCommitment: by_estate("estate"),
}
