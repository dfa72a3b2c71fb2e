"""No fee change without a basis, in a real browser against a real server (docs/FEES.md §1):

staff_x of the managing company tries to raise estate A1's property fee to 1.80 yuan/m² with the basis
“业主共同决定” and the reference “无” and is refused with a plain Chinese message (nothing is written);
oc_a1, on a phone, sets 1.10 yuan/m² on the owners' passed decision (art. 278 matter 4), and the fee page and
the public disclosure book show the standard with a link to that decision.

Screenshots go to var/screenshots/fee-*.png for a person to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from gongzhi.core.testing import PASSWORD, build_world
from gongzhi.fees.models import FeeStandard
from gongzhi.fees.tests.conftest import counted_decision

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def live_world(transactional_db):
    return build_world()


def login(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/accounts/login/" not in page.url, f"{username} could not log in"


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"fee-{name}.png"), full_page=True)


def test_the_company_is_refused_and_the_committee_sets_the_fee_on_a_passed_decision(
    browser, live_server, live_world
):
    base = live_server.url
    a1 = live_world.estate_a1.pk

    company = browser.new_context(viewport={"width": 1280, "height": 900})
    staff = company.new_page()
    login(staff, base, "staff_x")
    staff.goto(f"{base}/fees/{a1}/standard/")
    assert "只能提出建议" in staff.inner_text(".fees-notice")
    staff.select_option("#id_kind", "property_residential")
    staff.fill("#id_amount", "1.80")
    staff.select_option("#id_unit", "yuan_m2_month")
    staff.fill("#id_effective_from", timezone.localdate().isoformat())
    staff.select_option("#id_basis", "owners_assembly")
    staff.fill("#id_basis_reference", "无")
    staff.click("form.wide-fields button[type=submit]")
    staff.wait_for_load_state("networkidle")
    error = staff.inner_text("ul.errorlist")
    assert "物业服务企业不能自行设定或调整收费标准" in error and "提出收费标准建议" in error
    shot(staff, "company-refused")
    assert not FeeStandard.objects.exists()
    company.close()

    decision = counted_decision(live_world, matter=4, closed_days_ago=3)
    assert decision.passed is True
    day = timezone.localdate(decision.closed_at)

    committee = browser.new_context(**PHONE)
    phone = committee.new_page()
    login(phone, base, "oc_a1")
    phone.goto(f"{base}/fees/{a1}/standard/")
    assert phone.locator(".fees-notice").count() == 0
    phone.select_option("#id_kind", "property_residential")
    phone.fill("#id_amount", "1.10")
    phone.select_option("#id_unit", "yuan_m2_month")
    phone.fill("#id_effective_from", day.isoformat())
    phone.select_option("#id_basis", "owners_assembly")
    phone.select_option("#id_decision", str(decision.pk))
    phone.click("form.wide-fields button[type=submit]")
    phone.wait_for_load_state("networkidle")
    assert phone.url.rstrip("/").endswith(f"/fees/{a1}"), phone.url
    standard = FeeStandard.objects.get()
    assert (standard.amount_text, standard.basis_decision_id) == ("1.10", decision.pk)
    assert phone.locator(f'a[href="/decide/{decision.pk}/"]').count() >= 1  # in force and in the history
    shot(phone, "committee-set")
    committee.close()

    # In force since the count three days ago: the public book lists it with a link to the decision.
    public = browser.new_context(**PHONE).new_page()
    public.goto(f"{base}/disclosure/{a1}/")
    assert public.locator(f'a[href="/decide/{decision.pk}/"]').count() == 1
    assert "1.10 元/m²/月" in public.content()
    shot(public, "book-basis")
