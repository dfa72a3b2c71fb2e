"""``gongzhi evaluation_recompute``: thin over the service, clear errors, safe to run twice."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from gongzhi.evaluation import services
from gongzhi.evaluation.models import ScoreSnapshot
from gongzhi.evaluation.tests.factories import answers, issue_codes, open_campaign


def test_recompute_command_twice_gives_the_same_rows(world):
    campaign = open_campaign(world)
    for code in issue_codes(world, campaign):
        services.response_submit_by_code(code=code, answers=answers(campaign, 4))
    out = StringIO()
    call_command("evaluation_recompute", str(campaign.pk), "--json", stdout=out)
    result = json.loads(out.getvalue())[0]
    # Three households answered, fewer than k: their ballots wait in the box and count for nothing yet.
    assert result["estates"] == 3 and result["companies"] == 2 and result["responses"] == 0
    first = list(
        ScoreSnapshot.objects.order_by("kind", "rank").values_list("composite", "low", "high", "rank")
    )
    call_command("evaluation_recompute", "all-open", stdout=StringIO())
    assert (
        list(ScoreSnapshot.objects.order_by("kind", "rank").values_list("composite", "low", "high", "rank"))
        == first
    )


@pytest.mark.django_db
def test_recompute_command_errors_are_plain():
    with pytest.raises(CommandError, match="没有编号为 999"):
        call_command("evaluation_recompute", "999")
    with pytest.raises(CommandError, match="应为数字"):
        call_command("evaluation_recompute", "abc")
