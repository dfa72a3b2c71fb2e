"""``gongzhi tally`` meets the §6 contract, and a decision's anonymised export re-counts to its result."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gongzhi.registry import models as r
from gongzhi.voting import selectors, services
from gongzhi.voting.models import Ballot, BallotCast
from gongzhi.voting.tests.helpers import published, voter_of

GOOD = {
    "matter": 6,
    "units": [
        {"id": "1-101", "area": "68.50", "owner": "buyer-a"},
        {"id": "1-102", "area": "70.00", "owner": "buyer-a"},
        {"id": "1-201", "area": "50.00", "owner": "buyer-b"},
        {"id": "1-202", "area": "50.00", "owner": "developer"},
    ],
    "ballots": [
        {"owner": "buyer-a", "choice": "yes"},
        {"owner": "buyer-b", "choice": "yes"},
        {"owner": "developer", "choice": "abstain"},
    ],
}


def run(tmp_path: Path, document) -> dict:
    path = tmp_path / "ballots.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document), encoding="utf-8")
    out = io.StringIO()
    call_command("tally", str(path), stdout=out)
    return json.loads(out.getvalue())


def test_tally_prints_the_outcome_with_every_figure(tmp_path):
    outcome = run(tmp_path, GOOD)
    assert outcome["quorum_met"] is True
    assert outcome["approved"] is False  # owners 2/3 < 3/4 for matter 6
    assert outcome["passed"] is False
    assert (outcome["participating_area"], outcome["total_area"]) == ("238.50", "238.50")
    assert (outcome["participating_owners"], outcome["total_owners"]) == (3, 3)
    assert (outcome["agreeing_area"], outcome["agreeing_owners"]) == ("188.50", 2)
    assert outcome["agreement_owners_ratio"] == "2/3"


def test_numbers_for_areas_are_read_exactly(tmp_path):
    document = json.dumps(GOOD).replace('"68.50"', "68.50")
    assert run(tmp_path, document)["total_area"] == "238.50"


@pytest.mark.parametrize(
    ("document", "named"),
    [
        ({**GOOD, "ballots": [*GOOD["ballots"][:2], {"owner": "stranger", "choice": "no"}]}, "stranger"),
        ({**GOOD, "ballots": [*GOOD["ballots"], {"owner": "buyer-a", "choice": "no"}]}, "buyer-a"),
        ({**GOOD, "units": [*GOOD["units"], {"id": "9-901", "area": "-12.00", "owner": "x"}]}, "9-901"),
        ({**GOOD, "matter": 10}, "matter"),
        ({**GOOD, "matter": "6"}, "matter"),
        ({"matter": 6, "units": GOOD["units"]}, "ballots"),
        ({**GOOD, "ballots": [{"owner": "buyer-a", "choice": "YES"}]}, "buyer-a"),
        ({**GOOD, "units": [*GOOD["units"], {"id": "1-101", "area": "1.00", "owner": "z"}]}, "1-101"),
        ('{"matter": 6, "units": [', "line 1"),
        ('{"matter": 6, "matter": 7, "units": [], "ballots": []}', "matter"),
        ([1, 2], "(root)"),
    ],
)
def test_bad_input_exits_non_zero_naming_the_item(tmp_path, document, named):
    with pytest.raises(CommandError) as caught:
        run(tmp_path, document if isinstance(document, str) else json.dumps(document))
    assert caught.value.returncode == 2
    assert named in str(caught.value)
    assert "输入有误" in str(caught.value)


def test_the_console_command_exits_non_zero_on_bad_input(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({**GOOD, "ballots": [{"owner": "ghost", "choice": "yes"}]}), encoding="utf-8")
    bad = subprocess.run(  # noqa: S603 (our own console script)
        [sys.executable, "-m", "gongzhi.cli", "tally", str(path)], capture_output=True, text=True, check=False
    )
    assert bad.returncode == 2
    assert "ghost" in bad.stderr and "不在业主名册中" in bad.stderr


def closed_decision(world):
    """Estate A1 plus a developer's two unsold units and a second unit of A1-2; a mixed vote, closed."""
    developer = r.Owner.objects.create(street=world.street, ref="KF-1", name="开发商", kind="developer")
    for n in ("601", "602"):
        r.Unit.objects.create(building=world.building_a1, number=n, area="88.88", owner=developer)
    r.Unit.objects.create(
        building=world.building_a1, number="202", area="33.33", owner=r.Owner.objects.get(ref="A1-2")
    )
    decision = published(world, matter=5)
    owner = world.user("owner_a1")
    services.ballot_cast(actor=owner, decision=decision, choice="no")
    services.ballot_cast(actor=owner, decision=decision, choice="yes")  # changed: the last counts
    oc = world.user("oc_a1")
    services.ballot_enter_paper(
        actor=oc, decision=decision, voter=voter_of(decision, "A1-2"), choice="yes", collector_name="王建国"
    )
    services.ballot_enter_paper(
        actor=oc,
        decision=decision,
        voter=voter_of(decision, "KF-1"),
        choice="abstain",
        collector_name="王建国",
    )
    return services.decision_close(actor=oc, decision=decision, now=decision.closes_at)


def test_the_export_recounts_to_the_published_result(world, tmp_path):
    decision = closed_decision(world)
    assert decision.result["participating_owners"] == 3
    assert decision.result["total_owners"] == 4
    out = tmp_path / "export.json"
    call_command("tally", "--export", str(decision.pk), "-o", str(out))
    recount = run(tmp_path, out.read_text(encoding="utf-8"))
    assert recount == decision.result
    assert selectors.decision_ballot_file(decision) == json.loads(out.read_text(encoding="utf-8"))


def test_the_export_is_anonymous(world):
    decision = closed_decision(world)
    document = selectors.decision_ballot_file(decision)
    text = json.dumps(document, ensure_ascii=False)
    for receipt in BallotCast.objects.values_list("receipt", flat=True):
        assert receipt not in text
    for owner in r.Owner.objects.all():
        assert owner.ref not in text and owner.name not in text
    for unit in r.Unit.objects.all():
        assert f'"{unit.pk}"' not in text and unit.number not in text
    assert {b["owner"] for b in document["ballots"]} <= {u["owner"] for u in document["units"]}
    assert [u["id"] for u in document["units"]] == sorted(u["id"] for u in document["units"])
    assert len(document["ballots"]) == Ballot.objects.filter(decision=decision).count()


def test_pseudonyms_differ_between_decisions(world):
    first = closed_decision(world)
    second = published(world)
    owners_first = set(first.electorate_owners.values_list("pseudonym", flat=True))
    owners_second = set(second.electorate_owners.values_list("pseudonym", flat=True))
    assert owners_first.isdisjoint(owners_second)


def test_export_refuses_an_open_decision(world):
    decision = published(world)
    with pytest.raises(CommandError, match="尚未截止"):
        call_command("tally", "--export", str(decision.pk))
    with pytest.raises(ValueError):
        selectors.decision_ballot_file(decision)
