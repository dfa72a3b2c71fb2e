app_name = "book"

urlpatterns: list = []
