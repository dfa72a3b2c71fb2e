from django.urls import path

from gongzhi.registry import views, views_import

app_name = "registry"
urlpatterns = [
    path("import/", views_import.import_view, name="import"),
    path("import/template/<slug:sheet>.xlsx", views_import.template_view, name="template"),
    path("<slug:key>/", views.list_view, name="list"),
    path("<slug:key>/export.xlsx", views.export_view, name="export"),
    path("<slug:key>/new/", views.create_view, name="create"),
    path("<slug:key>/<int:pk>/", views.detail_view, name="detail"),
    path("<slug:key>/<int:pk>/edit/", views.edit_view, name="edit"),
    path("<slug:key>/<int:pk>/delete/", views.delete_view, name="delete"),
]
