"""Permission-matrix cases for the fees app's URLs (see tests/test_permission_matrix.py)."""


def cases(world):
    yield from ()
