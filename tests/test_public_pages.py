"""The anonymous public pages (issue 17): no cookie and no ``Vary: Cookie``, served from a cache keyed by
the data's change mark, with Cache-Control, ETag and 304, in a bounded number of queries whatever the
estate's size (core/publicpages.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from gongzhi.branchwork.models import Meeting, RatingSession
from gongzhi.registry.models import Estate
from gongzhi.voting.models import Decision

pytestmark = pytest.mark.django_db


def _estates_by_size(world=None):
    """A small estate (the persona world's, when given, else the demo's smallest) and the demo estate
    with the most ledger entries."""
    ranked = list(
        Estate.objects.filter(area__street__is_demo=True)
        .annotate(n=Count("ledger_entries"))
        .order_by("n", "pk")
    )
    small, large = (world.estate_a1 if world else ranked[0]), ranked[-1]
    return small, large


def public_urls(estate: Estate) -> list[str]:
    urls = [
        reverse("book:estate", args=[estate.pk]),
        reverse("book:estate", args=[estate.pk]) + "?months=6",
        reverse("ledgers:estate", args=[estate.pk]),
        reverse("board:estate", args=[estate.pk]),
        reverse("board:estate", args=[estate.pk]) + "?s=closed",
        reverse("duty:board", args=[estate.area_id]),
        reverse("decide:estate", args=[estate.pk]),
    ]
    decision = Decision.objects.public().filter(estate__area__street=estate.area.street_id).first()
    if decision is not None:
        urls += [
            reverse("decide:decision", args=[decision.pk]),
            reverse("decide:receipt", args=[decision.pk]),
        ]
    meeting = Meeting.objects.filter(published_at__isnull=False, branch__area__street=estate.area.street_id)
    if meeting.exists():
        urls.append(reverse("duty:outcome", args=[meeting.first().pk]))
    session = RatingSession.objects.filter(meeting__branch__area__street=estate.area.street_id).first()
    if session is not None:
        urls.append(reverse("duty:result", args=[session.code]))
    return urls


def test_every_public_page_sets_no_cookie_and_does_not_vary_on_cookies(client, demo):
    _small, large = _estates_by_size()
    urls = public_urls(large)
    assert len(urls) >= 11  # the demo has a decision, an outcome and a rating session to show
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.cookies == {}, (url, list(response.cookies))
        assert "cookie" not in response.get("Vary", "").lower(), url
        assert "X-CSRFToken" not in response.text, url  # no token in the page for htmx either
        assert "csrfmiddlewaretoken" not in response.text, url


def test_a_logged_in_visitor_gets_the_same_cookie_free_page(client, demo):
    from gongzhi.core.models import User

    client.force_login(User.objects.get(username="demo_admin"))
    _small, large = _estates_by_size()
    url = reverse("ledgers:estate", args=[large.pk])
    anonymous = client.get(url)
    assert anonymous.cookies == {}
    assert "cookie" not in anonymous.get("Vary", "").lower()
    assert "退出" not in anonymous.text  # nothing of the session reaches the public page


def test_cache_control_etag_and_not_modified(client, demo):
    _small, large = _estates_by_size()
    for url in public_urls(large):
        if "receipt" in url:
            continue  # the receipt look-up is the asker's own: never stored (below)
        first = client.get(url)
        assert first["Cache-Control"] == "public, max-age=60", url
        etag = first["ETag"]
        assert etag.startswith('"') and etag.endswith('"')
        again = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 304, url
        assert again["ETag"] == etag and again.content == b""
        other = client.get(url, HTTP_IF_NONE_MATCH='"something-else"')
        assert other.status_code == 200 and other.content == first.content


def test_receipt_lookup_is_cookie_free_but_never_stored(client, demo):
    decision = Decision.objects.public().first()
    response = client.get(reverse("decide:receipt", args=[decision.pk]), {"code": "ABCD-EFGH"})
    assert response.status_code == 200
    assert response.cookies == {}
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "ETag" not in response


def test_a_ledger_entry_shows_on_the_public_pages_at_once(client, demo):
    from gongzhi.core.models import User
    from gongzhi.finance.services import ledger_post

    _small, estate = _estates_by_size()
    ledger_url = reverse("ledgers:estate", args=[estate.pk])
    book_url = reverse("book:estate", args=[estate.pk])
    before_ledger, before_book = client.get(ledger_url), client.get(book_url)
    assert client.get(ledger_url, HTTP_IF_NONE_MATCH=before_ledger["ETag"]).status_code == 304  # cached
    ledger_post(
        actor=User.objects.get(username="demo_admin"),
        estate=estate,
        ledger="public_income",
        date=timezone.localdate(),
        direction="in",
        amount=Decimal("4321.09"),
        summary="广告位租金（测试缓存失效）",
        category="广告收益",
    )
    after_ledger = client.get(ledger_url, HTTP_IF_NONE_MATCH=before_ledger["ETag"])
    assert after_ledger.status_code == 200  # the old copy is no longer current
    assert after_ledger["ETag"] != before_ledger["ETag"]
    assert "广告位租金（测试缓存失效）" in after_ledger.text and "4,321.09" in after_ledger.text
    after_book = client.get(book_url)
    assert after_book["ETag"] != before_book["ETag"]
    assert "广告位租金（测试缓存失效）" not in before_book.text


def test_a_write_in_another_street_leaves_the_cached_page_alone(client, demo, world):
    from gongzhi.finance.services import ledger_post

    _small, estate = _estates_by_size()
    url = reverse("ledgers:estate", args=[estate.pk])
    etag = client.get(url)["ETag"]
    ledger_post(
        actor=world.user("admin"),
        estate=world.estate_a1,
        ledger="public_income",
        date=timezone.localdate(),
        direction="in",
        amount=Decimal("10.00"),
        summary="别的街道",
    )
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_a_ballot_changes_the_decision_page(client, demo):
    """Ballots are not audited (secrecy); the vote pages count them into their mark instead."""
    from gongzhi.voting.models import Ballot
    from gongzhi.voting.selectors import public_decision_mark, public_estate_mark

    ballot = Ballot.objects.select_related("decision").first()
    assert ballot is not None
    decision = ballot.decision
    marks = public_decision_mark(decision.pk), public_estate_mark(decision.estate_id)
    Ballot.objects.filter(pk=ballot.pk).delete()  # as if that owner had not voted yet
    assert public_decision_mark(decision.pk) != marks[0]
    assert public_estate_mark(decision.estate_id) != marks[1]


def test_language_is_in_the_address_not_in_the_cookie(client, demo, settings):
    _small, large = _estates_by_size()
    url = reverse("ledgers:estate", args=[large.pk])
    english = client.get(url, {"lang": "en"})
    assert english["Content-Language"] == "en"
    assert "Public ledgers" in english.text and "账本公示" not in english.text
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    chinese = client.get(url)
    assert chinese["Content-Language"] == "zh-hans"  # the same address is the same page for everyone
    assert chinese["ETag"] != english["ETag"]
    # Links between public pages keep the reader's language; the default needs no parameter.
    assert f'href="/disclosure/{large.pk}/?lang=en"' in english.text
    assert f'href="/disclosure/{large.pk}/"' in chinese.text and "?lang=" not in chinese.text
    # The switch on a public page is a GET form that keeps the page's own parameters.
    board = client.get(reverse("board:estate", args=[large.pk]), {"s": "closed"})
    assert 'name="lang"' in board.text and 'name="s" type="hidden" value="closed"' in board.text
    assert reverse("set_language") not in board.text


def test_unknown_parameters_neither_change_the_page_nor_fill_the_cache(client, demo):
    _small, large = _estates_by_size()
    url = reverse("book:estate", args=[large.pk])
    plain = client.get(url)
    noisy = client.get(url, {"utm_source": "wechat", "x": "1"})
    assert noisy["ETag"] == plain["ETag"] and noisy.content == plain.content


def test_unknown_objects_are_404_and_not_cached(client, demo):
    for url in ("/disclosure/999999/", "/ledgers/999999/", "/board/999999/", "/duty/999999/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "ETag" not in response
    assert client.get("/decide/999999/").status_code == 404
    assert client.get("/duty/r/NOSUCH/result/").status_code == 404


def test_office_pages_still_carry_the_csrf_header_for_htmx(client, world):
    client.force_login(world.user("admin"))
    response = client.get("/registry/estates/")
    assert "X-CSRFToken" in response.text
    assert "ETag" not in response and "public" not in response.get("Cache-Control", "")


# Uncached renders: the same bound on the small and the larger estate; cached: the change mark only.
QUERY_BOUNDS = {"book:estate": 16, "ledgers:estate": 13, "board:estate": 6, "decide:estate": 5}


@pytest.mark.parametrize("name", sorted(QUERY_BOUNDS))
def test_queries_are_bounded_whatever_the_estate_size(
    client, demo, world, name, django_assert_max_num_queries
):
    from django.core.cache import cache

    small, large = _estates_by_size(world)
    if name == "board:estate":  # the larger board: the demo estate with the most public problems
        large = Estate.objects.annotate(n=Count("problems")).order_by("-n", "pk").first()
        assert large.problems.count() >= 3 > small.problems.count()
    else:
        assert small.ledger_entries.count() <= 5 and large.ledger_entries.count() >= 100
    for estate in (small, large):
        cache.clear()
        url = reverse(name, args=[estate.pk])
        with django_assert_max_num_queries(QUERY_BOUNDS[name]):
            assert client.get(url).status_code == 200
        with django_assert_max_num_queries(1):  # served from the cache: the change mark only
            assert client.get(url).status_code == 200


def test_duty_board_queries_are_bounded(client, demo, world, django_assert_max_num_queries):
    small, large = _estates_by_size(world)
    for area_id in {small.area_id, large.area_id}:
        with django_assert_max_num_queries(5):
            assert client.get(reverse("duty:board", args=[area_id])).status_code == 200


@pytest.mark.demo(today=dt.date(2026, 12, 6))
def test_the_board_is_cached_per_day(client, demo, time_machine):
    """Overdue counts depend on the day: the next day's page is rendered afresh."""
    _small, large = _estates_by_size()
    url = reverse("board:estate", args=[large.pk])
    time_machine.move_to(dt.datetime(2026, 12, 6, 10, 0, tzinfo=dt.UTC))
    today = client.get(url)["ETag"]
    time_machine.move_to(dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC))
    assert client.get(url)["ETag"] != today


