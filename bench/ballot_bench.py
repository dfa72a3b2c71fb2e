"""Online ballots against the insert ceiling, on PostgreSQL (issue 17, benchmark P2; a benchmark, not a test).

    .venv/bin/python bench/ballot_bench.py                     # a throwaway PostgreSQL cluster of its own
    .venv/bin/python bench/ballot_bench.py --database-url postgres://postgres@127.0.0.1:5432/gongzhi

One estate of ``--units`` units (default 12,500: the largest single estates), grouped into owners as
the registry does it (most owners one unit, some two, the developer's unsold units one owner), a
user with the owner role for every person owner. For each level of ``--voters`` (default 32 and 256
concurrent voters, each a thread with its own database connection, spread over ``--procs``
processes) a decision is published freshly (the situation of a real vote: its electorate rows are
new to the planner) and the voters cast ``--casts`` ballots through ``services.ballot_cast``, one
owner after another, 10 % of them changing their vote later. As in a web request, each voter's
scope is computed once beforehand (the view's door does that) and the decision is loaded as the
view loads it; only the service call is timed.

In the same run, with the same processes and threads, the ceiling: the same number of plain ORM
inserts (``Model.objects.create`` in autocommit) into a table of the same columns, indexes and
foreign keys as ``voting_ballotcast``, measured before and after the ballots (their mean is the
ceiling). Printed: ballots/s, p50/p99 latency, lost and doubled ballots (checked against the
threads' own logs), and the ratio to the ceiling (goal ≥ 0.5).

Without ``--database-url`` the bench starts its own PostgreSQL cluster (initdb on a free port,
``max_connections`` 300, otherwise the defaults: fsync and synchronous commit on) because 256
voters need more connections than a default server allows; it is stopped and removed at the end.
With ``--database-url`` a scratch database ``<name>_ballot_bench`` is created on that server and
dropped afterwards; the named database itself is never touched.
"""

# ruff: noqa: S603, S607 — runs the PostgreSQL tools and itself, with arguments it builds

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path("/usr/lib/postgresql/15/bin")


# ---- the measured part (runs in the child process, with Django set up) ------------------------------


def build_estate(units_wanted: int):
    """A street, an estate of ``units_wanted`` units and a user per person owner."""
    from decimal import Decimal

    from gongzhi.core.models import Role, RoleGrant, User
    from gongzhi.registry import models as r

    rng = random.Random(17)
    street = r.Street.objects.create(name="压测街道", district="浦东新区")
    area = r.Area.objects.create(street=street, name="压测居民区")
    estate = r.Estate.objects.create(area=area, name="压测小区", build_year=2005, address="压测路1号")
    admin = User.objects.create(username="bench_admin", password="!")  # noqa: S106 — unusable password
    RoleGrant.objects.create(user=admin, role=Role.STREET_ADMIN, street=street)
    buildings = r.Building.objects.bulk_create(
        [r.Building(estate=estate, number=f"{n}号", floors=18) for n in range(1, 51)]
    )
    developer_units = units_wanted // 60  # the developer's unsold units: one owner (SPC art. 9)
    doubles = units_wanted // 40  # owners of two units: one owner each
    persons = units_wanted - developer_units - doubles
    owners = r.Owner.objects.bulk_create(
        [r.Owner(street=street, ref=f"P{i:06d}", name=f"业主{i}") for i in range(persons)], batch_size=2000
    )
    developer = r.Owner.objects.create(street=street, ref="KF", name="开发商", kind="developer")
    units = []
    for i, owner in enumerate(owners):
        for k in range(2 if i < doubles else 1):
            units.append(
                r.Unit(
                    building=buildings[(i + k) % len(buildings)],
                    number=f"{i:06d}-{k}",
                    area=Decimal(rng.randint(3500, 16000)) / 100,
                    owner=owner,
                )
            )
    for k in range(developer_units):
        units.append(
            r.Unit(
                building=buildings[k % len(buildings)],
                number=f"KF-{k}",
                area=Decimal("95.50"),
                owner=developer,
            )
        )
    units = r.Unit.objects.bulk_create(units, batch_size=2000)
    users = User.objects.bulk_create(
        [User(username=f"bench_owner{i}", password="!") for i in range(persons)],  # noqa: S106
        batch_size=2000,
    )
    first_unit = {}
    for unit in units:
        first_unit.setdefault(unit.owner_id, unit)
    RoleGrant.objects.bulk_create(
        [
            RoleGrant(user=u, role=Role.OWNER, unit=first_unit[o.pk])
            for u, o in zip(users, owners, strict=True)
        ],
        batch_size=2000,
    )
    return admin, estate, [u.pk for u in users], len(units)


_CEILING = None


