"""The public ledger page of each estate and its downloads (mounted at /ledgers/, no login)."""

from django.urls import path

from gongzhi.finance.views import public

app_name = "ledgers"
urlpatterns = [
    path("<int:estate_id>/", public.estate, name="estate"),
    path("<int:estate_id>/<slug:ledger>.jsonl", public.download, name="download"),
]
