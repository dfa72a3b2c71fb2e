"""The public book PDF cannot starve the site (issue 11, hole 9): a rendered book is kept by the hash of its
content, so a repeat costs no render; a change in the book's data gives a new document; and at most
``GONGZHI_PDF_RENDER_SLOTS`` renders run at once — a request beyond that gets a cached copy or a friendly
503 with Retry-After, never a render of its own. Renders are counted on WeasyPrint itself (the real thing
runs, it is only counted)."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import weasyprint
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.pdf import pdf_text
from gongzhi.finance.services import ledger_post


@pytest.fixture
def renders(monkeypatch, settings):
    """Counts WeasyPrint renders (and the most that ran at once); ``gate`` can hold them until released.
    Renders run in the test process here, so that they can be counted; the render process has its own test."""
    settings.GONGZHI_PDF_RENDER_PROCESS = False
    original = weasyprint.HTML.write_pdf
    state = {"count": 0, "running": 0, "most": 0}
    lock = threading.Lock()
    gate = threading.Event()
    gate.set()

    def counted(self, *args, **kwargs):
        with lock:
            state["count"] += 1
            state["running"] += 1
            state["most"] = max(state["most"], state["running"])
        try:
            gate.wait(timeout=20)
            return original(self, *args, **kwargs)
        finally:
            with lock:
                state["running"] -= 1

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", counted)
    state["gate"] = gate
    return state


def _book(client, estate, months=12):
    return client.get(reverse("book:pdf", args=[estate.pk]), {"months": months})


@pytest.mark.django_db
def test_a_repeat_request_is_served_from_the_cache_without_rendering(client, world, renders):
    first = _book(client, world.estate_a1)
    second = _book(Client(), world.estate_a1)
    assert first.status_code == second.status_code == 200
    assert renders["count"] == 1
    assert second.content == first.content and second["Content-Type"] == "application/pdf"
    assert world.estate_a1.name in pdf_text(second.content)


@pytest.mark.django_db
def test_a_new_ledger_entry_gives_a_new_book(client, world, renders):
    before = _book(client, world.estate_a1)
    ledger_post(
        actor=world.user("oc_a1"),
        estate=world.estate_a1,
        ledger="maintenance_fund",
        date=timezone.localdate() - dt.timedelta(days=1),
        direction="in",
        amount="4321.09",
        summary="利息收入",
    )
    after = _book(client, world.estate_a1)
    assert renders["count"] == 2
    assert "4321.09" not in pdf_text(before.content)
    assert "4321.09" in pdf_text(after.content)
    again = _book(client, world.estate_a1)
    assert again.content == after.content and renders["count"] == 2


@pytest.mark.django_db(transaction=True)
def test_parallel_requests_never_exceed_the_render_bound(world, renders, settings):
    settings.GONGZHI_PDF_RENDER_SLOTS = 2
    warm = _book(Client(), world.estate_a1, 12)  # one book already rendered: it stays servable under load
    assert warm.status_code == 200 and renders["count"] == 1
    renders["gate"].clear()  # the next renders hold their slots until the busy answers are in
    keys = [
        (estate, months)
        for estate in (world.estate_a1, world.estate_a2, world.estate_b1)
        for months in (6, 12, 24)
        if (estate, months) != (world.estate_a1, 12)
    ]
    assert len(keys) == 8
    answers: list = []
    answered = threading.Condition()

    def fetch(key):
        try:
            response = _book(Client(), *key)
        finally:
            connection.close()
        with answered:
            answers.append(response)
            answered.notify_all()
        return response

    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(fetch, key) for key in keys]
        with answered:
            answered.wait_for(lambda: len(answers) >= 6, timeout=20)
        busy_meanwhile = _book(Client(), world.estate_a1, 12)
        renders["gate"].set()
        responses = [f.result(timeout=60) for f in futures]
    assert renders["most"] == 2
    assert renders["count"] == 1 + 2
    codes = sorted(r.status_code for r in responses)
    assert codes == [200, 200] + [503] * 6
    refused = next(r for r in responses if r.status_code == 503)
    assert refused["Retry-After"] == "10"
    assert "正在生成" in refused.content.decode()
    # The book rendered before the rush is served from the cache while every slot is taken.
    assert busy_meanwhile.status_code == 200 and busy_meanwhile.content == warm.content


@pytest.mark.django_db
def test_the_book_is_rendered_outside_the_web_process(client, world, monkeypatch, settings):
    """In production the render runs in a process of its own, so it never holds the web worker's
    interpreter lock: WeasyPrint is not called in this process, yet the PDF arrives."""
    settings.GONGZHI_PDF_RENDER_PROCESS = True

    def here(*args, **kwargs):
        raise AssertionError("rendered inside the web process")

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", here)
    response = _book(client, world.estate_a2)
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert world.estate_a2.name in pdf_text(response.content)
