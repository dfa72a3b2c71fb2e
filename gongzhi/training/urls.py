"""Training and exams (以考促学), mounted at /training/."""

from django.urls import path

from gongzhi.training.views import office

app_name = "training"
urlpatterns = [
    path("", office.my_exams, name="my"),
    path("questions/", office.question_list, name="questions"),
    path("questions/new/", office.question_form, name="question_create"),
    path("questions/<int:pk>/", office.question_form, name="question_edit"),
    path("questions/import/", office.question_import, name="question_import"),
    path("questions/template.xlsx", office.question_template, name="question_template"),
    path("exams/", office.exam_list, name="exams"),
    path("exams/new/", office.exam_create, name="exam_create"),
    path("exams/<int:pk>/", office.exam_detail, name="exam"),
    path("exams/<int:pk>/export.xlsx", office.exam_export, name="exam_export"),
    path("exams/<int:pk>/certificates/", office.certificates_batch, name="certificates_batch"),
    path("exams/<int:pk>/act/<slug:action>/", office.exam_act, name="exam_act"),
    path("start/<int:pk>/", office.attempt_start, name="start"),
    path("attempt/<int:pk>/", office.attempt_take, name="take"),
    path("attempt/<int:pk>/result/", office.attempt_result, name="result"),
    path("certificate/<int:pk>/", office.certificate, name="certificate"),
]