def ceiling_model():
    """A plain table with the columns, indexes and foreign keys of ``voting_ballotcast`` (no trigger)."""
    global _CEILING  # noqa: PLW0603 — one model class per process
    if _CEILING is not None:
        return _CEILING
    from django.conf import settings
    from django.db import models

    class CeilingRow(models.Model):
        decision = models.ForeignKey("voting.Decision", on_delete=models.CASCADE, related_name="+")
        voter = models.ForeignKey("voting.ElectorateOwner", on_delete=models.CASCADE, related_name="+")
        seal = models.CharField(max_length=64)
        channel = models.CharField(max_length=10)
        collector_name = models.CharField(max_length=60, blank=True)
        proxy_name = models.CharField(max_length=60, blank=True)
        authorisation = models.CharField(max_length=255, blank=True)
        cast_at = models.DateTimeField()
        cast_by = models.ForeignKey(
            settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
        )
        receipt = models.CharField(max_length=32, unique=True)

        class Meta:
            app_label = "voting"
            db_table = "bench_ceiling_row"

        def __str__(self) -> str:
            return self.receipt

    _CEILING = CeilingRow
    return CeilingRow


def plan_casts(
    user_pks: list[int], casts: int, voters: int, rng: random.Random
) -> list[list[tuple[int, str]]]:
    """Per voter thread, (user pk, choice) in order: each owner once, 10 % of them again later."""
    firsts = int(casts / 1.1)
    people = rng.sample(user_pks, min(firsts, len(user_pks)))
    plans: list[list[tuple[int, str]]] = [[] for _ in range(voters)]
    for n, pk in enumerate(people):
        plans[n % voters].append((pk, rng.choice(["yes", "no", "abstain"])))
    for n, pk in enumerate(people[: casts - len(people)]):
        plans[n % voters].append((pk, rng.choice(["yes", "no", "abstain"])))  # a change, same thread
    return plans


def run_threads(kind: str, plans, decision_pk: int, voter_pks: list[int], start_barrier, out_queue) -> None:
    """One process: a thread (own connection) per plan; puts (latencies, done, errors) on the queue."""
    import threading

    from django.db import connections
    from django.utils import timezone

    from gongzhi.core.models import User
    from gongzhi.core.scopes import scope_for
    from gongzhi.voting import services
    from gongzhi.voting.models import Decision

    model = ceiling_model() if kind == "ceiling" else None
    latencies: list[float] = []
    done: list[tuple[int, str, str]] = []
    errors: list[str] = []
    local_barrier = threading.Barrier(len(plans) + 1)

    def worker(plan) -> None:
        try:
            people = {u.pk: u for u in User.objects.filter(pk__in=[pk for pk, _ in plan])}
            for person in people.values():
                scope_for(person)  # computed once per request by the view's door, as in a real request
            decision = Decision.objects.select_related("estate__area").get(pk=decision_pk)
            mine: list[float] = []
            local_barrier.wait(timeout=600)
            for n, (pk, choice) in enumerate(plan):
                started = time.perf_counter()
                if model is None:
                    ballot = services.ballot_cast(actor=people[pk], decision=decision, choice=choice)
                    receipt = ballot.receipt
                else:
                    receipt = services.new_receipt()
                    model.objects.create(
                        decision_id=decision_pk,
                        voter_id=voter_pks[(pk + n) % len(voter_pks)],  # another owner's row each time
                        seal="0" * 64,
                        channel="online",
                        cast_at=timezone.now(),
                        cast_by=people[pk],
                        receipt=receipt,
                    )
                mine.append(time.perf_counter() - started)
                done.append((pk, choice, receipt))
            latencies.extend(mine)
        except BaseException as error:  # noqa: BLE001 — reported, the run fails
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(plan,)) for plan in plans]
    for thread in threads:
        thread.start()
    local_barrier.wait(timeout=600)  # every thread connected and ready
    start_barrier.wait(timeout=600)  # every process ready
    for thread in threads:
        thread.join()
    out_queue.put((latencies, done, errors))


def run_level(kind: str, plans, procs: int, decision_pk: int, voter_pks: list[int]) -> dict:
    """Fork ``procs`` processes sharing the plans; time from the common start to the last cast."""
    import multiprocessing

    from django.db import connections

    connections.close_all()  # nothing open across the fork
    ctx = multiprocessing.get_context("fork")
    start_barrier = ctx.Barrier(procs + 1)
    queue = ctx.Queue()
    shares = [plans[p::procs] for p in range(procs)]
    children = [
        ctx.Process(target=run_threads, args=(kind, share, decision_pk, voter_pks, start_barrier, queue))
        for share in shares
    ]
    for child in children:
        child.start()
    start_barrier.wait(timeout=600)
    started = time.perf_counter()
    results = [queue.get(timeout=3600) for _ in children]
    seconds = time.perf_counter() - started
    for child in children:
        child.join()
    latencies = sorted(x for r in results for x in r[0])
    done = [x for r in results for x in r[1]]
    errors = [x for r in results for x in r[2]]

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else float("nan")

    return {
        "n": len(done),
        "seconds": seconds,
        "per_s": len(done) / seconds,
        "p50_ms": pct(0.50) * 1000,
        "p99_ms": pct(0.99) * 1000,
        "done": done,
        "errors": errors,
    }


