"""The street's office home lists its areas as a clerk reads them: by pinyin, not by code point."""

from django.urls import reverse


def test_areas_are_listed_in_pinyin_order(as_user):
    html = as_user("admin").get(reverse("home_overview")).content.decode()
    # 甲 (jia) before 乙 (yi), though 乙 (U+4E59) has the lower code point.
    table = html[html.index("居民区与联合党支部") :]
    assert table.index("甲居民区") < table.index("乙居民区")
