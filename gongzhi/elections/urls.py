"""Slate review (人选把关), mounted at /elections/."""

from django.urls import path

from gongzhi.elections import views

app_name = "elections"
urlpatterns = [
    path("", views.slate_list, name="list"),
    path("export.xlsx", views.slate_export, name="export"),
    path("terms/", views.terms, name="terms"),
    path("targets/", views.targets, name="targets"),
    path("new/", views.slate_create, name="create"),
    path("<int:pk>/", views.slate_detail, name="detail"),
    path("<int:pk>/edit/", views.slate_edit, name="edit"),
    path("<int:pk>/candidates/new/", views.candidate_form, name="candidate_add"),
    path("<int:pk>/candidates/<int:candidate_id>/", views.candidate_form, name="candidate_edit"),
    path("<int:pk>/candidates/<int:candidate_id>/delete/", views.candidate_delete, name="candidate_delete"),
    path("<int:pk>/act/<slug:action>/", views.slate_act, name="act"),
]
