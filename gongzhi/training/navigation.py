from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongzhi.training.models import ExamStatus, Participant


def nav_group(user, scope) -> dict | None:
    items = []
    if Participant.objects.filter(user=user).exclude(exam__status=ExamStatus.DRAFT).exists():
        items.append({"url": reverse("training:my"), "label": _("我的考试"), "key": "training_my"})
    if scope.street_ids:
        items.append({"url": reverse("training:questions"), "label": _("题库"), "key": "training_questions"})
        items.append({"url": reverse("training:exams"), "label": _("考试与成绩"), "key": "training_exams"})
    if not items:
        return None
    return {"label": _("以考促学"), "items": items}
