"""Facts about ``gongzhi import_registry``: the same import as the web page, from a shell."""

import io

import pytest
from django.core.management import CommandError, call_command

from gongzhi.registry import models as r
from gongzhi.registry.tests import db_state, xlsx
from gongzhi.registry.tests.test_import import SHORT_UNITS, good_workbook


def command(path, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_registry", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def good_file(tmp_path):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(good_workbook())
    return path


def test_imports_and_prints_the_counts(world, good_file):
    out, _err = command(good_file, "--street", "示例街道", "--user", "admin")
    assert "房屋：新增 4，更新 0，未变 0" in out
    assert "导入完成" in out
    assert r.Area.objects.filter(street=world.street, name="丁居民区").exists()


def test_running_twice_changes_nothing(world, good_file):
    command(good_file, "--street", "示例街道", "--user", "admin")
    state = db_state()
    out, _err = command(good_file, "--street", "示例街道", "--user", "admin")
    assert "房屋：新增 0，更新 0，未变 4" in out
    assert db_state() == state


def test_dry_run_writes_nothing(world, good_file):
    state = db_state()
    out, _err = command(good_file, "--street", "示例街道", "--user", "admin", "--dry-run")
    assert "房屋：新增 4" in out and "试运行" in out
    assert db_state() == state


def test_bad_rows_exit_non_zero_with_the_error_table(world, tmp_path):
    path = tmp_path / "坏.xlsx"
    path.write_bytes(xlsx({"房屋": [SHORT_UNITS, ["甲居民区", "甲二小区", "3号", "601", -1]]}))
    state = db_state()
    err = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_registry", str(path), "--street", "示例街道", "--user", "admin", stderr=err)
    assert caught.value.returncode == 1
    assert "共 1 处错误，未写入任何数据" in str(caught.value)
    lines = err.getvalue().splitlines()
    assert lines[0] == "工作表\t行\t列\t问题"
    assert lines[1].startswith("房屋\t2\t专有部分面积（m²）\t面积必须是大于 0 的数字")
    assert db_state() == state


def test_a_non_excel_file_is_reported(world, tmp_path):
    path = tmp_path / "名单.xlsx"
    path.write_text("居民区,小区\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_registry", str(path), "--street", "示例街道", "--user", "admin", stderr=err)
    assert "不是有效的 Excel（.xlsx）文件" in err.getvalue()


@pytest.mark.parametrize(
    ("street", "user", "message"),
    [
        ("不存在街道", "admin", "没有名为“不存在街道”的街道"),
        ("示例街道", "nobody", "没有用户名为“nobody”的有效用户"),
        ("示例街道", "secretary_a", "不是“示例街道”的街道管理员"),
        ("示例街道", "other_admin", "不是“示例街道”的街道管理员"),
    ],
)
def test_wrong_street_or_user_is_refused(world, good_file, street, user, message):
    with pytest.raises(CommandError, match=message):
        command(good_file, "--street", street, "--user", user)
    assert not r.Area.objects.filter(name="丁居民区").exists()


def test_missing_file_is_refused(world, tmp_path):
    with pytest.raises(CommandError, match="找不到文件"):
        command(tmp_path / "nope.xlsx", "--street", "示例街道", "--user", "admin")
