"""Sort keys: natural order for numbers, pinyin order for names."""

from gongzhi.core.ordering import natural_key, pinyin_key


def test_natural_order_puts_2_before_10():
    assert sorted(["10号", "2号", "1号", "2号A"], key=natural_key) == ["1号", "2号", "2号A", "10号"]
    assert natural_key(None) == natural_key("")


def test_names_sort_by_pinyin_not_by_code_point():
    names = ["张三", "王五", "李四", "安然", "赵六"]
    assert sorted(names) != ["安然", "李四", "王五", "张三", "赵六"]  # code points disagree
    assert sorted(names, key=pinyin_key) == ["安然", "李四", "王五", "张三", "赵六"]


def test_surnames_are_read_as_surnames():
    # 曾 is zeng as a surname (not ceng), 单 is shan (not dan): cao < shan < zeng < zhang.
    assert sorted(["曾明", "张华", "单红", "曹军"], key=pinyin_key) == ["曹军", "单红", "曾明", "张华"]


def test_same_reading_and_odd_names_keep_a_total_order():
    assert pinyin_key("  ") == ((), "")
    assert pinyin_key("王 A") == (("wang", "a"), "王 A")
    assert sorted(["李丽", "李力"], key=pinyin_key) == sorted(["李力", "李丽"], key=pinyin_key)


def test_name_key_counts_numbers_and_reads_chinese_by_pinyin():
    from gongzhi.core.ordering import name_key

    assert sorted(["10号楼", "2号楼", "1号楼", "11号楼"], key=name_key) == [
        "1号楼",
        "2号楼",
        "10号楼",
        "11号楼",
    ]
    assert sorted(["张江小区", "王家小区", "李村小区"], key=name_key) == ["李村小区", "王家小区", "张江小区"]
    assert sorted(["3号楼102", "3号楼1001", "3号楼201"], key=name_key) == [
        "3号楼102",
        "3号楼201",
        "3号楼1001",
    ]
    assert sorted(["b栋", "A栋"], key=name_key) == ["A栋", "b栋"]
    assert name_key(None) == name_key("")


def test_sorted_by_name_follows_dotted_attributes_in_turn():
    from types import SimpleNamespace as NS

    from gongzhi.core.ordering import sorted_by_name

    units = [
        NS(number="101", building=NS(number="10号")),
        NS(number="201", building=NS(number="2号")),
        NS(number="101", building=NS(number="2号")),
    ]
    ordered = sorted_by_name(units, "building.number", "number")
    assert [(u.building.number, u.number) for u in ordered] == [
        ("2号", "101"),
        ("2号", "201"),
        ("10号", "101"),
    ]
