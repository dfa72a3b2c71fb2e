"""Training and exams (以考促学), mounted at /training/."""

from django.urls import path

from gongzhi.training import views

app_name = "training"
urlpatterns = [
    path("", views.my_exams, name="my"),
    path("questions/", views.question_list, name="questions"),
    path("questions/new/", views.question_form, name="question_create"),
    path("questions/<int:pk>/", views.question_form, name="question_edit"),
    path("questions/import/", views.question_import, name="question_import"),
    path("questions/template.xlsx", views.question_template, name="question_template"),
    path("exams/", views.exam_list, name="exams"),
    path("exams/new/", views.exam_create, name="exam_create"),
    path("exams/<int:pk>/", views.exam_detail, name="exam"),
    path("exams/<int:pk>/export.xlsx", views.exam_export, name="exam_export"),
    path("exams/<int:pk>/act/<slug:action>/", views.exam_act, name="exam_act"),
    path("start/<int:pk>/", views.attempt_start, name="start"),
    path("attempt/<int:pk>/", views.attempt_take, name="take"),
    path("attempt/<int:pk>/result/", views.attempt_result, name="result"),
    path("certificate/<int:pk>/", views.certificate, name="certificate"),
]
