"""The public ledger page of each estate and its downloads (mounted at /ledgers/, no login)."""

from django.urls import path

from gongzhi.finance import views_public

app_name = "ledgers"
urlpatterns = [
    path("<int:estate_id>/", views_public.estate, name="estate"),
    path("<int:estate_id>/<slug:ledger>.jsonl", views_public.download, name="download"),
]
