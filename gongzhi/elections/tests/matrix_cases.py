"""Permission-matrix cases for the elections app's URLs (see tests/test_permission_matrix.py)."""


def cases(world):
    yield from ()
