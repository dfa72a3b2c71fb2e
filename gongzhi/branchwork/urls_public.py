"""Public pages of the branch (mounted at /duty/, no login)."""

from django.urls import path

from gongzhi.branchwork.views import public

app_name = "duty"
urlpatterns = [
    path("<int:area_id>/", public.board, name="board"),
    path("photo/<int:pk>/", public.photo, name="photo"),
    path("outcome/<int:pk>/", public.outcome, name="outcome"),
    path("r/<str:code>/", public.rate, name="rate"),
    path("r/<str:code>/result/", public.result, name="result"),
]
