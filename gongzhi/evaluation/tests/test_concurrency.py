"""Many simultaneous submissions of one household code store exactly one response (issue 6).
PostgreSQL only: SQLite serialises writers, so it could not show a race."""

import threading

import pytest
from django.db import connection, connections

from gongzhi.evaluation.models import (
    AccessCode,
    BallotBox,
    HouseholdSubmission,
    SurveyAnswer,
    SurveyResponse,
)
from gongzhi.evaluation.services import EvaluationError, response_submit_by_code, response_submit_by_owner
from gongzhi.evaluation.tests.factories import answers, issue_codes, open_campaign

THREADS = 8

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs real concurrent transactions: run with DATABASE_URL=postgres://… (SQLite serialises writers)",
)


def _race(workers):
    barrier = threading.Barrier(len(workers))
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def run(work):
        try:
            barrier.wait(timeout=30)
            work()
            outcomes.append("stored")
        except EvaluationError as refusal:
            outcomes.append(refusal.message)
        except BaseException as error:  # surfaced below, in the test's own thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    return outcomes


def test_one_code_submitted_by_many_threads_stores_one_response(transactional_db, world):
    campaign = open_campaign(world)
    code = issue_codes(world, campaign)[0]
    given = answers(campaign, 4)

    outcomes = _race([lambda: response_submit_by_code(code=code, answers=given)] * THREADS)

    assert outcomes.count("stored") == 1
    assert len(outcomes) == THREADS
    assert all("已经使用过" in o or "已参加" in o for o in outcomes if o != "stored")
    assert _waiting(campaign) == 1  # one ballot in the box, below k: not yet in the scored tables
    assert not SurveyResponse.objects.filter(campaign=campaign).exists()
    assert HouseholdSubmission.objects.filter(campaign=campaign).count() == 1
    assert AccessCode.objects.filter(campaign=campaign, used=True).count() == 1


def test_code_and_owner_racing_for_one_unit_store_one_response(transactional_db, world):
    campaign = open_campaign(world)
    issue_codes(world, campaign)
    from gongzhi.evaluation import services

    code = services.codes_issue(
        actor=world.user("admin"),
        campaign=campaign,
        estate=world.estate_a1,
        units=[world.unit_a1],
        reissue=True,
    )[0].code
    owner = type(world.user("owner_a1")).objects.get(pk=world.user("owner_a1").pk)
    unit = type(world.unit_a1).objects.get(pk=world.unit_a1.pk)
    given = answers(campaign, 2)
    workers = [lambda: response_submit_by_code(code=code, answers=given)] * (THREADS // 2) + [
        lambda: response_submit_by_owner(actor=owner, campaign=campaign, unit=unit, answers=given)
    ] * (THREADS // 2)

    outcomes = _race(workers)

    assert outcomes.count("stored") == 1
    assert _waiting(campaign) == 1
    assert HouseholdSubmission.objects.filter(campaign=campaign, unit=unit).count() == 1


def _waiting(campaign) -> int:
    return sum(len(box.ballots) for box in BallotBox.objects.filter(campaign=campaign))


def test_many_households_at_once_release_exactly_one_batch_of_k(transactional_db, world):
    from decimal import Decimal

    from gongzhi.evaluation import rules
    from gongzhi.registry.models import Unit

    for i in range(4, THREADS + 1):
        Unit.objects.create(building=world.building_a1, number=f"{i}01", area=Decimal("60.00"))
    campaign = open_campaign(world)
    codes = issue_codes(world, campaign)
    assert len(codes) == THREADS
    given = answers(campaign, 3)

    outcomes = _race([lambda code=code: response_submit_by_code(code=code, answers=given) for code in codes])

    k = rules.RELEASE_BATCH_MIN
    assert outcomes.count("stored") == THREADS
    # Every ballot is accounted for once: k released as one batch, the rest still waiting.
    assert SurveyResponse.objects.filter(campaign=campaign).count() == k
    assert SurveyAnswer.objects.filter(campaign=campaign).count() == k * 20
    assert _waiting(campaign) == THREADS - k
