"""Resident survey pages (mounted at /survey/): household codes need no login."""

from django.urls import path

from gongzhi.evaluation.views import survey

app_name = "survey"
urlpatterns = [
    path("", survey.start, name="start"),
    path("thanks/", survey.thanks, name="thanks"),
    path("my/", survey.mine, name="mine"),
    path("campaign/<int:pk>/unit/<int:unit>/", survey.answer_unit, name="answer_unit"),
    path("fault/<int:pk>/", survey.fault, name="fault"),
    path("<str:code>/", survey.answer, name="answer"),
]
