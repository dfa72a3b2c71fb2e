"""Slate review (人选把关), mounted at /elections/."""

from django.urls import path

from gongzhi.elections.views import office

app_name = "elections"
urlpatterns = [
    path("", office.slate_list, name="list"),
    path("export.xlsx", office.slate_export, name="export"),
    path("terms/", office.terms, name="terms"),
    path("targets/", office.targets, name="targets"),
    path("new/", office.slate_create, name="create"),
    path("<int:pk>/", office.slate_detail, name="detail"),
    path("<int:pk>/edit/", office.slate_edit, name="edit"),
    path("<int:pk>/candidates/new/", office.candidate_form, name="candidate_add"),
    path("<int:pk>/candidates/<int:candidate_id>/", office.candidate_form, name="candidate_edit"),
    path("<int:pk>/candidates/<int:candidate_id>/delete/", office.candidate_delete, name="candidate_delete"),
    path("<int:pk>/act/<slug:action>/", office.slate_act, name="act"),
    path("<int:pk>/install/", office.slate_install, name="install"),
]
