"""How the disclosure records hang off the street (the one door, ``core.scopes``)."""

from gongzhi.core.scopes import by_estate
from gongzhi.disclosure.models import EstateRules, MajorMatter, ServiceContent

SCOPE_PATHS = {
    MajorMatter: by_estate("estate"),
    EstateRules: by_estate("estate"),
    ServiceContent: by_estate("estate"),
}
STREET_OF = {model: (lambda o: o.estate.area.street_id) for model in SCOPE_PATHS}
