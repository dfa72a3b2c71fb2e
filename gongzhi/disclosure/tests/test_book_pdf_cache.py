"""The public book PDF is rendered once per content, and never by a visitor's request (issue 11, hole 9;
issue 16). A visitor gets the cached file of the current content, or a 202 "being prepared" page while ONE
render job (its key is the hash of the book's HTML) waits for the worker; a change in the book's data is a
new document; an office user may render on demand within the host's render slots. Renders are counted on
WeasyPrint itself (the real thing runs, it is only counted); the worker is the real one, run in bursts."""

from __future__ import annotations

import datetime as dt
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import weasyprint
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.pdf import _cache_dir, _try_lock, pdf_text
from gongzhi.finance.services import ledger_post
from gongzhi.jobs.models import Job, JobStatus
from gongzhi.jobs.pdf import RENDER_TASK, RETRY_FAILED_SECONDS
from gongzhi.jobs.worker import run_burst


@pytest.fixture
def renders(monkeypatch, settings):
    """Counts WeasyPrint renders. Renders run in this process here, so that they can be counted; the
    render process has its own test below."""
    settings.GONGZHI_PDF_RENDER_PROCESS = False
    original = weasyprint.HTML.write_pdf
    state = {"count": 0}
    lock = threading.Lock()

    def counted(self, *args, **kwargs):
        with lock:
            state["count"] += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", counted)
    return state


def _book(client, estate, months=12):
    return client.get(reverse("book:pdf", args=[estate.pk]), {"months": months})


def _render_jobs():
    return Job.objects.filter(task=RENDER_TASK)


def _assert_preparing(response):
    assert response.status_code == 202
    assert response["Cache-Control"] == "no-store" and response["Refresh"] == "5"
    html = response.content.decode()
    assert "正在准备，请稍候" in html and 'http-equiv="refresh" content="5"' in html
    assert 'name="viewport"' in html  # the site's phone layout


@pytest.mark.django_db
def test_a_visitor_gets_a_preparing_page_and_the_worker_renders_once(client, world, renders):
    first = _book(client, world.estate_a1)
    _assert_preparing(first)
    again = _book(Client(), world.estate_a1)
    _assert_preparing(again)
    assert renders["count"] == 0  # no request rendered
    job = _render_jobs().get()
    assert job.key.startswith("pdf:") and len(job.key) == 4 + 64 and job.user is None
    run_burst()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result["rendered"] is True
    assert renders["count"] == 1
    served = _book(Client(), world.estate_a1)
    assert served.status_code == 200 and served["Content-Type"] == "application/pdf"
    assert world.estate_a1.name in pdf_text(served.content)
    # Same data: served from the cache, no second render and no second job.
    assert _book(Client(), world.estate_a1).content == served.content
    assert renders["count"] == 1 and _render_jobs().count() == 1
    assert not list(_cache_dir().glob("*.html"))  # the staged HTML is gone once rendered


@pytest.mark.django_db
def test_a_new_ledger_entry_gives_a_new_book(client, world, renders):
    _book(client, world.estate_a1)
    run_burst()
    before = _book(client, world.estate_a1)
    assert before.status_code == 200 and renders["count"] == 1
    ledger_post(
        actor=world.user("oc_a1"),
        estate=world.estate_a1,
        ledger="maintenance_fund",
        date=timezone.localdate() - dt.timedelta(days=1),
        direction="in",
        amount="4321.09",
        summary="利息收入",
    )
    _assert_preparing(_book(client, world.estate_a1))  # the old copy is never served for new data
    assert _render_jobs().count() == 2
    run_burst()
    after = _book(client, world.estate_a1)
    assert after.status_code == 200 and renders["count"] == 2
    assert "4321.09" not in pdf_text(before.content).replace(",", "")  # with or without separators
    assert "4321.09" in pdf_text(after.content).replace(",", "")
    again = _book(client, world.estate_a1)
    assert again.content == after.content and renders["count"] == 2
    assert len(list(_cache_dir().glob("*.pdf"))) == 2  # one file per content


@pytest.mark.django_db
def test_a_rendered_book_is_served_without_building_its_html_until_the_data_changes(
    client, world, renders, monkeypatch
):
    from gongzhi.disclosure.views import public

    _book(client, world.estate_a1)
    run_burst()
    rendered = _book(client, world.estate_a1)
    assert rendered.status_code == 200
    built = []
    original = public.pdf_context
    monkeypatch.setattr(public, "pdf_context", lambda *a, **k: built.append(1) or original(*a, **k))
    again = _book(Client(), world.estate_a1)
    assert again.status_code == 200 and again.content == rendered.content and built == []
    ledger_post(
        actor=world.user("oc_a1"),
        estate=world.estate_a1,
        ledger="maintenance_fund",
        date=timezone.localdate() - dt.timedelta(days=1),
        direction="in",
        amount="77.70",
        summary="利息收入",
    )
    _assert_preparing(_book(Client(), world.estate_a1))  # the change mark moved: the HTML is built again
    assert built == [1]


