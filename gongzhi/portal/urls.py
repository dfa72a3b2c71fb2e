from django.urls import path

from gongzhi.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("estate/<int:pk>/", views.estate, name="estate"),
    path("report/", views.report, name="report"),
    path("problems/", views.problems, name="problems"),
    path("problems/<int:pk>/", views.problem, name="problem"),
    path("problems/<int:pk>/rate/", views.problem_rate, name="problem_rate"),
    path("problems/<int:pk>/reopen/", views.problem_reopen, name="problem_reopen"),
]
