from django.apps import AppConfig


class ProblemsConfig(AppConfig):
    name = "gongzhi.problems"
    label = "problems"
