app_name = "decide"

urlpatterns: list = []
