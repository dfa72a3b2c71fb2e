"""Shared fixtures: the persona world, the demo street (built once, copied per test), fast password
hashing, browser launch arguments."""

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
    settings.GONGZHI_JOBS_DIR = tmp_path / "jobs"  # background jobs' uploads, progress and results


@pytest.fixture(autouse=True)
def _default_language():
    # Every test starts in the product's default language (zh-Hans), whatever an earlier test in the
    # same worker activated: the demo street copied into later tests is built under it, too.
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_cache():
    # Public pages are cached under their data's change mark (core/publicpages.py); a rolled-back test
    # can leave ids and marks that the next test reuses for other data, so each test starts empty.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def world(db):
    from gongzhi.core.testing import build_world

    return build_world()


@pytest.fixture
def district_world(world):
    """The world's street in a district with a neighbour street and two district users
    (``district_office``, ``district_admin``); the other street in another district."""
    from gongzhi.core.testing import build_district

    return build_district(world)


@pytest.fixture
def as_user(client, world):
    """Log the test client in as a persona by username: ``as_user("admin")``."""

    def login(username: str):
        client.force_login(world.user(username))
        return client

    return login


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "demo(today=None, scale=SMALL_SCALE): the day (default today) and size of the demo street that "
        "the demo fixture copies",
    )


# (seed, scale, today) → (snapshot of the demo street's rows, street id, row counts). One build per
# test process (per xdist worker) and variant, then a copy per test: Zulip's template database.
_DEMO_SNAPSHOTS: dict[tuple, tuple] = {}


def demo_street_copy(*, scale: float | None = None, today=None):
    """What ``demo_street_ensure(scale=…, today=…)`` returns on an empty street list, in a fraction of
    its time: the street is built once per process and its rows copied into this test's transaction."""
    from django.utils import timezone

    from gongzhi.core.testing import restore_rows, snapshot_rows
    from gongzhi.demo.generator import SEED, SMALL_SCALE, DemoResult, demo_street_ensure
    from gongzhi.registry.models import Street

    scale = SMALL_SCALE if scale is None else scale
    key = (SEED, scale, today or timezone.localdate())
    if key not in _DEMO_SNAPSHOTS:
        snapshot, built = snapshot_rows(lambda: demo_street_ensure(seed=key[0], scale=key[1], today=key[2]))
        _DEMO_SNAPSHOTS[key] = (snapshot, built.street.pk, built.counts)
    snapshot, street_id, counts = _DEMO_SNAPSHOTS[key]
    restore_rows(snapshot)
    return DemoResult(Street.objects.get(pk=street_id), True, dict(counts), {}, 0.0)


@pytest.fixture
def demo_copy(db):
    """``demo_copy(today=…, scale=…)``: a fresh copy of that demo street (see ``demo_street_copy``)."""
    return demo_street_copy


@pytest.fixture
def demo(request, db):
    """A fresh copy of the small demo street for this test, as of today or of the day the module or
    test names with ``@pytest.mark.demo(today=…)``. Changes a test makes are rolled back with it."""
    marker = request.node.get_closest_marker("demo")
    return demo_street_copy(**(marker.kwargs if marker else {}))


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Test database names carry this run's id: two pytest runs on one PostgreSQL server (two
    developers, CI beside a working session) would otherwise drop each other's ``test_gongzhi_gw0``
    mid-run. xdist workers share the controller's run id; a run without xdist uses its pid."""
    from pytest_django.fixtures import _set_suffix_to_test_databases

    run_id = os.environ.get("PYTEST_XDIST_TESTRUNUID", "")[:8] or str(os.getpid())
    _set_suffix_to_test_databases(f"r{run_id}")


@pytest.fixture(scope="session")
def browser_type_launch_args():
    # Debian's chromium, never a downloaded browser (docs/STACK.md). Missing chromium fails the test.
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
