"""Settings for bench/public_pages_bench.py only: the production settings with the bench's URLconf
(bench/public_pages_urls.py: the site plus the 50-row ceiling page). ``BENCH_PUBLIC_CACHE=off`` swaps
Django's cache for the dummy backend, so every public page is rendered (its change mark still read)."""

import os

from gongzhi.settings import *  # noqa: F403

ROOT_URLCONF = "public_pages_urls"
if os.environ.get("BENCH_PUBLIC_CACHE") == "off":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
