"""A campaign's household letters (入户告知书) printed by the worker (issue 16): the codes come from
``services.codes_issue`` (as on the direct download), one PDF per building, progress in buildings, all or
nothing, and the file is its requester's only."""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from gongzhi.core.pdf import pdf_text
from gongzhi.evaluation import documents
from gongzhi.evaluation.models import AccessCode
from gongzhi.evaluation.tests import factories
from gongzhi.jobs import services as jobs
from gongzhi.jobs.models import Job, JobStatus
from gongzhi.jobs.worker import run_burst
from gongzhi.registry import models as r

CODE_RE = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}")


@pytest.fixture(autouse=True)
def _no_schedule(monkeypatch):
    monkeypatch.setattr(jobs.registry, "schedule", lambda: ())


@pytest.fixture
def campaign_and_link(world):
    """An open campaign; estate A1 gets a second building 2号 with two households."""
    building2 = r.Building.objects.create(estate=world.estate_a1, number="2号", floors=6)
    for number in ("101", "102"):
        r.Unit.objects.create(building=building2, number=number, area=Decimal("60.00"))
    campaign = factories.open_campaign(world)
    return campaign, campaign.campaign_estates.get(estate=world.estate_a1)


def test_an_estate_in_the_background_gives_one_pdf_per_building_with_working_codes(
    as_user, world, campaign_and_link
):
    campaign, link = campaign_and_link
    client = as_user("secretary_a")
    response = client.post(reverse("evaluation:letters", args=[campaign.pk, link.pk]), {"background": "1"})
    job = Job.objects.get(task="evaluation.letters")
    assert response["Location"] == reverse("jobs:detail", args=[job.pk]) and not AccessCode.objects.exists()
    assert run_burst() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    assert (job.progress_done, job.progress_total) == (2, 2)
    assert job.result["count"] == 5 and [b["count"] for b in job.result["buildings"]] == [3, 2]
    content = b"".join(client.get(reverse("jobs:download", args=[job.pk])).streaming_content)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        texts = {name: pdf_text(archive.read(name)) for name in sorted(archive.namelist())}
    assert list(texts) == ["甲一小区-1号-入户告知书.pdf", "甲一小区-2号-入户告知书.pdf"]
    assert [len(set(CODE_RE.findall(t))) for t in texts.values()] == [3, 2]
    assert AccessCode.objects.filter(campaign=campaign, estate=world.estate_a1).count() == 5
    code = CODE_RE.findall(texts["甲一小区-2号-入户告知书.pdf"])[0]
    assert Client().get(reverse("survey:answer", args=[code])).status_code == 200  # the code works
    assert as_user("admin").get(reverse("jobs:download", args=[job.pk])).status_code == 404


def test_a_failed_print_issues_no_code(as_user, world, campaign_and_link, monkeypatch):
    campaign, link = campaign_and_link
    real, calls = documents.survey_letters_pdf, []

    def failing_second(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(documents, "survey_letters_pdf", failing_second)
    as_user("admin").post(reverse("evaluation:letters", args=[campaign.pk, link.pk]), {"background": "1"})
    run_burst()
    job = Job.objects.get(task="evaluation.letters")
    assert job.status == JobStatus.FAILED and "disk full" in job.error and job.attempts == 1
    assert not AccessCode.objects.exists()
    assert not list(jobs.result_dir(job.pk).iterdir())
