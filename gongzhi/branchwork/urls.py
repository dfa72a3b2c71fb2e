"""Office pages of the branch's work (mounted at /branch/)."""

from django.urls import path

from gongzhi.branchwork.views import office

app_name = "branchwork"
urlpatterns = [
    path("", office.home, name="home"),
    path("compliance/", office.compliance, name="compliance"),
    path("compliance/export.xlsx", office.compliance_export, name="compliance_export"),
    path("rules/", office.rules_edit, name="rules"),
    path("meetings/", office.meeting_list, name="meetings"),
    path("meetings/new/", office.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", office.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/edit/", office.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/minutes.pdf", office.meeting_pdf, name="meeting_pdf"),
    path("meetings/<int:pk>/rating/", office.rating_setup, name="rating_setup"),
    path("meetings/<int:pk>/rating/tokens/", office.rating_tokens, name="rating_tokens"),
    path("meetings/<int:pk>/<slug:step>/", office.meeting_act, name="meeting_act"),
    path("resolutions/<int:pk>/hand-over/", office.resolution_hand_over, name="resolution_hand_over"),
    path("patrols/", office.patrol_list, name="patrols"),
    path("patrols/start/", office.patrol_start, name="patrol_start"),
    path("patrols/<int:pk>/", office.patrol_detail, name="patrol"),
    path("patrols/<int:pk>/finding/", office.patrol_finding, name="patrol_finding"),
    path("patrols/<int:pk>/end/", office.patrol_end, name="patrol_end"),
    path("security/", office.security_log, name="security"),
    path("security/<int:pk>/comment/", office.security_comment, name="security_comment"),
    path("duty/", office.duty_roster, name="duty"),
    path("duty/<int:pk>/remove/", office.duty_remove, name="duty_remove"),
    path("duty/profile/<int:member_pk>/", office.duty_profile, name="duty_profile"),
    path("receptions/", office.reception_list, name="receptions"),
    path("receptions/<int:pk>/problem/", office.reception_problem, name="reception_problem"),
]
