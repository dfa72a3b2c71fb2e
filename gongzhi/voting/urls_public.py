"""Public pages of owners' decisions (/decide/, no login)."""

from django.urls import path

from gongzhi.voting.views import public

app_name = "decide"

urlpatterns = [
    path("estate/<int:pk>/", public.estate, name="estate"),
    path("<int:pk>/", public.decision, name="decision"),
    path("<int:pk>/receipt/", public.receipt, name="receipt"),
    path("<int:pk>/ballots.json", public.ballot_file, name="ballot_file"),
    path("attachments/<int:pk>/", public.attachment, name="attachment"),
]
