from django.urls import path

from gongzhi.home.views import landing

urlpatterns = [path("", landing.home, name="home")]
