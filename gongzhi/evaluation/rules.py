"""The evaluation method as plain functions (no ORM): codes, weights, response scores, shrinkage,
intervals, composite and company scores, rankings with honest ties, the scale × quality classes
and the elimination workflow. docs/EVALUATION.md explains the method with a worked example.

Exactness: weights and each response's score use ``Decimal`` (a weight error must be exact and
reproducible); the statistics (means, variances, shrinkage, intervals) use floats over
aggregates — they are estimates with an interval, rounded to 3 decimals when stored. The scalar
functions (``shrink``, ``posterior_variance``) accept ``Fraction`` too, for known-answer tests.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import math
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import TypeVar, cast

from django.utils.translation import gettext as _

# ---- household codes ----------------------------------------------------------------------------------

# No 0/O, 1/I/L: read off a printed letter without ambiguity. 31 symbols ** 12 ≈ 2^59.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12


def new_code() -> str:
    """A fresh unguessable household code (``secrets``, never ``random``)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """What the resident typed → the canonical code: upper case, spaces and dashes dropped."""
    return "".join(ch for ch in (text or "").upper() if ch not in " -\u3000\t")


def format_code(code: str) -> str:
    """ABCD-EFGH-JKMN for printing."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def hash_code(code: str) -> str:
    """Only this digest is stored. 59 bits of entropy make a plain SHA-256 sufficient: there is no
    dictionary to try, and codes expire with their campaign."""
    return hashlib.sha256(normalise_code(code).encode("ascii", "ignore")).hexdigest()


def code_well_formed(code: str) -> bool:
    code = normalise_code(code)
    return len(code) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in code)


# ---- the ballot box (anonymity by batching) ------------------------------------------------------------

RELEASE_BATCH_MIN = 5  # k may be raised by the street (GONGZHI_SURVEY_RELEASE_K), never lowered below 5


def release_batch_size(configured: int) -> int:
    """k: an estate's ballots enter the scored tables only k or more at a time (all at close), so
    no released batch, score or recompute tells fewer than k households apart. k-anonymity
    (Sweeney 2002); 个人信息保护法 第七十三条 defines anonymised data as data that cannot identify a
    person and cannot be restored — k < 5 is refused."""
    if configured < RELEASE_BATCH_MIN:
        raise ValueError(f"survey release batch k must be at least {RELEASE_BATCH_MIN}, not {configured}")
    return configured


def release_k() -> int:
    """k as configured (settings.GONGZHI_SURVEY_RELEASE_K, default 5), refused below 5."""
    from django.conf import settings

    return release_batch_size(getattr(settings, "GONGZHI_SURVEY_RELEASE_K", RELEASE_BATCH_MIN))


def withheld(kind: str, responses: int) -> bool:
    """An estate with some but fewer than k answers (only after close) shows no survey figure."""
    return kind == "estate" and 0 < responses < release_k()


def release_due(waiting: int, k: int, *, closing: bool) -> bool:
    """Release the ballot box now? At k waiting ballots, or (anything waiting) when the campaign closes."""
    return waiting > 0 and (closing or waiting >= k)


# ---- template and campaign weights --------------------------------------------------------------------

HUNDRED = Decimal("100")


@dataclass(frozen=True)
class ItemSpec:
    text: str
    weight: Decimal = Decimal("1")
    standard_code: str = ""  # the four-services standard item the question is about (blank: none)


@dataclass(frozen=True)
class CategorySpec:
    code: str
    name: str
    weight: Decimal
    items: tuple[ItemSpec, ...] = ()


def _decimal(value: object) -> Decimal | None:
    try:
        result = Decimal(str(value).strip())
    except (ArithmeticError, ValueError, TypeError):
        return None
    return result if result.is_finite() else None


def plain(value: Decimal) -> str:
    """90 rather than 9E+1, 33.5 rather than 33.50."""
    return format(value.normalize(), "f")


def template_errors(
    categories: Sequence[CategorySpec],
    allowed_codes: Iterable[str],
    standard: Mapping[str, str] | None = None,
) -> list[str]:
    """Every problem with a template's structure, in Chinese; empty when it is sound.

    Category weights are percentages that must sum to exactly 100; item weights are relative
    within their category (any positive numbers — they are normalised when scoring). An item may name a
    four-services standard item: ``standard`` maps the street's item codes to their service (保洁 …), and the
    code must exist and belong to the item's own category, so that a 保绿 question cannot count as a 保洁 item."""
    errors: list[str] = []
    standard = standard or {}
    allowed = set(allowed_codes)
    if not categories:
        return [_("问卷至少需要一个类别。")]
    seen: set[str] = set()
    total = Decimal("0")
    for position, category in enumerate(categories, start=1):
        label = category.name or _("第 %(n)d 个类别") % {"n": position}
        if category.code not in allowed:
            errors.append(_("“%(c)s”不是可用的类别。") % {"c": label})
        if category.code in seen:
            errors.append(_("类别“%(c)s”重复。") % {"c": label})
        seen.add(category.code)
        weight = _decimal(category.weight)
        if weight is None or weight <= 0:
            errors.append(_("类别“%(c)s”的权重必须是大于 0 的数。") % {"c": label})
        else:
            total += weight
        if not category.items:
            errors.append(_("类别“%(c)s”至少需要一道题。") % {"c": label})
        for number, item in enumerate(category.items, start=1):
            if not (item.text or "").strip():
                errors.append(_("类别“%(c)s”第 %(n)d 题没有题目文字。") % {"c": label, "n": number})
            elif len(item.text.strip()) > 120:
                errors.append(_("类别“%(c)s”第 %(n)d 题超过 120 字。") % {"c": label, "n": number})
            item_weight = _decimal(item.weight)
            if item_weight is None or item_weight <= 0:
                errors.append(_("类别“%(c)s”第 %(n)d 题的权重必须大于 0。") % {"c": label, "n": number})
            code = (item.standard_code or "").strip()
            if code and code not in standard:
                errors.append(
                    _("类别“%(c)s”第 %(n)d 题：本街道的四保标准中没有编号 %(code)s。")
                    % {"c": label, "n": number, "code": code}
                )
            elif code and standard[code] != category.code:
                errors.append(
                    _("类别“%(c)s”第 %(n)d 题：四保标准 %(code)s 不属于这一类别。")
                    % {"c": label, "n": number, "code": code}
                )
    if not errors and total != HUNDRED:
        errors.append(_("各类别权重之和为 %(t)s%%，必须正好是 100%%。") % {"t": plain(total)})
    return errors


