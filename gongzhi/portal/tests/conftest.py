import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Uploaded photos go to a throwaway directory, not to var/media.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def categories(world):
    from gongzhi.problems.services import category_defaults_ensure

    return {c.code: c for c in category_defaults_ensure(street=world.street)}
