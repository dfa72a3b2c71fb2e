"""`gongzhi tally` and `gongzhi ledger verify` against the simplest correct code, in the same run (issue 17,
P4 and P5). A benchmark, not a test: it prints figures and ratios, it passes or fails nothing.

    .venv/bin/python bench/cli_bench.py                      # 12,500 units / 10,000 ballots; 1,000,000 entries
    .venv/bin/python bench/cli_bench.py --entries 200000 --runs 3

Inputs are generated in a temporary directory: a §6 tally file (12,500 units of 30–150 m², one owner in ten
with two units, the developer's unsold units under two records; 10,000 ballots) and one §6 ledger of N
entries chained with the real hash rule (``finance.rules.canonical_json``, the bytes `gongzhi ledger export`
writes). Each program then runs as a subprocess, alternately, ``--runs`` times:

  tally    `gongzhi tally FILE` (the console path, no Django)         ceiling: a minimal exact Fraction tally
           `gongzhi tally FILE -v 1` (the same through Django)        (for reference: the web stack's start-up)
  verify   `gongzhi ledger verify FILE` (streams, no Django)          ceiling: the page's own verify script
                                                                      (finance/views/public.py VERIFY_SCRIPT)
Per program the median wall time and the median CPU time (user + system of the child) are printed; the
ratios are CPU-time ratios (the machine is shared: wall time includes waiting for a core), wall ratios
beside them. Goals (issue 17): tally ≤ 2× the minimal tally; verify ≥ 0.18 M entries/s and ≥ the script.
Both programs' answers are compared (the same outcome, the same count, balance and last hash).
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gongzhi.finance.rules import canonical_json  # noqa: E402 (after the path)

GONGZHI = str(ROOT / ".venv" / "bin" / "gongzhi")
PYTHON = sys.executable

MINIMAL_TALLY = """\
import json, sys
from fractions import Fraction

doc = json.load(open(sys.argv[1], encoding="utf-8"))
area, developer = {}, set()
for u in doc["units"]:
    owner = "developer" if u.get("developer") else u["owner"]
    developer.update([u["owner"]] if u.get("developer") else [])
    area[owner] = area.get(owner, 0) + Fraction(u["area"])
votes = {("developer" if b["owner"] in developer else b["owner"]): b["choice"] for b in doc["ballots"]}
total, part = sum(area.values()), sum(area[o] for o in votes)
yes = sum(area[o] for o, c in votes.items() if c == "yes")
yes_owners = sum(1 for c in votes.values() if c == "yes")
quorum = part / total >= Fraction(2, 3) and Fraction(len(votes), len(area)) >= Fraction(2, 3)
if doc["matter"] in (6, 7, 8):
    approved = yes / part >= Fraction(3, 4) and Fraction(yes_owners, len(votes)) >= Fraction(3, 4)
else:
    approved = yes / part > Fraction(1, 2) and Fraction(yes_owners, len(votes)) > Fraction(1, 2)
