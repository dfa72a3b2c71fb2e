def test_tracking_numbers_have_at_least_six_digits_and_grow_past_a_million():
    from gongzhi.problems.rules import tracking_number

    assert tracking_number(2026, 123) == "WT-2026-000123"
    assert tracking_number(2026, 999_999) == "WT-2026-999999"
    assert tracking_number(2027, 10_000_230) == "WT-2027-10000230"  # still unique: the row's own id
