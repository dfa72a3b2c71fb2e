"""Survey answers cannot be linked to households (issue 11, hole 2): not by row order (SQLite rowid,
PostgreSQL ctid / xmin), not by time, not by the audit trail, not by differencing two recomputes.
Each test runs on SQLite and, with DATABASE_URL=postgres://…, on PostgreSQL."""

from __future__ import annotations

import json
import secrets
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongzhi.core.models import AuditEvent
from gongzhi.evaluation import rules, sealing, selectors, services
from gongzhi.evaluation.models import (
    AccessCode,
    BallotBox,
    HouseholdSubmission,
    ScoreKind,
    ScoreSnapshot,
    SurveyAnswer,
    SurveyResponse,
)
from gongzhi.evaluation.tests.factories import answers, closed_and_recomputed, issue_codes, open_campaign
from gongzhi.registry import models as r

K = rules.RELEASE_BATCH_MIN


class ArrivalOrderThenReverse:
    """An injected RNG: drops each ballot at the end of the box (arrival order) and "shuffles" by
    reversing — deterministic, so the tests can tell the stored order from the submission order."""

    def randrange(self, stop: int) -> int:
        return stop - 1

    def shuffle(self, items: list) -> None:
        items.reverse()


class FrontOfTheBox(ArrivalOrderThenReverse):
    def randrange(self, stop: int) -> int:
        return 0


def _grow(world, estate_units: int = 10) -> None:
    """甲一 gets ``estate_units`` households (the persona world has three), before the campaign opens."""
    for i in range(4, estate_units + 1):
        r.Unit.objects.create(building=world.building_a1, number=f"{i}01", area=Decimal("60.00"))


