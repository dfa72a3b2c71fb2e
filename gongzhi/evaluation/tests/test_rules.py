"""Known answers for the evaluation method (rules.py; docs/EVALUATION.md)."""

import itertools
import math
from decimal import Decimal
from fractions import Fraction

import pytest

from gongzhi.evaluation import rules
from gongzhi.evaluation.rules import Aggregate, CategorySpec, ItemSpec


def agg(scores):
    return Aggregate(len(scores), float(sum(scores)), float(sum(s * s for s in scores)))


# ---- shrinkage ----------------------------------------------------------------------------------------


def test_shrink_twelve_responses_toward_street_mean_exactly():
    # 12 responses averaging 4.5, street mean 3.8, k = 4: (12·4.5 + 4·3.8) / 16 = 69.2 / 16 = 4.325
    assert rules.shrink(12, Fraction(9, 2), Fraction(19, 5), 4) == Fraction(173, 40)
    assert rules.shrink(12, 4.5, 3.8, 4) == pytest.approx(4.325, abs=1e-12)


def test_large_sample_barely_moves_and_small_sample_moves_a_lot():
    assert rules.shrink(400, 90.0, 70.0, 10) == pytest.approx((400 * 90 + 10 * 70) / 410)
    assert rules.shrink(2, 90.0, 70.0, 10) == pytest.approx((180 + 700) / 12)  # 73.33: mostly the street
    assert rules.shrink(0, None, 70.0, 10) == 70.0  # no responses: the prior only


def test_posterior_variance_and_interval_known_answer():
    # σ²_w = 0.64, n = 12, k = 4 → 0.64 / 16 = 0.04, sd 0.2
    assert rules.posterior_variance(Fraction(16, 25), 12, 4) == Fraction(1, 25)
    prior = rules.Prior(mean=3.8, within_var=0.64, between_var=0.16, k=4.0, k_raw=4.0, estates_used=3)
    (result,) = rules.shrink_all([Aggregate(12, 54.0, 0.0)], prior)
    assert result.shrunk == pytest.approx(4.325)
    assert result.low == pytest.approx(4.325 - rules.Z_95 * 0.2)
    assert result.high == pytest.approx(4.325 + rules.Z_95 * 0.2)


def test_estimate_prior_method_of_moments_known_answer():
    # Three estates of four responses; within = 1200/9, means 60/80/70, Var(means) = 100,
    # τ² = 100 − (1200/9)·(1/4) = 66.67, k = σ²_w / τ² = 2.
    aggregates = [agg([50, 70, 50, 70]), agg([70, 90, 70, 90]), agg([60, 80, 60, 80])]
    prior = rules.estimate_prior(aggregates)
    assert prior.mean == pytest.approx(70.0)
    assert prior.within_var == pytest.approx(1200 / 9)
    assert prior.between_var == pytest.approx(100 - 1200 / 36)
    assert prior.k == pytest.approx(2.0)
    results = rules.shrink_all(aggregates + [Aggregate(0, 0.0, 0.0)], prior)
    assert results[0].shrunk == pytest.approx((4 * 60 + 2 * 70) / 6)  # 63.33
    assert results[0].variance == pytest.approx((1200 / 9) / 6)
    # An estate with no response gets the street mean and the full between-estate spread.
    assert results[3].shrunk == pytest.approx(70.0)
    assert results[3].variance == pytest.approx(prior.between_var)
    assert results[3].n == 0 and results[3].mean is None


def test_k_is_clamped_and_documented_fallbacks():
    # Very different estates, small within variance: k_raw 0.67 → floor K_MIN = 1.
    prior = rules.estimate_prior([agg([50, 70]), agg([70, 90]), agg([90, 110])])
    assert prior.k_raw == pytest.approx(200 / 300)
    assert prior.k == rules.K_MIN
    # Estates that look alike: τ² estimate ≤ 0 → K_MAX.
    alike = rules.estimate_prior([agg([40, 80]), agg([60, 100]), agg([50, 90])])
    assert alike.between_var == 0.0 and alike.k == rules.K_MAX and alike.note == "no_between_variance"
    # Fewer than three estates answered → K_DEFAULT.
    few = rules.estimate_prior([agg([40, 80]), Aggregate(0, 0.0, 0.0)])
    assert few.k == rules.K_DEFAULT and few.note == "too_few_estates"
    assert rules.estimate_prior([]).note == "no_responses"


def test_sum_of_squares_rounding_never_gives_negative_variance():
    assert Aggregate(3, 300.0, 30000.0 - 1e-9).sum_sq_dev == 0.0


# ---- components, composite and company ----------------------------------------------------------------


def test_problem_score_with_prior_of_two_good_problems():
    assert rules.problem_score(0, 0) == 100.0
    assert rules.problem_score(10, 3) == pytest.approx(75.0)  # 100 · 9 / 12
    assert rules.problem_score(1, 1) == pytest.approx(100 * 2 / 3)


