"""Excel import of questions: all-or-nothing with row-by-row Chinese errors; the template round-trips."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from gongzhi.core.models import AuditEvent
from gongzhi.training.models import Question

HEADER = ["专题", "题型", "题目", "选项A", "选项B", "选项C", "选项D", "正确答案", "解析"]


def _xlsx(rows) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "试题"
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("q.xlsx", buffer.getvalue())


GOOD = [
    ["物业法规", "单选题", "业委会任期一般为几年?", "1年", "3至5年", "10年", None, "B", "三至五年。"],
    ["维修资金", "多选题", "使用维修资金须:", "业主表决", "公示方案", "公开结算", "物业自定", "ABC", ""],
    ["消防安全/电动车", "判断题", "楼道内可以给电动车充电。", None, None, None, None, "错误", "禁止。"],
]


def test_a_good_file_imports_every_row(as_user, world):
    response = as_user("admin").post(reverse("training:question_import"), {"file": _xlsx(GOOD)})
    assert response.status_code == 302
    assert Question.objects.count() == 3
    multiple = Question.objects.get(kind="multiple")
    assert [c.is_correct for c in multiple.choices.all()] == [True, True, True, False]
    tf = Question.objects.get(kind="true_false")
    assert [(c.text, c.is_correct) for c in tf.choices.all()] == [("正确", False), ("错误", True)]
    assert AuditEvent.objects.filter(action="import", object_type="training.Question").count() == 1


def test_one_bad_row_imports_nothing_and_names_every_bad_row(as_user, world):
    bad = [
        *GOOD,
        ["物业法规", "多选题", "只有一个正确答案的多选题", "甲", "乙", "丙", None, "A", ""],
        ["天文", "单选题", "错误专题", "甲", "乙", None, None, "C", ""],
    ]
    response = as_user("admin").post(reverse("training:question_import"), {"file": _xlsx(bad)})
    page = response.content.decode()
    assert response.status_code == 200
    assert Question.objects.count() == 0
    assert "第 5 行" in page and "多选题至少 2 个正确答案" in page
    assert "第 6 行" in page and "专题“天文”无效" in page and "不是已填写选项的字母" in page


def test_not_an_excel_file_is_refused_in_chinese(as_user, world):
    upload = SimpleUploadedFile("q.xlsx", b"this is not a workbook")
    page = as_user("admin").post(reverse("training:question_import"), {"file": upload}).content.decode()
    assert Question.objects.count() == 0 and "文件" in page


def test_the_template_imports_as_is(as_user, world):
    client = as_user("admin")
    template = client.get(reverse("training:question_template")).content
    response = client.post(
        reverse("training:question_import"), {"file": SimpleUploadedFile("t.xlsx", template)}
    )
    assert response.status_code == 302 and Question.objects.count() == 2
