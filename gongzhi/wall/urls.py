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