def standard_item_scores(
    survey_items: Mapping[int, tuple[str, Decimal]],
    item_means: Mapping[int, tuple[int, int]],
    scale_max: int,
    inspection_sums: Mapping[str, tuple[Decimal, Decimal]],
) -> dict[str, dict]:
    """One estate's quality on each four-services standard item, on the 0–100 scale of the composite, from the
    two sources that score against the standard (issue 14: "quality" has one meaning everywhere):

    - ``survey``: the residents' mean on the questions naming the item (``survey_items``: question id → (code,
      weight); ``item_means``: question id → (answers, sum of 1..scale_max scores)), each question mapped to
      0–100 as (mean − 1) × 100 / (scale_max − 1) and weighted as the template weights it — the same mapping as
      the category means; ``answers`` counts the answers behind it;
    - ``inspection``: the inspectors' points on the lines naming the item over the points available
      (``inspection_sums``: code → (points given, points available)), × 100.

    Either is None where nothing scored the item; values are rounded to one decimal (half up)."""
    result: dict[str, dict] = {}
    weighted: dict[str, Fraction] = {}
    weight_sum: dict[str, Fraction] = {}
    for item_id, (code, weight) in survey_items.items():
        if not code or item_id not in item_means:
            continue
        n, answered_sum = item_means[item_id]
        if not n:
            continue
        mean = Fraction(answered_sum, n)
        w = Fraction(str(weight))
        weighted[code] = weighted.get(code, Fraction(0)) + w * (mean - 1) * 100 / (scale_max - 1)
        weight_sum[code] = weight_sum.get(code, Fraction(0)) + w
        result.setdefault(code, {"survey": None, "answers": 0, "inspection": None})["answers"] += n
    for code, weighted_total in weighted.items():
        result[code]["survey"] = _one_decimal(weighted_total / weight_sum[code])
    for code, (given, available) in inspection_sums.items():
        if code and available:
            row = result.setdefault(code, {"survey": None, "answers": 0, "inspection": None})
            row["inspection"] = _one_decimal(Fraction(str(given)) * 100 / Fraction(str(available)))
    return result


