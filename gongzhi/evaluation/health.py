"""数据体检 plug-in (core/health.py): survey answers against the households that gave them, the
stored scores against the answers they count, and the benchmarks against the ranking."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gongzhi.core.dates import long_date
from gongzhi.core.health import ERROR, Finding, Invariant
from gongzhi.evaluation import rules
from gongzhi.evaluation.models import (
    AccessCode,
    BallotBox,
    Campaign,
    HouseholdSubmission,
    ScoreClass,
    ScoreKind,
    ScoreSnapshot,
    SurveyResponse,
)
from gongzhi.evaluation.selectors import FLAG_LABELS
from gongzhi.registry.models import Estate


def _per_estate(queryset, estate_field: str = "estate_id") -> Counter:
    return Counter(
        {
            (row["campaign_id"], row[estate_field]): row["n"]
            for row in queryset.values("campaign_id", estate_field).annotate(n=Count("pk")).order_by()
        }
    )


def survey_answers_have_households(street, today: dt.date):
    """One household, one response (docs/EVALUATION.md): each answer of an estate — scored or still in its
    ballot box — has its household's "answered" marker, and every used code marks a household that
    answered."""
    campaigns = dict(Campaign.objects.filter(street=street).values_list("pk", "name"))
    if not campaigns:
        return
    names = dict(Estate.objects.filter(area__street=street).values_list("pk", "name"))
    answers = _per_estate(SurveyResponse.objects.filter(campaign_id__in=campaigns))
    for campaign_id, estate_id, ballots in BallotBox.objects.filter(campaign_id__in=campaigns).values_list(
        "campaign_id", "estate_id", "ballots"
    ):
        answers[(campaign_id, estate_id)] += len(ballots or [])
    households = _per_estate(
        HouseholdSubmission.objects.filter(campaign_id__in=campaigns), "unit__building__estate_id"
    )
    used = _per_estate(AccessCode.objects.filter(campaign_id__in=campaigns, used=True, revoked=False))
    for key in sorted(set(answers) | set(households) | set(used), key=lambda k: (k[0], names.get(k[1], ""))):
        campaign_id, estate_id = key
        values = {
            "campaign": campaigns[campaign_id],
            "estate": names.get(estate_id, estate_id),
            "answers": answers[key],
            "households": households[key],
            "used": used[key],
        }
        link = reverse("evaluation:campaign", args=[campaign_id])
        if answers[key] != households[key]:
            yield Finding(
                ERROR,
                gettext(
                    "%(campaign)s · %(estate)s：有%(answers)d份答卷，但登记已答的住户为%(households)d户。"
                )
                % values,
                link,
            )
        if used[key] > households[key]:
            yield Finding(
                ERROR,
                gettext(
                    "%(campaign)s · %(estate)s：已使用的测评码有%(used)d个，多于已答住户（%(households)d户）。"
                )
                % values,
                link,
            )


def scores_count_the_answers(street, today: dt.date):
    """An estate's stored score counts the estate's scored answers: a stale count mislabels its sample
    (样本较少) and its interval."""
    snapshots = (
        ScoreSnapshot.objects.filter(campaign__street=street, kind=ScoreKind.ESTATE)
        .select_related("campaign", "estate")
        .order_by("campaign_id", "estate__name")
    )
    campaign_ids = {s.campaign_id for s in snapshots}
    answers = _per_estate(SurveyResponse.objects.filter(campaign_id__in=campaign_ids))
    for snapshot in snapshots:
        counted = answers[(snapshot.campaign_id, snapshot.estate_id)]
        if snapshot.responses != counted:
            yield Finding(
                ERROR,
                gettext(
                    "%(campaign)s · %(estate)s：得分按%(stored)d份答卷计算，实有已计分答卷%(counted)d份。"
                )
                % {
                    "campaign": snapshot.campaign.name,
                    "estate": snapshot.estate.name if snapshot.estate else "",
                    "stored": snapshot.responses,
                    "counted": counted,
                },
                reverse("evaluation:score", args=[snapshot.pk]),
            )


SURVEY_FLAGS = ("no_responses", "small_sample", "low_response_rate")


def sample_labels_match(street, today: dt.date):
    """The sample labels beside a score (无答卷, 样本较少, 参与率低) follow from its stored answers, households
    and shrinkage weight by ``rules.survey_flags`` (docs/EVALUATION.md): a label that disagrees misleads."""
    snapshots = (
        ScoreSnapshot.objects.filter(campaign__street=street)
        .select_related("campaign", "estate", "company")
        .order_by("campaign_id", "kind", "rank", "pk")
    )
    for snapshot in snapshots:
        weight = (snapshot.detail or {}).get("survey_weight")
        if weight is None:
            continue
        households = snapshot.households if snapshot.kind == ScoreKind.ESTATE else 0
        expected = rules.survey_flags(snapshot.responses, households, float(weight))
        stored = [f for f in snapshot.flags or [] if f in SURVEY_FLAGS]
        if sorted(stored) != sorted(expected):
            yield Finding(
                ERROR,
                gettext(
                    "%(campaign)s · %(target)s：样本标注为“%(stored)s”，按%(n)d份答卷应为“%(expected)s”。"
                )
                % {
                    "campaign": snapshot.campaign.name,
                    "target": (snapshot.estate or snapshot.company).name,
                    "stored": "；".join(str(FLAG_LABELS[f]) for f in stored) or "—",
                    "expected": "；".join(str(FLAG_LABELS[f]) for f in expected) or "—",
                    "n": snapshot.responses,
                },
                reverse("evaluation:score", args=[snapshot.pk]),
            )


def classes_follow_the_rule(street, today: dt.date):
    """A company's class (标杆候选, 保持, 提升, 末位候选) follows from its place among the campaign's companies by
    ``rules.classify`` with the campaign's bottom N (docs/EVALUATION.md)."""
    by_campaign: dict[int, list[ScoreSnapshot]] = {}
    for snapshot in (
        ScoreSnapshot.objects.filter(campaign__street=street, kind=ScoreKind.COMPANY)
        .select_related("campaign", "company")
        .order_by("campaign_id", "rank", "pk")
    ):
        by_campaign.setdefault(snapshot.campaign_id, []).append(snapshot)
    for snapshots in by_campaign.values():
        positions = [(s.detail or {}).get("position") for s in snapshots]
        if any(p is None for p in positions) or not snapshots[0].score_class:
            continue
        bottom_n = (snapshots[0].campaign.statistics or {}).get("bottom_n", rules.DEFAULT_BOTTOM_N)
        labels = dict(ScoreClass.choices)
        for snapshot, expected in zip(snapshots, rules.classify(positions, bottom_n), strict=True):
            if snapshot.score_class != expected:
                yield Finding(
                    ERROR,
                    gettext(
                        "%(campaign)s · %(company)s：第%(place)d位，分类为“%(stored)s”，按规则应为“%(expected)s”。"
                    )
                    % {
                        "campaign": snapshot.campaign.name,
                        "company": snapshot.company.name,
                        "place": (snapshot.detail or {}).get("position"),
                        "stored": labels.get(snapshot.score_class, snapshot.score_class),
                        "expected": labels.get(expected, expected),
                    },
                    reverse("evaluation:score", args=[snapshot.pk]),
                )


