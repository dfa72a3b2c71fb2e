"""Facts about the published schema and the interactive docs (no CDN, no network)."""

import re

import pytest
from django.contrib.staticfiles import finders

from gongzhi.api.tests.conftest import API
from gongzhi.api.tests.test_matrix import RESOURCES
from gongzhi.core.testing import off_site_urls

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    response = client.get(API + "/openapi.json")
    assert response.status_code == 200
    return response.json()


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_schema_is_served_without_login_and_lists_every_endpoint(schema):
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    for resource in RESOURCES:
        assert API + resource in paths
        assert any(p.startswith(API + resource + "/{") for p in paths), resource
    assert set(schema["paths"][API + "/estates"]) == {"get", "post"}
    assert set(schema["paths"][API + "/estates/{estate_id}"]) == {"get", "patch"}


def test_every_reference_in_the_schema_resolves(schema):
    refs = set(_refs(schema))
    assert refs, "the schema names its components"
    for ref in refs:
        node = schema
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]
        assert isinstance(node, dict), ref


def test_schema_is_valid_openapi(schema):
    import openapi_spec_validator  # a dev dependency in requirements-dev.lock

    openapi_spec_validator.validate(schema)


def test_schema_documents_auth_paging_and_decimals(schema):
    schemes = schema["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}
    params = {p["name"]: p for p in schema["paths"][API + "/units"]["get"]["parameters"]}
    assert params["limit"]["schema"]["maximum"] == 200 and params["limit"]["schema"]["default"] == 50
    estate = schema["components"]["schemas"]["EstateOut"]["properties"]
    assert estate["total_area"]["type"] == "string"


def test_docs_page_loads_nothing_from_another_host(client):
    response = client.get(API + "/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert off_site_urls(html) == []


def test_docs_use_the_vendored_swagger_ui_when_ninja_is_installed(client, settings):
    if "ninja" not in settings.INSTALLED_APPS:
        settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "ninja"]
    html = client.get(API + "/docs").content.decode()
    assert off_site_urls(html) == []
    scripts = re.findall(r"<script[^>]*\bsrc=\"([^\"]+)\"", html)
    assert "/static/ninja/swagger-ui-bundle.js" in scripts
    for script in scripts:
        assert script.startswith("/static/")
        assert finders.find(script.removeprefix("/static/")), script
        assert client.get(script).status_code == 200, script
    assert '"validatorUrl": null' in html  # no badge fetched from validator.swagger.io
