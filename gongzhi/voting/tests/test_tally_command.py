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


# ---- hostile areas and documents: named, exit 2, never a traceback (issue 11) ----------------------


@pytest.mark.parametrize(
    "area",
    [
        "1e30",
        "1E+30",
        "NaN",
        "nan",
        "sNaN",
        "Infinity",
        "-Infinity",
        "-0",
        "0.00",
        "1e999999999",
        "1e-999999999",
        "10000000.00",
        "68.123456",
        "",
        "  ",
        "六十八",
        "0x44",
        "1_000",
    ],
)
def test_a_hostile_area_is_named_and_exits_2(tmp_path, area):
    units = [*GOOD["units"], {"id": "9-901", "area": area, "owner": "x"}]
    with pytest.raises(CommandError) as caught:
        run(tmp_path, {**GOOD, "units": units})
    assert caught.value.returncode == 2
    assert "9-901" in str(caught.value)


@pytest.mark.parametrize("number", ["1e30", "1e999999999", "-0", "1" * 5000, "1e-999999999"])
def test_a_hostile_json_number_for_an_area_is_named_or_refused_with_exit_2(tmp_path, number):
    document = json.dumps({**GOOD, "units": [*GOOD["units"], {"id": "9-901", "area": "AREA", "owner": "x"}]})
    with pytest.raises(CommandError) as caught:
        run(tmp_path, document.replace('"AREA"', number))
    assert caught.value.returncode == 2
    assert "输入有误" in str(caught.value)


def test_a_deeply_nested_document_exits_2(tmp_path):
    with pytest.raises(CommandError) as caught:
        run(tmp_path, "[" * 100_000 + "]" * 100_000)
    assert caught.value.returncode == 2


def test_the_console_command_names_the_unit_of_a_huge_area_without_a_traceback(tmp_path):
    path = tmp_path / "huge.json"
    units = [*GOOD["units"], {"id": "9-901", "area": "1e30", "owner": "x"}]
    path.write_text(json.dumps({**GOOD, "units": units}), encoding="utf-8")
    bad = subprocess.run(  # noqa: S603 (our own console script)
        [sys.executable, "-m", "gongzhi.cli", "tally", str(path)], capture_output=True, text=True, check=False
    )
    assert bad.returncode == 2
    assert "9-901" in bad.stderr and "Traceback" not in bad.stderr


def test_an_area_with_four_places_is_counted_exactly(tmp_path):
    units = [{"id": "a", "area": "10.0001", "owner": "p"}, {"id": "b", "area": "9.9999", "owner": "q"}]
    outcome = run(tmp_path, {"matter": 4, "units": units, "ballots": [{"owner": "p", "choice": "yes"}]})
    assert outcome["total_area"] == "20.00"
    assert outcome["participating_area"] == "10.0001"


# ---- the developer counts as one owner (SPC interpretation art. 9; issue 11) -----------------------

TWO_DEVELOPER_RECORDS = {
    "matter": 4,
    "units": [
        {"id": "1", "area": "80.00", "owner": "KF-1", "developer": True},
        {"id": "2", "area": "80.00", "owner": "KF-1", "developer": True},
        {"id": "3", "area": "80.00", "owner": "KF-2", "developer": True},
        {"id": "4", "area": "80.00", "owner": "p1"},
        {"id": "5", "area": "80.00", "owner": "p2"},
    ],
    "ballots": [{"owner": "p1", "choice": "yes"}, {"owner": "KF-2", "choice": "no"}],
}


def test_two_developer_records_count_as_one_owner(tmp_path):
    outcome = run(tmp_path, TWO_DEVELOPER_RECORDS)
    assert outcome["total_owners"] == 3  # the developer (KF-1 and KF-2 together), p1, p2
    assert outcome["total_units"] == 5
    assert (outcome["participating_owners"], outcome["participating_area"]) == (2, "320.00")
    assert (outcome["disagreeing_owners"], outcome["disagreeing_area"]) == (1, "240.00")
    assert outcome["quorum_met"] is True  # owners 2/3, area 320/400


def test_two_ballots_of_the_developer_are_a_duplicate(tmp_path):
    ballots = [*TWO_DEVELOPER_RECORDS["ballots"], {"owner": "KF-1", "choice": "yes"}]
    with pytest.raises(CommandError) as caught:
        run(tmp_path, {**TWO_DEVELOPER_RECORDS, "ballots": ballots})
    assert caught.value.returncode == 2
    assert "KF-1" in str(caught.value) and "建设单位" in str(caught.value)


@pytest.mark.parametrize("flag", ["yes", 1, None, "true"])
def test_the_developer_flag_must_be_a_boolean(tmp_path, flag):
    units = [*GOOD["units"], {"id": "9-901", "area": "1.00", "owner": "x", "developer": flag}]
    with pytest.raises(CommandError) as caught:
        run(tmp_path, {**GOOD, "units": units})
    assert caught.value.returncode == 2 and "9-901" in str(caught.value)


def test_an_owner_both_developer_and_buyer_is_refused(tmp_path):
    units = [*GOOD["units"], {"id": "9-901", "area": "1.00", "owner": "buyer-b", "developer": True}]
    with pytest.raises(CommandError) as caught:
        run(tmp_path, {**GOOD, "units": units})
    assert caught.value.returncode == 2 and "buyer-b" in str(caught.value)