def benchmarks_hold(street, today: dt.date):
    """A benchmark (标杆企业) is named for a term of at most three years, and none holding the title today is
    an elimination candidate (bottom class of the latest closed campaign, or on a running elimination's
    list): the leadership group cannot honour and eliminate the same company at once (issue 14)."""
    from gongzhi.evaluation.models import Benchmark
    from gongzhi.evaluation.services.benchmarks import is_elimination_candidate

    link = reverse("evaluation:benchmarks")
    for benchmark in Benchmark.objects.filter(street=street).select_related("company").order_by("pk"):
        values = {
            "company": benchmark.company.name,
            "start": long_date(benchmark.starts_on),
            "end": long_date(benchmark.ends_on),
        }
        if benchmark.ends_on > rules.benchmark_term_end_limit(benchmark.starts_on):
            yield Finding(
                ERROR,
                gettext("标杆企业%(company)s：期限%(start)s至%(end)s，超过最长 3 年。") % values,
                link,
            )
        revoked_on = timezone.localtime(benchmark.revoked_at).date() if benchmark.revoked_at else None
        live = rules.is_benchmark_on(
            today, starts_on=benchmark.starts_on, ends_on=benchmark.ends_on, revoked_on=revoked_on
        )
        if live and is_elimination_candidate(benchmark.company_id, street.pk):
            yield Finding(
                ERROR,
                gettext(
                    "标杆企业%(company)s（%(start)s至%(end)s）同时是末位候选，应撤销其标杆称号或核对排名。"
                )
                % values,
                link,
            )


