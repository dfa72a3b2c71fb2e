"""The ledger list of a street admin in a real browser: the balances come at once and the check of every hash
chain of the street fills its panel by itself (htmx, /finance/chain-check/). (A broken chain in that panel:
gongzhi/finance/tests/test_pages.py, which may drop the append-only trigger inside its rolled-back
transaction.) Screenshot: var/screenshots/finance-chain-check.png."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.core.testing import build_world
from gongzhi.finance.services import ledger_post
from tests.browser.test_fee_basis import SCREENSHOTS, login

pytestmark = pytest.mark.browser


@pytest.fixture
def live_world(transactional_db):
    world = build_world()
    yield world
    # The flush after a transactional test is refused by the append-only ledger: empty it the one
    # sanctioned way, as the demo reset does (test_browser_disclosure.py does the same).
    from gongzhi.finance.maintenance import purge_demo_ledgers
    from gongzhi.registry.models import Street

    Street.objects.filter(pk=world.street.pk).update(is_demo=True)
    world.street.refresh_from_db()
    purge_demo_ledgers(world.street)


def test_the_chain_check_fills_its_panel_after_the_list(browser, live_server, live_world):
    world = live_world
    for amount in ("10.00", "20.00"):
        ledger_post(
            actor=world.user("oc_a1"),
            estate=world.estate_a1,
            ledger="maintenance_fund",
            date=timezone.localdate() - dt.timedelta(days=3),
            direction="in",
            amount=amount,
            summary="维修资金续筹",
        )
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    login(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/finance/")
    page.locator("#chain-check .chain-ok").wait_for()
    assert page.locator("#chain-check").inner_text().endswith("链完整：共校验 1 本账。")
    assert "30.00" in page.locator("table.data").inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "finance-chain-check.png"), full_page=True)
