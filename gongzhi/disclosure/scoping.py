"""How the disclosure records hang off the street (the one door, ``core.scopes``)."""

from gongzhi.core.scopes import by_estate
from gongzhi.disclosure.models import EstateRules, MajorMatter, ServiceContent

SCOPED = {
    MajorMatter: by_estate("estate"),
    EstateRules: by_estate("estate"),
    ServiceContent: by_estate("estate"),
}