def answers_have_codes(street, today: dt.date):
    """A household answers by its letter code or, logged in, as the unit's owner (docs/EVALUATION.md §6), and
    either way its live code is spent: so per estate and campaign the answers are at most the codes used plus
    the owners who answered by login, and the codes used are at most the codes issued. A household that
    answered with its code unspent, or with no spent code and no owner account, answered through no door."""
    from django.db.models import Exists, OuterRef

    from gongzhi.core.scopes import units_with_owner_accounts

    campaigns = dict(Campaign.objects.filter(street=street).values_list("pk", "name"))
    if not campaigns:
        return
    names = dict(Estate.objects.filter(area__street=street).values_list("pk", "name"))
    live = AccessCode.objects.filter(
        campaign_id=OuterRef("campaign_id"), unit_id=OuterRef("unit_id"), revoked=False
    )
    owners = units_with_owner_accounts().filter(pk=OuterRef("unit_id"))
    unspent: Counter = Counter()
    nowhere: Counter = Counter()
    for campaign_id, estate_id, spent, waiting, owner in (
        HouseholdSubmission.objects.filter(campaign_id__in=campaigns)
        .annotate(
            spent=Exists(live.filter(used=True)),
            waiting=Exists(live.filter(used=False)),
            owner=Exists(owners),
        )
        .values_list("campaign_id", "unit__building__estate_id", "spent", "waiting", "owner")
    ):
        if waiting:
            unspent[(campaign_id, estate_id)] += 1
        elif not spent and not owner:
            nowhere[(campaign_id, estate_id)] += 1
    if not unspent and not nowhere:
        return
    codes = AccessCode.objects.filter(campaign_id__in=campaigns, revoked=False)
    issued, used = _per_estate(codes), _per_estate(codes.filter(used=True))
    answers = _per_estate(
        HouseholdSubmission.objects.filter(campaign_id__in=campaigns), "unit__building__estate_id"
    )
    for key in sorted(set(unspent) | set(nowhere), key=lambda k: (k[0], names.get(k[1], ""))):
        campaign_id, estate_id = key
        values = {
            "campaign": campaigns[campaign_id],
            "estate": names.get(estate_id, estate_id),
            "answers": answers[key],
            "issued": issued[key],
            "used": used[key],
            "unspent": unspent[key],
            "nowhere": nowhere[key],
        }
        link = reverse("evaluation:campaign", args=[campaign_id])
        if nowhere[key]:
            yield Finding(
                ERROR,
                gettext(
                    "%(campaign)s · %(estate)s：%(answers)d户已答卷，发放测评码%(issued)d个、已使用%(used)d个，"
                    "其中%(nowhere)d户既没有使用测评码，也没有可登录答卷的业主账号。"
                )
                % values,
                link,
            )
        if unspent[key]:
            yield Finding(
                ERROR,
                gettext("%(campaign)s · %(estate)s：%(unspent)d户已答卷，其测评码却仍显示未使用。") % values,
                link,
            )


CLAIMS_A_PHOTO = ("拍照", "照片", "附图", "见图")


def inspection_photos_as_claimed(street, today: dt.date):
    """An inspection whose note or checklist remarks say a photo was taken (已拍照, 见照片…) holds at least
    one photo: the company is marked down on the strength of that evidence, so it must be there to see."""
    from gongzhi.evaluation.models import Inspection, InspectionItem

    claimed = {
        inspection_id
        for inspection_id, remark in InspectionItem.objects.filter(
            inspection__campaign__street=street
        ).values_list("inspection_id", "remark")
        if any(word in remark for word in CLAIMS_A_PHOTO)
    }
    claimed |= {
        pk
        for pk, note in Inspection.objects.filter(campaign__street=street).values_list("pk", "note")
        if any(word in note for word in CLAIMS_A_PHOTO)
    }
    wrong = (
        Inspection.objects.filter(pk__in=claimed, photos__isnull=True)
        .select_related("campaign", "estate")
        .order_by("campaign_id", "estate__name", "inspected_on")
    )
    for inspection in wrong:
        yield Finding(
            ERROR,
            gettext("%(campaign)s · %(estate)s：%(day)s的检查记录写明已拍照，却没有一张照片。")
            % {
                "campaign": inspection.campaign.name,
                "estate": inspection.estate.name,
                "day": long_date(inspection.inspected_on),
            },
            reverse("evaluation:campaign", args=[inspection.campaign_id]),
        )