def check_ballots(decision_pk: int, done) -> dict:
    """Lost: a cast the voter was told of that is not stored. Doubled: more than one ballot per owner,
    or a current ballot that is not the owner's last cast."""
    from gongzhi.voting.models import Ballot, BallotCast

    casts = dict(BallotCast.objects.filter(decision_id=decision_pk).values_list("receipt", "voter_id"))
    lost = sum(1 for _pk, _choice, receipt in done if receipt not in casts)
    ballots = list(Ballot.objects.filter(decision_id=decision_pk).values_list("voter_id", "receipt", "casts"))
    voters = {v for v, _r, _c in ballots}
    doubled = len(ballots) - len(voters)
    last: dict[int, str] = {}
    for receipt, voter_id in (
        BallotCast.objects.filter(decision_id=decision_pk).order_by("pk").values_list("receipt", "voter_id")
    ):
        last[voter_id] = receipt
    doubled += sum(1 for v, receipt, _c in ballots if last.get(v) != receipt)
    expected_owners = len({pk for pk, _c, _r in done})
    return {
        "lost": lost + abs(len(casts) - len(done)),
        "doubled": doubled,
        "ballots": len(ballots),
        "owners_expected": expected_owners,
        "casts_stored": len(casts),
        "casts_sum": sum(c for _v, _r, c in ballots),
    }


def child(args) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    import django

    django.setup()
    import datetime as dt

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from gongzhi.voting import services
    from gongzhi.voting.models import Decision, ElectorateOwner

    assert connection.vendor == "postgresql", "the ballot bench runs on PostgreSQL"
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    figures: dict = {"migrate_s": round(time.perf_counter() - started, 1)}
    started = time.perf_counter()
    admin, estate, user_pks, units = build_estate(args.units)
    figures["build_s"] = round(time.perf_counter() - started, 1)
    figures["units"] = units
    model = ceiling_model()
    with connection.schema_editor() as editor:
        editor.create_model(model)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # the registry as a running server would know it; the vote is new
    rng = random.Random(2026)
    levels = []
    for voters in args.voters:
        now = timezone.now()
        decision = services.decision_create(
            actor=admin,
            estate=estate,
            title=f"压测表决 {voters}",
            matter=4,
            text="是否续聘物业服务企业。",
            opens_at=now,
            closes_at=now + dt.timedelta(days=7),
        )
        started = time.perf_counter()
        services.decision_publish(actor=admin, decision=decision, now=now)
        publish_s = time.perf_counter() - started
        decision = Decision.objects.get(pk=decision.pk)
        voter_pks = list(ElectorateOwner.objects.filter(decision=decision).values_list("pk", flat=True))
        plans = plan_casts(user_pks, args.casts, voters, rng)
        procs = min(args.procs, voters)
        before = run_level("ceiling", plans, procs, decision.pk, voter_pks)
        ballots = run_level("ballots", plans, procs, decision.pk, voter_pks)
        after = run_level("ceiling", plans, procs, decision.pk, voter_pks)
        checks = check_ballots(decision.pk, ballots["done"])
        ceiling = (before["per_s"] + after["per_s"]) / 2
        level = {
            "voters": voters,
            "procs": procs,
            "electorate_owners": decision.total_owners,
            "publish_s": round(publish_s, 2),
            "ballots": {k: v for k, v in ballots.items() if k != "done"},
            "ceiling": {
                "per_s": ceiling,
                "runs_per_s": [before["per_s"], after["per_s"]],
                "p50_ms": (before["p50_ms"] + after["p50_ms"]) / 2,
                "p99_ms": (before["p99_ms"] + after["p99_ms"]) / 2,
                "errors": before["errors"] + after["errors"],
            },
            "checks": checks,
            "ratio": ballots["per_s"] / ceiling,
        }
        levels.append(level)
        print(json.dumps({"level": level}, ensure_ascii=False, default=str), flush=True)  # noqa: T201
    figures["levels"] = levels
    print(json.dumps({"figures": figures}, ensure_ascii=False, default=str), flush=True)  # noqa: T201


