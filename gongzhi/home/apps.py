from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "gongzhi.home"
    label = "home"
