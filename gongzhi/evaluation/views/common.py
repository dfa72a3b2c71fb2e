"""Helpers shared by the evaluation office pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from gongzhi.core.scopes import scope_for
from gongzhi.evaluation.models import CampaignStatus, EliminationStatus, ScoreClass

CAMPAIGN_COLOURS = {CampaignStatus.DRAFT: "", CampaignStatus.OPEN: "blue", CampaignStatus.CLOSED: "green"}
ELIMINATION_COLOURS = {
    EliminationStatus.FAULT_FINDING: "red",
    EliminationStatus.RECTIFICATION: "amber",
    EliminationStatus.RE_EVALUATION: "amber",
    EliminationStatus.PROPOSED: "blue",
    EliminationStatus.APPROVED: "blue",
    EliminationStatus.OWNERS_DECISION: "blue",
    EliminationStatus.CLOSED: "green",
}
CLASS_LABELS = dict(ScoreClass.choices)
SCALE_LABELS = {"large": _("规模大"), "small": _("规模小")}


def require_office(request) -> None:
    if not scope_for(request.user).is_office:
        raise PermissionDenied


def require_admin_somewhere(request) -> None:
    if not scope_for(request.user).admin_street_ids:
        raise PermissionDenied


def admin_street_id(request) -> int:
    """The street an admin manages (a deployment has one street per admin in practice)."""
    ids = sorted(scope_for(request.user).admin_street_ids)
    if not ids:
        raise PermissionDenied
    return ids[0]


def first_error(form) -> str:
    return next(iter(form.errors.values()))[0]
