"""数据体检 plug-in (core/health.py): the estates' own rules against the law."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gongzhi.core.dates import plain_date
from gongzhi.core.health import WARNING, Finding, Invariant
from gongzhi.disclosure.models import EstateRules, RulesKind

QUORUM_WORDS = ("三分之二", "2/3", "⅔")
THRESHOLD_WORDS = ("过半", "半数", "二分之一", "四分之三", "3/4")


def states_civil_code_vote(text: str) -> bool:
    """Whether a voting rule that names an approval threshold also names the participation quorum of
    《民法典》第二百七十八条第二款: 专有部分面积占比三分之二以上且人数占比三分之二以上的业主参与表决 — the
    pre-2021 rule (双过半 of all owners) names no quorum. A text that states no threshold is not judged."""
    if not any(word in text for word in THRESHOLD_WORDS):
        return True
    return any(word in text for word in QUORUM_WORDS)


def assembly_rules_follow_civil_code(street, today: dt.date):
    """The estate's current 业主大会议事规则 states the Civil Code's voting rule (art. 278 para. 2): two thirds of
    the area and of the owners take part; more than half (three quarters for matters 6–8) of the participants
    agree. Rules written before 2021 still say 双过半 and mislead owners and committees."""
    latest: dict[int, EstateRules] = {}
    for rules in (
        EstateRules.objects.filter(
            estate__area__street=street, kind=RulesKind.ASSEMBLY_RULES, adopted_on__lte=today
        )
        .select_related("estate")
        .order_by("estate_id", "-adopted_on", "-pk")
    ):
        latest.setdefault(rules.estate_id, rules)
    for rules in sorted(latest.values(), key=lambda r: r.estate.name):
        if not states_civil_code_vote(f"{rules.summary}\n{rules.text}"):
            yield Finding(
                WARNING,
                gettext(
                    "%(estate)s：现行《业主大会议事规则》（%(day)s通过）的表决规则未写明“双三分之二”参与表决，"
                    "与《民法典》第二百七十八条第二款不符。"
                )
                % {"estate": rules.estate.name, "day": plain_date(rules.adopted_on)},
                reverse("book:edit", args=[rules.estate_id]),
            )


INVARIANTS = [
    Invariant(
        "disclosure.assembly_rules_follow_civil_code",
        _("议事规则的表决规则符合《民法典》"),
        assembly_rules_follow_civil_code,
        _(
            "《民法典》第二百七十八条第二款：专有部分面积和人数均三分之二以上的业主参与表决，参与表决的过半数（重大事项四分之三以上）同意。"
        ),
    ),
]
