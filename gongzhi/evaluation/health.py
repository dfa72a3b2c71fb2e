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
]
