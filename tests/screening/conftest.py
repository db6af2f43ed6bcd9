import pytest


@pytest.fixture(autouse=True)
def _fresh_key_counts():
    """A worker reads a version's key counts once (a loaded version never changes); between
    tests a rolled-back version's id comes back with other contents, so forget them."""
    from screening import search

    search._key_counts.cache_clear()
    yield
    search._key_counts.cache_clear()
