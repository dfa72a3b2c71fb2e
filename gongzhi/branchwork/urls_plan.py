"""The street's work plan (mounted at /plan/, namespace ``branchwork_plan``)."""

from django.urls import path

from gongzhi.branchwork.views import partnerships, plan

app_name = "branchwork_plan"
urlpatterns = [
    path("", plan.plan_page, name="plan"),
    path("create/", plan.plan_create, name="create"),
    path("milestones/new/", plan.milestone_add, name="milestone_add"),
    path("milestones/<int:pk>/edit/", plan.milestone_edit, name="milestone_edit"),
    path("milestones/<int:pk>/tick/", plan.milestone_tick, name="milestone_tick"),
    path("pilots/new/", plan.pilot_new, name="pilot_new"),
    path("pilots/<int:pk>/edit/", plan.pilot_edit, name="pilot_edit"),
    path("partnerships/", partnerships.partnership_list, name="partnerships"),
    path("partnerships/<int:pk>/", partnerships.partnership_detail, name="partnership"),
    path("partnerships/<int:pk>/<slug:action>/", partnerships.partnership_act, name="partnership_act"),
    path("partnership-items/<int:pk>/", partnerships.programme_item_progress, name="programme_item"),
    path("milestones/<int:pk>/evidence/", plan.milestone_evidence, name="milestone_evidence"),
]
