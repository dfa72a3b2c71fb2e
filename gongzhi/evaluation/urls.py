"""Office pages of evaluation (mounted at /evaluation/)."""

from django.urls import path

from gongzhi.evaluation.views import benchmarks, elimination, office, replacement, work
from gongzhi.evaluation.views import district as district_views

app_name = "evaluation"
urlpatterns = [
    path("", office.index, name="index"),
    path("templates/", office.templates, name="templates"),
    path("templates/new/", office.template_edit, name="template_create"),
    path("templates/<int:pk>/", office.template_edit, name="template_edit"),
    path("campaigns/new/", office.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", office.campaign, name="campaign"),
    path("campaigns/<int:pk>/act/<slug:action>/", office.campaign_act, name="campaign_act"),
    path("campaigns/<int:pk>/letters/<int:estate>/", office.letters, name="letters"),
    path("campaigns/<int:pk>/ranking/", office.ranking, name="ranking"),
    path("campaigns/<int:pk>/ranking.xlsx", office.ranking_export, name="ranking_export"),
    path("campaigns/<int:pk>/ranking.pdf", office.ranking_pdf, name="ranking_pdf"),
    path("campaigns/<int:pk>/eliminate/", elimination.elimination_create, name="elimination_create"),
    path("scores/<int:pk>/", office.score, name="score"),
    path("companies/<int:pk>/", office.company, name="company"),
    path("awards/", office.awards, name="awards"),
    path("benchmarks/", benchmarks.benchmarks, name="benchmarks"),
    path("benchmarks/<int:pk>/revoke/", benchmarks.benchmark_revoke, name="benchmark_revoke"),
    path("inspections/", work.inspections, name="inspections"),
    path("inspections/<int:pk>/<int:estate>/", work.inspection_create, name="inspection_create"),
    path("assessments/", work.assessments, name="assessments"),
    path("assessments/<int:pk>/<int:estate>/", work.assessment_save, name="assessment_save"),
    path("eliminations/", elimination.eliminations, name="eliminations"),
    path("eliminations/<int:pk>/", elimination.elimination, name="elimination"),
    path("eliminations/<int:pk>/act/<slug:action>/", elimination.elimination_act, name="elimination_act"),
    path("eliminations/<int:pk>/export.xlsx", elimination.elimination_export, name="elimination_export"),
    # the district tier (区级): league table, a company across streets, district-wide rounds
    path("district/", district_views.district_index, name="district_index"),
    path("district/<int:pk>/", district_views.district_league, name="district_league"),
    path(
        "district/<int:pk>/league.xlsx", district_views.district_league_export, name="district_league_export"
    ),
    path("district/<int:pk>/companies/<str:key>/", district_views.district_company, name="district_company"),
    path(
        "district/<int:pk>/campaigns/new/",
        district_views.district_campaign_create,
        name="district_campaign_create",
    ),
    path("replacements/<int:pk>/", replacement.replacement, name="replacement"),
    path("replacements/<int:pk>/act/<slug:action>/", replacement.replacement_act, name="replacement_act"),
]
