"""Office pages of fee standards and collection (mounted at /fees/)."""

from django.urls import path

from gongzhi.fees.views import intents, office, quality, standard

app_name = "fees"
urlpatterns = [
    path("", office.overview, name="overview"),
    path("export.xlsx", office.export, name="export"),
    path("import/", office.import_collections, name="import"),
    path("import/template.xlsx", office.import_template, name="template"),
    path("price-documents/", office.price_documents, name="price_documents"),
    path("intents/", intents.intent_list, name="intents"),
    path("intents/<int:pk>/", intents.intent_detail, name="intent"),
    path("intents/<int:pk>/edit/", intents.intent_edit, name="intent_edit"),
    path("intents/<int:pk>/price-meeting.pdf", intents.intent_pdf, name="intent_pdf"),
    path("intents/<int:pk>/<slug:action>/", intents.intent_act, name="intent_act"),
    path("gate-rule/", intents.gate_rule, name="gate_rule"),
    path("price-meetings/", intents.price_rhythm, name="price_rhythm"),
    path("quality/", quality.fee_quality, name="quality"),
    path("initiative/", quality.initiative, name="initiative"),
    path("service-standard/", standard.service_standard, name="service_standard"),
    path("service-standard/<int:pk>/", standard.service_standard_item, name="service_standard_item"),
    path("<int:estate_id>/services/", standard.estate_services, name="estate_services"),
    path("<int:estate_id>/", office.estate, name="estate"),
    path("<int:estate_id>/gate/", intents.gate, name="gate"),
    path("<int:estate_id>/intent/", intents.intent_new, name="intent_new"),
    path("<int:estate_id>/standard/", office.standard_new, name="standard_new"),
    path("<int:estate_id>/proposal/", office.proposal_new, name="proposal_new"),
    path("<int:estate_id>/collection/", office.collection_new, name="collection_new"),
]
