"""Helpers shared by the evaluation office pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from gongzhi.core.scopes import scope_for
from gongzhi.evaluation.models import CampaignStatus, EliminationStatus

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


def require_office(request) -> None:
    if not scope_for(request.user).is_office:
        raise PermissionDenied


def require_admin_somewhere(request) -> None:
    if not scope_for(request.user).is_street_admin():
        raise PermissionDenied


def admin_street_id(request) -> int:
    """The street an admin manages (a deployment has one street per admin in practice)."""
    street_id = scope_for(request.user).admin_street_id()
    if street_id is None:
        raise PermissionDenied
    return street_id
