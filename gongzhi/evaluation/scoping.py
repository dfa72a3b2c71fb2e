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
- Benchmarks (标杆企业): the street and area offices, the company named, the street's owners' committees.
- Replacements after elimination: the street's whole-street roles and the estate's owners' committee.
"""

from django.db.models import Q

from gongzhi.core.scopes import Path, Scope, branch_areas_q, by_branch, by_estate, by_street, street_q
from gongzhi.evaluation import models as m


def _area_streets(scope: Scope):
    from gongzhi.registry.models import Area

    return Area.objects.filter(pk__in=scope.area_ids).values("street_id")


def _template_q(scope: Scope) -> Q:
    return street_q(scope, "street_id") | Q(street_id__in=_area_streets(scope))


def _campaign_q(scope: Scope) -> Q:
    taking_part = m.CampaignEstate.objects.filter(estate_id__in=scope.all_estate_ids).values("campaign_id")
    return street_q(scope, "street_id") | Q(pk__in=taking_part)


def _code_q(scope: Scope) -> Q:
    admin = street_q(scope, "estate__area__street_id", scope.admin_street_ids)
    return admin | Q(estate__area_id__in=scope.area_ids)


def _inspection_q(scope: Scope) -> Q:
    # Street and area offices, and the evaluator of the estate.
    return branch_areas_q(scope, "estate__area") | Q(
        estate_id__in=scope.evaluator_estate_ids, evaluator_id=scope.user_id
    )


def _snapshot_q(scope: Scope) -> Q:
    from gongzhi.registry.models import Contract

    served = Contract.objects.filter(company_id__in=scope.company_ids).values("estate_id")
    return (
        street_q(scope, "campaign__street_id")
        | Q(kind="estate", estate__area_id__in=scope.area_ids)
        | Q(kind="company", campaign__street_id__in=_area_streets(scope))
        | Q(kind="estate", estate_id__in=scope.oc_estate_ids)
        | Q(kind="company", company_id__in=scope.company_ids)
        | Q(kind="estate", estate_id__in=served)
    )


def _elimination_q(scope: Scope) -> Q:
    mine = m.EliminationCandidate.objects.filter(company_id__in=scope.company_ids).values("elimination_id")
    return street_q(scope, "street_id") | Q(pk__in=mine)


def _of_elimination_or_company(scope: Scope) -> Q:
    return street_q(scope, "elimination__street_id") | Q(company_id__in=scope.company_ids)


def _award_q(scope: Scope) -> Q:
    return _template_q(scope) | Q(company_id__in=scope.company_ids)


def _benchmark_q(scope: Scope) -> Q:
    # The title is public within the street's offices: the street, its area offices, the company named
    # and the owners' committees of the street (who choose a company, issue 14).
    from gongzhi.registry.models import Estate

    committees = Estate.objects.filter(pk__in=scope.oc_estate_ids).values("area__street_id")
    return _award_q(scope) | Q(street_id__in=committees)


def _replacement_q(scope: Scope) -> Q:
    # The street's whole-street roles drive it; the estate's owners' committee takes its steps. Nobody else.
    return street_q(scope, "referral__elimination__street_id") | Q(
        referral__estate_id__in=scope.oc_estate_ids
    )


CAMPAIGN = "campaign__street_id"
ELIMINATION = "elimination__street_id"

SCOPED = {
    m.SurveyTemplate: Path("street_id", _template_q),
    m.SurveyCategory: Path(
        "template__street_id",
        lambda s: Q(template__in=m.SurveyTemplate.objects.filter(_template_q(s))),
    ),
    m.SurveyItem: Path(
        "category__template__street_id",
        lambda s: Q(category__template__in=m.SurveyTemplate.objects.filter(_template_q(s))),
    ),
    m.Campaign: Path("street_id", _campaign_q),
    m.CampaignEstate: by_estate("estate", street=CAMPAIGN),
    m.AccessCode: Path(CAMPAIGN, _code_q),
    m.SurveyResponse: by_street(CAMPAIGN),
    m.SurveyAnswer: by_street(CAMPAIGN),
    m.HouseholdSubmission: by_street(CAMPAIGN),
    m.Inspection: Path(CAMPAIGN, _inspection_q),
    m.InspectionItem: Path(
        "inspection__campaign__street_id",
        lambda s: Q(inspection__in=m.Inspection.objects.filter(_inspection_q(s))),
    ),
    m.BranchAssessment: by_branch("estate__area", street=CAMPAIGN),
    m.ScoreSnapshot: Path(CAMPAIGN, _snapshot_q),
    m.EliminationCampaign: Path("street_id", _elimination_q),
    m.EliminationCandidate: Path(ELIMINATION, _of_elimination_or_company),
    m.FaultFinding: Path(ELIMINATION, _of_elimination_or_company),
    m.EliminationEvent: by_street(ELIMINATION),
    m.OwnersDecisionReferral: by_estate("estate", street=ELIMINATION),
    m.Award: Path("street_id", _award_q),
    m.Benchmark: Path("street_id", _benchmark_q),
    m.Replacement: Path("referral__elimination__street_id", _replacement_q),
}


# The district tier (区级测评): a district round is read by the district's roles; its link to a
# street campaign also by whoever reads that street whole.
def _district_campaign_q(scope: Scope) -> Q:
    return Q(district_id__in=scope.district_ids)


def _district_link_q(scope: Scope) -> Q:
    return Q(district_campaign__district_id__in=scope.district_ids) | street_q(scope, "campaign__street_id")


SCOPED.update(
    {
        m.DistrictCampaign: Path("", _district_campaign_q),  # above the street
        m.DistrictCampaignStreet: Path("campaign__street_id", _district_link_q),
    }
)
