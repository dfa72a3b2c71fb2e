"""How the fee records hang off the street (the one door, ``core.scopes``)."""

from gongzhi.core.scopes import by_estate
from gongzhi.fees.models import FeeStandard, MonthlyCollection

SCOPED = {FeeStandard: by_estate("estate"), MonthlyCollection: by_estate("estate")}
