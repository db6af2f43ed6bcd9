import pytest

from audit.models import AuditEvent
from audit.services import record
from tests.factories import VerificationFactory
from verification.models import Status, StatusChange
from verification.status import TransitionNotAllowed, change_status

pytestmark = pytest.mark.django_db


def test_status_change_rows_cannot_be_rewritten(customer):
    verification = VerificationFactory(user=customer)
    change_status(verification.pk, Status.PROVIDED, actor=customer, reason="submitted")
    change = StatusChange.objects.get(verification=verification)

    change.reason = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        change.save()
    assert StatusChange.objects.get(pk=change.pk).reason == "submitted"


def test_audit_events_cannot_be_rewritten(reviewer, customer):
    event = record(reviewer, AuditEvent.Action.CASE_OPENED, subject=customer)

    event.action = AuditEvent.Action.DECISION
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).action == AuditEvent.Action.CASE_OPENED


def test_an_illegal_move_is_refused_and_writes_nothing(customer):
    verification = VerificationFactory(user=customer)

    with pytest.raises(TransitionNotAllowed):
        change_status(verification.pk, Status.PASSED, actor=customer)

    verification.refresh_from_db()
    assert verification.status == Status.DRAFT
    assert not StatusChange.objects.filter(verification=verification).exists()


def test_repeating_the_current_status_is_a_harmless_no_op(customer):
    verification = VerificationFactory(user=customer)
    change_status(verification.pk, Status.PROVIDED, actor=customer)

    change_status(verification.pk, Status.PROVIDED, actor=customer)

    assert StatusChange.objects.filter(verification=verification).count() == 1
