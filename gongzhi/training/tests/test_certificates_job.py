"""Every certificate of an exam in one PDF, made by the worker (issue 16): one page per participant who
passed (their best attempt), the same page as the single download; progress in certificates; the file
is its requester's only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.pdf import pdf_text
from gongzhi.jobs import services as jobs
from gongzhi.jobs.models import Job, JobStatus
from gongzhi.jobs.worker import run_burst
from gongzhi.training import services
from gongzhi.training.tests.helpers import answers_all_right, exam_world


@pytest.fixture(autouse=True)
def _no_schedule(monkeypatch):
    monkeypatch.setattr(jobs.registry, "schedule", lambda: ())


def test_all_certificates_of_an_exam_in_one_pdf(as_user, world):
    ex = exam_world(world)  # oc_a1 passed; secretary_a has an attempt open
    secretary = ex.exam.participants.get(user=world.user("secretary_a"))
    services.attempt_submit(
        actor=world.user("secretary_a"),
        attempt=ex.open_attempt,
        answers=answers_all_right(ex.open_attempt),
        now=timezone.now() - dt.timedelta(minutes=1),
    )
    ex.open_attempt.refresh_from_db()
    assert ex.open_attempt.passed
    client = as_user("admin")
    page = client.get(reverse("training:exam", args=[ex.exam.pk])).content.decode()
    assert "打印全部合格证书（后台生成）" in page
    url = reverse("training:certificates_batch", args=[ex.exam.pk])
    first, second = client.post(url), client.post(url)
    job = Job.objects.get(task="training.certificates")
    assert first["Location"] == second["Location"] == reverse("jobs:detail", args=[job.pk])

    assert run_burst() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    assert (job.progress_done, job.progress_total, job.result["count"]) == (2, 2, 2)
    content = b"".join(client.get(reverse("jobs:download", args=[job.pk])).streaming_content)
    text = pdf_text(content)
    pages = text.split("\f")
    assert len([p for p in pages if p.strip()]) == 2  # one page each
    for participant, attempt in ((ex.oc_participant, ex.passed_attempt), (secretary, ex.open_attempt)):
        assert participant.name in text and attempt.certificate_code in text
    single = pdf_text(client.get(reverse("training:certificate", args=[ex.passed_attempt.pk])).content)
    assert " ".join(single.split()) in " ".join(text.split())  # the same page as the single download
    assert "已生成 2 张合格证书" in client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert as_user("leader").get(reverse("jobs:download", args=[job.pk])).status_code == 404


def test_an_exam_nobody_passed_fails_with_a_plain_reason(as_user, world):
    ex = exam_world(world)
    ex.passed_attempt.delete()
    as_user("admin").post(reverse("training:certificates_batch", args=[ex.exam.pk]))
    run_burst()
    job = Job.objects.get(task="training.certificates")
    assert job.status == JobStatus.FAILED and "没有可打印的证书" in job.error
