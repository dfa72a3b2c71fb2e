"""Office pages of the ledgers (mounted at /finance/)."""

from django.urls import path

from gongzhi.finance.views import office, oversight

app_name = "finance"
urlpatterns = [
    path("", office.index, name="index"),
    path("chain-check/", office.chain_check, name="chain_check"),
    path("disclosures/", oversight.disclosure_list, name="disclosures"),
    path("disclosures/export/", oversight.disclosure_export, name="disclosures_export"),
    path("disclosures/<int:pk>/attachment/", oversight.disclosure_file, name="disclosure_file"),
    path("alerts/", oversight.alert_list, name="alerts"),
    path("alerts/export/", oversight.alert_export, name="alerts_export"),
    path("import/", oversight.import_view, name="import"),
    path("import/template/", oversight.import_template, name="import_template"),
    path("<int:estate_id>/", office.estate, name="estate"),
    path("<int:estate_id>/<slug:ledger>/post/", office.post_entry, name="post"),
    path("<int:estate_id>/<slug:ledger>/disclose/", oversight.disclose, name="disclose"),
    path("<int:estate_id>/<slug:ledger>/schedule/", oversight.schedule, name="schedule"),
    path("<int:estate_id>/profile/", oversight.profile, name="profile"),
    path("entry/<int:pk>/reverse/", office.reverse_entry, name="reverse"),
    path("entry/<int:pk>/evidence/", oversight.evidence_add, name="evidence_add"),
    path("evidence/<int:pk>/", oversight.evidence_file, name="evidence_file"),
]
