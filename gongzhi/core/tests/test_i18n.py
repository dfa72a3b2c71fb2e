"""Facts about the English catalog (gongzhi/locale/en) and the language the pages are served in.

The interface is written in Chinese (zh-hans, the default); English is the translation in
``locale/en/LC_MESSAGES/django.po``, compiled to the committed ``django.mo`` so that the runtime never
needs GNU gettext."""

import ast
import re
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.utils import translation

import gongzhi

PACKAGE_DIR = Path(gongzhi.__file__).resolve().parent
MESSAGES_DIR = PACKAGE_DIR / "locale" / "en" / "LC_MESSAGES"
PO_PATH = MESSAGES_DIR / "django.po"
MO_PATH = MESSAGES_DIR / "django.mo"

# printf-style placeholders as Python's % operator reads them: %(name)s, %(n)d, %(seconds).1f, %s, %d.
# "%%" is a literal percent sign, and a "%" followed by anything else (e.g. "85%)") is plain text.
PLACEHOLDER = re.compile(r"%%|%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[sdif]")


def placeholders(text: str) -> Counter:
    return Counter(match for match in PLACEHOLDER.findall(text) if match != "%%")


def translations(entry) -> list[str]:
    """Every msgstr of an entry: one, or one per plural form."""
    if entry.msgid_plural:
        return [text for _form, text in sorted(entry.msgstr_plural.items(), key=lambda item: int(item[0]))]
    return [entry.msgstr]


@pytest.fixture(scope="module")
def po():
    return polib.pofile(str(PO_PATH))


def test_catalog_has_entries_and_a_plural_rule(po):
    assert len(po) > 0
    assert po.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"


def test_every_entry_is_translated_in_every_plural_form(po):
    untranslated = [entry.msgid for entry in po if not all(text.strip() for text in translations(entry))]
    assert untranslated == []


def test_no_entry_is_fuzzy(po):
    # msgfmt leaves fuzzy entries out of the .mo, so a fuzzy entry shows the Chinese text.
    assert [entry.msgid for entry in po if "fuzzy" in entry.flags] == []
    assert not po.metadata_is_fuzzy


def test_plural_entries_have_both_english_forms(po):
    plural_entries = [entry for entry in po if entry.msgid_plural]
    assert plural_entries
    for entry in plural_entries:
        assert sorted(int(form) for form in entry.msgstr_plural) == [0, 1], entry.msgid


def test_translations_keep_the_placeholders_of_their_source(po):
    mismatched = [
        (entry.msgid, text)
        for entry in po
        for text in translations(entry)
        if placeholders(text) != placeholders(entry.msgid)
    ]
    assert mismatched == []


def test_placeholder_pattern_sees_named_positional_and_formatted_placeholders():
    # The check above is only as good as this pattern.
    assert placeholders("%(a)s %(n)d %(t).1f %s %d 85%) 100%%") == Counter(
        ["%(a)s", "%(n)d", "%(t).1f", "%s", "%d"]
    )


def entry_map(catalog) -> dict:
    return {
        (entry.msgctxt, entry.msgid): tuple(translations(entry))
        for entry in catalog
        if entry.msgid  # the header
    }


def test_committed_mo_matches_the_po(po):
    assert MO_PATH.exists(), "run: gongzhi compilemessages -l en"
    assert entry_map(polib.mofile(str(MO_PATH))) == entry_map(po)


def test_runtime_translates_through_the_compiled_catalog():
    with translation.override("en"):
        assert translation.gettext("首页") == "Home"
    with translation.override("zh-hans"):
        assert translation.gettext("首页") == "首页"


# --- Catalog coverage -----------------------------------------------------------------------------
# makemessages (xgettext) is the authority on what is translatable; this is a cheap tripwire that needs
# no gettext tools. It finds only the simplest, unambiguous forms and deliberately misses the rest:
#   Python:    _("…"), gettext("…"), gettext_lazy("…"), gettext_noop("…") with ONE single-line string
#              literal closed on the same line (no implicit concatenation, no f-strings, no ngettext);
#   templates: {% translate "…" %} / {% trans '…' %} (optionally "as var" or "noop", never "context"),
#              and {% blocktranslate [with …] %}…{% endblocktranslate %} on one line without count,
#              context or trimmed, whose {{ var }} become %(var)s as Django does.
# Template literals containing "%" are skipped: Django escapes them to "%%" in the msgid.
# A string found this way that is not a msgid means a new string is still untranslated.