def test_combine_renormalises_missing_component_and_scales_survey_variance():
    weights = {
        "survey": Decimal(60),
        "inspection": Decimal(20),
        "branch": Decimal(10),
        "problems": Decimal(10),
    }
    result = rules.combine(
        {"survey": 80.0, "inspection": 90.0, "branch": None, "problems": 100.0}, weights, 22.5
    )
    assert result.score == pytest.approx(7600 / 90)  # (60·80 + 20·90 + 10·100) / 90
    assert result.variance == pytest.approx((60 / 90) ** 2 * 22.5)  # = 10
    assert result.high - result.score == pytest.approx(rules.Z_95 * math.sqrt(10))
    assert result.missing == ["branch"]
    assert sum(result.used_weights.values()) == pytest.approx(1.0)


def test_company_score_weighted_by_households_with_combined_variance():
    score, variance, low, high = rules.company_score([(80.0, 4.0, 100), (60.0, 9.0, 300)])
    assert score == pytest.approx(65.0)
    assert variance == pytest.approx(0.25**2 * 4 + 0.75**2 * 9)  # 5.3125
    assert high - score == pytest.approx(rules.Z_95 * math.sqrt(5.3125))
    # No households recorded → equal weights.
    assert rules.company_score([(80.0, 0.0, 0), (60.0, 0.0, 0)])[0] == pytest.approx(70.0)


# ---- rankings and classes -----------------------------------------------------------------------------


def test_ranks_with_overlapping_intervals_become_ranges_and_ties_share_a_rank():
    ranked = rules.rank_with_intervals(
        [("a", 90.0, 85.0, 95.0), ("b", 88.0, 80.0, 96.0), ("c", 70.0, 65.0, 75.0), ("d", 70.0, 66.0, 74.0)]
    )
    by_key = {r.key: r for r in ranked}
    # c and d tie at 70: d's interval starts higher (66 > 65), so d is placed first; both are 3rd.
    assert [(r.key, r.rank) for r in ranked] == [("a", 1), ("b", 2), ("d", 3), ("c", 3)]
    assert (by_key["a"].rank_best, by_key["a"].rank_worst) == (1, 2)
    assert (by_key["b"].rank_best, by_key["b"].rank_worst) == (1, 2)
    assert (by_key["c"].rank_best, by_key["c"].rank_worst) == (3, 4)
    assert by_key["b"].indistinct_from_rank == 1  # "与第 1 名无显著差异"
    assert by_key["a"].indistinct_from_rank is None
    assert by_key["c"].indistinct_from_rank is None  # b's interval (80–96) does not reach 75


def test_separated_intervals_give_exact_ranks():
    ranked = rules.rank_with_intervals(
        [("x", 50.0, 49.0, 51.0), ("y", 60.0, 59.0, 61.0), ("z", 40.0, 39.0, 41.0)]
    )
    assert [(r.key, r.rank, r.rank_best, r.rank_worst) for r in ranked] == [
        ("y", 1, 1, 1),
        ("x", 2, 2, 2),
        ("z", 3, 3, 3),
    ]


def test_classify_terciles_and_bottom_n():
    classes = rules.classify(list(range(1, 29)), bottom_n=9)
    assert classes[:10] == ["benchmark"] * 10
    assert classes[10:19] == ["keep"] * 9
    assert classes[19:] == ["elimination"] * 9
    # A small street (5 ≤ 9 companies) never puts everyone on the elimination list.
    assert rules.classify([1, 2, 3, 4, 5], bottom_n=9) == [
        "benchmark",
        "benchmark",
        "keep",
        "keep",
        "improve",
    ]
    # Classes follow the places of the one order (ranking_key), so a tie at a cut is split there exactly
    # as the elimination list splits it: of three, places 1 and 2 are benchmark and keep.
    assert rules.classify([1, 2, 3], bottom_n=9) == ["benchmark", "keep", "improve"]


def test_scale_band_and_median():
    assert rules.median([1, 5, 3]) == 3.0 and rules.median([1, 2, 3, 4]) == 2.5
    assert rules.scale_band(300, 250.0) == "large" and rules.scale_band(100, 250.0) == "small"


def test_survey_flags():
    assert rules.survey_flags(0, 100, 0.0) == ["no_responses", "low_response_rate"]
    assert rules.survey_flags(12, 40, rules.survey_weight(12, 20.0)) == ["small_sample"]  # 12/32 = 0.375
    assert rules.survey_flags(50, 1000, 0.8) == ["low_response_rate"]
    assert rules.survey_flags(50, 100, 0.8) == []


# ---- response scores and weights ----------------------------------------------------------------------


STRUCTURE = [(Decimal(60), [(1, Decimal(1)), (2, Decimal(3))]), (Decimal(40), [(3, Decimal(1))])]


