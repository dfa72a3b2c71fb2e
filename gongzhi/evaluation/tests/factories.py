"""Test helpers for evaluation (shared with the page tests): an open campaign over the persona
world's three estates, answers, and a closed + recomputed campaign — all through the services."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gongzhi.evaluation import services
from gongzhi.evaluation.models import BallotBox, Campaign, SurveyAnswer


def default_template(world):
    return services.template_create_default(actor=world.user("admin"), street=world.street)


def open_campaign(world, *, name: str = "2026年度物业服务测评", template=None, period_end=None) -> Campaign:
    """An open campaign (answer window around today) over 甲一, 甲二 and 乙一."""
    today = timezone.localdate()
    admin = world.user("admin")
    end = period_end or today
    campaign = services.campaign_create(
        actor=admin,
        street=world.street,
        template=template or default_template(world),
        name=name,
        period_start=end - dt.timedelta(days=364),
        period_end=end,
        opens_on=today - dt.timedelta(days=1),
        closes_on=today + dt.timedelta(days=14),
        estates=[world.estate_a1, world.estate_a2, world.estate_b1],
    )
    return services.campaign_open(actor=admin, campaign=campaign)


def answers(campaign: Campaign, value: int | None = 4, **overrides) -> dict[int, int | None]:
    """{item id: score} for every item of the campaign's template."""
    items = [i for c in campaign.template.categories.prefetch_related("items") for i in c.items.all()]
    return {item.pk: overrides.get(str(item.pk), value) for item in items}


def issue_codes(world, campaign: Campaign, estate=None) -> list[str]:
    issued = services.codes_issue(
        actor=world.user("admin"), campaign=campaign, estate=estate or world.estate_a1
    )
    return [i.code for i in issued]


def closed_and_recomputed(world, campaign: Campaign | None = None, values=(5, 4, 2)) -> Campaign:
    """Answers from every household of the three estates (estate i answers ``values[i]``), then close
    and recompute."""
    campaign = campaign or open_campaign(world)
    for estate, value in zip((world.estate_a1, world.estate_a2, world.estate_b1), values, strict=True):
        for code in issue_codes(world, campaign, estate):
            services.response_submit_by_code(code=code, answers=answers(campaign, value))
    services.campaign_close(actor=world.user("admin"), campaign=campaign)
    services.campaign_recompute(campaign=campaign, actor=world.user("admin"))
    campaign.refresh_from_db()
    return campaign


def ballots(campaign: Campaign) -> list[dict[int, int | None]]:
    """Every stored ballot of a campaign as {item id: score}: waiting in a box (unsealed) or released."""
    found = [
        {item: value for item, value in b["answers"]}
        for box in BallotBox.objects.filter(campaign=campaign)
        for b in services.box_contents(box)
    ]
    released: dict = {}
    for response_id, item, value in SurveyAnswer.objects.filter(campaign=campaign).values_list(
        "response_id", "item_id", "score"
    ):
        released.setdefault(response_id, {})[item] = value
    return found + list(released.values())