# ---- the parent: a database to run on, the child, the report ------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the postgres user then."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class OwnCluster:
    """A throwaway cluster on a free port of 127.0.0.1 (trust authentication, removed at the end)."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="gongzhi-ballot-bench-"))
        self.port = free_port()

    def __enter__(self) -> str:
        os.chmod(self.dir, 0o777)  # noqa: S103 — the postgres user writes its cluster here; removed at exit
        data = self.dir / "data"
        subprocess.run(
            as_postgres(
                [str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync"]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.dir} "
            "-c max_connections=300"
        )
        subprocess.run(
            as_postgres(
                [
                    str(PG_BIN / "pg_ctl"),
                    "-D",
                    str(data),
                    "-o",
                    options,
                    "-l",
                    str(self.dir / "log"),
                    "-w",
                    "start",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def __exit__(self, *exc) -> None:
        subprocess.run(
            as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "fast", "-w", "stop"]),
            check=False,
            stdout=subprocess.DEVNULL,
        )
        shutil.rmtree(self.dir, ignore_errors=True)


def run_on(url: str, args) -> dict:
    parts = urlsplit(url)
    name = (parts.path.lstrip("/") or "postgres") + "_ballot_bench"
    admin = urlunsplit(parts._replace(path="/postgres"))
    scratch = urlunsplit(parts._replace(path="/" + name))
    subprocess.run(["psql", admin, "-qc", f'DROP DATABASE IF EXISTS "{name}"'], check=True)
    subprocess.run(["psql", admin, "-qc", f'CREATE DATABASE "{name}"'], check=True)
    try:
        with tempfile.TemporaryDirectory() as var:
            env = {**os.environ, "DATABASE_URL": scratch, "GONGZHI_VAR_DIR": var}
            command = [
                sys.executable,
                __file__,
                "--child",
                "--units",
                str(args.units),
                "--casts",
                str(args.casts),
            ]
            command += ["--procs", str(args.procs), "--voters", ",".join(map(str, args.voters))]
            out = subprocess.run(command, env=env, check=True, capture_output=True, text=True, cwd=ROOT)
    except subprocess.CalledProcessError as error:
        sys.stderr.write(error.stdout + error.stderr)
        raise
    finally:
        subprocess.run(["psql", admin, "-qc", f'DROP DATABASE IF EXISTS "{name}"'], check=False)
    for line in out.stdout.splitlines():
        if line.startswith('{"figures"'):
            return json.loads(line)["figures"]
    raise RuntimeError(out.stdout + out.stderr)


def report(figures: dict) -> None:
    print(  # noqa: T201
        f"electorate: {figures['units']:,} units; migrate {figures['migrate_s']} s, build {figures['build_s']} s"
    )
    for level in figures["levels"]:
        b, c, k = level["ballots"], level["ceiling"], level["checks"]
        print(  # noqa: T201
            f"\n{level['voters']} concurrent voters ({level['procs']} processes), "
            f"{level['electorate_owners']:,} owners, publish {level['publish_s']} s\n"
            f"  ballots  {b['n']:>6,} in {b['seconds']:.1f} s = {b['per_s']:8.0f}/s   "
            f"p50 {b['p50_ms']:7.1f} ms  p99 {b['p99_ms']:7.1f} ms   errors {len(b['errors'])}\n"
            f"  ceiling  plain ORM insert {c['per_s']:8.0f}/s (runs {c['runs_per_s'][0]:.0f}, "
            f"{c['runs_per_s'][1]:.0f})   p50 {c['p50_ms']:7.1f} ms  p99 {c['p99_ms']:7.1f} ms\n"
            f"  lost {k['lost']}, doubled {k['doubled']} ({k['ballots']:,} ballots for "
            f"{k['owners_expected']:,} owners, {k['casts_stored']:,} casts stored)\n"
            f"  ratio to the ceiling: {level['ratio']:.2f} (goal ≥ 0.5)"
        )
        for error in b["errors"][:3] + c["errors"][:3]:
            print("  error:", error)  # noqa: T201


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url", help="a PostgreSQL server (default: a throwaway cluster of its own)"
    )
    parser.add_argument("--units", type=int, default=12_500)
    parser.add_argument("--casts", type=int, default=6_000, help="ballots per level")
    parser.add_argument("--voters", type=lambda s: [int(x) for x in s.split(",")], default=[32, 256])
    parser.add_argument("--procs", type=int, default=2, help="processes the voter threads are spread over")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    if args.database_url:
        figures = run_on(args.database_url, args)
    else:
        with OwnCluster() as url:
            figures = run_on(url, args)
    report(figures)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))  # noqa: T201


if __name__ == "__main__":
    main()