def test_response_score_weights_items_and_categories_exactly():
    # Category 1: (1·100 + 3·50) / 4 = 62.5; category 2 unanswered → left out, not zero.
    assert rules.response_score({1: 5, 2: 3, 3: None}, STRUCTURE, 5) == Decimal("62.5000")
    # Category 2 answered "1" (= 0 points): 0.6 · 62.5 + 0.4 · 0 = 37.5
    assert rules.response_score({1: 5, 2: 3, 3: 1}, STRUCTURE, 5) == Decimal("37.5000")
    assert rules.response_score({1: 4, 2: 4, 3: 4}, STRUCTURE, 5) == Decimal("75.0000")
    with pytest.raises(ValueError):
        rules.response_score({1: None}, STRUCTURE, 5)


def test_scale_mapping_ends():
    assert (
        rules.scale_to_100(1, 5) == 0 and rules.scale_to_100(5, 5) == 100 and rules.scale_to_100(3, 5) == 50
    )
    assert rules.scale_to_100(10, 10) == 100


def _specs(*weights):
    codes = ["cleaning", "greening", "security", "repair", "attitude", "transparency"]
    return [CategorySpec(codes[i], codes[i], Decimal(w), (ItemSpec("题目"),)) for i, w in enumerate(weights)]


def test_template_weights_must_sum_to_exactly_100():
    codes = [c for c in ["cleaning", "greening", "security", "repair", "attitude", "transparency"]]
    assert rules.template_errors(_specs("30", "20", "25", "25"), codes) == []
    errors = rules.template_errors(_specs("30", "20", "25", "24"), codes)
    assert len(errors) == 1 and "99" in errors[0] and "100%" in errors[0]
    assert rules.template_errors(_specs("33.33", "33.33", "33.34"), codes) == []


def test_template_errors_name_the_bad_category_and_item():
    codes = ["cleaning", "greening"]
    bad = [
        CategorySpec(
            "cleaning", "保洁", Decimal("-5"), (ItemSpec("", Decimal(1)), ItemSpec("x", Decimal(0)))
        ),
        CategorySpec("cleaning", "保洁二", Decimal("50"), ()),
        CategorySpec("unknown", "未知", Decimal("55"), (ItemSpec("y"),)),
    ]
    text = " ".join(rules.template_errors(bad, codes))
    assert "保洁”的权重" in text
    assert "第 1 题没有题目文字" in text
    assert "第 2 题的权重必须大于 0" in text
    assert "“保洁二”重复" in text
    assert "至少需要一道题" in text
    assert "不是可用的类别" in text
    assert rules.template_errors([], codes) == ["问卷至少需要一个类别。"]


def test_composite_weights_validation():
    ok = {"survey": "60", "inspection": "20", "branch": "10", "problems": "10"}
    assert rules.composite_weight_errors(ok) == []
    assert "101" in rules.composite_weight_errors({**ok, "survey": "61"})[0]
    assert rules.composite_weight_errors({**ok, "branch": "-1"})
    assert rules.composite_weight_errors(
        {"survey": "0", "inspection": "50", "branch": "50", "problems": "0"}
    ) == ["居民测评权重必须大于 0。"]
    assert rules.composite_weight_errors({**ok, "problems": "abc"})


# ---- codes --------------------------------------------------------------------------------------------


