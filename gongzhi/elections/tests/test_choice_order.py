"""Choices in pinyin order (issue #15, sorting as people count): the slate form's estates list 甲 (jia) before
乙 (yi) and, within 甲居民区, 甲二 (er) before 甲一 (yi) — the reverse of the characters' code points, which is
the order the database would give by itself."""

from django.urls import reverse


def test_the_slate_forms_estates_are_in_pinyin_order(as_user, world):
    response = as_user("admin").get(reverse("elections:create"))
    assert response.status_code == 200
    page = response.content.decode()
    choices = page[page.index("<select") :]
    names = ("甲居民区 · 甲二小区<", "甲居民区 · 甲一小区<", "乙居民区 · 乙一小区<")
    positions = [choices.index(name) for name in names]
    assert positions == sorted(positions)
