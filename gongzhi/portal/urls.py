from django.urls import path

from gongzhi.portal.views import activation, resident

app_name = "portal"
urlpatterns = [
    path("", resident.home, name="home"),
    path("estate/<int:pk>/", resident.estate, name="estate"),
    path("report/", resident.report, name="report"),
    path("problems/", resident.problems, name="problems"),
    path("problems/<int:pk>/", resident.problem, name="problem"),
    path("problems/<int:pk>/rate/", resident.problem_rate, name="problem_rate"),
    path("problems/<int:pk>/reopen/", resident.problem_reopen, name="problem_reopen"),
]

# Owner account activation (activation.py): the phone pages need no login; the letters are printed
# by the estate's owners' committee or the street admin.
urlpatterns += [
    path("activate/", activation.activate, name="activate"),
    path("activate/account/", activation.activate_account, name="activate_account"),
    path("letters/", activation.letters, name="letters"),
    path("letters/<int:pk>/", activation.letters_estate, name="letters_estate"),
    path("letters/<int:pk>/issue/", activation.letters_issue, name="letters_issue"),
]
