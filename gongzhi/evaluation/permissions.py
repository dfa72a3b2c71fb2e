"""Who may do what in evaluation — one function per right, one condition per line.

Reads go through ``gongzhi.core.scopes.visible`` (outsider → 404, see scoping.py); these checks
answer the write rights (→ 403 in views, ``PermissionDenied`` in services)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from gongzhi.core.scopes import branch_areas, get_for_user, own_units, scope_for
from gongzhi.evaluation.models import Campaign, CampaignEstate, EliminationCampaign, ScoreSnapshot
from gongzhi.registry.models import Estate, Unit


def is_street_admin(user, street_id: int) -> bool:
    """The street admin manages templates, campaigns, codes, scores, eliminations and awards."""
    return scope_for(user).is_street_admin(street_id)


def is_leadership(user, street_id: int) -> bool:
    """The leadership group (领导小组) approves or returns an elimination proposal."""
    return scope_for(user).is_leadership_of(street_id)


def benchmark_street_id(user) -> int | None:
    """The street whose benchmarks the user keeps or reads in full (street admin or leadership group;
    the lowest id if several), or None: the benchmark page is a street-wide page."""
    return min(scope_for(user).street_ids, default=None)


def sees_street_results(user, street_id: int) -> bool:
    """The street's full company ranking: street-wide roles and the street's area offices (who see the
    estate rows of their own area only — scoping.py)."""
    if scope_for(user).is_street_wide(street_id):
        return True
    return branch_areas(user).filter(street_id=street_id, estates__isnull=False).exists()


def sees_raw_means(user, street_id: int) -> bool:
    """Unshrunk means of small samples could reveal a household's answer: street-wide roles only."""
    return scope_for(user).is_street_wide(street_id)


def may_issue_codes(user, estate: Estate) -> bool:
    """Household letters are printed by the street admin or the estate's area office."""
    scope = scope_for(user)
    if scope.is_street_admin(estate.area.street_id):
        return True
    return scope.in_branch(estate.area_id)


def may_post_notice(user, estate: Estate) -> bool:
    """A stairwell notice (楼道公告) of a survey or a fault-finding window is posted in the estate by those
    who post its paper: the street admin, the area office (joint party branch) or the estate's owners'
    committee. A company does not post the call to rate or to find fault with itself."""
    scope = scope_for(user)
    if scope.is_street_admin(estate.area.street_id):
        return True
    if scope.in_branch(estate.area_id):
        return True
    return scope.on_committee(estate.pk)


def in_campaign(campaign: Campaign, estate_id: int) -> bool:
    return CampaignEstate.objects.filter(campaign=campaign, estate_id=estate_id).exists()


def may_inspect(user, campaign: Campaign, estate: Estate) -> bool:
    """A third-party evaluator inspects only the estates assigned to them, in a campaign they take part in."""
    if not scope_for(user).evaluates(estate.pk):
        return False
    return in_campaign(campaign, estate.pk)


def may_assess(user, estate: Estate) -> bool:
    """参与考核权: the area's joint party branch (secretary, members) assesses; the street admin may too."""
    scope = scope_for(user)
    if scope.is_street_admin(estate.area.street_id):
        return True
    return scope.in_branch(estate.area_id)


def may_answer_for_unit(user, unit: Unit) -> bool:
    """A logged-in owner answers for their own unit only."""
    return scope_for(user).owns_unit(unit.pk)


def units_to_answer(user, campaign: Campaign) -> list[Unit]:
    """The user's own units in the campaign's estates (what the portal offers to answer for)."""
    if not scope_for(user).owns_unit():
        return []
    estates = CampaignEstate.objects.filter(campaign=campaign).values("estate_id")
    return list(own_units(user).filter(building__estate_id__in=estates).select_related("building__estate"))


def get_campaign_for_user(user, pk, *, manage: bool = False) -> Campaign:
    """Outsider → 404; ``manage`` (edit, open, close, codes, recompute) needs the street admin → 403."""
    campaign = get_for_user(user, Campaign.objects.select_related("street", "template"), pk)
    if manage and not is_street_admin(user, campaign.street_id):
        raise PermissionDenied
    return campaign


def get_elimination_for_user(user, pk) -> EliminationCampaign:
    return get_for_user(user, EliminationCampaign.objects.select_related("street", "basis_campaign"), pk)


def get_snapshot_for_user(user, pk) -> ScoreSnapshot:
    return get_for_user(user, ScoreSnapshot.objects.select_related("campaign", "estate__area", "company"), pk)


# ---- the replacement after elimination (evaluation/replacement.py) ------------------------------------


def may_open_replacement_vote(user, estate: Estate, *, sitting: bool | None = None) -> bool:
    """The owners' decision to dismiss and hire is opened by whoever may open a vote of the estate in the
    voting app: its owners' committee (the street admin only where no committee sits; ``sitting`` as in
    ``voting.permissions.can_manage``)."""
    from gongzhi.voting.permissions import can_manage

    return can_manage(user, estate, sitting=sitting)


def may_choose_company(user, estate: Estate, *, sitting: bool | None = None) -> bool:
    """The owners' committee records the company it chose (the street admin only where no committee sits)."""
    return may_open_replacement_vote(user, estate, sitting=sitting)


def may_record_replacement_outcome(user, estate: Estate, *, sitting: bool | None = None) -> bool:
    """The counted result is recorded by the committee or the street admin (it is a fact of the voting app)."""
    if scope_for(user).is_street_admin(estate.area.street_id):
        return True
    return may_open_replacement_vote(user, estate, sitting=sitting)


def may_record_replacement_contract(user, street_id: int) -> bool:
    """The new contract enters the registry through the street admin, who keeps the registry."""
    return scope_for(user).is_street_admin(street_id)


def get_replacement_for_user(user, pk):
    """The replacement of one referred estate: the street's whole-street roles and the estate's owners'
    committee read it (scoping.py); anyone else → 404."""
    from gongzhi.evaluation.models import Replacement

    return get_for_user(
        user,
        Replacement.objects.select_related(
            "referral__estate__area",
            "referral__company",
            "referral__elimination",
            "decision",
            "chosen_company",
            "old_contract",
            "new_contract__company",
        ),
        pk,
    )
