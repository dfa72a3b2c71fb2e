"""The secret ballot (docs/VOTING_RULES.md §3a; issue 11, hole 3).

- The anonymised ballot file cannot be joined with the roll an office role exports: on a demo-like
  estate (many common flat sizes, some unique ones, multi-unit owners, a developer) the join names 0
  ballots, and the file holds no value that is an identifier of the roll.
- While the vote is open no row of the database pairs an owner with a readable choice (choices are
  sealed with the application key, which is not in the database), no office page differs with the
  choices, and after the close the tally is the exact count and ``gongzhi tally`` on the file
  reproduces it.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import re
from collections import Counter, defaultdict
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.db import connection, transaction
from django.test import override_settings

from gongzhi.core.models import AuditEvent
from gongzhi.registry import models as r
from gongzhi.voting import rules, selectors, services
from gongzhi.voting.models import Ballot, BallotCast, ElectorateOwner
from gongzhi.voting.tests.helpers import owner_user, published, voter_of

CHOICES = ("yes", "no", "abstain")
COMMON_AREAS = [Decimal(a) for a in ("45.20", "52.80", "60.15", "68.50", "72.30", "88.00")]


def demo_like_estate(world, *, owners: int = 150, seed: int = 11) -> None:
    """Estate A1 grows to a demo-like size: most flats of a few standard plans, some of a unique size,
    15 owners with two units and a developer with 8 unsold units (added to the world's three owners)."""
    rng = random.Random(seed)
    building = r.Building.objects.create(estate=world.estate_a1, number="9号")
    developer = r.Owner.objects.create(street=world.street, ref="KF-1", name="浦江置业", kind="developer")
    units = []
    for i in range(owners):
        owner = r.Owner.objects.create(street=world.street, ref=f"P{i:03d}", name=f"业主{i:03d}")
        for k in range(2 if i < 15 else 1):
            area = rng.choice(COMMON_AREAS) if rng.random() < 0.8 else Decimal(rng.randint(3000, 15000)) / 100
            units.append(r.Unit(building=building, number=f"{i:03d}-{k}", area=area, owner=owner))
    units += [
        r.Unit(building=building, number=f"KF-{k}", area=Decimal("95.50"), owner=developer) for k in range(8)
    ]
    r.Unit.objects.bulk_create(units)


def vote_everyone(world, decision, *, seed: int = 11) -> dict[str, str]:
    """The committee enters a paper ballot for 85 % of the owners (70 % yes, 20 % no, 10 % abstain);
    returns the choice of each voter key."""
    rng = random.Random(seed)
    oc = world.user("oc_a1")
    cast = {}
    for voter in ElectorateOwner.objects.filter(decision=decision).order_by("key"):
        if rng.random() >= 0.85:
            continue
        draw = rng.random()
        choice = "yes" if draw < 0.7 else "no" if draw < 0.9 else "abstain"
        services.ballot_enter_paper(
            actor=oc, decision=decision, voter=voter, choice=choice, collector_name="楼组长"
        )
        cast[voter.key] = choice
    return cast


def roll_rows(client) -> list[dict]:
    """The roll as the office exports it (Excel), one dict per owner."""
    book = openpyxl.load_workbook(io.BytesIO(client.content), read_only=True)
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = [str(c) for c in rows[0]]
    return [dict(zip(header, row, strict=False)) for row in rows[1:] if any(c is not None for c in row)]


def join_named(document: dict, roll: list[dict]) -> int:
    """How many ballots of the file a join on area (and on area + number of units) with the roll's
    voters pins to exactly one owner."""
    area_of: dict[str, Decimal] = defaultdict(Decimal)
    units_of: Counter = Counter()
    for unit in document["units"]:
        area_of[unit["owner"]] += Decimal(unit["area"])
        units_of[unit["owner"]] += 1
    voters = [row for row in roll if row["是否投票"] == "已投票"]
    for row in voters:
        row["_area"] = Decimal(str(row["专有面积（m²）"])).quantize(Decimal("0.01"))
    named = 0
    for ballot in document["ballots"]:
        area, count = area_of[ballot["owner"]], units_of[ballot["owner"]]
        by_area = [row for row in voters if row["_area"] == area]
        by_both = [row for row in by_area if int(row["套数"]) == count]
        named += len(by_area) == 1 or len(by_both) == 1
    return named


def closed_demo_like(world, client):
    demo_like_estate(world)
    decision = published(world, matter=4)
    cast = vote_everyone(world, decision)
    decision = services.decision_close(actor=world.user("oc_a1"), decision=decision, now=decision.closes_at)
    return decision, cast


def test_joining_the_anonymised_file_with_the_roll_names_no_ballot(world, client):
    decision, cast = closed_demo_like(world, client)
    client.force_login(world.user("oc_a1"))
    roll = roll_rows(client.get(f"/votes/{decision.pk}/roll.xlsx"))
    assert len(roll) == decision.total_owners
    document = json.loads(client.get(f"/decide/{decision.pk}/ballots.json").content)
    assert len(document["ballots"]) == len(cast)
    assert join_named(document, roll) == 0
    # No value of the file is a cell of the roll (names, unit labels, areas, counts, dates …).
    cells = {str(value) for row in roll for value in row.values() if value not in (None, "")}
    values = {str(v) for row in document["units"] + document["ballots"] for v in row.values()}
    assert values.isdisjoint(cells - set(CHOICES))


def test_the_tally_is_the_exact_count_and_the_file_reproduces_it(world, client):
    decision, cast = closed_demo_like(world, client)
    units = [
        {"id": str(u.pk), "area": u.area, "owner": u.voter.key}
        for u in decision.electorate_units.select_related("voter")
    ]
    expected = rules.tally(4, units, [{"owner": k, "choice": c} for k, c in cast.items()])
    assert decision.result == expected
    assert expected["participating_owners"] == len(cast) and expected["total_owners"] == 154
    document = selectors.decision_ballot_file(decision)
    assert rules.tally(document["matter"], document["units"], document["ballots"]) == expected
    # The published file is the stored one: downloading it twice gives the same bytes.
    client.force_login(world.user("oc_a1"))
    assert client.get(f"/decide/{decision.pk}/ballots.json").content == (
        client.get(f"/decide/{decision.pk}/ballots.json").content
    )


def _plain_choices_in(table: str) -> list:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 (fixed table names)
        return [value for row in cursor.fetchall() for value in row if value in CHOICES]


def test_no_row_pairs_an_owner_with_a_readable_choice_while_open(world):
    decision = published(world)
    services.ballot_cast(actor=world.user("owner_a1"), decision=decision, choice="no")
    services.ballot_cast(actor=world.user("owner_a1"), decision=decision, choice="abstain")
    services.ballot_enter_paper(
        actor=world.user("oc_a1"),
        decision=decision,
        voter=voter_of(decision, "A1-2"),
        choice="yes",
        collector_name="王建国",
    )
    assert _plain_choices_in("voting_ballot") == []
    assert _plain_choices_in("voting_ballotcast") == []
    for event in AuditEvent.objects.all():
        text = json.dumps(event.changes, ensure_ascii=False)
        assert "choice" not in text and not re.search(r'"(yes|no|abstain)"', text)
    # The owner reads their own choice; without the application key (a DBA, a stolen backup) the
    # sealed value says nothing.
    ballot = Ballot.objects.get(voter=voter_of(decision, "A1-1"))
    assert ballot.choice == "abstain"
    another_key = override_settings(
        SECRET_KEY="another-key-a-dba-might-guess-0123456789", SECRET_KEY_FALLBACKS=[]
    )
    with another_key, pytest.raises(services.BallotSealError):
        Ballot.objects.get(pk=ballot.pk).choice  # noqa: B018
    assert [c.choice for c in BallotCast.objects.filter(voter=ballot.voter).order_by("pk")] == [
        "no",
        "abstain",
    ]


OFFICE = ("admin", "leader", "staff_x", "secretary_a", "member_a", "oc_a1")


def _office_pages(world, client, decision) -> dict[tuple[str, str], str]:
    urls = [
        "/votes/",
        f"/votes/{decision.pk}/",
        f"/votes/{decision.pk}/canvass/",
        f"/votes/{decision.pk}/ballots/",
        f"/votes/{decision.pk}/roll.xlsx",
        f"/decide/{decision.pk}/",
        f"/decide/{decision.pk}/ballots.json",
        "/audit/",
    ]
    pages = {}
    for persona in OFFICE:
        client.force_login(world.user(persona))
        for url in urls:
            response = client.get(url)
            body = response.content.decode("utf-8", "replace")
            body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)
            body = re.sub(r'"X-CSRFToken": "[^"]+"', "", body)
            body = re.sub(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", "RECEIPT", body)
            pages[(persona, url)] = f"{response.status_code} {body}"
    return pages


def test_no_office_page_differs_with_the_running_choices(world, client):
    """Two worlds with the same casts at the same moments but swapped choices look the same to every
    office role on every page, export and the audit trail while the vote is open."""
    decision = published(world)
    moment = decision.opens_at + dt.timedelta(hours=1)
    seen = []
    for first, second in (("yes", "no"), ("no", "yes")):
        with time_machine.travel(moment, tick=False), transaction.atomic():
            services.ballot_cast(actor=world.user("owner_a1"), decision=decision, choice=first, now=moment)
            services.ballot_enter_paper(
                actor=world.user("oc_a1"),
                decision=decision,
                voter=voter_of(decision, "A1-2"),
                choice=second,
                collector_name="王建国",
                now=moment,
            )
            seen.append(_office_pages(world, client, decision))
            transaction.set_rollback(True)
    assert seen[0].keys() == seen[1].keys()
    for key in seen[0]:
        assert seen[0][key] == seen[1][key], key


def test_an_owner_still_sees_their_own_choice(world, client):
    decision = published(world)
    user = owner_user("owner_twin", world.unit_a1)
    services.ballot_cast(actor=user, decision=decision, choice="abstain")
    assert selectors.my_ballot(user, decision).get_choice_display() == "弃权"
