"""Uploads go through Django's storage API, so app servers can share any backend (docs/SCALING.md).

With another backend configured (Django's in-memory storage here, standing for a shared object store),
an uploaded fund-use evidence PDF is stored there, served from there, and nothing lands under
MEDIA_ROOT on the app server's disk."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.pdf import render_pdf
from gongzhi.finance.services import evidence_attach, ledger_post

pytestmark = pytest.mark.django_db


def test_an_upload_is_stored_and_served_through_the_configured_backend(client, world, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    media = settings.MEDIA_ROOT
    pdf = render_pdf("core/pdf/base.html", {})
    common = {
        "actor": world.user("oc_a1"),
        "estate": world.estate_a1,
        "ledger": "maintenance_fund",
        "date": timezone.localdate() - dt.timedelta(days=3),
    }
    ledger_post(**common, direction="in", amount="1000.00", summary="首期归集")
    entry = ledger_post(**common, direction="out", amount="200.00", summary="屋面防水维修工程款")
    evidence = evidence_attach(
        actor=world.user("oc_a1"),
        entry=entry,
        kind="price_audit",
        upload=SimpleUploadedFile("审价报告.pdf", pdf, content_type="application/pdf"),
    )

    assert default_storage.exists(evidence.file.name)
    assert type(default_storage._wrapped).__name__ == "InMemoryStorage"
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))

    client.force_login(world.user("oc_a1"), backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(reverse("finance:evidence_file", args=[evidence.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf
