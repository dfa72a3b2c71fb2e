"""How training rows hang off the street (read by gongzhi.core.scopes, the one door).

Question banks and exams belong to a street: its admin and leadership group read them. A participant
reads their own participation and attempts (and nothing of anybody else's)."""

from django.db.models import Q

from gongzhi.training.models import Attempt, Exam, Participant, Question


def _street(path: str):
    def condition(scope) -> Q:
        return Q(**{f"{path}__in": scope.street_ids}) if scope.street_ids else Q(pk__in=[])

    return condition


def _own(path: str, street_path: str):
    def condition(scope) -> Q:
        return _street(street_path)(scope) | Q(**{path: scope.user_id})

    return condition


SCOPE_PATHS = {
    Question: _street("street_id"),
    Exam: _street("street_id"),
    Participant: _own("user_id", "exam__street_id"),
    Attempt: _own("participant__user_id", "participant__exam__street_id"),
}
STREET_OF = {
    Question: lambda o: o.street_id,
    Exam: lambda o: o.street_id,
    Participant: lambda o: o.exam.street_id,
    Attempt: lambda o: o.participant.exam.street_id,
}