PY_CALL = re.compile(
    r"""(?<![\w.])(?:_|gettext|gettext_lazy|gettext_noop)\(\s*("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')\s*\)"""
)
TEMPLATE_TRANSLATE = re.compile(
    r"""\{%\s*trans(?:late)?\s+("[^"\n]*"|'[^'\n]*')(?:\s+noop)?(?:\s+as\s+\w+)?\s*%\}"""
)
TEMPLATE_BLOCK = re.compile(
    r"""\{%\s*blocktrans(?:late)?((?:\s+with(?:\s+\w+=[^\s%]+)+)?)\s*%\}([^\n{]*(?:\{\{\s*\w+\s*\}\}[^\n{]*)*)"""
    r"""\{%\s*endblocktrans(?:late)?\s*%\}"""
)
TEMPLATE_VAR = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def source_files(pattern: str):
    for path in sorted(PACKAGE_DIR.rglob(pattern)):
        parts = path.relative_to(PACKAGE_DIR).parts
        if "tests" in parts or "migrations" in parts or "locale" in parts:
            continue
        yield path


def python_msgids(text: str) -> set[str]:
    return {ast.literal_eval(literal) for literal in PY_CALL.findall(text)}


def template_msgids(text: str) -> set[str]:
    found = {literal[1:-1] for literal in TEMPLATE_TRANSLATE.findall(text)}
    found |= {body for _with, body in TEMPLATE_BLOCK.findall(text)}
    return {TEMPLATE_VAR.sub(r"%(\1)s", msgid) for msgid in found if msgid and "%" not in msgid}


def test_coverage_patterns_recognise_the_simple_forms_and_skip_the_rest():
    assert python_msgids(
        'x = _("甲") + gettext_lazy(\'乙\') + gettext("丙\\n") + ngettext("丁", "戊", n)'
    ) == {
        "甲",
        "乙",
        "丙\n",
    }
    assert python_msgids('_("甲" "乙") or _(f"{a}丙") or obj.gettext("丁")') == set()
    assert template_msgids(
        '{% translate "甲" %}{% trans \'乙\' as x %}{% translate "丙" context "c" %}'
        "{% translate '收缴率（%）' %}"
        "{% blocktranslate with n=a.b|intcomma %}共 {{ n }} 条{% endblocktranslate %}"
        "{% blocktranslate count n=x %}{{ n }} 处{% plural %}{{ n }} 处{% endblocktranslate %}"
    ) == {"甲", "乙", "共 %(n)s 条"}


def test_every_simple_source_string_is_in_the_catalog(po):
    msgids = {entry.msgid for entry in po}
    found: dict[str, str] = {}
    for path in source_files("*.py"):
        for msgid in python_msgids(path.read_text(encoding="utf-8")):
            found.setdefault(msgid, str(path.relative_to(PACKAGE_DIR)))
    for path in source_files("*.html"):
        for msgid in template_msgids(path.read_text(encoding="utf-8")):
            found.setdefault(msgid, str(path.relative_to(PACKAGE_DIR)))
    assert len(found) > 100  # the scan itself works (the UI has hundreds of strings)
    missing = {msgid: where for msgid, where in found.items() if msgid not in msgids}
    assert missing == {}, "run makemessages -l en and translate the new entries"


# --- Pages in English -----------------------------------------------------------------------------

NAV = re.compile(r"<nav\b[^>]*>(.*?)</nav>", re.S)


def nav_of(response) -> str:
    match = NAV.search(response.content.decode())
    assert match, "the page has a <nav>"
    return match.group(1)


@pytest.mark.parametrize("path", ["/", "/registry/estates/"])
def test_language_cookie_en_serves_the_page_in_english(client, world, settings, path):
    client.force_login(world.user("admin"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    assert '<a href="/"' in nav_of(response)
    assert ">Home</a>" in nav_of(response)
    assert "首页" not in response.content.decode()


@pytest.mark.parametrize("path", ["/", "/registry/estates/"])
def test_without_language_cookie_the_page_is_chinese(client, world, path):
    client.force_login(world.user("admin"))
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    assert ">首页</a>" in nav_of(response)
    assert ">Home</a>" not in response.content.decode()


@pytest.mark.django_db
def test_an_english_request_leaves_no_english_behind(client, settings):
    """The language of a request holds for that request only (core/locale.py): a worker thread, or the next
    test in the same process, is back in zh-Hans afterwards. (English left active made 28 later tests of one
    CI worker read English messages and build the demo street in English.)"""
    from django.utils import translation

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/accounts/login/")
    assert response["Content-Language"] == "en" and "Log in" in response.content.decode()
    assert translation.get_language() == "zh-hans"
