"""Who may do what in evaluation — one function per right, one condition per line.

Reads go through ``gongzhi.core.scopes.visible`` (outsider → 404, see scoping.py); these checks
answer the write rights (→ 403 in views, ``PermissionDenied`` in services)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from gongzhi.core.models import Role, RoleGrant
from gongzhi.core.scopes import get_visible_or_404, scope_for
from gongzhi.evaluation.models import Campaign, CampaignEstate, EliminationCampaign, ScoreSnapshot
from gongzhi.registry.models import Estate, Unit


def is_street_admin(user, street_id: int) -> bool:
    """The street admin manages templates, campaigns, codes, scores, eliminations and awards."""
    return street_id in scope_for(user).admin_street_ids


def is_leadership(user, street_id: int) -> bool:
    """The leadership group (领导小组) approves or returns an elimination proposal."""
    if not getattr(user, "is_authenticated", False):
        return False
    return RoleGrant.objects.filter(user=user, role=Role.LEADERSHIP, street_id=street_id).exists()


def sees_street_results(user, street_id: int) -> bool:
    """The street's full company ranking: street-wide roles and the street's area offices (who see the
    estate rows of their own area only — scoping.py)."""
    scope = scope_for(user)
    if street_id in scope.street_ids:
        return True
    return Estate.objects.filter(area_id__in=scope.area_ids, area__street_id=street_id).exists()


def sees_raw_means(user, street_id: int) -> bool:
    """Unshrunk means of small samples could reveal a household's answer: street-wide roles only."""
    return street_id in scope_for(user).street_ids


def may_issue_codes(user, estate: Estate) -> bool:
    """Household letters are printed by the street admin or the estate's area office."""
    scope = scope_for(user)
    if estate.area.street_id in scope.admin_street_ids:
        return True
    return estate.area_id in scope.area_ids


def in_campaign(campaign: Campaign, estate_id: int) -> bool:
    return CampaignEstate.objects.filter(campaign=campaign, estate_id=estate_id).exists()


def may_inspect(user, campaign: Campaign, estate: Estate) -> bool:
    """A third-party evaluator inspects only the estates assigned to them, in a campaign they take part in."""
    scope = scope_for(user)
    if Role.EVALUATOR not in scope.roles:
        return False
    if estate.pk not in scope.evaluator_estate_ids:
        return False
    return in_campaign(campaign, estate.pk)


def may_assess(user, estate: Estate) -> bool:
    """参与考核权: the area's joint party branch (secretary, members) assesses; the street admin may too."""
    scope = scope_for(user)
    if estate.area.street_id in scope.admin_street_ids:
        return True
    return estate.area_id in scope.area_ids


def may_answer_for_unit(user, unit: Unit) -> bool:
    """A logged-in owner answers for their own unit only."""
    return unit.pk in scope_for(user).unit_ids


def units_to_answer(user, campaign: Campaign) -> list[Unit]:
    """The user's own units in the campaign's estates (what the portal offers to answer for)."""
    scope = scope_for(user)
    if not scope.unit_ids:
        return []
    estates = CampaignEstate.objects.filter(campaign=campaign).values("estate_id")
    return list(
        Unit.objects.filter(pk__in=scope.unit_ids, building__estate_id__in=estates).select_related(
            "building__estate"
        )
    )


def get_campaign_for_user(user, pk, *, manage: bool = False) -> Campaign:
    """Outsider → 404; ``manage`` (edit, open, close, codes, recompute) needs the street admin → 403."""
    campaign = get_visible_or_404(user, Campaign.objects.select_related("street", "template"), pk)
    if manage and not is_street_admin(user, campaign.street_id):
        raise PermissionDenied
    return campaign


def get_elimination_for_user(user, pk) -> EliminationCampaign:
    return get_visible_or_404(
        user, EliminationCampaign.objects.select_related("street", "basis_campaign"), pk
    )


def get_snapshot_for_user(user, pk) -> ScoreSnapshot:
    return get_visible_or_404(
        user, ScoreSnapshot.objects.select_related("campaign", "estate__area", "company"), pk
    )