def test_codes_are_long_unambiguous_and_hashed():
    codes = {rules.new_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == 12 and set(code) <= set(rules.CODE_ALPHABET)
    assert not set("0O1IL") & set(rules.CODE_ALPHABET)
    code = next(iter(codes))
    assert rules.hash_code(rules.format_code(code).lower()) == rules.hash_code(code)
    assert len(rules.hash_code(code)) == 64 and code not in rules.hash_code(code)
    assert rules.normalise_code("abcd-efgh jkmn") == "ABCDEFGHJKMN"
    assert rules.code_well_formed("ABCD-EFGH-JKMN") and not rules.code_well_formed("ABCD-EFGH-JKM0")


def test_elimination_transitions():
    assert rules.elimination_target("fault_finding", "start_rectification") == "rectification"
    assert rules.elimination_target("proposed", "return") == "re_evaluation"
    assert rules.elimination_target("fault_finding", "approve") is None
    assert rules.elimination_target("closed", "close") is None
    assert rules.ELIMINATION_TRANSITIONS["approve"].actor == rules.LEADERSHIP
    entries = [("a", 90.0, 85.0, 95.0, 9), ("b", 50.0, 45.0, 55.0, 9), ("c", 70.0, 65.0, 75.0, 9)]
    assert rules.bottom([*entries, ("d", 50.0, 45.0, 55.0, 9)], 2) == ["d", "b"]


# ---- ties and thin evidence (docs/EVALUATION.md "Ties"; issue 11) -------------------------------------


def test_ties_are_broken_by_the_interval_then_the_evidence_then_the_numeric_id():
    # Equal point scores: the higher lower bound first; then more survey responses; then the smaller id
    # compared as a number (9 before 10, never "10" before "9").
    entries = [
        (10, 50.0, 40.0, 60.0, 30),
        (9, 50.0, 40.0, 60.0, 30),
        (3, 50.0, 40.0, 60.0, 31),  # more evidence
        (4, 50.0, 41.0, 59.0, 5),  # higher lower bound beats evidence
        (1, 70.0, 60.0, 80.0, 5),
    ]
    ranked = rules.rank_with_intervals(entries)
    assert [(r.key, r.rank, r.position) for r in ranked] == [
        (1, 1, 1),
        (4, 2, 2),
        (3, 2, 3),
        (9, 2, 4),
        (10, 2, 5),
    ]
    assert rules.bottom(entries, 1) == [10]
    assert rules.bottom(entries, 2) == [10, 9]
    assert rules.bottom(entries, 3) == [10, 9, 3]


def test_the_elimination_class_and_the_elimination_list_agree_at_a_tie():
    # Ten companies; ids 9 and 10 tie at 7th place. The bottom 3 are ids 10 (7th by the tie rule), 7, 8.
    scores = {1: 90, 2: 85, 3: 80, 4: 75, 5: 70, 6: 65, 9: 60, 10: 60, 7: 55, 8: 50}
    entries = [(key, float(s), s - 5.0, s + 5.0, 40) for key, s in scores.items()]
    ranked = rules.rank_with_intervals(entries)
    assert {r.key: r.rank for r in ranked}[9] == {r.key: r.rank for r in ranked}[10] == 7  # shown as a tie
    classes = dict(zip([r.key for r in ranked], rules.classify([r.position for r in ranked], 3), strict=True))
    in_class = {key for key, klass in classes.items() if klass == rules.ELIMINATION}
    listed = rules.bottom(entries, 3)
    assert listed == [8, 7, 10]
    assert in_class == set(listed)


def test_no_significant_difference_does_not_depend_on_input_order():
    # x and y share rank 1; z overlaps y's wide interval but not x's narrow one.
    entries = [
        ("x", 80.0, 79.0, 81.0, 50),
        ("y", 80.0, 70.0, 90.0, 50),
        ("z", 75.0, 72.0, 78.0, 50),
        ("w", 60.0, 58.0, 62.0, 50),
        ("v", 60.0, 55.0, 65.0, 50),
    ]
    results = set()
    for permutation in itertools.permutations(entries):
        ranked = rules.rank_with_intervals(list(permutation))
        results.add(tuple((r.key, r.rank, r.position, r.indistinct_from_rank) for r in ranked))
    assert results == {
        (("x", 1, 1, None), ("y", 1, 2, None), ("z", 3, 3, 1), ("w", 4, 4, None), ("v", 4, 5, None))
    }


def test_survey_weight_is_the_share_of_a_score_that_comes_from_its_own_answers():
    assert rules.survey_weight(30, 10.0) == pytest.approx(0.75)
    assert rules.survey_weight(0, 10.0) == 0.0
    # A company: the household-weighted mean of its estates' weights (as its score is weighted).
    assert rules.company_survey_weight([(30, 100), (10, 300)], 10.0) == pytest.approx(
        0.25 * 0.75 + 0.75 * 0.5
    )
    assert rules.company_survey_weight([(30, 0), (10, 0)], 10.0) == pytest.approx((0.75 + 0.5) / 2)


def test_small_samples_are_labelled_by_their_shrinkage_weight_not_by_a_raw_count():
    # 453 answers with k = 10 weigh 0.98: not a small sample (the old rule labelled a company by any
    # estate under 20 answers). 9 answers with k = 10 weigh 0.47: a small sample.
    assert rules.survey_flags(453, 2000, rules.survey_weight(453, 10.0)) == []
    assert rules.survey_flags(9, 40, rules.survey_weight(9, 10.0)) == ["small_sample"]
    # 12 answers with k = 4 weigh 0.75: the score is mostly the estate's own, so no label.
    assert rules.survey_flags(12, 40, rules.survey_weight(12, 4.0)) == []
    assert rules.survey_flags(0, 100, 0.0) == ["no_responses", "low_response_rate"]


@pytest.mark.parametrize(
    ("responses", "weight", "sufficient"),
    [(30, 0.5, True), (29, 0.9, False), (453, 0.49, False), (4, 0.3, False), (100, 0.8, True)],
)
def test_minimum_evidence_to_eliminate(responses, weight, sufficient):
    assert rules.evidence_sufficient(responses, weight) is sufficient
    assert rules.evidence_sufficient(responses, weight, min_responses=10, min_weight=0.2) is (responses >= 10)
