"""Facts about request ids and JSON log lines (core/requestlog.py; docs/OPERATIONS.md "Logs"): every line
written while a request runs carries its id, the id comes back on the response, ids differ between
requests, a hostile X-Request-ID is replaced, and every line is one JSON object. The end-to-end check
through nginx and gunicorn (nginx's $request_id in the application's lines) is tests/deploy."""

from __future__ import annotations

import io
import json
import logging

import pytest

from gongzhi.core.requestlog import (
    JsonFormatter,
    RequestContextFilter,
    new_request_id,
    valid_request_id,
)


@pytest.fixture
def json_lines():
    """The root logger writes JSON lines into a buffer, as settings.LOGGING does with
    GONGZHI_LOG_FORMAT=json; the access logger is on, as it is then."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    access = logging.getLogger("gongzhi.request")
    saved = access.level
    access.setLevel(logging.INFO)
    root.addHandler(handler)

    def lines():
        return [json.loads(line) for line in buffer.getvalue().splitlines()]

    try:
        yield lines
    finally:
        root.removeHandler(handler)
        access.setLevel(saved)


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("3f2a9c1e0b7d4e5f8a6b1c2d3e4f5a6b", True),  # nginx's $request_id: 32 hex digits
        ("123e4567-e89b-12d3-a456-426614174000", True),  # a UUID
        ("abc", False),  # too short to be anyone's id
        ("a" * 65, False),  # too long
        ('x"}\n{"level":"CRITICAL"', False),  # a forged log line
        ("id with spaces", False),
        ("<script>alert(1)</script>", False),
        ("", False),
    ],
)
def test_only_a_short_run_of_letters_digits_and_hyphens_is_taken(sent, kept):
    assert (valid_request_id(sent) == sent) is kept


def test_a_request_has_one_id_on_its_response_and_on_each_of_its_log_lines(db, client, json_lines):
    response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="3f2a9c1e0b7d4e5f8a6b1c2d3e4f5a6b")
    assert response.status_code == 404
    assert response["X-Request-ID"] == "3f2a9c1e0b7d4e5f8a6b1c2d3e4f5a6b"
    lines = json_lines()
    # Django's "Not Found" warning and our access line: two lines, one id.
    assert {line["logger"] for line in lines} == {"django.request", "gongzhi.request"}
    assert {line["request_id"] for line in lines} == {"3f2a9c1e0b7d4e5f8a6b1c2d3e4f5a6b"}
    access = next(line for line in lines if line["logger"] == "gongzhi.request")
    assert access["method"] == "GET"
    assert access["path"] == "/no-such-page/"
    assert access["status"] == 404
    assert access["duration_ms"] >= 0
    assert access["level"] == "INFO"
    assert access["ts"].endswith("+00:00")
    assert "user_id" not in access  # nobody logged in


def test_ids_differ_between_requests_and_a_hostile_id_is_replaced(db, client, json_lines):
    first = client.get("/healthz")
    second = client.get("/healthz", HTTP_X_REQUEST_ID='x"}\n{"level":"CRITICAL"')
    ids = [first["X-Request-ID"], second["X-Request-ID"]]
    assert ids[0] != ids[1]
    assert all(valid_request_id(value) for value in ids)
    lines = json_lines()
    assert [line["request_id"] for line in lines] == ids
    assert all(line["level"] == "INFO" for line in lines)  # the forged CRITICAL line was not written


def test_the_access_line_names_the_user_by_id_only(client, world, json_lines):
    user = world.user("admin")
    client.force_login(user)
    client.get("/inbox/")
    access = [line for line in json_lines() if line["logger"] == "gongzhi.request"]
    assert access[-1]["user_id"] == user.pk
    text = json.dumps(access[-1], ensure_ascii=False)
    assert user.username not in text
    assert (user.get_full_name() or user.username) not in text


def test_outside_a_request_the_id_is_a_dash_and_phone_numbers_are_masked(json_lines):
    logging.getLogger("gongzhi.test").warning("短信发送失败：%s", "13812345678")
    (line,) = json_lines()
    assert line["request_id"] == "-"
    assert line["message"] == "短信发送失败：138****5678"


def test_an_exception_is_written_as_one_line_with_its_traceback(json_lines):
    try:
        raise ValueError("坏了")
    except ValueError:
        logging.getLogger("gongzhi.test").exception("出错")
    (line,) = json_lines()
    assert line["message"] == "出错"
    assert "ValueError: 坏了" in line["exc"]


def test_made_ids_are_valid_and_unique():
    made = {new_request_id() for _ in range(1000)}
    assert len(made) == 1000
    assert all(valid_request_id(value) for value in made)
