"""The replica router (core/dbrouter.py): which reads may go to the replica, and that nothing else does.

These run on both engines with a ``replica`` alias that shares the test database's connection, so they
state the router's decisions; test_replica.py reads through a real streaming replica (PostgreSQL)."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache
from django.db import connections, router, transaction
from django.urls import reverse

from gongzhi.core import dbrouter
from gongzhi.core.dbrouter import PIN_COOKIE, ReplicaRouter, read_alias, reads_from_replica
from gongzhi.registry.models import Estate


@pytest.fixture
def replica_alias():
    """A ``replica`` alias for the length of one test, on the same connection as ``default``."""
    connections.settings[dbrouter.REPLICA] = dict(connections.settings[dbrouter.PRIMARY])
    connections[dbrouter.REPLICA] = connections[dbrouter.PRIMARY]
    yield
    delattr(connections._connections, dbrouter.REPLICA)
    del connections.settings[dbrouter.REPLICA]


@pytest.fixture
def decisions(monkeypatch):
    """The aliases the router chose for reads, in order."""
    chosen: list[str] = []
    real = ReplicaRouter.db_for_read

    def recording(self, model, **hints):
        alias = real(self, model, **hints)
        chosen.append(alias)
        return alias

    monkeypatch.setattr(ReplicaRouter, "db_for_read", recording)
    return chosen


def test_the_router_is_installed():
    assert any(isinstance(r, ReplicaRouter) for r in router.routers)


def test_writes_and_migrations_always_go_to_the_primary(replica_alias):
    rt = ReplicaRouter()
    with reads_from_replica():
        assert rt.db_for_write(Estate) == "default"
        assert router.db_for_write(Estate) == "default"
    assert rt.allow_migrate("default", "registry") is True
    assert rt.allow_migrate("replica", "registry") is False


def test_without_a_replica_every_read_uses_the_primary():
    assert "replica" not in connections.settings
    with reads_from_replica():
        assert read_alias() == "default"
        assert router.db_for_read(Estate) == "default"


def test_reads_go_to_the_replica_only_inside_the_block(replica_alias):
    assert router.db_for_read(Estate) == "default"
    with reads_from_replica():
        assert router.db_for_read(Estate) == "replica"
        with reads_from_replica():  # nested: still the replica, and the outer block survives the inner
            assert read_alias() == "replica"
        assert read_alias() == "replica"
    assert router.db_for_read(Estate) == "default"


@pytest.mark.django_db
def test_reads_inside_a_transaction_stay_on_the_primary(replica_alias):
    # The test itself runs in a transaction on the primary: so does every read, replica block or not.
    assert connections["default"].in_atomic_block
    with reads_from_replica():
        assert read_alias() == "default"


@pytest.mark.django_db(transaction=True)
def test_a_read_outside_transactions_uses_the_replica_and_one_inside_does_not(replica_alias):
    with reads_from_replica():
        assert read_alias() == "replica"
        with transaction.atomic():
            assert read_alias() == "default"
        assert read_alias() == "replica"


def test_pinned_to_primary_wins_over_the_replica_block(replica_alias):
    with reads_from_replica(), dbrouter.pinned_to_primary():
        assert read_alias() == "default"


# ---- pages ---------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_public_page_reads_from_the_replica_and_sets_no_cookie(client, world, replica_alias, decisions):
    response = client.get(reverse("board:estate", args=[world.estate_a1.pk]))
    assert response.status_code == 200
    assert world.estate_a1.name in response.content.decode()
    assert decisions and set(decisions) == {"replica"}
    assert not response.cookies  # neither a session, a CSRF nor a pin cookie


@pytest.mark.django_db(transaction=True)
def test_a_reader_who_just_wrote_reads_the_public_page_from_the_primary(
    client, world, replica_alias, decisions
):
    client.cookies[PIN_COOKIE] = str(int(time.time()) + 5)
    response = client.get(reverse("board:estate", args=[world.estate_a1.pk]))
    assert response.status_code == 200
    assert decisions and set(decisions) == {"default"}


@pytest.mark.django_db(transaction=True)
def test_an_expired_or_forged_pin_is_ignored(client, world, replica_alias, decisions):
    for value in (str(int(time.time()) - 1), "soon", ""):
        decisions.clear()
        cache.clear()  # render afresh: a page served from the cache asks the router nothing
        client.cookies[PIN_COOKIE] = value
        client.get(reverse("board:estate", args=[world.estate_a1.pk]))
        assert decisions and set(decisions) == {"replica"}, value


@pytest.mark.django_db
def test_a_write_pins_the_browser_to_the_primary_for_a_few_seconds(client, world, replica_alias, settings):
    settings.GONGZHI_REPLICA_PIN_SECONDS = 7
    client.force_login(world.user("admin"))
    before = int(time.time())
    response = client.post(
        reverse("registry:edit", args=["estates", world.estate_a1.pk]),
        {"area": world.estate_a1.area_id, "name": "甲一新村", "address": "甲一路1号", "build_year": 1988},
    )
    assert response.status_code == 302
    pin = response.cookies[PIN_COOKIE]
    assert pin["max-age"] == 7
    assert pin["httponly"]
    assert before + 7 <= int(pin.value) <= int(time.time()) + 8
    # A plain read sets none.
    assert PIN_COOKIE not in client.get(reverse("registry:list", args=["estates"])).cookies


@pytest.mark.django_db
def test_without_a_replica_a_write_sets_no_pin(client, world):
    client.force_login(world.user("admin"))
    response = client.post(
        reverse("registry:edit", args=["estates", world.estate_a1.pk]),
        {"area": world.estate_a1.area_id, "name": "甲一新村", "address": "甲一路1号", "build_year": 1988},
    )
    assert response.status_code == 302
    assert PIN_COOKIE not in response.cookies


@pytest.mark.django_db(transaction=True)
def test_an_office_export_reads_from_the_replica_but_decides_the_scope_on_the_primary(
    client, world, replica_alias, decisions
):
    client.force_login(world.user("admin"))
    response = client.get(reverse("registry:export", args=["estates"]))
    assert response.status_code == 200
    assert "replica" in decisions
    # The session, the user and their role grants were read before the first replica read.
    first_replica = decisions.index("replica")
    assert first_replica >= 3 and set(decisions[:first_replica]) == {"default"}


@pytest.mark.django_db(transaction=True)
def test_an_office_page_that_is_not_a_report_reads_from_the_primary(client, world, replica_alias, decisions):
    client.force_login(world.user("admin"))
    assert client.get(reverse("registry:list", args=["estates"])).status_code == 200
    assert decisions and set(decisions) == {"default"}
