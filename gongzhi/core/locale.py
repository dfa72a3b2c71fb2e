"""Chinese unless the user chose otherwise.

Django's LocaleMiddleware follows the browser's Accept-Language, which would show English
to a street office whose PCs run an English Windows. The product's default is zh-Hans
(docs/DESIGN.md §7); only an explicit choice (the language switch's cookie) changes it."""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

SUPPORTED = {code for code, _name in settings.LANGUAGES}


def chosen_language(request) -> str:
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return chosen if chosen in SUPPORTED else settings.LANGUAGE_CODE


def language_middleware(get_response):
    def middleware(request):
        language = chosen_language(request)
        request.LANGUAGE_CODE = language
        # The language holds for this request only: a thread that serves (or a test that makes) an English
        # request next serves the default again, instead of keeping English for whatever comes after.
        with translation.override(language):
            response = get_response(request)
        if getattr(response, "public_page", False):
            return response  # its language is in its address (core/publicpages.py), not in the cookie
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response

    return middleware
