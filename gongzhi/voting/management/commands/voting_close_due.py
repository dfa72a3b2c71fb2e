"""``gongzhi voting_close_due``: close and count every published decision whose window has ended.

A timer runs it (e.g. every 10 minutes); running it twice changes nothing more. The committee may
also close a decision by hand from its page; either way ``services.decision_close`` does the count.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.voting.models import Decision, DecisionStatus
from gongzhi.voting.services import VotingError, decision_close


class Command(BaseCommand):
    @property
    def help(self) -> str:
        return _("对投票期已结束的表决事项截止计票（可重复运行）。")

    def handle(self, *args, **options):
        now = timezone.now()
        due = Decision.objects.filter(status=DecisionStatus.PUBLISHED, closes_at__lte=now).order_by(
            "closes_at"
        )
        closed = 0
        for decision in due:
            try:
                decision_close(actor=None, decision=decision, now=now)
            except VotingError:
                continue  # closed meanwhile by the committee
            closed += 1
            self.stdout.write(
                _("已截止计票：%(title)s（编号 %(id)d）") % {"title": decision.title, "id": decision.pk}
            )
        self.stdout.write(_("共截止 %(n)d 项表决。") % {"n": closed})