# ---- office pages stay uncached but bounded -------------------------------------------------------------------

# One more than before f0fdc76: a list page reads its 50 ids first, then only those rows with their joins.
UNIT_LIST_QUERIES = 13


@pytest.mark.parametrize("path", ["/registry/units/", "/registry/units/?page=3", "/registry/owners/"])
def test_office_unit_lists_in_a_bounded_number_of_queries(
    client, demo, world, path, django_assert_max_num_queries
):
    """A page of 50 units of the demo street costs what a page of the persona world's few units costs."""
    from gongzhi.core.models import User

    for user in (world.user("admin"), User.objects.get(username="demo_admin")):
        client.force_login(user)
        with django_assert_max_num_queries(UNIT_LIST_QUERIES):
            response = client.get(path)
        assert response.status_code == 200
        assert "public" not in response.get("Cache-Control", "")


def test_a_late_commit_with_a_lower_id_still_changes_the_mark(world):
    """A transaction that commits after a later one has the lower audit id: a maximum would miss it."""
    from gongzhi.core.models import AuditEvent
    from gongzhi.core.publicpages import area_mark, estate_mark

    events = [AuditEvent.objects.create(action="update", street=world.street) for _ in range(3)]
    before = estate_mark(world.estate_a1.pk), area_mark(world.area_a.pk)
    late = events[0]
    AuditEvent.objects.filter(pk=late.pk).delete()  # as if its transaction had not committed yet
    assert estate_mark(world.estate_a1.pk) != before[0]
    AuditEvent.objects.create(pk=late.pk, action="update", street=world.street)  # now it commits
    assert (estate_mark(world.estate_a1.pk), area_mark(world.area_a.pk)) == before
    assert estate_mark(999_999) is None and area_mark(999_999) is None
