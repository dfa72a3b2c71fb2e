"""The street admin's "重新计算排名" runs in the worker (issue 16): one job per campaign however many
clicks, a progress bar, its figures on the job's page, and the same scores as before (idempotent)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.evaluation.models import ScoreSnapshot
from gongzhi.evaluation.tests.factories import closed_and_recomputed, default_template, open_campaign
from gongzhi.jobs import services as jobs
from gongzhi.jobs.models import Job, JobStatus
from gongzhi.jobs.worker import run_burst


@pytest.fixture(autouse=True)
def _no_schedule(monkeypatch):
    monkeypatch.setattr(jobs.registry, "schedule", lambda: ())


def scores():
    return list(
        ScoreSnapshot.objects.order_by("kind", "rank", "estate_id", "company_id").values_list(
            "kind", "estate_id", "company_id", "composite", "low", "high", "rank", "responses"
        )
    )


def test_the_button_enqueues_one_job_that_recomputes_to_the_same_scores(as_user, world):
    campaign = closed_and_recomputed(world)
    before = scores()
    ScoreSnapshot.objects.filter(campaign=campaign).delete()  # gone: the job must write them again
    client = as_user("admin")
    page = client.get(reverse("evaluation:campaign", args=[campaign.pk])).content.decode()
    assert "重新计算排名" in page
    url = reverse("evaluation:campaign_act", args=[campaign.pk, "recompute"])
    first, second = client.post(url), client.post(url)
    job = Job.objects.get(task="evaluation.campaign_recompute")
    assert first["Location"] == second["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.args == {"campaign_id": campaign.pk}

    assert run_burst() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    assert (job.progress_done, job.progress_total) == (1, 1)
    assert job.result["estates"] == 3 and job.result["responses"] > 0
    assert scores() == before
    html = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "已重新计算" in html and reverse("evaluation:ranking", args=[campaign.pk]) in html

    client.post(url)  # after the first finished: a new job, and again the same scores
    run_burst()
    assert Job.objects.filter(task="evaluation.campaign_recompute", status=JobStatus.DONE).count() == 2
    assert scores() == before


def test_only_the_street_admin_may_ask_and_a_draft_is_refused(as_user, world):
    campaign = open_campaign(world)
    url = reverse("evaluation:campaign_act", args=[campaign.pk, "recompute"])
    for persona in ("leader", "secretary_a", "oc_a1", "other_admin"):
        assert as_user(persona).post(url).status_code in (403, 404), persona
    from gongzhi.evaluation import services

    draft = services.campaign_create(
        actor=world.user("admin"),
        street=world.street,
        template=default_template(world),
        name="草稿测评",
        period_start=campaign.period_start,
        period_end=campaign.period_end,
        opens_on=campaign.opens_on,
        closes_on=campaign.closes_on,
        estates=[world.estate_a1],
    )
    response = as_user("admin").post(reverse("evaluation:campaign_act", args=[draft.pk, "recompute"]))
    assert response.status_code == 302 and response["Location"] == reverse(
        "evaluation:campaign", args=[draft.pk]
    )
    assert not Job.objects.exists()