print(json.dumps({"quorum_met": quorum, "approved": approved, "participating_owners": len(votes)}))
"""


def verify_script() -> str:
    """The 20-line script the public ledger page shows, read from its source (no Django needed)."""
    source = (ROOT / "gongzhi" / "finance" / "views" / "public.py").read_text(encoding="utf-8")
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(
            getattr(t, "id", "") == "VERIFY_SCRIPT" for t in node.targets
        ):
            return ast.literal_eval(node.value)
    raise SystemExit("VERIFY_SCRIPT not found in finance/views/public.py")


def tally_file(path: Path, units: int, ballots: int) -> None:
    rng = random.Random(17)
    rows, owners, number = [], [], 0
    while number < units - 20:
        owner = f"O{len(owners) + 1:06d}"
        owners.append(owner)
        for _unit in range(2 if rng.random() < 0.1 else 1):
            number += 1
            area = f"{rng.randint(3000, 15000) // 100}.{rng.randint(0, 99):02d}"
            rows.append({"id": f"{number // 1000 + 1}-{number:05d}", "area": area, "owner": owner})
    for k in range(units - len(rows)):  # the developer's unsold units, under two records
        rows.append({"id": f"KF-{k}", "area": "88.88", "owner": f"KF-{k % 2}", "developer": True})
    voters = rng.sample(owners, ballots - 1) + ["KF-1"]
    votes = [{"owner": o, "choice": rng.choice(("yes", "yes", "yes", "no", "abstain"))} for o in voters]
    path.write_text(json.dumps({"matter": 6, "units": rows, "ballots": votes}, ensure_ascii=False), "utf-8")


def ledger_file(path: Path, entries: int) -> None:
    rng = random.Random(5)
    prev, balance = "0" * 64, 0
    categories = ("首期归集", "公共收益转入", "电梯维修", "外墙修缮", "屋面防水")
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for seq in range(1, entries + 1):
            inflow = balance < 10_000_000 or rng.random() < 0.6
            cents = rng.randint(1, 5_000_000) if inflow else rng.randint(1, min(balance, 3_000_000))
            balance += cents if inflow else -cents
            entry = {
                "seq": seq,
                "estate": "7",
                "estate_name": "泾北一村",
                "ledger": "maintenance_fund",
                "date": f"20{10 + seq * 16 // entries:02d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                "direction": "in" if inflow else "out",
                "amount": f"{cents // 100}.{cents % 100:02d}",
                "balance": f"{balance // 100}.{balance % 100:02d}",
                "summary": rng.choice(
                    ("首期专项维修资金归集", "3号楼电梯更换（业主大会决定）", "停车费收益")
                ),
                "category": rng.choice(categories),
                "counterparty": "区住房维修资金管理中心",
                "reference": f"PZ-{seq:07d}",
                "project": "",
                "reverses": None,
                "prev_hash": prev,
            }
            entry["hash"] = prev = hashlib.sha256(canonical_json(entry)).hexdigest()
            out.write(json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n")


def run(argv: list[str]) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds of the child, standard output); a failing program stops the bench."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, check=False)  # noqa: S603 (our own programs)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {done.returncode}: {done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def measure(programs: dict[str, list[str]], runs: int) -> dict[str, dict]:
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in programs}
    outputs: dict[str, str] = {}
    for _round in range(runs):
        for name, argv in programs.items():  # alternately, so a busy moment falls on all of them
            wall, cpu, outputs[name] = run(argv)
            times[name].append((wall, cpu))
    return {
        name: {
            "wall_s": statistics.median(w for w, _c in pairs),
            "cpu_s": statistics.median(c for _w, c in pairs),
            "output": outputs[name],
        }
        for name, pairs in times.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--units", type=int, default=12_500)
    parser.add_argument("--ballots", type=int, default=10_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    env_note = f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"

    with tempfile.TemporaryDirectory(prefix="cli-bench-") as tmp:
        work = Path(tmp)
        ballots, ledger = work / "ballots.json", work / "ledger.jsonl"
        minimal, script = work / "minimal_tally.py", work / "verify.py"
        minimal.write_text(MINIMAL_TALLY, encoding="utf-8")
        script.write_text(verify_script(), encoding="utf-8")
        started = time.perf_counter()
        tally_file(ballots, options.units, options.ballots)
        ledger_file(ledger, options.entries)
        print(f"inputs generated in {time.perf_counter() - started:.1f} s ({env_note})", flush=True)

        tally = measure(
            {
                "gongzhi tally": [GONGZHI, "tally", str(ballots)],
                "minimal Fraction tally": [PYTHON, str(minimal), str(ballots)],
                "gongzhi tally (through Django)": [GONGZHI, "tally", str(ballots), "-v", "1"],
            },
            options.runs,
        )
        ours, ceiling = (
            json.loads(tally["gongzhi tally"]["output"]),
            json.loads(tally["minimal Fraction tally"]["output"]),
        )
        agree = all(ours[key] == ceiling[key] for key in ceiling)
        verify = measure(
            {
                "gongzhi ledger verify": [GONGZHI, "ledger", "verify", str(ledger)],
                "20-line verify script": [PYTHON, str(script), str(ledger)],
            },
            max(1, options.runs // 2),
        )
        ours_line = verify["gongzhi ledger verify"]["output"]
        script_words = verify["20-line verify script"]["output"].split()  # OK <count> <balance> <hash>
        same_chain = (
            script_words[1] in ours_line and script_words[2] in ours_line and script_words[3] in ours_line
        )

    def row(name: str, figure: dict, ceiling: dict) -> str:
        return (
            f"  {name:32s} wall {figure['wall_s']:7.3f} s  cpu {figure['cpu_s']:7.3f} s   "
            f"ratio to ceiling: cpu {figure['cpu_s'] / ceiling['cpu_s']:5.2f}  wall {figure['wall_s'] / ceiling['wall_s']:5.2f}"
        )

    print(
        f"\nP4 tally, {options.units:,} units / {options.ballots:,} ballots (median of {options.runs}; {env_note})"
    )
    floor = tally["minimal Fraction tally"]
    print(
        f"  {'minimal Fraction tally':32s} wall {floor['wall_s']:7.3f} s  cpu {floor['cpu_s']:7.3f} s   (ceiling)"
    )
    print(row("gongzhi tally", tally["gongzhi tally"], floor) + "   goal ≤ 2.00")
    print(row("gongzhi tally (through Django)", tally["gongzhi tally (through Django)"], floor))
    print(f"  same outcome (quorum, approval, participating owners): {agree}")

    entries = options.entries
    print(f"\nP5 ledger verify, {entries:,} entries (median of {max(1, options.runs // 2)})")
    simple, gz = verify["20-line verify script"], verify["gongzhi ledger verify"]
    for name, figure in (("20-line verify script", simple), ("gongzhi ledger verify", gz)):
        print(
            f"  {name:32s} wall {figure['wall_s']:7.3f} s  cpu {figure['cpu_s']:7.3f} s   "
            f"{entries / figure['cpu_s'] / 1e6:5.3f} M entries/s by cpu, {entries / figure['wall_s'] / 1e6:5.3f} by wall"
        )
    print(
        f"  gongzhi / script speed: cpu {simple['cpu_s'] / gz['cpu_s']:5.2f}  wall {simple['wall_s'] / gz['wall_s']:5.2f}"
        "   goal ≥ 1.00 and ≥ 0.18 M entries/s"
    )
    print(f"  same count, balance and last hash: {same_chain}")


if __name__ == "__main__":
    main()
