"""Shared fixtures: the persona world, fast password hashing, browser launch arguments."""

import os

import pytest
from hypothesis import settings as hypothesis_settings

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright + ORM in one test

# Property tests state facts about results, not about speed: a loaded CI machine (tests run in
# parallel workers) must not turn a slow example into a failure.
hypothesis_settings.register_profile("gongzhi", deadline=None)
hypothesis_settings.load_profile("gongzhi")


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    # Argon2 is the production hasher (settings.py); tests hash thousands of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Uploaded photos of a test go to its own temporary folder, never into var/media.
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.GONGZHI_PDF_CACHE_DIR = tmp_path / "pdf-cache"  # rendered public PDFs (core/pdf.py)


@pytest.fixture
def world(db):
    from gongzhi.core.testing import build_world

    return build_world()


@pytest.fixture
def as_user(client, world):
    """Log the test client in as a persona by username: ``as_user("admin")``."""

    def login(username: str):
        client.force_login(world.user(username))
        return client

    return login


@pytest.fixture(scope="session")
def browser_type_launch_args():
    # Debian's chromium, never a downloaded browser (STACK.md). Missing chromium fails the test.
    return {
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--no-sandbox",
            "--headless",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }
