from django.urls import path

from gongzhi.home.views import landing, stairwell

urlpatterns = [
    path("", landing.home, name="home"),
    path("overview/", landing.overview, name="home_overview"),
    path("stairwell/vote/<int:pk>.pdf", stairwell.vote_notice, name="stairwell_vote"),
    path(
        "stairwell/disclosure/<int:estate_id>.pdf", stairwell.disclosure_notice, name="stairwell_disclosure"
    ),
    path("stairwell/survey/<int:pk>/<int:estate_id>.pdf", stairwell.survey_notice, name="stairwell_survey"),
    path("stairwell/fault/<int:pk>/<int:estate_id>.pdf", stairwell.fault_notice, name="stairwell_fault"),
]
