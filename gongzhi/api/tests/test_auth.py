"""Facts about who may call the API: session (with CSRF for writes) or a personal token."""

import hashlib
import re

import pytest
from django.test import Client
from django.utils.crypto import get_random_string

from gongzhi.api.models import ApiToken
from gongzhi.api.services import api_token_create, api_token_revoke
from gongzhi.api.tests.conftest import API, ids
from gongzhi.api.urls import api as ninja_api
from gongzhi.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_anonymous_gets_401_with_chinese_message_on_every_path(world, anonymous):
    schema = ninja_api.get_openapi_schema()
    assert len(schema["paths"]) > 20
    for path, operations in schema["paths"].items():
        concrete = re.sub(r"\{[^}]+\}", "1", path.removeprefix(API))  # every path parameter filled
        for method in operations:
            response = getattr(anonymous.client, method)(API + concrete, content_type="application/json")
            assert response.status_code == 401, (method, path)
            assert "请先登录" in response.json()["detail"]


def test_token_authenticates_as_its_user(world, token_client):
    client = token_client("secretary_b")
    me = client.get("/me").json()
    assert me["username"] == "secretary_b"
    assert me["roles"] == ["area_secretary"]
    assert ids(client.get("/estates")) == [world.estate_b1.pk]


def test_token_use_is_recorded(world):
    token, secret = api_token_create(user=world.user("admin"), name="city-platform")
    assert token.last_used is None
    Client(headers={"Authorization": f"Bearer {secret}"}).get(API + "/streets")
    token.refresh_from_db()
    assert token.last_used is not None


def test_revoked_token_is_refused(world):
    token, secret = api_token_create(user=world.user("admin"), name="city-platform")
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    assert client.get(API + "/streets").status_code == 200
    api_token_revoke(token=token)
    response = client.get(API + "/streets")
    assert response.status_code == 401
    assert response.json()["detail"] == "API 令牌无效或已被吊销。"


@pytest.mark.parametrize("header", ["Bearer gz_not-a-real-token", "Bearer abc", "Bearer "])
def test_unknown_or_malformed_token_is_refused(world, header):
    assert Client(headers={"Authorization": header}).get(API + "/streets").status_code == 401


def test_token_of_deactivated_user_is_refused(world):
    user = world.user("admin")
    _token, secret = api_token_create(user=user, name="city-platform")
    user.is_active = False
    user.save()
    assert Client(headers={"Authorization": f"Bearer {secret}"}).get(API + "/streets").status_code == 401


def test_bad_token_is_401_even_with_a_valid_session(world, as_user):
    client = as_user("admin")
    response = client.get(API + "/streets", headers={"Authorization": "Bearer gz_wrong"})
    assert response.status_code == 401


def test_only_the_hash_of_the_secret_is_stored(world):
    token, secret = api_token_create(user=world.user("admin"), name="city-platform")
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert secret.startswith("gz_")
    assert stored["key_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {str(v) for v in stored.values()}
    assert secret.startswith(stored["key_prefix"]) and len(stored["key_prefix"]) < len(secret) // 3
    event = AuditEvent.objects.get(object_type="api.ApiToken", object_id=str(token.pk), action="create")
    assert secret not in str(event.changes) and stored["key_hash"] not in str(event.changes)


def test_session_write_needs_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user("admin"))
    body = {"area_id": world.area_a.pk, "name": "新小区", "build_year": 1990}
    refused = client.post(API + "/estates", body, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    csrf = get_random_string(32)  # what a page would have put in the cookie
    client.cookies["csrftoken"] = csrf
    accepted = client.post(
        API + "/estates", body, content_type="application/json", headers={"X-CSRFToken": csrf}
    )
    assert accepted.status_code == 201, accepted.content


def test_session_read_needs_no_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user("admin"))
    assert client.get(API + "/estates").status_code == 200


def test_token_write_needs_no_csrf_token(world):
    _token, secret = api_token_create(user=world.user("admin"), name="city-platform")
    client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {secret}"})
    body = {"area_id": world.area_a.pk, "name": "新小区", "build_year": 1990}
    assert client.post(API + "/estates", body, content_type="application/json").status_code == 201


def test_anonymous_write_is_401_not_csrf_403(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post(API + "/estates", {"area_id": world.area_a.pk}, content_type="application/json")
    assert response.status_code == 401
