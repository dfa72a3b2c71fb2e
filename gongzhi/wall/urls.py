from django.urls import path

from gongzhi.wall import views

app_name = "wall"

urlpatterns = [
    path("", views.street, name="street"),
    path("area/<int:pk>/", views.area, name="area"),
    path("company/<int:pk>/", views.company, name="company"),
    path("estate/<int:pk>/", views.estate, name="estate"),
    path("estate/<int:pk>/card/", views.card, name="card"),
    path("rules/", views.rules, name="rules"),
]

# The map, the big screen and its display links, the public wall (views_screen.py).
from gongzhi.wall import views_screen  # noqa: E402 (appended beside the other helpers' lines)

urlpatterns += [
    path("map/", views_screen.map_page, name="map"),
    path("map/geometry/", views_screen.geometry, name="geometry"),
    path("map/geometry/export/", views_screen.geometry_download, name="geometry_export"),
    path("screen/", views_screen.screen, name="screen"),
    path("screen/d/<str:token>/", views_screen.screen_display, name="screen_display"),
    path("screen/links/", views_screen.display_links, name="display_links"),
    path("screen/links/<int:pk>/revoke/", views_screen.display_link_revoke_view, name="display_link_revoke"),
    path("screen/public/", views_screen.public_switch, name="public_switch"),
    path("public/<int:pk>/", views_screen.public_wall, name="public"),
]

# Trends, the on-demand recompute and the monthly briefing (views_trends.py).
from gongzhi.wall import views_trends  # noqa: E402

urlpatterns += [
    path("trends/", views_trends.trends, name="trends"),
    path("recompute/", views_trends.recompute, name="recompute"),
    path("briefing.pdf", views_trends.briefing, name="briefing"),
]
