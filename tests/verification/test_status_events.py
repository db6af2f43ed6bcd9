"""A status change announces itself to the handlers apps register, inside its transaction."""

from pathlib import Path

import pytest
from django.db import connection

from notifications import handlers
from notifications.models import Notification, OutgoingEmail
from tests.factories import VerificationFactory
from verification import status
from verification.models import Status, StatusChange, Verification
from verification.status import change_status, when_status_changes

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard(monkeypatch):
    """A handler registered for this test only; it records what it was told and saw."""
    monkeypatch.setattr(status, "_handlers", list(status._handlers))
    calls = []

    def listener(change):
        calls.append(
            {
                "change": (change.old, change.new),
                "row_written": StatusChange.objects.filter(pk=change.pk).exists(),
                "status_saved": Verification.objects.get(pk=change.verification_id).status,
                "in_transaction": connection.in_atomic_block,
            }
        )

    when_status_changes(listener)
    when_status_changes(listener)  # registering twice (ready() run again) keeps one
    return calls


@pytest.mark.django_db(transaction=True)  # so the only open transaction is change_status's
def test_each_change_is_announced_once_after_its_row_is_written(customer, heard):
    verification = VerificationFactory(user=customer)

    change_status(verification.pk, Status.PROVIDED, actor=customer)
    change_status(verification.pk, Status.PROVIDED, actor=customer)  # a retry: no-op

    assert heard == [
        {
            "change": (Status.DRAFT, Status.PROVIDED),
            "row_written": True,
            "status_saved": Status.PROVIDED,
            "in_transaction": True,
        }
    ]


def test_a_refused_move_announces_nothing(customer, heard):
    verification = VerificationFactory(user=customer)

    with pytest.raises(status.TransitionNotAllowed):
        change_status(verification.pk, Status.PASSED, actor=customer)

    assert heard == []


def test_a_failing_handler_undoes_the_change_and_its_notification(customer, monkeypatch):
    monkeypatch.setattr(status, "_handlers", list(status._handlers))

    def broken(change):
        raise RuntimeError("handler failed")

    when_status_changes(broken)  # after notifications' own handler, which has written its rows
    verification = VerificationFactory(user=customer)

    with pytest.raises(RuntimeError):
        change_status(verification.pk, Status.PROVIDED, actor=customer)

    verification.refresh_from_db()
    assert verification.status == Status.DRAFT
    assert not StatusChange.objects.filter(verification=verification).exists()
    assert not Notification.objects.filter(verification=verification).exists()
    assert not OutgoingEmail.objects.exists()


def test_notifications_hear_of_status_changes_without_verification_importing_them():
    # Registered by NotificationsConfig.ready(); verification.status names no other app.
    assert handlers.on_status_change in status._handlers
    assert "notifications" not in Path(status.__file__).read_text()