def _one_decimal(value: Fraction) -> str:
    return str(
        (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    )


COMPONENTS = ("survey", "inspection", "branch", "problems")


def composite_weight_errors(weights: Mapping[str, object]) -> list[str]:
    """The street's four component weights: each ≥ 0, survey > 0, sum exactly 100 %."""
    labels = {
        "survey": _("居民测评"),
        "inspection": _("第三方检查"),
        "branch": _("支部考核"),
        "problems": _("问题整改"),
    }
    errors = []
    total = Decimal("0")
    for name in COMPONENTS:
        value = _decimal(weights.get(name, 0))
        if value is None or value < 0 or value > HUNDRED:
            errors.append(_("“%(c)s”权重应是 0 到 100 之间的数。") % {"c": labels[name]})
            continue
        total += value
    if errors:
        return errors
    if _decimal(weights.get("survey", 0)) == 0:
        errors.append(_("居民测评权重必须大于 0。"))
    if total != HUNDRED:
        errors.append(_("四项权重之和为 %(t)s%%，必须正好是 100%%。") % {"t": plain(total)})
    return errors


# ---- one response's score -----------------------------------------------------------------------------

SCORE_PLACES = Decimal("0.0001")


def scale_to_100(score: int, scale_max: int) -> Decimal:
    """1 → 0 and scale_max → 100, linearly: "非常不满意" is zero, "非常满意" is full marks."""
    return (Decimal(score) - 1) * HUNDRED / (Decimal(scale_max) - 1)


def response_score(
    answers: Mapping[int, int | None],
    structure: Sequence[tuple[Decimal, Sequence[tuple[int, Decimal]]]],
    scale_max: int,
) -> Decimal:
    """A response's score on 0–100.

    ``structure`` is [(category weight, [(item id, item weight), …]), …]. Within a category the
    answered items are averaged with their relative weights; the categories are averaged with
    their weights over the categories that have at least one answer ("不了解" = None is left out,
    not counted as zero). Raises ValueError when nothing was answered."""
    total_weight = Decimal("0")
    total = Decimal("0")
    for category_weight, items in structure:
        item_weight_sum = Decimal("0")
        item_total = Decimal("0")
        for item_id, item_weight in items:
            value = answers.get(item_id)
            if value is None:
                continue
            item_weight_sum += item_weight
            item_total += item_weight * scale_to_100(value, scale_max)
        if item_weight_sum:
            total += category_weight * item_total / item_weight_sum
            total_weight += category_weight
    if not total_weight:
        raise ValueError("no answers")
    return (total / total_weight).quantize(SCORE_PLACES, rounding=ROUND_HALF_UP)


# ---- shrinkage (empirical Bayes) ----------------------------------------------------------------------

Z_95 = 1.959963984540054  # two-sided 95 % normal quantile
K_MIN = 1.0  # a sample is never trusted more than "one pseudo-response" of prior
K_MAX = 100.0  # if estates look alike, pool strongly — but 100 real responses still count half
K_DEFAULT = 10.0  # too few estates to estimate the variances: a documented default
MIN_ESTATES_FOR_ESTIMATE = 3
LOW_RESPONSE_RATE = 0.10  # flagged below 10 % of households
MIN_DISCLOSED_RESPONSES = 5  # raw means are shown to non-admins only from this many responses


@dataclass(frozen=True)
class Aggregate:
    """What the database returns per estate: count, sum and sum of squares of response scores."""

    n: int
    total: float
    total_sq: float

    @property
    def mean(self) -> float | None:
        return self.total / self.n if self.n else None

    @property
    def sum_sq_dev(self) -> float:
        """Σ (x − mean)², from the sums (clamped at 0 against rounding)."""
        if self.n < 2:
            return 0.0
        return max(0.0, self.total_sq - self.total * self.total / self.n)


@dataclass(frozen=True)
class Prior:
    """The street-level estimates the shrinkage uses (all shown in the drill-down)."""

    mean: float  # μ: the street mean of estate means
    within_var: float  # σ²_w: pooled within-estate variance of response scores
    between_var: float  # τ²: variance of true estate means (method of moments, ≥ 0)
    k: float  # σ²_w / τ², clamped to [K_MIN, K_MAX]
    k_raw: float | None  # before clamping (None: not estimable)
    estates_used: int
    note: str = ""


def estimate_prior(aggregates: Sequence[Aggregate]) -> Prior:
    """Method-of-moments estimates over the estates that have responses.

    σ²_w = Σ_e Σ_r (x − m_e)² / Σ_e (n_e − 1)                  (pooled within-estate variance)
    τ²  = max(0, Var(m_e) − σ²_w · mean(1/n_e))                 (between-estate variance)
    k   = σ²_w / τ², clamped to [K_MIN, K_MAX]; K_DEFAULT when fewer than 3 estates answered,
          K_MAX when τ² = 0 (the estates are indistinguishable, so the street mean dominates)."""
    answered = [a for a in aggregates if a.n > 0]
    if not answered:
        return Prior(
            mean=0.0,
            within_var=0.0,
            between_var=0.0,
            k=K_DEFAULT,
            k_raw=None,
            estates_used=0,
            note="no_responses",
        )
    means = [a.total / a.n for a in answered]
    street_mean = sum(means) / len(means)
    dof = sum(a.n - 1 for a in answered)
    within = sum(a.sum_sq_dev for a in answered) / dof if dof > 0 else 0.0
    if len(answered) < MIN_ESTATES_FOR_ESTIMATE or dof <= 0:
        return Prior(
            mean=street_mean,
            within_var=within,
            between_var=0.0,
            k=K_DEFAULT,
            k_raw=None,
            estates_used=len(answered),
            note="too_few_estates",
        )
    spread = sum((m - street_mean) ** 2 for m in means) / (len(means) - 1)
    mean_inverse_n = sum(1.0 / a.n for a in answered) / len(answered)
    between = max(0.0, spread - within * mean_inverse_n)
    if between <= 0.0:
        return Prior(
            mean=street_mean,
            within_var=within,
            between_var=0.0,
            k=K_MAX,
            k_raw=None,
            estates_used=len(answered),
            note="no_between_variance",
        )
    k_raw = within / between
    return Prior(
        mean=street_mean,
        within_var=within,
        between_var=between,
        k=min(K_MAX, max(K_MIN, k_raw)),
        k_raw=k_raw,
        estates_used=len(answered),
    )


# float in production; Fraction in the known-answer tests (exact arithmetic).
Real = TypeVar("Real", float, Fraction)


def shrink(n: int, mean: Real | None, prior_mean: Real, k: Real) -> Real:
    """Credibility-weighted mean: (n·mean + k·μ) / (n + k). n = 0 gives the prior mean."""
    if n == 0:
        return prior_mean
    return (n * cast(Real, mean) + k * prior_mean) / (n + k)


def posterior_variance(within_var: Real, n: int, k: Real) -> Real:
    """Variance of the shrunk mean: σ²_w / (n + k) (= 1 / (n/σ²_w + 1/τ²) with k = σ²_w/τ²)."""
    return within_var / (n + k)


@dataclass
class EstateSurvey:
    n: int
    mean: float | None
    shrunk: float
    variance: float
    low: float
    high: float


def shrink_all(aggregates: Sequence[Aggregate], prior: Prior, z: float = Z_95) -> list[EstateSurvey]:
    """Shrunk survey means with normal-approximation intervals shrunk ± z·√(σ²_w/(n+k)), clipped to 0–100."""
    results = []
    for a in aggregates:
        shrunk = shrink(a.n, a.mean, prior.mean, prior.k)
        variance = posterior_variance(prior.within_var, a.n, prior.k)
        half = z * math.sqrt(variance)
        results.append(
            EstateSurvey(a.n, a.mean, shrunk, variance, max(0.0, shrunk - half), min(100.0, shrunk + half))
        )
    return results


# ---- other components ---------------------------------------------------------------------------------

PROBLEM_PRIOR = 2  # two notional problems handled well: one bad problem out of one is not 0 points


def problem_score(total: int, bad: int) -> float:
    """Share of the period's problems handled without going overdue or being reopened, on 0–100,
    with a prior of two well-handled problems: 100 · (total − bad + 2) / (total + 2). No problems → 100."""
    bad = min(bad, total)
    return 100.0 * (total - bad + PROBLEM_PRIOR) / (total + PROBLEM_PRIOR)


@dataclass
class Composite:
    score: float
    variance: float
    low: float
    high: float
    used_weights: dict[str, float]
    missing: list[str] = field(default_factory=list)


def combine(
    components: Mapping[str, float | None],
    weights: Mapping[str, Decimal | float],
    survey_variance: float,
    z: float = Z_95,
) -> Composite:
    """Weighted composite of the components present; a missing component's weight is spread over
    the others (renormalised) and flagged. Only the survey carries sampling variance: the interval
    is composite ± z · (w_survey / Σw) · √var_survey."""
    present = {
        name: float(weights[name])
        for name in COMPONENTS
        if components.get(name) is not None and float(weights[name]) > 0
    }
    missing = [name for name in COMPONENTS if components.get(name) is None and float(weights[name]) > 0]
    total_weight = sum(present.values())
    if total_weight <= 0:
        return Composite(0.0, 0.0, 0.0, 0.0, {}, missing)
    normalised = {name: w / total_weight for name, w in present.items()}
    # Only present components (not None) have a weight.
    score = sum(normalised[name] * float(cast(float, components[name])) for name in normalised)
    variance = normalised.get("survey", 0.0) ** 2 * survey_variance
    half = z * math.sqrt(variance)
    return Composite(score, variance, max(0.0, score - half), min(100.0, score + half), normalised, missing)


def company_score(
    members: Sequence[tuple[float, float, int]], z: float = Z_95
) -> tuple[float, float, float, float]:
    """A company's score from its estates [(composite, variance, households), …]: the household-
    weighted mean Σ h·x / Σ h and variance Σ (h/H)² · var (estates independent). Equal weights if no
    households are recorded. Returns (score, variance, low, high)."""
    if not members:
        raise ValueError("company without estates")
    total = sum(h for _, _, h in members)
    shares = [h / total for _, _, h in members] if total > 0 else [1.0 / len(members)] * len(members)
    score = sum(s * x for s, (x, _, _) in zip(shares, members, strict=True))
    variance = sum(s * s * v for s, (_, v, _) in zip(shares, members, strict=True))
    half = z * math.sqrt(variance)
    return score, variance, max(0.0, score - half), min(100.0, score + half)


# ---- rankings with honest ties ------------------------------------------------------------------------

PLACES = 3  # scores and bounds are compared at the precision they are stored with (ScoreSnapshot)


def _numeric_id(key: object) -> tuple[int, int | str]:
    """Ids compare as numbers (9 before 10); a non-numeric key (tests) sorts after, as text."""
    if isinstance(key, int) or (isinstance(key, str) and key.isdigit()):
        return (0, int(key))
    return (1, str(key))


def ranking_key(key: object, score: float, low: float, evidence: int = 0) -> tuple:
    """The one order of every ranking, best first — used by the ranks, the classes and the elimination
    lists alike (docs/EVALUATION.md, "Ties"): point score (at 3 decimals) descending, then the interval's
    lower bound descending (the surer of two equal scores first), then the evidence (survey responses)
    descending, then the id as a number ascending. It is total, so the order never depends on the
    order of the input."""
    return (-round(float(score), PLACES), -round(float(low), PLACES), -int(evidence), _numeric_id(key))


@dataclass
class Ranked:
    key: object
    score: float
    low: float
    high: float
    rank: int  # competition rank of the point score (equal scores share a rank)
    rank_best: int  # 1 + number of others whose interval lies entirely above
    rank_worst: int  # N − number of others whose interval lies entirely below
    indistinct_from_rank: int | None  # "与第 k 名无显著差异": the rank just above, if the intervals overlap
    position: int = 0  # 1…N in ``ranking_key`` order: the place that classes and cuts use
    evidence: int = 0


def rank_with_intervals(entries: Sequence[tuple], places: int = PLACES) -> list[Ranked]:
    """Rank (key, score, low, high[, evidence]) best first, in ``ranking_key`` order. Scores equal at
    ``places`` decimals share a rank; the rank range counts only the others that are clearly
    (non-overlapping intervals) better or worse, so a company whose interval overlaps its neighbours'
    gets a range, not a false position."""
    rows = [
        (entry[0], round(entry[1], places), entry[2], entry[3], int(entry[4]) if len(entry) > 4 else 0)
        for entry in entries
    ]
    ordered = sorted(rows, key=lambda r: ranking_key(r[0], r[1], r[2], r[4]))
    n = len(ordered)
    lows = sorted(r[2] for r in ordered)
    highs = sorted(r[3] for r in ordered)
    result: list[Ranked] = []
    for position, (key, score, low, high, evidence) in enumerate(ordered):
        # Competition rank: one more than the number strictly better (equal scores share a rank).
        rank = result[-1].rank if result and result[-1].score == score else position + 1
        clearly_above = n - bisect.bisect_right(lows, high)  # others whose low > my high
        clearly_below = bisect.bisect_left(highs, low)  # others whose high < my low
        result.append(
            Ranked(
                key,
                score,
                low,
                high,
                rank,
                clearly_above + 1,
                n - clearly_below,
                None,
                position + 1,
                evidence,
            )
        )
    # "与第 k 名无显著差异": some entry holding the next better rank k overlaps this one. Decided over the
    # whole group that shares rank k, so the answer does not depend on the order within it.
    groups: dict[int, list[Ranked]] = {}
    for entry in result:
        groups.setdefault(entry.rank, []).append(entry)
    ranks = sorted(groups)
    for better, worse in zip(ranks, ranks[1:], strict=False):
        for entry in groups[worse]:
            if any(a.low <= entry.high and entry.low <= a.high for a in groups[better]):
                entry.indistinct_from_rank = better
    return result


# ---- scale × quality classification -------------------------------------------------------------------

BENCHMARK, KEEP, IMPROVE, ELIMINATION = "benchmark", "keep", "improve", "elimination"
DEFAULT_BOTTOM_N = 9
DEFAULT_FINAL_M = 3


def classify(positions: Sequence[int], bottom_n: int = DEFAULT_BOTTOM_N) -> list[str]:
    """Quality classes from the places (1 = best, ``Ranked.position``) of N companies.

    Cut-offs (documented in EVALUATION.md): top third (place − 1 < N/3) → 标杆候选 benchmark candidate (the title is named by the leadership group, models.Benchmark); middle
    third → 保持 keep; bottom third → 提升 improve; and the bottom ``bottom_n`` (place > N − bottom_n)
    → 末位候选 elimination candidate — only when there are more than ``bottom_n`` companies, so a
    small street never puts everyone on the list. Places follow ``ranking_key``, so a tie at a cut is
    broken exactly as ``bottom`` breaks it and the class agrees with the elimination list."""
    n = len(positions)
    classes = []
    for place in positions:
        if n > bottom_n and place > n - bottom_n:
            classes.append(ELIMINATION)
        elif (place - 1) * 3 < n:
            classes.append(BENCHMARK)
        elif (place - 1) * 3 < 2 * n:
            classes.append(KEEP)
        else:
            classes.append(IMPROVE)
    return classes


def scale_band(households: int, median_households: float) -> str:
    """规模: "large" at or above the street's median households served, else "small"."""
    return "large" if households >= median_households else "small"


def median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    middle = len(ordered) // 2
    return float(ordered[middle]) if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


SMALL_SAMPLE_WEIGHT = 0.5  # "样本较少": the estate's own answers make up less than half its survey score


def survey_weight(n: int, k: float) -> float:
    """The share of a shrunk survey mean that comes from the estate's own answers: n / (n + k)."""
    return n / (n + k) if n else 0.0


def company_survey_weight(members: Sequence[tuple[int, int]], k: float) -> float:
    """A company's survey weight from its estates [(responses, households), …], weighted by households
    as ``company_score`` weights its estates (equal weights if no households are recorded)."""
    if not members:
        return 0.0
    total = sum(h for _, h in members)
    shares = [h / total for _, h in members] if total > 0 else [1.0 / len(members)] * len(members)
    return sum(share * survey_weight(n, k) for share, (n, _) in zip(shares, members, strict=True))


def survey_flags(n: int, households: int, weight: float) -> list[str]:
    """Warnings shown beside a score. "样本较少" follows the actual shrinkage weight (``survey_weight``),
    not a raw count: 12 answers with k = 4 are mostly the estate's own score, 30 with k = 100 are not."""
    flags = []
    if n == 0:
        flags.append("no_responses")
    elif weight < SMALL_SAMPLE_WEIGHT:
        flags.append("small_sample")
    if households and n / households < LOW_RESPONSE_RATE:
        flags.append("low_response_rate")
    return flags


# Minimum evidence to eliminate (默认值; each elimination campaign may set its own): a company whose
# re-evaluation rests on fewer answers, or whose survey score is mostly the street mean, may be put on
# the bottom list and face fault-finding, but is never proposed for elimination — replacing a company
# (Civil Code art. 278 matter 4) on a handful of answers would not survive a challenge.
MIN_EVIDENCE_RESPONSES = 30
MIN_EVIDENCE_WEIGHT = 0.5


def evidence_sufficient(
    responses: int,
    weight: float,
    min_responses: int = MIN_EVIDENCE_RESPONSES,
    min_weight: float = MIN_EVIDENCE_WEIGHT,
) -> bool:
    """Enough evidence to eliminate: at least ``min_responses`` survey responses and a survey weight of
    at least ``min_weight``; below either, "证据不足，不得淘汰"."""
    return responses >= min_responses and weight >= float(min_weight)


# ---- elimination workflow -----------------------------------------------------------------------------

STREET_ADMIN, LEADERSHIP = "street_admin", "leadership"


@dataclass(frozen=True)
class Transition:
    sources: tuple[str, ...]
    target: str
    actor: str
    needs_note: bool = False


ELIMINATION_TRANSITIONS: dict[str, Transition] = {
    "start_rectification": Transition(("fault_finding",), "rectification", STREET_ADMIN),
    "start_reevaluation": Transition(("rectification",), "re_evaluation", STREET_ADMIN),
    "propose": Transition(("re_evaluation",), "proposed", STREET_ADMIN),
    "approve": Transition(("proposed",), "approved", LEADERSHIP),
    "return": Transition(("proposed",), "re_evaluation", LEADERSHIP, needs_note=True),
    "refer": Transition(("approved",), "owners_decision", STREET_ADMIN),
    "close": Transition(("owners_decision",), "closed", STREET_ADMIN),
}


def elimination_target(status: str, action: str) -> str | None:
    """The status an action leads to from ``status``, or None if not allowed there."""
    transition = ELIMINATION_TRANSITIONS.get(action)
    if transition is None or status not in transition.sources:
        return None
    return transition.target


def bottom(entries: Sequence[tuple[object, float, float, float, int]], count: int) -> list[object]:
    """Keys of the ``count`` worst of (key, score, low, high, evidence), worst first, in reverse
    ``ranking_key`` order — the same order that places and classes use."""
    ordered = sorted(entries, key=lambda e: ranking_key(e[0], e[1], e[2], e[4]), reverse=True)
    return [entry[0] for entry in ordered[:count]]


# ---- benchmarks (标杆企业) -------------------------------------------------------------------------------

BENCHMARK_MAX_TERM_YEARS = 3


def benchmark_term_end_limit(starts_on: dt.date) -> dt.date:
    """The last day a term begun on ``starts_on`` may run to: three years on, the day before the same
    date (a term from 2026-01-01 may end on 2028-12-31, not 2029-01-01). 29 February starts count
    from 1 March."""
    try:
        same_day = starts_on.replace(year=starts_on.year + BENCHMARK_MAX_TERM_YEARS)
    except ValueError:  # 29 February → no such day three years on
        same_day = dt.date(starts_on.year + BENCHMARK_MAX_TERM_YEARS, 3, 1)
    return same_day - dt.timedelta(days=1)


def is_benchmark_on(
    day: dt.date, *, starts_on: dt.date, ends_on: dt.date, revoked_on: dt.date | None
) -> bool:
    """A benchmark holds the title on ``day`` when the day lies in its term (both ends inclusive) and it
    was not revoked on or before that day (a revocation takes effect the day it is made)."""
    if not starts_on <= day <= ends_on:
        return False
    return revoked_on is None or day < revoked_on