@pytest.mark.django_db
def test_an_office_user_renders_on_demand_and_visitors_get_that_copy(as_user, world, renders):
    office = as_user("admin")
    response = _book(office, world.estate_a2)
    assert response.status_code == 200 and renders["count"] == 1
    assert not _render_jobs().exists()
    visitor = _book(Client(), world.estate_a2)
    assert visitor.status_code == 200 and visitor.content == response.content
    assert renders["count"] == 1


@pytest.mark.django_db
def test_a_resident_account_is_treated_as_a_visitor(as_user, world, renders):
    _assert_preparing(_book(as_user("owner_a1"), world.estate_a1))
    assert renders["count"] == 0 and _render_jobs().count() == 1


@pytest.mark.django_db
def test_an_office_user_is_queued_too_when_every_slot_is_busy(as_user, world, renders, settings):
    settings.GONGZHI_PDF_RENDER_SLOTS = 1
    with _try_lock(_cache_dir() / "locks" / "slot-0.lock") as held:  # another render holds the slot
        assert held
        _assert_preparing(_book(as_user("admin"), world.estate_a1))
    assert renders["count"] == 0 and _render_jobs().count() == 1
    run_burst()
    assert _book(Client(), world.estate_a1).status_code == 200 and renders["count"] == 1


@pytest.mark.django_db
def test_a_pruned_file_is_rendered_again_and_a_failed_job_retried_after_a_minute(client, world, renders):
    _book(client, world.estate_a1)
    run_burst()
    for pdf in _cache_dir().glob("*.pdf"):
        pdf.unlink()  # pruned (CACHE_MAX_FILES) or the cache folder cleared
    _assert_preparing(_book(client, world.estate_a1))
    job = _render_jobs().get()
    assert job.status == JobStatus.QUEUED  # the done job was replaced by a new one
    job.status, job.finished_at, job.error = JobStatus.FAILED, timezone.now(), "boom"
    job.save()
    _assert_preparing(_book(client, world.estate_a1))
    assert _render_jobs().get().pk == job.pk  # failed a moment ago: not retried at every reload
    Job.objects.filter(pk=job.pk).update(
        finished_at=timezone.now() - dt.timedelta(seconds=RETRY_FAILED_SECONDS + 1)
    )
    _assert_preparing(_book(client, world.estate_a1))
    retried = _render_jobs().get()
    assert retried.pk != job.pk and retried.status == JobStatus.QUEUED
    run_burst()
    assert _book(client, world.estate_a1).status_code == 200 and renders["count"] == 2


@pytest.mark.django_db(transaction=True)
def test_sixteen_parallel_visitors_of_an_uncached_book_make_one_job_and_no_render(
    world, renders, monkeypatch
):
    from gongzhi.disclosure.views import public

    built = []
    original = public.pdf_context
    monkeypatch.setattr(public, "pdf_context", lambda *a, **k: built.append(1) or original(*a, **k))

    def fetch(_n):
        try:
            started = time.perf_counter()
            response = _book(Client(), world.estate_b1, 24)
            return response.status_code, time.perf_counter() - started
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(fetch, range(16)))
    assert [code for code, _s in answers] == [202] * 16
    assert renders["count"] == 0
    assert len(built) == 1  # one request built the book's HTML; the rush behind it waited and reused it
    assert _render_jobs().count() == 1
    run_burst()
    assert renders["count"] == 1
    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(fetch, range(16)))
    assert [code for code, _s in answers] == [200] * 16 and renders["count"] == 1


@pytest.mark.django_db
def test_the_book_is_rendered_outside_the_web_process(as_user, world, monkeypatch, settings):
    """In production an office user's render runs in a process of its own, so it never holds the web
    worker's interpreter lock: WeasyPrint is not called in this process, yet the PDF arrives."""
    settings.GONGZHI_PDF_RENDER_PROCESS = True

    def here(*args, **kwargs):
        raise AssertionError("rendered inside the web process")

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", here)
    response = _book(as_user("admin"), world.estate_a2)
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert world.estate_a2.name in pdf_text(response.content)
