app_name = "branchwork"

urlpatterns: list = []
