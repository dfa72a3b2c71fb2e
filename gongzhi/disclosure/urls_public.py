"""The disclosure book (mounted at /disclosure/): the public page and PDF of each estate (no login), and
the office pages where the owners' committee, the company and the street keep its own records."""

from django.urls import path

from gongzhi.disclosure import views, views_office

app_name = "book"
urlpatterns = [
    path("<int:estate_id>/", views.estate, name="estate"),
    path("<int:estate_id>/book.pdf", views.pdf, name="pdf"),
    path("office/", views_office.index, name="office"),
    path("office/<int:estate_id>/", views_office.estate, name="edit"),
    path("office/<int:estate_id>/matter/", views_office.matter_new, name="matter_new"),
    path("office/matter/<int:pk>/", views_office.matter_edit, name="matter_edit"),
    path("office/<int:estate_id>/rules/", views_office.rules_new, name="rules_new"),
    path("office/<int:estate_id>/service/<slug:service>/", views_office.service_edit, name="service_edit"),
]
