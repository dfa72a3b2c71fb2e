"""How the fee records hang off the street (the one door, ``core.scopes``)."""

from gongzhi.core.scopes import by_estate, by_street
from gongzhi.fees.models import FeeProposal, FeeStandard, MonthlyCollection, PriceDocument

SCOPED = {
    FeeStandard: by_estate("estate"),
    MonthlyCollection: by_estate("estate"),
    FeeProposal: by_estate("estate"),
    PriceDocument: by_street("street_id"),
}
