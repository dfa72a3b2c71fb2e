"""Office pages of the ledgers (mounted at /finance/)."""

from django.urls import path

from gongzhi.finance import views, views_rules

app_name = "finance"
urlpatterns = [
    path("", views.index, name="index"),
    path("disclosures/", views_rules.disclosure_list, name="disclosures"),
    path("disclosures/export/", views_rules.disclosure_export, name="disclosures_export"),
    path("disclosures/<int:pk>/attachment/", views_rules.disclosure_file, name="disclosure_file"),
    path("alerts/", views_rules.alert_list, name="alerts"),
    path("alerts/export/", views_rules.alert_export, name="alerts_export"),
    path("import/", views_rules.import_view, name="import"),
    path("import/template/", views_rules.import_template, name="import_template"),
    path("<int:estate_id>/", views.estate, name="estate"),
    path("<int:estate_id>/<slug:ledger>/post/", views.post_entry, name="post"),
    path("<int:estate_id>/<slug:ledger>/disclose/", views_rules.disclose, name="disclose"),
    path("<int:estate_id>/<slug:ledger>/schedule/", views_rules.schedule, name="schedule"),
    path("<int:estate_id>/profile/", views_rules.profile, name="profile"),
    path("entry/<int:pk>/reverse/", views.reverse_entry, name="reverse"),
    path("entry/<int:pk>/evidence/", views_rules.evidence_add, name="evidence_add"),
    path("evidence/<int:pk>/", views_rules.evidence_file, name="evidence_file"),
]
