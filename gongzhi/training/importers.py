"""Excel import of questions: one row per question. All-or-nothing: every row is checked first and
nothing is written while any row has an error; each error names its row and column in Chinese."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gongzhi.core.audit import audit_record
from gongzhi.core.excel import (
    CellError,
    ColumnSpec,
    ImportErrors,
    SheetSpec,
    build_workbook,
    localised_notes,
    normalise_header,
    parse_text,
    read_table,
    row_problems,
)
from gongzhi.core.models import AuditEvent
from gongzhi.training import services
from gongzhi.training.models import QuestionKind, Topic

SHEET = "试题"
LETTERS = "ABCDEF"
COLUMNS = [  # key, header, required
    ("topic", "专题", True),
    ("kind", "题型", True),
    ("text", "题目", True),
    *[(f"option_{c}", f"选项{c}", False) for c in LETTERS],
    ("answer", "正确答案", True),
    ("explanation", "解析", False),
]
MAX_ROWS = 2000
# The 填写说明 sheet (core.excel.localised_notes renders it in the reader's language; the values to type — topics,
# kinds, 正确/错误 — are the sheet's Chinese and stay so).
NOTES = [
    [gettext_noop("项目"), gettext_noop("说明")],
    ["题型", "单选题、多选题、判断题"],
    ["选项", gettext_noop("单选题至少 2 个选项，多选题至少 3 个；判断题不填选项")],
    [
        "正确答案",
        gettext_noop(
            "单选填一个字母（如 B）；多选填全部正确字母（如 ACD，至少 2 个）；判断题填“正确”或“错误”"
        ),
    ],
    [
        gettext_noop("导入规则"),
        gettext_noop("整份文件全部正确才会导入；任何一行有错，一行都不会写入，并列出每一行的错误。"),
    ],
]
EXAMPLE = [
    [
        "物业法规",
        "单选题",
        "选聘物业服务企业需要哪种表决比例？",
        "过半数",
        "三分之二以上",
        "四分之三以上",
        None,
        None,
        None,
        "A",
        "参与表决面积和人数双过半数同意。",
    ],
    [
        "消防安全/电动车",
        "判断题",
        "电动自行车可以在楼道内充电。",
        None,
        None,
        None,
        None,
        None,
        None,
        "错误",
        "禁止在楼道、楼梯间停放充电。",
    ],
]


@dataclass(frozen=True)
class QuestionRow:
    number: int
    topic: str
    kind: str
    text: str
    choices: list[tuple[str, bool]]
    explanation: str


def template_bytes() -> bytes:
    columns = [ColumnSpec(header=h, required=req) for _key, h, req in COLUMNS]
    with translation.override("zh-hans"):  # the topics as the sheet must spell them
        topics = ["专题", "、".join(str(label) for _v, label in Topic.choices)]
    notes = localised_notes([NOTES[0], topics, *NOTES[1:]], headers=[h for _key, h, _req in COLUMNS])
    return build_workbook([SheetSpec(title=SHEET, columns=columns, rows=EXAMPLE)], notes=notes)


def _by_label(choices) -> dict[str, str]:
    return {normalise_header(label): value for value, label in choices}


def _answer_choices(kind: str, answer: str, options: list[str]) -> list[tuple[str, bool]]:
    key = answer.strip().upper().replace(",", "").replace(",", "").replace(" ", "").replace("、", "")
    if kind == QuestionKind.TRUE_FALSE:
        if key in ("正确", "对", "√", "T", "TRUE"):
            return [("正确", True), ("错误", False)]
        if key in ("错误", "错", "×", "F", "FALSE"):
            return [("正确", False), ("错误", True)]
        raise CellError(_("判断题的正确答案请填“正确”或“错误”。"))
    letters = set(key)
    if not letters or letters - set(LETTERS[: len(options)]):
        raise CellError(_("“%(value)s”不是已填写选项的字母。") % {"value": answer})
    return [(text, LETTERS[i] in letters) for i, text in enumerate(options)]


def parse_file(fileobj, *, filename: str = "") -> list[QuestionRow]:
    table, body = read_table(fileobj, filename=filename, title=SHEET, columns=COLUMNS)
    if len(body) > MAX_ROWS:
        raise ImportErrors([_("一次最多导入 %(n)d 道题。") % {"n": MAX_ROWS}])
    topics, kinds = _by_label(Topic.choices), _by_label(QuestionKind.choices)
    errors: list[str] = []
    parsed: list[QuestionRow] = []
    seen: dict[str, int] = {}
    for row_number, v in table.records(body):
        problems: list[str] = []
        texts = {}
        for key, header_text, _req in COLUMNS:
            try:
                texts[key] = parse_text(
                    v.get(key), max_length=1000 if key in ("text", "explanation") else 300
                )
            except CellError as error:
                problems.append(f"{header_text}:{error.message}")
                texts[key] = ""
        topic = topics.get(normalise_header(texts["topic"]))
        kind = kinds.get(normalise_header(texts["kind"]))
        if topic is None:
            problems.append(
                _("专题“%(value)s”无效，应为：%(choices)s。")
                % {"value": texts["topic"], "choices": "、".join(str(label) for _v, label in Topic.choices)}
            )
        if kind is None:
            problems.append(_("题型“%(value)s”无效，应为单选题、多选题或判断题。") % {"value": texts["kind"]})
        options = [texts[f"option_{c}"] for c in LETTERS]
        while options and not options[-1]:
            options.pop()
        choices: list[tuple[str, bool]] = []
        if kind is not None:
            try:
                choices = _answer_choices(kind, texts["answer"], options)
            except CellError as error:
                problems.append(_("正确答案：%(m)s") % {"m": error.message})
            else:
                problems += services.validate_question(kind, texts["text"], choices)
        if texts["text"]:
            if texts["text"] in seen:
                problems.append(_("与第 %(row)d 行题目重复。") % {"row": seen[texts["text"]]})
            seen.setdefault(texts["text"], row_number)
        if problems:
            errors.append(row_problems(row_number, problems))
            continue
        parsed.append(QuestionRow(row_number, topic, kind, texts["text"], choices, texts["explanation"]))
    if errors:
        raise ImportErrors(errors)
    if not parsed:
        raise ImportErrors([_("文件中没有试题。")])
    return parsed


@transaction.atomic
def questions_import(*, actor, street, rows: list[QuestionRow]) -> int:
    """Write every parsed row (all-or-nothing: the caller parsed the whole file first)."""
    services.require_admin(actor, street.pk)
    for row in rows:
        services.question_save(
            actor=actor,
            street=street,
            topic=row.topic,
            kind=row.kind,
            text=row.text,
            explanation=row.explanation,
            choices=row.choices,
            audit=False,
        )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.IMPORT,
        street_id=street.pk,
        object_type="training.Question",
        object_label=_("导入试题 %(n)d 道") % {"n": len(rows)},
        changes={"count": len(rows)},
    )
    return len(rows)
