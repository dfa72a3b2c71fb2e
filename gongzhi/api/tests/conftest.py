"""API test helpers on top of the shared persona world (conftest.py at the root)."""

import pytest
from django.test import Client

from gongzhi.api.services import api_token_create

API = "/api/v1"


@pytest.fixture
def api(as_user):
    """``api("admin").get("/estates")``: a test client logged in as a persona (session auth)."""

    def login(username: str):
        client = as_user(username)
        return _Prefixed(client)

    return login


@pytest.fixture
def token_client(world):
    """``token_client("admin")``: a client that sends a fresh personal token of that persona."""

    def make(username: str):
        _token, secret = api_token_create(user=world.user(username), name=f"tests-{username}")
        return _Prefixed(Client(headers={"Authorization": f"Bearer {secret}"}))

    return make


@pytest.fixture
def anonymous(db):
    return _Prefixed(Client())


class _Prefixed:
    """A test client whose paths are relative to /api/v1 and whose bodies are JSON."""

    def __init__(self, client: Client):
        self.client = client

    def get(self, path, params=None):
        return self.client.get(API + path, params or {})

    def post(self, path, data, **extra):
        return self.client.post(API + path, data, content_type="application/json", **extra)

    def patch(self, path, data, **extra):
        return self.client.patch(API + path, data, content_type="application/json", **extra)

    def delete(self, path):
        return self.client.delete(API + path)


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]
