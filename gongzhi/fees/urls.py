"""Office pages of fee standards and collection (mounted at /fees/)."""

from django.urls import path

from gongzhi.fees.views import office

app_name = "fees"
urlpatterns = [
    path("", office.overview, name="overview"),
    path("export.xlsx", office.export, name="export"),
    path("import/", office.import_collections, name="import"),
    path("import/template.xlsx", office.import_template, name="template"),
    path("price-documents/", office.price_documents, name="price_documents"),
    path("<int:estate_id>/", office.estate, name="estate"),
    path("<int:estate_id>/standard/", office.standard_new, name="standard_new"),
    path("<int:estate_id>/proposal/", office.proposal_new, name="proposal_new"),
    path("<int:estate_id>/collection/", office.collection_new, name="collection_new"),
]
