"""Office pages of the branch's work (mounted at /branch/)."""

from django.urls import path

from gongzhi.branchwork.views import bodies, duty, meetings, patrols, reception, rhythm, security

app_name = "branchwork"
urlpatterns = [
    path("", rhythm.home, name="home"),
    path("compliance/", rhythm.compliance, name="compliance"),
    path("compliance/export.xlsx", rhythm.compliance_export, name="compliance_export"),
    path("rules/", rhythm.rules_edit, name="rules"),
    path("meetings/", meetings.meeting_list, name="meetings"),
    path("meetings/new/", meetings.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", meetings.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/edit/", meetings.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/minutes.pdf", meetings.meeting_pdf, name="meeting_pdf"),
    path("meetings/<int:pk>/rating/", meetings.rating_setup, name="rating_setup"),
    path("meetings/<int:pk>/rating/tokens/", meetings.rating_tokens, name="rating_tokens"),
    path("meetings/<int:pk>/<slug:step>/", meetings.meeting_act, name="meeting_act"),
    path("resolutions/<int:pk>/hand-over/", meetings.resolution_hand_over, name="resolution_hand_over"),
    path("resolutions/<int:pk>/track/", bodies.resolution_track, name="resolution_track"),
    path("bodies/", bodies.body_list, name="bodies"),
    path("bodies/<int:pk>/", bodies.body_detail, name="body"),
    path("bodies/<int:pk>/edit/", bodies.body_edit, name="body_edit"),
    path("bodies/<int:pk>/members/", bodies.body_member_add, name="body_member_add"),
    path("bodies/members/<int:pk>/remove/", bodies.body_member_remove, name="body_member_remove"),
    path("bodies/<int:pk>/meetings/new/", bodies.body_meeting_new, name="body_meeting_new"),
    path("actions/", bodies.action_list, name="actions"),
    path("actions/<int:pk>/close/", bodies.action_close, name="action_close"),
    path("actions/<int:pk>/evidence/", bodies.action_evidence, name="action_evidence"),
    path("patrols/", patrols.patrol_list, name="patrols"),
    path("patrols/start/", patrols.patrol_start, name="patrol_start"),
    path("patrols/<int:pk>/", patrols.patrol_detail, name="patrol"),
    path("patrols/<int:pk>/finding/", patrols.patrol_finding, name="patrol_finding"),
    path("patrols/<int:pk>/end/", patrols.patrol_end, name="patrol_end"),
    path("security/", security.security_log, name="security"),
    path("security/<int:pk>/comment/", security.security_comment, name="security_comment"),
    path("duty/", duty.duty_roster, name="duty"),
    path("duty/<int:pk>/remove/", duty.duty_remove, name="duty_remove"),
    path("duty/profile/<int:member_pk>/", duty.duty_profile, name="duty_profile"),
    path("receptions/", reception.reception_list, name="receptions"),
    path("receptions/<int:pk>/problem/", reception.reception_problem, name="reception_problem"),
]
