"""Permission-matrix cases for the disclosure app's URLs (see tests/test_permission_matrix.py)."""


def cases(world):
    yield from ()
