# 挂图作战 — the wall

The street's command-room view (issue #13, DESIGN.md §4 item 7): every estate of the street coloured red /
amber / green by one chosen indicator or by the overall state, one block per area, with each estate's
health card (every indicator, the number behind its colour and a link to the evidence).

## Where it lives

- `gongzhi/wall/indicators.py` — every indicator in one module: a pure measure (facts → number), the
  number → colour rule, a one-line Chinese explanation shown on the page, the default thresholds. Adding
  an indicator is one measure function and one `register(Indicator(…))`.
- `gongzhi/wall/facts.py` — one gatherer per fact source (problems, closure, finance, disclosure,
  evaluation, committee, voting, branch, fees): a fixed number of set-based queries for any number of
  estates, reusing the apps' selectors (finance `money_alerts` and `disclosure_status`, voting
  `participation_many`, branchwork `compliance`).
- Kept aggregates (`wall/models.py`): `EstateStatus` (estate, indicator, value, colour, detail JSON,
  computed_at; unique per estate and indicator), `StatusSnapshot` (month, estate, indicator, value,
  colour) for the trends, `WallRule` (the street's own thresholds per indicator).
- `wall/services.py`: `status_refresh(estate_ids=None, sources=None)` recomputes set-wise and upserts;
  `status_check()` recomputes in memory and lists every drift in Chinese; `snapshot_take()` copies the
  kept rows into the month's snapshot; `snapshots_rebuild()` recomputes past months from the dated facts;
  `wallrule_set` / `wallrule_reset` (street admin, audited) recolour the street's estates.
- The hook `core/kept.py` `facts_changed(estate_id, source, …)`: the services that change facts call it
  inside their transaction; on commit the wall refreshes those estates and sources, once per transaction
  (problems: report and every workflow step, deadline recount; finance: ledger entries, disclosures,
  schedules, the initial fund, evidence; fees: monthly collections; voting: first casts, publication,
  close; evaluation: campaign recompute; registry: committees, committee members, contracts; elections:
  a committee installed from an election). Not hooked (the nightly recompute catches them): branch
  patrols and meetings, bottom-elimination steps, the passing of time (deadlines, terms, live votes).
- `gongzhi status --recompute` (nightly and on demand; also takes this month's snapshot) and
  `gongzhi status --check` (exit code 1 on drift). The clock-bound indicators (overdue problems, term
  days, live votes, disclosure days) change at midnight without any write: the check run just after
  midnight, before the nightly recompute, reports them.
- The pages read only the kept tables and the registry's names: `/wall/` (the street; an area secretary
  or branch member sees their area, a company its estates), `/wall/area/<id>/`, `/wall/company/<id>/`,
  `/wall/estate/<id>/` (the health card), `/wall/estate/<id>/card/` (the card fragment the wall loads on
  hover or focus), `/wall/rules/` (the street admin's thresholds). Residents, owners' committees and
  evaluators get 403. The query count does not depend on the number of estates
  (`wall/tests/test_wall.py`).

## The indicators

| key | 名称 | definition | unit | default colours |
|---|---|---|---|---|
| problems_overdue | 超期问题 | accepted problems (待整改, 整改中) past their deadline | items | ≥ 3 red, ≥ 1 amber |
| problems_open | 未销项问题 | problems reported and not closed (待受理 … 待验收) | items | ≥ 15 red, ≥ 8 amber |
| closure_on_time | 按期销项率 | of the problems closed in the last 365 days, the share submitted for acceptance by the deadline | % | < 75 red, < 90 amber |
| fund_health | 资金预警 | finance's money alerts: fund under 30 % of the initial amount, uses without an owners' decision, uses without a price audit, public income transferred short of half | alerts | ≥ 3 red, ≥ 1 amber |
| disclosure_overdue | 公开逾期 | days overdue of the most overdue ledger disclosure (finance's schedule) | days | ≥ 31 red, ≥ 1 amber |
| ranking | 排名与淘汰 | class of the managing company in the latest recomputed campaign (1 标杆, 2 保持, 3 提升, 4 末位候选); 4 when that company is 拟淘汰 or 淘汰 in an open bottom elimination | class | ≥ 4 red, ≥ 3 amber |
| committee_term | 业委会任期 | days until the sitting committee's term ends (negative: ended; no committee: no data) | days | < 0 red, < 150 amber |
| committee_vacancies | 业委会缺额 | members short of 5 on the sitting committee | people | ≥ 2 red, ≥ 1 amber |
| party_share | 党员比例 | party members on the sitting committee | % | < 40 red, < 55 amber (target 55 %) |
| cross_share | 交叉任职比例 | members cross-appointed with the residents' committee | % | < 25 red, < 40 amber (target 40 %) |
| votes_short | 表决未达法定人数 | live owners' votes short of the two-thirds quorum (owners or area) | votes | ≥ 2 red, ≥ 1 amber |
| branch_rhythm | 支部运行节奏 | last full week: the area branch's patrol and meeting gaps, plus this estate's overdue committee meetings and late decision postings (branchwork's compliance) | gaps | ≥ 3 red, ≥ 1 amber |
| fee_collection | 物业费收缴率 | collected ÷ billed over the 12 calendar months to date; the contract's recorded rate when there are no monthly rows | % | < 70 red, < 85 amber |
| overall | 综合状态 | two or more red indicators: red; one red or any amber: amber; otherwise green; the number is the count of reds | reds | (not editable) |

No number means no colour (无数据, grey), never green. Every colour carries an icon and a word
(▲ 红, ● 黄, ✓ 绿, — 无数据).

## The trends

`StatusSnapshot` keeps one row per month, estate and indicator. The nightly recompute takes the current
month's snapshot; the demo rebuilds 18 months back, each month recomputed as of its last day from the dated
facts: problems by their reported / submitted / closed dates, ledger alerts from the day they arose, fee
collections by month, committee terms by their dates, live votes by their windows, evaluation campaigns by
their period. Committee membership and the disclosure schedule are taken as they stand today.

## The map, the big screen and the public wall

- **The offline map** (`/wall/map/`, the door's estates, any indicator): each estate drawn where it lies,
  coloured by the indicator, with the vendored full ECharts build (`wall/static/wall/vendor/echarts.min.js`,
  6.1.0 — the common build in `core/static/vendor` has no geo/map component) and `registerMap` over the
  street's own GeoJSON (`wall/static/wall/map.js`): outlines are regions of the geo component, centre points a
  scatter layer on it. No tile server, no internet. Each estate is labelled with its state's icon (▲ ● ✓ —)
  and the tooltip names the state and the number, so colour is never the only signal; the same estates are
  listed below the map, and at 390 px only the list is shown. Estates without a place stay on the grid and
  the list ("N 个小区还没有位置").
- **Geometry** (`EstateGeometry`: one GeoJSON geometry per estate — Polygon, MultiPolygon or Point;
  longitude −180…180, latitude −90…90, rings closed with at least 4 positions, at most 2,000 positions per
  estate, files up to 2 MB / 5,000 features; pure rules in `wall/geometry.py`). The street admin imports a
  FeatureCollection at `/wall/map/geometry/` (`services_screen.geometry_import`): features are matched by
  their `estate_id` property, else by `name` (unique in the street); one unmatched, duplicated or invalid
  feature refuses the whole file with every reason listed in Chinese; one audit event (导入) with the
  counts. `/wall/map/geometry/export/` writes the same format back (estate_id, name, area). The demo street
  gets a FICTIONAL schematic town grid (`geometry.demo_layout`, deterministic in the seed; every seventh
  estate only a centre point) through the same import service (`wall/demo_map.py`).
- **The big screen** (`/wall/screen/`, any wall reader over the door's estates): 1920×1080, dark, large
  type; it cycles every 20 s through the map, the area table (worst areas first, counts by colour) and
  today's red estates (for the overall state with the red indicators that make them red), and htmx
  re-fetches its body every 60 s (`wall/static/wall/screen.js`). It links to the trends when
  `wall:trends` exists.
- **Display links** (`DisplayLink`; `/wall/screen/links/`, street admin): a named link whose token
  (`secrets.token_urlsafe(32)`, 256 bits) is shown once after creation and stored only as its SHA-256.
  `/wall/screen/d/<token>/` needs no login and shows that street's screen read-only (no health cards, no
  drill-down, no edit links, `Cache-Control: private, no-store`); last use is stamped at most once a
  minute; a revoked or unknown token answers 404; 20 unknown tokens from one address within 15 minutes
  answer 429 for the rest of the window (counted in the shared cache). Create and revoke are audited.
- **The public wall** (`PublicWall`, default off; the switch on the display-links page is audited):
  `/wall/public/<street id>/` with no login, only the public-safe indicators — 按期销项率, 超期问题,
  公开逾期 (`selectors_screen.PUBLIC_INDICATORS`) — never money alerts, ranking or elimination, committee
  make-up or the overall state; no health cards, no personal data. Served through `core/publicpages.py`
  (no cookie, cached under the street's change mark plus the newest kept computation); 404 when off.


def trend_cases(world):
    """Trends, the recompute button and the monthly briefing (views_trends.py): the trends are read by the
    wall's readers, each within the wall's estates — an area, company or estate out of scope is 404; the
    recompute is started by a street admin (302 to the job's page), by POST only; the briefing PDF is for
    the street admin and the leadership group (other_admin: of their own street)."""
    readers = {p: (200 if p in READERS else 403) for p in EVERYONE}
    url = reverse("wall:trends")
    yield "wall:trends", url, "get", readers
    yield "wall:trends", url + "?of=%3Cscript%3E", "get", readers
    area_seers = {"admin", "leader", "secretary_a", "member_a", "staff_x"}
    yield "wall:trends", url + f"?of=area-{world.area_a.pk}", "get", page(area_seers)
    yield "wall:trends", url + f"?of=estate-{world.estate_a1.pk}", "get", page(area_seers)
    company_seers = {"admin", "leader", "secretary_a", "secretary_b", "member_a", "staff_x"}
    yield "wall:trends", url + f"?of=company-{world.company_x.pk}", "get", page(company_seers)
    admins = {p: (302 if p in {"admin", "other_admin"} else 403) for p in EVERYONE}
    yield "wall:recompute", reverse("wall:recompute"), "post", admins
    yield "wall:recompute", reverse("wall:recompute"), "get", {p: 405 for p in EVERYONE}
    street_wide = {p: (200 if p in {"admin", "leader", "other_admin"} else 403) for p in EVERYONE}
    yield "wall:briefing", reverse("wall:briefing"), "get", street_wide
