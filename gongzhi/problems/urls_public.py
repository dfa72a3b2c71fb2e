"""The public problem board of each estate (mounted at /board/, no login)."""

from django.urls import path

from gongzhi.problems.views import public

app_name = "board"
urlpatterns = [
    path("<int:estate_id>/", public.board, name="estate"),
    path("photo/<int:pk>/", public.photo, name="photo"),
]
