"""Office pages for problems (mounted at /problems/)."""

from django.urls import path

from gongzhi.problems.views import office

app_name = "problems"
urlpatterns = [
    path("", office.problem_list, name="list"),
    path("export.xlsx", office.problem_export, name="export"),
    path("stats/", office.problem_stats, name="stats"),
    path("new/", office.problem_create, name="create"),
    path("categories/", office.category_list, name="categories"),
    path("<int:pk>/", office.problem_detail, name="detail"),
    path("<int:pk>/act/<slug:action>/", office.problem_act, name="act"),
    path("photo/<int:pk>/", office.photo, name="photo"),
]
