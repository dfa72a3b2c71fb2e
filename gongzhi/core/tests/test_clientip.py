"""Facts about the client address used for throttling: the socket, or the entry our own proxies wrote."""

import pytest
from django.test import RequestFactory

from gongzhi.core.clientip import client_ip


def request(remote="10.0.0.2", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_proxies_the_socket_address_counts_and_the_header_is_ignored(settings):
    settings.GONGZHI_PROXY_COUNT = 0
    assert client_ip(request(forwarded="1.2.3.4")) == "10.0.0.2"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the client forged the left entry
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.9", "203.0.113.7"),
        (2, "203.0.113.7", "10.0.0.2"),  # fewer entries than proxies: fall back to the socket
        (1, "not-an-address", "10.0.0.2"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_behind_proxies_the_entry_our_outermost_proxy_wrote_counts(settings, proxies, forwarded, expected):
    settings.GONGZHI_PROXY_COUNT = proxies
    assert client_ip(request(forwarded=forwarded)) == expected


def test_login_throttling_uses_the_same_address(settings):
    settings.GONGZHI_PROXY_COUNT = 1
    from axes.helpers import get_client_ip_address

    assert get_client_ip_address(request(forwarded="198.51.100.4")) == "198.51.100.4"
