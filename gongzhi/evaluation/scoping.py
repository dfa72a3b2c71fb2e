"""How evaluation rows hang off the street (read by gongzhi.core.scopes, the one door).

- Templates, campaigns and awards: the street offices; campaigns also to everyone whose estates
  take part (an owner needs the campaign to answer it).
- Raw responses and answers: street-wide roles only — and even they never see a household.
- Access codes (hashes, per household): the street admin and the area office that prints the letters.
- Inspections: the street, the area, and the evaluator's assigned estates.
- Branch assessments: the street and the area (the company does not read the branch's raw marks).
- Score snapshots: street-wide roles see all; an area office sees the street's company ranking
  and its own area's estates; a company only its own company row and the estates it serves; an
  owners' committee its estates.
- Elimination: street-wide roles; a company sees the campaigns it is a candidate in.
"""

from django.db.models import Q

from gongzhi.core.scopes import Scope, by_estate
from gongzhi.evaluation import models as m


def _street(scope: Scope, path: str) -> Q:
    return Q(**{f"{path}__in": scope.street_ids}) if scope.street_ids else Q(pk__in=[])


def _nothing() -> Q:
    return Q(pk__in=[])


def _template_q(scope: Scope) -> Q:
    return _street(scope, "street_id") | Q(street_id__in=_area_streets(scope))


def _area_streets(scope: Scope):
    from gongzhi.registry.models import Area

    return Area.objects.filter(pk__in=scope.area_ids).values("street_id")


def _campaign_q(scope: Scope) -> Q:
    taking_part = m.CampaignEstate.objects.filter(estate_id__in=scope.all_estate_ids).values("campaign_id")
    return _street(scope, "street_id") | Q(pk__in=taking_part)


def _street_only(path: str):
    def condition(scope: Scope) -> Q:
        return _street(scope, path)

    return condition


def _code_q(scope: Scope) -> Q:
    admin = Q(estate__area__street_id__in=scope.admin_street_ids) if scope.admin_street_ids else _nothing()
    return admin | Q(estate__area_id__in=scope.area_ids)


def _office_estate_q(path: str):
    # Street and area offices (and, for inspections, the evaluator of the estate).
    def condition(scope: Scope) -> Q:
        return _street(scope, f"{path}__area__street_id") | Q(**{f"{path}__area_id__in": scope.area_ids})

    return condition


def _inspection_q(scope: Scope) -> Q:
    return _office_estate_q("estate")(scope) | Q(
        estate_id__in=scope.evaluator_estate_ids, evaluator_id=scope.user_id
    )


def _snapshot_q(scope: Scope) -> Q:
    from gongzhi.registry.models import Contract

    served = Contract.objects.filter(company_id__in=scope.company_ids).values("estate_id")
    return (
        _street(scope, "campaign__street_id")
        | Q(kind="estate", estate__area_id__in=scope.area_ids)
        | Q(kind="company", campaign__street_id__in=_area_streets(scope))
        | Q(kind="estate", estate_id__in=scope.oc_estate_ids)
        | Q(kind="company", company_id__in=scope.company_ids)
        | Q(kind="estate", estate_id__in=served)
    )


def _elimination_q(scope: Scope) -> Q:
    mine = m.EliminationCandidate.objects.filter(company_id__in=scope.company_ids).values("elimination_id")
    return _street(scope, "street_id") | Q(pk__in=mine)


def _candidate_q(scope: Scope) -> Q:
    return _street(scope, "elimination__street_id") | Q(company_id__in=scope.company_ids)


SCOPE_PATHS = {
    m.SurveyTemplate: _template_q,
    m.SurveyCategory: lambda s: Q(template__in=m.SurveyTemplate.objects.filter(_template_q(s))),
    m.SurveyItem: lambda s: Q(category__template__in=m.SurveyTemplate.objects.filter(_template_q(s))),
    m.Campaign: _campaign_q,
    m.CampaignEstate: by_estate("estate"),
    m.AccessCode: _code_q,
    m.SurveyResponse: _street_only("campaign__street_id"),
    m.SurveyAnswer: _street_only("campaign__street_id"),
    m.HouseholdSubmission: _street_only("campaign__street_id"),
    m.Inspection: _inspection_q,
    m.InspectionItem: lambda s: Q(inspection__in=m.Inspection.objects.filter(_inspection_q(s))),
    m.BranchAssessment: _office_estate_q("estate"),
    m.ScoreSnapshot: _snapshot_q,
    m.EliminationCampaign: _elimination_q,
    m.EliminationCandidate: _candidate_q,
    m.FaultFinding: lambda s: _street(s, "elimination__street_id") | Q(company_id__in=s.company_ids),
    m.EliminationEvent: lambda s: _street(s, "elimination__street_id"),
    m.OwnersDecisionReferral: by_estate("estate"),
    m.Award: lambda s: (
        _street(s, "street_id") | Q(street_id__in=_area_streets(s)) | Q(company_id__in=s.company_ids)
    ),
}

STREET_OF = {
    m.SurveyTemplate: lambda o: o.street_id,
    m.SurveyCategory: lambda o: o.template.street_id,
    m.SurveyItem: lambda o: o.category.template.street_id,
    m.Campaign: lambda o: o.street_id,
    m.CampaignEstate: lambda o: o.campaign.street_id,
    m.AccessCode: lambda o: o.campaign.street_id,
    m.SurveyResponse: lambda o: o.campaign.street_id,
    m.SurveyAnswer: lambda o: o.campaign.street_id,
    m.HouseholdSubmission: lambda o: o.campaign.street_id,
    m.Inspection: lambda o: o.campaign.street_id,
    m.InspectionItem: lambda o: o.inspection.campaign.street_id,
    m.BranchAssessment: lambda o: o.campaign.street_id,
    m.ScoreSnapshot: lambda o: o.campaign.street_id,
    m.EliminationCampaign: lambda o: o.street_id,
    m.EliminationCandidate: lambda o: o.elimination.street_id,
    m.FaultFinding: lambda o: o.elimination.street_id,
    m.EliminationEvent: lambda o: o.elimination.street_id,
    m.OwnersDecisionReferral: lambda o: o.elimination.street_id,
    m.Award: lambda o: o.street_id,
}
