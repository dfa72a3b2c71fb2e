"""Responses are anonymous by construction (issue 6): the stored answer cannot be joined back to
the household, the code or the user — by the schema, and by the data."""

import pytest
from django.db import models
from django.utils import timezone

from gongzhi.core.models import AuditEvent, User
from gongzhi.evaluation import rules, services
from gongzhi.evaluation.models import AccessCode, BallotBox, HouseholdSubmission, SurveyAnswer, SurveyResponse
from gongzhi.evaluation.tests.factories import answers, issue_codes, open_campaign
from gongzhi.registry.models import Owner, Unit

ANONYMOUS = (SurveyResponse, SurveyAnswer, BallotBox)
IDENTIFYING = {AccessCode, HouseholdSubmission, Unit, Owner, User}


@pytest.mark.parametrize("model", ANONYMOUS)
def test_anonymous_tables_reference_no_code_unit_owner_or_user(model):
    for field in model._meta.get_fields():
        related = getattr(field, "related_model", None)
        assert related not in IDENTIFYING, f"{model.__name__}.{field.name} → {related}"
        # No time at all: not even a date (a day would still narrow a small estate).
        assert not isinstance(field, (models.DateTimeField, models.DateField, models.TimeField)), field.name
        assert field.name not in {
            "code",
            "code_hash",
            "unit",
            "user",
            "owner",
            "ip",
            "user_agent",
            "created_at",
        }


@pytest.mark.parametrize("model", ANONYMOUS + (HouseholdSubmission,))
def test_keys_are_random_uuids_not_sequences(model):
    assert isinstance(model._meta.pk, models.UUIDField)


def test_the_household_side_does_not_point_at_the_response():
    for model in (AccessCode, HouseholdSubmission):
        for field in model._meta.get_fields():
            assert getattr(field, "related_model", None) not in ANONYMOUS, f"{model.__name__}.{field.name}"
            assert not isinstance(field, (models.DateTimeField, models.TimeField)), (
                f"{model.__name__}.{field.name}"
            )
    # A code records when it was issued (day), never when it was used.
    assert {f.name for f in AccessCode._meta.get_fields()} >= {"used", "issued_on"}
    assert "used_at" not in {f.name for f in AccessCode._meta.get_fields()}


@pytest.mark.django_db
def test_two_households_answers_cannot_be_mapped_back(world):
    campaign = open_campaign(world)
    code_1, code_2, _code_3 = issue_codes(world, campaign)
    unit_of = {
        code: AccessCode.objects.get(code_hash=rules.hash_code(code)).unit_id for code in (code_1, code_2)
    }
    services.response_submit_by_code(code=code_1, answers=answers(campaign, 5))
    services.response_submit_by_code(code=code_2, answers=answers(campaign, 1))
    # Fewer than k households: the two ballots wait in the box, in no particular order …
    box = BallotBox.objects.get(campaign=campaign)
    assert len(box.ballots) == 2 and {b["score"] for b in services.box_contents(box)} == {
        "100.0000",
        "0.0000",
    }
    assert not SurveyResponse.objects.exists()
    # … until the campaign closes and releases them as one shuffled batch.
    services.campaign_close(actor=world.user("admin"), campaign=campaign)

    responses = list(SurveyResponse.objects.filter(campaign=campaign).values())
    assert len(responses) == 2
    # The two stored rows differ only in their answers and random ids; nothing names a household.
    for row in responses:
        assert set(row) == {"id", "campaign_id", "estate_id", "score"}
        assert row["estate_id"] == world.estate_a1.pk
    # The household markers and spent codes carry no link to either response.
    for row in HouseholdSubmission.objects.filter(campaign=campaign).values():
        assert set(row) == {"id", "campaign_id", "unit_id"}
    used = list(AccessCode.objects.filter(campaign=campaign, used=True).values())
    assert {r["unit_id"] for r in used} == set(unit_of.values())
    assert {r["issued_on"] for r in AccessCode.objects.filter(campaign=campaign).values()} == {
        timezone.localdate()
    }
    response_ids = {str(r["id"]) for r in responses}
    for row in used + list(HouseholdSubmission.objects.values()):
        assert not response_ids & {str(v) for v in row.values()}
    # Neither the default ordering nor the key ordering reveals which was first: UUIDs are random.
    # The audit trail has no row per submission; the release names the estate and the count only.
    assert not AuditEvent.objects.filter(object_type="evaluation.SurveyResponse").exists()
    release = AuditEvent.objects.get(changes__released=2)
    assert release.actor_id is None and release.changes == {"estate": world.estate_a1.name, "released": 2}


@pytest.mark.django_db
def test_owner_channel_is_just_as_unlinkable(world):
    campaign = open_campaign(world)
    owner = world.user("owner_a1")
    services.response_submit_by_owner(
        actor=owner, campaign=campaign, unit=world.unit_a1, answers=answers(campaign, 3)
    )
    services.campaign_close(actor=world.user("admin"), campaign=campaign)
    assert set(SurveyResponse.objects.filter(campaign=campaign).values().get()) == {
        "id",
        "campaign_id",
        "estate_id",
        "score",
    }
    # The owner took part (the household marker says so, as a paper register would); no audit row
    # names them or the moment they answered.
    assert HouseholdSubmission.objects.filter(campaign=campaign, unit=world.unit_a1).exists()
    assert not AuditEvent.objects.filter(actor=owner).exists()
    assert not AuditEvent.objects.filter(object_type="evaluation.SurveyResponse").exists()
