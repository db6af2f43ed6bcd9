import datetime

import pytest
from django.utils import timezone

from accounts import roles
from tests.factories import SalesGroupFactory, UserFactory, VerificationFactory, staff_user
from verification.models import StatusChange

# Values that must never reach an inquiry login's pages or exports.
DATE_OF_BIRTH = datetime.date(1979, 11, 23)
DOCUMENT_NUMBER = "X7Q4K9Z21"
REVIEW_NOTE = "internal-note-zebra-quokka"
REVIEW_REASON = "reupload-reason-marmot"


def apply_for(customer, status="provided", *, history=(), **fields):
    """An application of `customer` in `status`, with StatusChange rows for `history`."""
    now = timezone.now()
    defaults = {
        "submitted_at": now if status != "draft" else None,
        "sla_due_at": now + datetime.timedelta(days=1) if status != "draft" else None,
    }
    verification = VerificationFactory(user=customer, status=status, **{**defaults, **fields})
    old = "draft"
    for new in history:
        StatusChange.objects.create(verification=verification, old=old, new=new)
        old = new
    return verification


@pytest.fixture
def group_customer(sales_group):
    """A customer of the inquiry login's own group."""
    return UserFactory(sales_group=sales_group)


@pytest.fixture
def other_group_customer(db):
    return UserFactory(sales_group=SalesGroupFactory())


@pytest.fixture
def other_inquiry(db):
    return staff_user(roles.SALES_INQUIRY, sales_group=SalesGroupFactory())


@pytest.fixture
def inquiry_client(client, inquiry):
    client.force_login(inquiry)
    return client
