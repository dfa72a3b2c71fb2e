"""What the evaluation services share: the user's error, the permission check, today, and two
checks used by more than one topic."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import UserError
from gongzhi.evaluation.models import Campaign, CampaignStatus
from gongzhi.registry.models import Company, Contract, Estate


class EvaluationError(UserError):
    """A refusal the user can act on; ``message`` is plain Chinese. Nothing was changed."""


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _open_for_marks(campaign: Campaign) -> None:
    # Read the status from the database: a page may hold a campaign object from before it closed.
    if Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.CLOSED).exists():
        raise EvaluationError(_("测评活动已结束，不能再录入。"))


def _serving_company(estate: Estate, on: dt.date) -> Company | None:
    contract = Contract.objects.active(on=on).filter(estate=estate).select_related("company").first()
    return contract.company if contract else None
