"""How the fee records hang off the street (the one door, ``core.scopes``)."""

from gongzhi.core.scopes import by_estate, by_street
from gongzhi.fees.models import (
    FeeIntent,
    FeeProposal,
    FeeStandard,
    GateCheck,
    GateRule,
    MonthlyCollection,
    PriceDocument,
)

SCOPED = {
    FeeStandard: by_estate("estate"),
    MonthlyCollection: by_estate("estate"),
    FeeProposal: by_estate("estate"),
    PriceDocument: by_street("street_id"),
    GateRule: by_street("street_id"),
    FeeIntent: by_estate("estate"),
    GateCheck: by_estate("intent__estate"),
}
