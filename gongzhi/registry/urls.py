from django.urls import path

from gongzhi.registry.views import importing, office

app_name = "registry"
urlpatterns = [
    path("import/", importing.import_view, name="import"),
    path("import/template/<slug:sheet>.xlsx", importing.template_view, name="template"),
    path("<slug:key>/", office.list_view, name="list"),
    path("<slug:key>/export.xlsx", office.export_view, name="export"),
    path("<slug:key>/new/", office.create_view, name="create"),
    path("<slug:key>/<int:pk>/", office.detail_view, name="detail"),
    path("<slug:key>/<int:pk>/edit/", office.edit_view, name="edit"),
    path("<slug:key>/<int:pk>/delete/", office.delete_view, name="delete"),
]
