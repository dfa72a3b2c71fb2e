from django.urls import path

from gongzhi.home.views import landing, stairwell

urlpatterns = [
    path("", landing.home, name="home"),
    path("stairwell/vote/<int:pk>.pdf", stairwell.vote_notice, name="stairwell_vote"),
    path(
        "stairwell/disclosure/<int:estate_id>.pdf", stairwell.disclosure_notice, name="stairwell_disclosure"
    ),
]
