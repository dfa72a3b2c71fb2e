"""How the fee records hang off the street (the one door, ``core.scopes``)."""

from gongzhi.core.scopes import by_estate
from gongzhi.fees.models import FeeStandard, MonthlyCollection

SCOPE_PATHS = {FeeStandard: by_estate("estate"), MonthlyCollection: by_estate("estate")}
STREET_OF = {
    FeeStandard: lambda o: o.estate.area.street_id,
    MonthlyCollection: lambda o: o.estate.area.street_id,
}
