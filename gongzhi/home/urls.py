from django.urls import path

from gongzhi.home import views

urlpatterns = [path("", views.home, name="home")]
