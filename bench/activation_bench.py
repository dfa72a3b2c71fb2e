"""Time a batch of owner activation letters (a benchmark, not a test): an estate of 400 owners, the
codes issued through ``letters_issue`` and the A4 PDF rendered through ``letters_pdf``.

    .venv/bin/python bench/activation_bench.py [--owners 400]

Runs on a scratch SQLite database in a temporary directory; prints JSON with the seconds spent
issuing (database) and rendering (WeasyPrint), the pages and the PDF size.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--owners", type=int, default=400)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    tmp = tempfile.mkdtemp(prefix="gz-activation-bench-")
    os.environ["GONGZHI_VAR_DIR"] = tmp
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from gongzhi.core.models import Role, RoleGrant, User
    from gongzhi.core.pdf import pdf_text
    from gongzhi.portal.documents import letters_pdf
    from gongzhi.portal.services import letters_issue
    from gongzhi.registry import models as r

    street = r.Street.objects.create(name="基准街道")
    area = r.Area.objects.create(street=street, name="基准居民区")
    estate = r.Estate.objects.create(area=area, name="基准小区", build_year=1990)
    buildings = [r.Building.objects.create(estate=estate, number=f"{n}号") for n in range(1, 21)]
    owners = r.Owner.objects.bulk_create(
        r.Owner(street=street, ref=f"B-{i:04d}", name=f"业主{i:04d}") for i in range(args.owners)
    )
    r.Unit.objects.bulk_create(
        r.Unit(
            building=buildings[i % 20],
            number=f"{i // 20 + 1:02d}{i % 4 + 1:02d}",
            area=Decimal("65.40"),
            owner=o,
        )
        for i, o in enumerate(owners)
    )
    committee = User.objects.create_user(username="oc")  # no password: never logs in
    RoleGrant.objects.create(user=committee, role=Role.OC_MEMBER, estate=estate)

    started = time.perf_counter()
    letters = letters_issue(actor=committee, estate=estate)
    issued = time.perf_counter()
    content = letters_pdf(
        estate=estate, letters=letters, activate_url="https://gongzhi.example.cn/my/activate/"
    )
    rendered = time.perf_counter()
    pages = pdf_text(content).count("\f")
    print(
        json.dumps(
            {
                "owners": len(letters),
                "issue_seconds": round(issued - started, 2),
                "pdf_seconds": round(rendered - issued, 2),
                "seconds_per_letter": round((rendered - started) / max(1, len(letters)), 3),
                "pages": pages,
                "pdf_kb": len(content) // 1024,
            }
        )
    )


if __name__ == "__main__":
    main()
