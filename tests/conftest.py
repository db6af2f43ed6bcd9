import pytest

from accounts import roles

from .factories import SalesGroupFactory, UserFactory, staff_user


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    """Each test gets its own private document folder and an empty cache (rate limits)."""
    from django.core.cache import cache

    storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "private-media"), "base_url": None},
    }
    settings.STORAGES = {**settings.STORAGES, "default": storage, "documents": storage}
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-media"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def customer(db):
    """A signed-up customer with a verified email address."""
    return UserFactory()


@pytest.fixture
def outsider(db):
    """Another customer, who must never see the first one's data."""
    return UserFactory()


@pytest.fixture
def reviewer(db):
    return staff_user(roles.REVIEWER)


@pytest.fixture
def supervisor(db):
    return staff_user(roles.SUPERVISOR)


@pytest.fixture
def sales_group(db):
    return SalesGroupFactory()


@pytest.fixture
def inquiry(db, sales_group):
    return staff_user(roles.SALES_INQUIRY, sales_group=sales_group)


@pytest.fixture
def customer_client(client, customer):
    client.force_login(customer)
    return client
