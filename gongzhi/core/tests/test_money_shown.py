"""Money as a Chinese office writes it (issue #15): 1,522,181.85 with thousands separators on every
page, PDF and letter (``|money`` / ``|yuan``; a fee standard per m² with ``|standard``), and in Excel
exports a number cell with the ``#,##0.00`` format, so that the sheet still sums.

Two lints: a template that shows a money-named value (amount, balance, billed, collected, income,
expense, spent, cost, budget, arrears) without one of those filters, and a ``ColumnSpec`` whose header
names yuan or an amount (元, 金额, 余额) without ``number_format="#,##0.00"``."""

import ast
import re
from pathlib import Path

import pytest

import gongzhi
from gongzhi.core.datelint import template_files

PACKAGE_DIR = Path(gongzhi.__file__).resolve().parent

MONEY_FORMAT = "#,##0.00"
MONEY_FILTERS = {"money", "yuan", "standard"}
MONEY_NAME = re.compile(
    r"(?:^|_)(amount|balance|billed|collected|income|expenses?|spent|cost|budget|arrears)(?:_|$)"
)
NOT_MONEY = re.compile(r"_(text|pct|percent|rate|count|n|label|display)$|^(households|n|count|number)_")
SHOWN = re.compile(r"\{\{\s*(?P<expr>[^}]+?)\s*\}\}|\bwith\s+(?P<with>(?:\w+=[^\s%]+\s*)+)")
MONEY_HEADER = re.compile(r"元|金额|余额")


def _shown_values(text: str):
    """Each value a template prints: ``{{ expr|filters }}`` and a blocktranslate's ``with a=expr``."""
    for match in SHOWN.finditer(text):
        if match["expr"]:
            yield match["expr"]
        else:
            yield from (part.split("=", 1)[1] for part in match["with"].split())


def money_findings(text: str) -> list[str]:
    found = []
    for value in _shown_values(text):
        variable, *filters = [part.strip() for part in value.split("|")]
        name = variable.rsplit(".", 1)[-1]
        names = {f.split(":", 1)[0] for f in filters}
        if variable.startswith(("form.", "profile_form.")) or "json_script" in names:
            continue
        if "." not in variable and not filters:
            continue  # a blocktranslate placeholder ({{ amount }}): its filter is on the ``with``
        if MONEY_NAME.search(name) and not NOT_MONEY.search(name) and not names & MONEY_FILTERS:
            found.append(value)
    return found


def test_money_on_pages_has_thousands_separators():
    found = {
        str(path.relative_to(PACKAGE_DIR)): rows
        for path in template_files()
        if (rows := money_findings(path.read_text(encoding="utf-8")))
    }
    assert found == {}, "金额用 |money 或 |yuan（1,522,181.85）"


def _column_specs(tree: ast.AST):
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", "")) == "ColumnSpec"
        ):
            header = node.args[0] if node.args else None
            if isinstance(header, ast.Call) and header.args:  # _("金额（元）")
                header = header.args[0]
            text = header.value if isinstance(header, ast.Constant) and isinstance(header.value, str) else ""
            fmt = next(
                (
                    k.value.value
                    for k in node.keywords
                    if k.arg == "number_format" and isinstance(k.value, ast.Constant)
                ),
                None,
            )
            yield node.lineno, text, fmt


def test_excel_money_columns_are_numbers_with_thousands_separators():
    found = [
        f"{path.relative_to(PACKAGE_DIR)}:{line} «{header}» {fmt!r}"
        for path in sorted(PACKAGE_DIR.rglob("*.py"))
        if "tests" not in path.parts and "migrations" not in path.parts
        for line, header, fmt in _column_specs(ast.parse(path.read_text(encoding="utf-8")))
        if MONEY_HEADER.search(header)
        and not header.endswith(("/m²/月)", "/m²/月）"))
        and fmt != MONEY_FORMAT
    ]
    assert found == [], "Excel 的金额列写数字，格式 #,##0.00"


@pytest.mark.parametrize(
    ("template", "found"),
    [
        ("<td>{{ r.amount_billed }}</td>", ["r.amount_billed"]),
        ("<td>{{ ledger.balance|floatformat:2 }}</td>", ["ledger.balance|floatformat:2"]),
        ("{% blocktranslate with b=s.balance %}余额 {{ b }} 元{% endblocktranslate %}", ["s.balance"]),
        ("<td>{{ r.amount_billed|money }}</td>", []),
        ("{% blocktranslate with b=s.balance|yuan %}余额 {{ b }}{% endblocktranslate %}", []),
        ("<td>{{ s.amount_text }} {{ form.amount }} {{ amount }}</td>", []),
        ("<td>{{ i.current_amount|standard }}</td>", []),
    ],
)
def test_the_money_lint_knows_a_bare_amount(template, found):
    assert money_findings(template) == found


def test_the_excel_lint_reads_the_header_and_the_format():
    tree = ast.parse(
        'ColumnSpec(_("金额（元）"), number_format="0.00")\nColumnSpec(_("名次"), number_format="0")'
    )
    assert list(_column_specs(tree)) == [(1, "金额（元）", "0.00"), (2, "名次", "0")]