def standard_codes_known(street, today: dt.date):
    """Every survey question and inspection line that names a four-services standard item names an item of the
    street's own standard, under its own service (issue 14: one meaning of quality). The forms refuse anything
    else; an import or a changed standard can still leave an orphan code, which would score nothing."""
    from gongzhi.evaluation.models import InspectionItem, SurveyItem
    from gongzhi.fees.selectors import standard_services

    standard = standard_services(street.pk)
    questions = (
        SurveyItem.objects.filter(category__template__street=street)
        .exclude(standard_code="")
        .values_list(
            "category__template__name",
            "category__template__version",
            "category__code",
            "text",
            "standard_code",
        )
        .order_by(
            "category__template__name", "category__template__version", "category__sort_order", "sort_order"
        )
    )
    for name, version, category, text, code in questions:
        if standard.get(code) != category:
            yield Finding(
                ERROR,
                gettext(
                    "问卷“%(name)s”第%(v)d版的题目“%(text)s”对应的四保标准 %(code)s 不在本街道标准的这一类别中。"
                )
                % {"name": name, "v": version, "text": text, "code": code},
                reverse("evaluation:templates"),
            )
    lines = (
        InspectionItem.objects.filter(inspection__campaign__street=street)
        .exclude(standard_code="")
        .values_list(
            "inspection__campaign_id",
            "inspection__campaign__name",
            "inspection__estate__name",
            "inspection__inspected_on",
            "category",
            "label",
            "standard_code",
        )
        .order_by("inspection__campaign_id", "inspection__estate__name", "inspection__inspected_on", "pk")
    )
    for campaign_id, campaign, estate, day, category, label, code in lines:
        if standard.get(code) != category:
            yield Finding(
                ERROR,
                gettext(
                    "%(campaign)s · %(estate)s：%(day)s的检查项“%(label)s”对应的四保标准 %(code)s 不在本街道标准的这一类别中。"
                )
                % {
                    "campaign": campaign,
                    "estate": estate,
                    "day": long_date(day),
                    "label": label,
                    "code": code,
                },
                reverse("evaluation:campaign", args=[campaign_id]),
            )


INVARIANTS = [
    Invariant(
        "evaluation.survey_answers_have_households",
        _("测评答卷与住户测评码一致"),
        survey_answers_have_households,
        _("一户一份答卷：答卷数等于已答住户数，已使用的测评码不多于已答住户。"),
    ),
    Invariant(
        "evaluation.scores_count_the_answers",
        _("得分所用样本与答卷一致"),
        scores_count_the_answers,
        _("小区得分的答卷数应与实际计分的答卷一致，样本标注才可信。"),
    ),
    Invariant(
        "evaluation.sample_labels_match",
        _("样本标注与答卷数相符"),
        sample_labels_match,
        _("“样本较少”“参与率低”等标注按答卷数、户数和修正权重确定。"),
    ),
    Invariant(
        "evaluation.classes_follow_the_rule",
        _("企业分类与排名规则相符"),
        classes_follow_the_rule,
        _("标杆候选、保持、提升、末位候选按企业在本次测评中的名次和末位数量确定。"),
    ),
    Invariant(
        "evaluation.benchmarks_hold",
        _("标杆企业不是末位候选且在期限内"),
        benchmarks_hold,
        _("标杆企业由领导小组命名，期限最长 3 年；同一企业不能既是标杆又是末位候选。"),
    ),
    Invariant(
        "evaluation.answers_have_codes",
        _("答卷不多于已用测评码和业主账号"),
        answers_have_codes,
        _(
            "住户凭测评码或以业主账号登录答卷，两种方式都会核销测评码：答卷数不超过已用测评码与登录答卷的业主之和。"
        ),
    ),
    Invariant(
        "evaluation.inspection_photos_as_claimed",
        _("写明已拍照的检查有照片"),
        inspection_photos_as_claimed,
        _("检查意见写明已拍照的，照片应随检查记录保存，扣分才有依据。"),
    ),
    Invariant(
        "evaluation.standard_codes_known",
        _("测评题目与检查项对应的四保标准存在"),
        standard_codes_known,
        _(
            "问卷题目和检查项所写的四保标准编号，应是本街道标准中同一类服务的项目，测评与检查才能按同一标准对照。"
        ),
    ),
]
