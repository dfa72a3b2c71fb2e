"""Who may do what in training — the one door.

- Question bank and exams (office): the street admin writes; the leadership group reads.
- Taking an exam: only the participant themself (anyone else who can see the attempt gets 403,
  everyone else 404). Results and certificates: the participant and the street (admin, leadership).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from gongzhi.core.scopes import get_visible_or_404, scope_for
from gongzhi.training.models import Attempt, Exam, Question


def reads_bank(user) -> bool:
    return bool(scope_for(user).street_ids)


def require_bank_reader(user) -> None:
    if not reads_bank(user):
        raise PermissionDenied


def require_admin(user) -> None:
    if not scope_for(user).admin_street_ids:
        raise PermissionDenied


def admin_street_id(user) -> int:
    ids = sorted(scope_for(user).admin_street_ids)
    if not ids:
        raise PermissionDenied
    return ids[0]


def get_question(user, pk, *, write: bool = False) -> Question:
    require_bank_reader(user)
    question = get_visible_or_404(user, Question, pk)
    if write and question.street_id not in scope_for(user).admin_street_ids:
        raise PermissionDenied
    return question


def get_exam(user, pk, *, write: bool = False) -> Exam:
    require_bank_reader(user)
    exam = get_visible_or_404(user, Exam, pk)
    if write and exam.street_id not in scope_for(user).admin_street_ids:
        raise PermissionDenied
    return exam


def get_attempt(user, pk, *, own: bool = False) -> Attempt:
    attempt = get_visible_or_404(user, Attempt.objects.select_related("participant__exam"), pk)
    if own and attempt.participant.user_id != user.pk:
        raise PermissionDenied
    return attempt