def _known(campaign, i: int) -> dict:
    """Submission i's answers: items 1 and 2 spell out i, so a stored response names its submission."""
    items = list(answers(campaign))
    return answers(campaign, 3, **{str(items[0]): i % 5 + 1, str(items[1]): i // 5 + 1})


def _identity(campaign, response_id) -> int:
    items = list(answers(campaign))
    given = dict(SurveyAnswer.objects.filter(response_id=response_id).values_list("item_id", "score"))
    return (given[items[0]] - 1) + 5 * (given[items[1]] - 1)


def _physical(model, campaign) -> list[uuid.UUID]:
    """Primary keys in the order the database stores the rows (SQLite rowid, PostgreSQL ctid)."""
    order = "ctid" if connection.vendor == "postgresql" else "rowid"
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {table} WHERE campaign_id = %s ORDER BY {order}", [campaign.pk])  # noqa: S608
        return [uuid.UUID(str(row[0])) for row in cursor.fetchall()]


def _submit_in_order(world, campaign, count: int, rng) -> list[int]:
    """Households answer one by one; returns the unit ids in submission order."""
    codes = issue_codes(world, campaign)
    units = []
    for i, code in enumerate(codes[:count]):
        services.response_submit_by_code(code=code, answers=_known(campaign, i), rng=rng)
        units.append(AccessCode.objects.get(code_hash=rules.hash_code(code)).unit_id)
    return units


# ---- (a) row order --------------------------------------------------------------------------------------


def test_answers_wait_in_the_box_until_k_households_of_the_estate_answered(world):
    _grow(world)
    campaign = open_campaign(world)
    _submit_in_order(world, campaign, K - 1, ArrivalOrderThenReverse())
    # K − 1 markers, but nothing in the scored tables: there is nothing to pair them with.
    assert HouseholdSubmission.objects.filter(campaign=campaign).count() == K - 1
    assert not SurveyResponse.objects.exists() and not SurveyAnswer.objects.exists()
    assert len(BallotBox.objects.get(campaign=campaign, estate=world.estate_a1).ballots) == K - 1


def test_a_released_batch_is_stored_in_the_shuffled_order_not_the_submission_order(world):
    _grow(world)
    campaign = open_campaign(world)
    units = _submit_in_order(world, campaign, K, ArrivalOrderThenReverse())

    stored = [_identity(campaign, pk) for pk in _physical(SurveyResponse, campaign)]
    # The rows lie in the order the injected shuffle chose (reversed), not in submission order …
    assert stored == list(reversed(range(K)))
    assert stored != list(range(K))
    # … and so do the answers, grouped by response.
    by_answer = []
    for pk in _physical(SurveyAnswer, campaign):
        response_id = SurveyAnswer.objects.get(pk=pk).response_id
        if not by_answer or by_answer[-1] != response_id:
            by_answer.append(response_id)
    assert by_answer == _physical(SurveyResponse, campaign)
    # The markers keep the submission order; the n-th marker is not the n-th response.
    markers = [
        HouseholdSubmission.objects.get(pk=pk).unit_id for pk in _physical(HouseholdSubmission, campaign)
    ]
    assert markers == units
    assert not BallotBox.objects.get(campaign=campaign, estate=world.estate_a1).ballots


def test_the_box_keeps_ballots_where_the_rng_dropped_them(world):
    _grow(world)
    campaign = open_campaign(world)
    _submit_in_order(world, campaign, 3, FrontOfTheBox())
    box = BallotBox.objects.get(campaign=campaign, estate=world.estate_a1)
    firsts = [dict(b["answers"])[list(answers(campaign))[0]] for b in services.box_contents(box)]
    assert firsts == [3, 2, 1]  # submissions 0, 1, 2 answered item 1 with 1, 2, 3


def test_waiting_ballots_are_sealed_and_of_equal_length_in_the_database(world, settings):
    _grow(world)
    campaign = open_campaign(world)
    codes = issue_codes(world, campaign)
    services.response_submit_by_code(code=codes[0], answers=answers(campaign, 5))
    services.response_submit_by_code(
        code=codes[1], answers=answers(campaign, None, **{str(list(answers(campaign))[0]): 1})
    )
    table = connection.ops.quote_name(BallotBox._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT ballots FROM {table} WHERE campaign_id = %s", [campaign.pk])  # noqa: S608
        [(raw,)] = cursor.fetchall()
    # What a dump, a WAL archive or a copied file holds: no score, no item, no answer in clear …
    text = raw if isinstance(raw, str) else json.dumps(raw)
    item = str(list(answers(campaign))[0])
    assert "100.0000" not in text and "score" not in text and f"[{item}," not in text
    tokens = json.loads(text)
    # … and two very different ballots (all 5s; one answer and "不了解" for the rest) of one length.
    assert len(tokens) == 2 and len(tokens[0]) == len(tokens[1])
    box = BallotBox.objects.get(campaign=campaign)
    assert sorted(b["score"] for b in services.box_contents(box)) == ["0.0000", "100.0000"]
    # Without the key (kept out of the database) nothing opens; a rotated key still opens via the fallback.
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "another key"
    with pytest.raises(sealing.SealError):
        services.box_contents(box)
    settings.SECRET_KEY_FALLBACKS = [old]
    assert len(services.box_contents(box)) == 2
    # A sealed ballot is bound to its box: moved to another estate's box it does not open.
    with pytest.raises(sealing.SealError):
        sealing.unseal(tokens[0], box=f"{campaign.pk}:{world.estate_b1.pk}")


def test_the_services_shuffle_with_the_system_rng_by_default():
    assert isinstance(services.BALLOT_RNG, secrets.SystemRandom)


def test_a_batch_is_written_by_one_statement_per_table(world):
    _grow(world)
    campaign = open_campaign(world)
    codes = issue_codes(world, campaign)
    for i, code in enumerate(codes[: K - 1]):
        services.response_submit_by_code(code=code, answers=_known(campaign, i))
    with CaptureQueriesContext(connection) as queries:
        services.response_submit_by_code(code=codes[K - 1], answers=_known(campaign, K - 1))
    writes = [
        q["sql"] for q in queries.captured_queries if "survey" in q["sql"] and q["sql"].startswith("INSERT")
    ]
    if connection.vendor == "sqlite":
        # One multi-row INSERT per table: the batch's K rows enter together, in the shuffled order.
        [responses] = [s for s in writes if "evaluation_surveyresponse" in s]
        assert responses.count("), (") == K - 1
        assert len([s for s in writes if "evaluation_surveyanswer" in s]) == 1
    else:  # PostgreSQL: COPY (not captured by Django); no row-by-row INSERT either
        assert not [s for s in writes if "evaluation_surveyresponse" in s or "evaluation_surveyanswer" in s]
    assert SurveyResponse.objects.count() == K


@pytest.mark.skipif(connection.vendor != "postgresql", reason="xmin is PostgreSQL's transaction id")
def test_postgresql_transaction_ids_do_not_pair_markers_and_responses(transactional_db, world):
    _grow(world)
    campaign = open_campaign(world)
    _submit_in_order(world, campaign, K, None)

    def xmins(table):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT xmin::text FROM {table} WHERE campaign_id = %s", [campaign.pk])  # noqa: S608
            return [row[0] for row in cursor.fetchall()]

    markers = xmins("evaluation_householdsubmission")
    responses = xmins("evaluation_surveyresponse")
    assert len(set(markers)) == K  # one transaction per household
    assert len(set(responses)) == 1  # the batch is one transaction …
    # … shared at most with the K-th household's marker (in fact with none: the marker is inserted in
    # a savepoint, which has its own id), and the K-th household's answer is any one of the K.
    assert len(set(markers) & set(responses)) <= 1


# ---- (b) time --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", [SurveyResponse, SurveyAnswer, BallotBox, HouseholdSubmission])
def test_nothing_on_either_side_records_a_time(model):
    from django.db import models

    for field in model._meta.get_fields():
        assert not isinstance(field, (models.DateTimeField, models.DateField, models.TimeField)), field.name


def test_no_audit_row_carries_the_second_of_a_submission(world):
    _grow(world)
    campaign = open_campaign(world)
    codes = issue_codes(world, campaign)
    before = AuditEvent.objects.count()
    for i, code in enumerate(codes[: K - 1]):
        services.response_submit_by_code(code=code, answers=_known(campaign, i))
    assert AuditEvent.objects.count() == before  # no row per submission
    services.response_submit_by_code(code=codes[K - 1], answers=_known(campaign, K - 1))
    release = AuditEvent.objects.filter(changes__released__isnull=False).get()
    local = timezone.localtime(release.at)
    # The release is recorded by day only: midnight, no actor, the estate and the count.
    assert (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0)
    assert local.date() == timezone.localdate()
    assert release.actor is None and release.object_id == str(campaign.pk)
    assert release.changes == {"estate": world.estate_a1.name, "released": K}
    assert AuditEvent.objects.count() == before + 1


# ---- (c) audit -------------------------------------------------------------------------------------------


def test_no_audit_row_names_the_owner_who_answered(world):
    campaign = open_campaign(world)
    owner = world.user("owner_a1")
    before = set(AuditEvent.objects.values_list("pk", flat=True))
    services.response_submit_by_owner(
        actor=owner, campaign=campaign, unit=world.unit_a1, answers=answers(campaign, 3)
    )
    new = AuditEvent.objects.exclude(pk__in=before)
    assert not new.filter(actor=owner).exists()
    assert not new.filter(actor_label__contains=str(owner)).exists()
    assert not AuditEvent.objects.filter(object_type="evaluation.SurveyResponse").exists()
    assert HouseholdSubmission.objects.filter(campaign=campaign, unit=world.unit_a1).exists()


# ---- (d) differencing ------------------------------------------------------------------------------------


def _scores(campaign):
    return list(
        ScoreSnapshot.objects.filter(campaign=campaign)
        .order_by("kind", "estate_id", "company_id")
        .values_list(
            "kind", "estate_id", "company_id", "responses", "survey_mean", "composite", "low", "high"
        )
    )


def test_one_more_answer_does_not_change_a_recompute_during_the_campaign(world):
    _grow(world)
    campaign = open_campaign(world)
    admin = world.user("admin")
    codes = issue_codes(world, campaign)
    for i, code in enumerate(codes[:K]):
        services.response_submit_by_code(code=code, answers=_known(campaign, i))
    services.campaign_recompute(campaign=campaign, actor=admin)
    before = _scores(campaign)
    assert dict(((k, e), n) for k, e, _c, n, *_rest in before)[(ScoreKind.ESTATE, world.estate_a1.pk)] == K

    services.response_submit_by_code(code=codes[K], answers=answers(campaign, 1))  # one household, all 1s
    services.campaign_recompute(campaign=campaign, actor=admin)
    assert _scores(campaign) == before
    # The office pages count released answers only.
    progress = {row["estate"].pk: row["responses"] for row in selectors.campaign_progress(campaign)}
    assert progress[world.estate_a1.pk] == K
    assert selectors.campaign_totals(campaign)["responses"] == K


def test_closing_releases_every_waiting_answer(world):
    _grow(world)
    campaign = open_campaign(world)
    codes = issue_codes(world, campaign)
    for i, code in enumerate(codes[: K + 2]):
        services.response_submit_by_code(code=code, answers=_known(campaign, i))
    assert SurveyResponse.objects.filter(estate=world.estate_a1).count() == K
    services.campaign_close(actor=world.user("admin"), campaign=campaign, rng=ArrivalOrderThenReverse())
    assert SurveyResponse.objects.filter(estate=world.estate_a1).count() == K + 2
    assert SurveyAnswer.objects.filter(estate=world.estate_a1).count() == (K + 2) * 20
    assert all(not box.ballots for box in BallotBox.objects.filter(campaign=campaign))


def test_estates_with_fewer_than_k_answers_show_no_survey_score_to_anyone(world):
    campaign = closed_and_recomputed(world)  # three households per estate answered: fewer than k
    snapshot = ScoreSnapshot.objects.get(campaign=campaign, estate=world.estate_a1)
    for username in ("admin", "leader", "secretary_a", "staff_x"):
        user = world.user(username)
        # The ranking page, its Excel file and its PDF (one builder) …
        rows = selectors.ranking_rows(user, campaign, ScoreKind.ESTATE, {})
        assert rows, username
        for row in rows:
            s = row["s"]
            assert s.responses == 3
            assert s.survey_mean is None and s.survey_shrunk is None and s.category_means == {}
            assert any("样本不足" in f for f in row["flags"])
        # … and the drill-down.
        page = selectors.drilldown(user, ScoreSnapshot.objects.get(pk=snapshot.pk))
        assert page["raw_ok"] is False and page["snapshot"].survey_mean is None
        assert [c["value"] for c in page["components"]][0] is None
        assert all(c["mean"] is None for c in page.get("categories", []))


def test_k_below_five_is_refused(settings):
    from gongzhi.evaluation.apps import check_release_k

    settings.GONGZHI_SURVEY_RELEASE_K = 4
    assert [e.id for e in check_release_k()] == ["gongzhi.evaluation.E001"]
    with pytest.raises(ValueError, match="at least 5"):
        services.release_k()
    settings.GONGZHI_SURVEY_RELEASE_K = 5
    assert check_release_k() == [] and services.release_k() == 5
    with pytest.raises(ValueError, match="at least 5"):
        rules.release_batch_size(4)
    assert rules.release_batch_size(5) == 5 and rules.release_batch_size(12) == 12
    assert not rules.release_due(4, 5, closing=False) and rules.release_due(5, 5, closing=False)
    assert rules.release_due(1, 5, closing=True) and not rules.release_due(0, 5, closing=True)
