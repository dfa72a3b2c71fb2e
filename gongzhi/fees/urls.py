"""Office pages of fee standards and collection (mounted at /fees/)."""

from django.urls import path

from gongzhi.fees import views

app_name = "fees"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("export.xlsx", views.export, name="export"),
    path("import/", views.import_collections, name="import"),
    path("import/template.xlsx", views.import_template, name="template"),
    path("<int:estate_id>/", views.estate, name="estate"),
    path("<int:estate_id>/standard/", views.standard_new, name="standard_new"),
    path("<int:estate_id>/collection/", views.collection_new, name="collection_new"),
]
