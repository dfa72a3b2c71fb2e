from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from gongzhi.api.urls import api
from gongzhi.core import views as core_views
from gongzhi.core import views_health, views_metrics, views_notify

urlpatterns = [
    path("", include("gongzhi.home.urls")),
    path("accounts/login/", core_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", core_views.logout_view, name="logout"),
    path("i18n/setlang/", core_views.set_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("audit/", core_views.audit_log, name="audit_log"),
    path("data-health/", views_health.data_health, name="data_health"),
    path("registry/", include("gongzhi.registry.urls")),
    path("problems/", include("gongzhi.problems.urls")),
    path("board/", include("gongzhi.problems.urls_public")),
    path("finance/", include("gongzhi.finance.urls")),
    path("ledgers/", include("gongzhi.finance.urls_public")),
    path("fees/", include("gongzhi.fees.urls")),
    path("disclosure/", include("gongzhi.disclosure.urls_public")),
    path("votes/", include("gongzhi.voting.urls")),
    path("decide/", include("gongzhi.voting.urls_public")),
    path("evaluation/", include("gongzhi.evaluation.urls")),
    path("survey/", include("gongzhi.evaluation.urls_public")),
    path("branch/", include("gongzhi.branchwork.urls")),
    path("duty/", include("gongzhi.branchwork.urls_public")),
    path("plan/", include("gongzhi.branchwork.urls_plan")),
    path("elections/", include("gongzhi.elections.urls")),
    path("training/", include("gongzhi.training.urls")),
    path("jobs/", include("gongzhi.jobs.urls")),
    path("inbox/", core_views.inbox, name="inbox"),
    path("inbox/read/", core_views.inbox_read, name="inbox_read"),
    path("notifications/preferences/", views_notify.preferences, name="notify_preferences"),
    path("notifications/deliveries/", views_notify.deliveries, name="notify_deliveries"),
    path("notifications/events/", views_notify.events, name="notify_events"),
    path("my/", include("gongzhi.portal.urls")),
    path("wall/", include("gongzhi.wall.urls")),
    path("api/v1/", api.urls),
    path("healthz", core_views.healthz, name="healthz"),
    path("metrics", views_metrics.metrics, name="metrics"),
]

handler400 = "gongzhi.core.views.bad_request"
handler403 = "gongzhi.core.views.permission_denied"
handler404 = "gongzhi.core.views.page_not_found"
handler500 = "gongzhi.core.views.server_error"
