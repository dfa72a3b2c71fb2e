"""`gongzhi doctor` and /healthz?verbose (core/doctor.py): each check turns red (or amber) on the
condition it watches, and green when that condition is absent."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from gongzhi.core import doctor, workdays
from gongzhi.core.backup import backup_create, last_backup_path
from gongzhi.core.doctor import FAIL, OFF, OK, WARN

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def _own_var_dir(settings, tmp_path):
    # The backup record lives in the var directory: each test starts without one.
    settings.VAR_DIR = tmp_path / "var"
    settings.VAR_DIR.mkdir()


def test_debug_on_is_red(settings):
    settings.DEBUG = True
    assert doctor.check_debug().status == FAIL
    settings.DEBUG = False
    assert doctor.check_debug().status == OK


@pytest.mark.parametrize("key", ["short", "a" * 60, "django-insecure-" + "abcdefghij" * 5])
def test_a_weak_secret_key_is_red(settings, key):
    settings.SECRET_KEY = key
    assert doctor.check_secret_key().status == FAIL


@pytest.mark.django_db
def test_a_strong_key_from_the_environment_is_green_and_a_generated_one_amber(settings, monkeypatch):
    settings.SECRET_KEY = "Zq8" + "x7Lm2Pw9Rt" * 6
    monkeypatch.setenv("GONGZHI_SECRET_KEY", settings.SECRET_KEY)
    assert doctor.check_secret_key().status == OK
    monkeypatch.delenv("GONGZHI_SECRET_KEY")
    assert doctor.check_secret_key().status == WARN  # generated into var/, and this is no demo


@pytest.mark.parametrize(
    ("hosts", "https", "status"),
    [
        ([], False, FAIL),
        (["*"], True, FAIL),
        (["127.0.0.1", "localhost"], False, WARN),
        (["gongzhi.example.gov.cn"], False, WARN),
        (["gongzhi.example.gov.cn", "127.0.0.1"], True, OK),
    ],
)
def test_allowed_hosts(settings, hosts, https, status):
    settings.ALLOWED_HOSTS = hosts
    settings.HTTPS = https
    assert doctor.check_allowed_hosts().status == status


def test_the_pdf_fonts_are_found_and_a_missing_font_is_red(settings):
    settings.GONGZHI_PDF_FONTS = ["Noto Sans CJK SC"]
    found = doctor.check_fonts()
    assert found.status == OK, found.detail
    settings.GONGZHI_PDF_FONTS = ["Noto Sans CJK SC", "共治不存在的字体"]
    missing = doctor.check_fonts()
    assert missing.status == FAIL
    assert "共治不存在的字体" in missing.detail and "Noto Sans CJK SC" not in missing.detail


def test_fonts_without_fontconfig_are_red(settings, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    result = doctor.run_checks((doctor.check_fonts,))[0]
    assert result.status == FAIL and "fc-list" in result.detail


def test_calendar_coverage_warns_before_the_year_ends_and_is_red_after():
    last = workdays.last_official_year()
    assert doctor.check_calendar(dt.date(last, 6, 1)).status == OK
    assert doctor.check_calendar(dt.date(last, 10, 31)).status == OK
    assert doctor.check_calendar(dt.date(last, 11, 1)).status == WARN
    assert doctor.check_calendar(dt.date(last, 12, 31)).status == WARN
    red = doctor.check_calendar(dt.date(last + 1, 1, 2))
    assert red.status == FAIL and str(last + 1) in red.detail


def test_the_installed_calendar_knows_2026():
    # chinesecalendar 1.11.0 (requirements.lock): the 2026 arrangement, not yet 2027's.
    assert workdays.last_official_year() == 2026


@pytest.mark.django_db
def test_an_unapplied_migration_is_red():
    from django.db.migrations.loader import MigrationLoader

    assert doctor.check_migrations().status == OK
    # The latest migration of the finance app, as if the code were newer than the database.
    ((app, latest),) = [
        node for node in MigrationLoader(connection).graph.leaf_nodes() if node[0] == "finance"
    ]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = %s AND name = %s", [app, latest])
    red = doctor.check_migrations()
    assert red.status == FAIL and f"finance.{latest[:4]}" in red.detail


def test_little_disk_space_is_red_then_amber(tmp_path):
    free = shutil.disk_usage(tmp_path).free
    assert doctor.check_disk(path=tmp_path, red_below=free + 1, amber_below=free + 2).status == FAIL
    assert doctor.check_disk(path=tmp_path, red_below=0, amber_below=free + 1).status == WARN
    assert doctor.check_disk(path=tmp_path, red_below=0, amber_below=0).status == OK


def test_no_backup_an_old_backup_and_a_vanished_backup_are_red(transactional_db, settings, tmp_path):
    assert doctor.check_backup().status == FAIL
    made = dt.datetime(2026, 12, 6, 2, 0, tzinfo=SHANGHAI)
    result = backup_create(directory=tmp_path / "backups", now=made)
    settings.GONGZHI_BACKUP_MAX_AGE_HOURS = 26
    fresh = doctor.check_backup(now=made + dt.timedelta(hours=25))
    assert fresh.status == OK and "2026年12月6日 星期日 02:00" in fresh.detail
    old = doctor.check_backup(now=made + dt.timedelta(hours=27))
    assert old.status == FAIL and "26 小时" in old.detail
    result.archive.unlink()
    assert doctor.check_backup(now=made + dt.timedelta(hours=1)).status == FAIL
    assert last_backup_path().exists()


def test_no_worker_is_not_configured_rather_than_red(settings):
    settings.GONGZHI_WORKER_PROBE = ""
    assert doctor.check_worker().status == OFF


def _dead_worker():
    return False, 12, "最后心跳 10 分钟前"


def _live_worker():
    return True, 3, "1 个进程"


def test_a_worker_probe_reports_liveness_and_queue_depth(settings):
    settings.GONGZHI_WORKER_PROBE = f"{__name__}._dead_worker"
    dead = doctor.check_worker()
    assert dead.status == FAIL and "12" in dead.detail
    settings.GONGZHI_WORKER_PROBE = f"{__name__}._live_worker"
    live = doctor.check_worker()
    assert live.status == OK and "队列中 3 项" in live.detail


def test_a_check_that_raises_is_a_red_line_not_a_crash():
    def check_broken():
        raise RuntimeError("boom")

    (result,) = doctor.run_checks((check_broken,))
    assert result.status == FAIL and "boom" in result.detail
    assert not doctor.is_healthy([result])


@pytest.mark.django_db
def test_the_command_exits_non_zero_on_red_and_prints_every_check(settings):
    settings.DEBUG = True
    out = StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("doctor", stdout=out)
    assert exit_.value.code == 1
    text = out.getvalue()
    for title in doctor.TITLES.values():
        assert str(title) in text
    assert "✘ 故障  调试模式" in text


@pytest.mark.django_db
def test_the_command_exits_zero_when_nothing_is_red(settings, monkeypatch):
    green = doctor.Check("x", "x", OK, "")
    monkeypatch.setattr(doctor, "CHECKS", (lambda: green, lambda: doctor.Check("y", "y", WARN, "")))
    monkeypatch.setattr(
        "gongzhi.core.management.commands.doctor.run_checks", lambda: doctor.run_checks(doctor.CHECKS)
    )
    out = StringIO()
    call_command("doctor", "--json", stdout=out)  # no SystemExit
    payload = json.loads(out.getvalue())
    assert payload["healthy"] is True and [c["status"] for c in payload["checks"]] == [OK, WARN]


# --- /healthz ---------------------------------------------------------------------------------------


def test_plain_healthz_stays_terse_for_everyone(client, world):
    assert client.get(reverse("healthz")).content == b"ok"
    assert client.get(reverse("healthz") + "?verbose").content == b"ok"  # anonymous: nothing more
    client.force_login(world.user("admin"))
    assert client.get(reverse("healthz")).content == b"ok"


def test_verbose_healthz_shows_the_checks_to_a_street_admin_only(client, world, settings):
    settings.DEBUG = False
    client.force_login(world.user("admin"))
    page = client.get(reverse("healthz") + "?verbose")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-check="fonts" data-status="ok"' in html
    assert 'data-check="backup" data-status="fail"' in html  # this test's var directory has none
    # the worker's probe (gongzhi/jobs, the default GONGZHI_WORKER_PROBE): no worker runs here
    assert 'data-check="worker" data-status="fail"' in html
    assert "有红色项，请处理" in html
    for persona in ("leader", "secretary_a", "oc_a1", "owner_a1", "outsider"):
        client.force_login(world.user(persona))
        assert client.get(reverse("healthz") + "?verbose").status_code == 403
