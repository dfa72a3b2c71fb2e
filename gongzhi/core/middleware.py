"""Headers Django 5.2 does not set by itself: a strict Content-Security-Policy and a
Permissions-Policy. All scripts and styles are vendored and served from our origin."""

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # ECharts and htmx set style attributes at run time; no inline <style> blocks in our templates.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = "camera=(self), microphone=(), geolocation=(self), payment=(), usb=()"


def security_headers(get_response):
    def middleware(request):
        response = get_response(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response

    return middleware
