"""Office pages of the ledgers (mounted at /finance/)."""

from django.urls import path

from gongzhi.finance import views

app_name = "finance"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:estate_id>/", views.estate, name="estate"),
    path("<int:estate_id>/<slug:ledger>/post/", views.post_entry, name="post"),
    path("entry/<int:pk>/reverse/", views.reverse_entry, name="reverse"),
]
