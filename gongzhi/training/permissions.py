"""Who may do what in training — the one door.

- Question bank and exams (office): the street admin writes; the leadership group reads.
- Taking an exam: only the participant themself (anyone else who can see the attempt gets 403,
  everyone else 404). Results and certificates: the participant and the street (admin, leadership).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from gongzhi.core.scopes import get_for_user, scope_for
from gongzhi.training.models import Attempt, Exam, Question


def reads_bank(user) -> bool:
    return scope_for(user).is_street_wide()


def require_bank_reader(user) -> None:
    if not reads_bank(user):
        raise PermissionDenied


def require_admin(user) -> None:
    if not scope_for(user).is_street_admin():
        raise PermissionDenied


def is_admin_of(user, street_id: int | None = None) -> bool:
    """The street admin (of this street) writes the bank and the exams."""
    return scope_for(user).is_street_admin(street_id)


def admin_street_id(user) -> int:
    street_id = scope_for(user).admin_street_id()
    if street_id is None:
        raise PermissionDenied
    return street_id


def get_question(user, pk, *, write: bool = False) -> Question:
    require_bank_reader(user)
    question = get_for_user(user, Question, pk)
    if write and not scope_for(user).is_street_admin(question.street_id):
        raise PermissionDenied
    return question


def get_exam(user, pk, *, write: bool = False) -> Exam:
    require_bank_reader(user)
    exam = get_for_user(user, Exam, pk)
    if write and not scope_for(user).is_street_admin(exam.street_id):
        raise PermissionDenied
    return exam


def get_attempt(user, pk, *, own: bool = False) -> Attempt:
    attempt = get_for_user(user, Attempt.objects.select_related("participant__exam"), pk)
    if own and attempt.participant.user_id != user.pk:
        raise PermissionDenied
    return attempt
