"""How training rows hang off the street (read by gongzhi.core.scopes, the one door).

Question banks and exams belong to a street: its admin and leadership group read them. A participant
reads their own participation and attempts (and nothing of anybody else's)."""

from django.db.models import Q

from gongzhi.core.scopes import Path, by_street, street_q
from gongzhi.training.models import Attempt, Exam, Participant, Question


def _own(path: str, street: str) -> Path:
    return Path(street, lambda scope: street_q(scope, street) | Q(**{path: scope.user_id}))


SCOPED = {
    Question: by_street("street_id"),
    Exam: by_street("street_id"),
    Participant: _own("user_id", "exam__street_id"),
    Attempt: _own("participant__user_id", "participant__exam__street_id"),
}
