"""Facts about `gongzhi api_token create|list|revoke`."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from gongzhi.api.models import ApiToken
from gongzhi.api.tests.conftest import API
from gongzhi.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = io.StringIO()
    call_command("api_token", *args, stdout=out)
    return out.getvalue()


def _create(username="admin", name="city-platform") -> str:
    return _run("create", username, "--name", name).strip().splitlines()[-1]


def test_create_prints_a_working_secret_once(world):
    secret = _create()
    assert secret.startswith("gz_") and len(secret) > 40
    response = Client(headers={"Authorization": f"Bearer {secret}"}).get(API + "/me")
    assert response.json()["username"] == "admin"
    listing = _run("list")
    assert secret not in listing
    assert secret[:11] in listing and "city-platform" in listing and "有效" in listing


def test_create_refuses_a_second_live_token_of_the_same_name(world):
    _create()
    with pytest.raises(CommandError, match="已有名为"):
        _create()
    assert ApiToken.objects.count() == 1
    _create(name="other-system")
    assert ApiToken.objects.count() == 2


def test_create_for_unknown_user_fails(world):
    with pytest.raises(CommandError, match="不存在"):
        _create(username="nobody")


def test_revoke_by_prefix_stops_the_token_and_is_safe_twice(world):
    secret = _create()
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    assert client.get(API + "/me").status_code == 200
    assert "已吊销" in _run("revoke", secret[:11])
    assert client.get(API + "/me").status_code == 401
    assert "已吊销" in _run("revoke", secret)  # the whole secret works too; twice changes nothing
    assert AuditEvent.objects.filter(object_type="api.ApiToken", action="update").count() == 1
    assert "已吊销" in _run("list", "admin")
    # The name is free again once the old token is revoked.
    assert _create().startswith("gz_")


def test_revoke_unknown_prefix_fails(world):
    with pytest.raises(CommandError, match="找不到"):
        _run("revoke", "gz_nothing")


def test_list_for_one_user(world):
    _create("admin", "a")
    _create("leader", "b")
    listing = _run("list", "leader")
    assert "leader" in listing and "admin" not in listing
