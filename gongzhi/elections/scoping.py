"""How slates hang off the street (read by gongzhi.core.scopes, the one door).

Slates are internal vetting papers: the street (admin, leadership) and the estate's area branch
read them; an owners' committee, a company or a resident does not, so the generic ``by_estate``
(which also opens an estate to its OC, company and residents) is not used here."""

from gongzhi.core.scopes import by_branch
from gongzhi.elections.models import Slate

SCOPED = {Slate: by_branch("estate__area")}
