from django.urls import path

from gongzhi.portal import views, views_activation

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

# Owner account activation (views_activation.py): the phone pages need no login; the letters are printed
# by the estate's owners' committee or the street admin.
urlpatterns += [
    path("activate/", views_activation.activate, name="activate"),
    path("activate/account/", views_activation.activate_account, name="activate_account"),
    path("letters/", views_activation.letters, name="letters"),
    path("letters/<int:pk>/", views_activation.letters_estate, name="letters_estate"),
    path("letters/<int:pk>/issue/", views_activation.letters_issue, name="letters_issue"),
]
