"""The disclosure book (mounted at /disclosure/): the public page and PDF of each estate (no login), and
the office pages where the owners' committee, the company and the street keep its own records."""

from django.urls import path

from gongzhi.disclosure.views import office, public

app_name = "book"
urlpatterns = [
    path("<int:estate_id>/", public.estate, name="estate"),
    path("<int:estate_id>/book.pdf", public.pdf, name="pdf"),
    path("office/", office.index, name="office"),
    path("office/books.zip", office.books_zip, name="books_zip"),
    path("office/<int:estate_id>/", office.estate, name="edit"),
    path("office/<int:estate_id>/matter/", office.matter_new, name="matter_new"),
    path("office/matter/<int:pk>/", office.matter_edit, name="matter_edit"),
    path("office/<int:estate_id>/rules/", office.rules_new, name="rules_new"),
    path("office/<int:estate_id>/service/<slug:service>/", office.service_edit, name="service_edit"),
]
