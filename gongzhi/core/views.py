from django.contrib.auth import views as auth_views
from django.http import HttpResponse


class LoginView(auth_views.LoginView):
    pass


def logout_view(request):
    return HttpResponse()


def set_language(request):
    return HttpResponse()


def audit_log(request):
    return HttpResponse()


def healthz(request):
    return HttpResponse("ok")


def bad_request(request, exception=None):
    return HttpResponse(status=400)


def permission_denied(request, exception=None):
    return HttpResponse(status=403)


def page_not_found(request, exception=None):
    return HttpResponse(status=404)


def server_error(request):
    return HttpResponse(status=500)
