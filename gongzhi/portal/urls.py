from django.urls import path

from gongzhi.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("estate/<int:pk>/", views.estate, name="estate"),
]
