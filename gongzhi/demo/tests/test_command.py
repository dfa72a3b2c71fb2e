"""Facts about ``gongzhi demo``: loads once, prints the logins, resets on request."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from gongzhi.core.models import AuditEvent
from gongzhi.demo.generator import DEMO_PASSWORD, DEMO_USERNAMES, STREET_NAME
from gongzhi.problems.models import Problem
from gongzhi.registry import models as r


def run(*args):
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def test_demo_loads_the_street_and_prints_every_login(db):
    text = run("--small")
    assert "已生成演示街道“春江街道”" in text
    assert "76 个小区（其中 51 个老旧小区）" in text
    for username in DEMO_USERNAMES:
        assert username in text
    assert DEMO_PASSWORD in text
    assert r.Street.objects.get(name=STREET_NAME).is_demo


def test_demo_twice_changes_nothing_and_still_prints_the_logins(db):
    run("--small")
    units = r.Unit.objects.count()
    text = run("--small")
    assert "已存在，未作改动" in text
    assert "demo_owner" in text
    assert r.Unit.objects.count() == units
    assert AuditEvent.objects.filter(action="import").count() == 1


def test_demo_reset_rebuilds_the_street(db):
    run("--small")
    first = r.Street.objects.get(name=STREET_NAME).pk
    problems = Problem.objects.count()
    assert problems > 100  # the street comes with its problem history (gongzhi/problems/demo_data.py)
    text = run("--small", "--reset")
    assert "已删除原演示数据" in text
    assert r.Street.objects.get(name=STREET_NAME).pk != first
    assert r.Street.objects.count() == 1
    assert Problem.objects.count() == problems
    assert not Problem.objects.filter(estate__area__street_id=first).exists()


@pytest.mark.parametrize("scale", ["0", "1.5", "-1"])
def test_demo_refuses_a_scale_outside_zero_to_one(db, scale):
    with pytest.raises(CommandError):
        run("--scale", scale)
    assert not r.Street.objects.exists()


def test_demo_reports_a_real_street_with_its_name_as_an_error(db):
    r.Street.objects.create(name=STREET_NAME)
    with pytest.raises(CommandError, match="正式街道"):
        run("--small")


def test_demo_help_lists_its_options_in_chinese():
    from gongzhi.demo.management.commands.demo import Command

    text = Command().create_parser("gongzhi", "demo").format_help()
    assert "加载演示街道" in text
    assert "--reset" in text
    assert "随机种子（默认 2019）" in text
